"""The screener over a live loopback exchange: every listed pair, sorted, filtered, opened, added."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tui.app import KrakenApp
from tui.exchange.pairs import DEFAULT_PAIRS
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.screens.screener import ScreenerScreen
from tui.widgets.screener_table import ScreenerTable

from .conftest import SYMBOLS, app_settings, ready, screen_text, until, urls_of

EXTRA = "ADA/USD"  # listed by the exchange, not on the watchlist


@pytest.fixture
async def market() -> AsyncIterator[RunningExchange]:
    assert EXTRA in DEFAULT_PAIRS and EXTRA not in SYMBOLS
    ex = await start_exchange(ExchangeConfig(port=0, rate=60, seed=5, symbols=list(DEFAULT_PAIRS)))
    yield ex
    await ex.stop()


def make_app(ex: RunningExchange, state: Path) -> KrakenApp:
    return KrakenApp(app_settings(), "DEMO", urls=urls_of(ex), watchlist=state / "watchlist.json")


def saved(state: Path) -> list[str]:
    out: list[str] = json.loads((state / "watchlist.json").read_text())["symbols"]
    return out


def public_subs(ex: RunningExchange, symbol: str) -> set[str]:
    """The channels the exchange serves ``symbol`` on to the app's public socket."""
    return {str(k[0]) for c in ex.conns if c.kind == "public" for k in c.subs if symbol in k}


async def open_screener(pilot: Any, app: KrakenApp) -> tuple[ScreenerScreen, ScreenerTable]:
    await pilot.press("S")
    await until(pilot, lambda: isinstance(app.screen, ScreenerScreen))
    screen = app.screen
    assert isinstance(screen, ScreenerScreen)
    table = screen.query_one(ScreenerTable)
    await until(pilot, lambda: len(table.order) == len(DEFAULT_PAIRS))
    await until(pilot, lambda: all(s in app.store.tickers for s in DEFAULT_PAIRS), timeout=8)
    return screen, table


async def test_screener_lists_every_pair_with_tickers_beyond_the_watchlist(
    market: RunningExchange, tmp_path: Path
) -> None:
    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        _screen, table = await open_screener(pilot, app)
        assert EXTRA not in app.store.markets  # a ticker, but no book, for a pair not on screen
        assert public_subs(market, EXTRA) == {"ticker"}
        await pilot.pause(0.6)
        text = screen_text(app)
        assert EXTRA in text and "24h vol USD" in text and "Spread bp" in text
        # XRP/EUR: no EUR/USD pair is listed, so its volume cannot be converted: unknown, not a guess
        line = {ln.split()[1]: ln for ln in text.splitlines() if "/" in ln and ln.split()[0] == "★"}
        assert "unknown" in line["XRP/EUR"]
        assert "unknown" not in line["BTC/USD"] and line["BTC/USD"].split()[-1] == "online"
        assert "ADA/USD" in table.order and " ADA/USD" in text and "★ ADA/USD" not in text


async def test_screener_sorts_and_filters(market: RunningExchange, tmp_path: Path) -> None:
    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        screen, table = await open_screener(pilot, app)
        await pilot.press("1")  # by pair, A→Z
        await pilot.pause(0.1)
        assert table.order == sorted(DEFAULT_PAIRS)
        await pilot.press("1")  # again: Z→A
        await pilot.pause(0.1)
        assert table.order == sorted(DEFAULT_PAIRS, reverse=True)
        await pilot.press("4")  # by volume, largest first, the unknown last
        await pilot.pause(0.1)
        # tickers keep moving (the order follows at most once a second): sort again, then read
        # the values the order was made from, with no await in between
        screen.repaint(force=True)
        volumes = [r.volume for r in table.rows[:-1]]
        assert volumes == sorted(volumes, reverse=True)  # type: ignore[type-var]
        assert table.order[-1] == "XRP/EUR"
        assert screen.sort.column == "volume" and screen.sort.descending
        await pilot.press("q")  # quote: EUR (the first listed quote A→Z)
        await pilot.pause(0.1)
        assert screen.quote == "EUR" and table.order == ["XRP/EUR"]
        await pilot.press("q")  # quote: USD
        await pilot.pause(0.1)
        assert sorted(table.order) == sorted(s for s in DEFAULT_PAIRS if s.endswith("/USD"))
        await pilot.press("q")  # all again
        await pilot.press("t")  # status: online (all of them are)
        await pilot.pause(0.1)
        assert screen.status == "online" and len(table.order) == len(DEFAULT_PAIRS)
        await pilot.press("t")
        await pilot.press("slash", *"ada")
        await pilot.pause(0.1)
        assert table.order == [EXTRA]
        await pilot.press("ctrl+u", *"zzz")
        await pilot.pause(0.1)
        assert table.order == [] and "no match" in screen_text(app)
        await pilot.press("ctrl+u", "escape")
        await pilot.pause(0.1)
        assert len(table.order) == len(DEFAULT_PAIRS)


async def test_open_add_remove_and_restart(market: RunningExchange, tmp_path: Path) -> None:
    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        _screen, table = await open_screener(pilot, app)
        await pilot.press("slash", *"ada", "enter")
        await pilot.pause(0.1)
        assert table.selected() == EXTRA
        await pilot.press("enter")  # open it on the market screen: shown, subscribed, not saved
        ms = app.market_screen
        assert ms is not None
        await until(pilot, lambda: app.screen is ms and ms.symbol == EXTRA)
        await until(pilot, lambda: app.store.markets[EXTRA].book_state == "ok")
        assert {"book", "trade", "ohlc", "ticker"} <= public_subs(market, EXTRA)
        assert not (tmp_path / "watchlist.json").exists()
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, ScreenerScreen))
        await pilot.press("a")  # now saved
        await until(pilot, lambda: (tmp_path / "watchlist.json").exists())
        assert saved(tmp_path) == [*SYMBOLS, EXTRA]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is ms)
        await pilot.press("w")  # the watchlist, cursor on the pair shown
        await pilot.press("delete")
        await until(pilot, lambda: EXTRA not in app.store.markets)
        assert saved(tmp_path) == SYMBOLS
        assert EXTRA not in app.feed.spot.symbols  # type: ignore[union-attr]
        # the book, prints and candles are unsubscribed; the screener keeps its ticker
        await until(pilot, lambda: public_subs(market, EXTRA) == {"ticker"})
        assert ms.symbol != EXTRA
        await pilot.press("shift+down")  # the first pair one down
        await until(pilot, lambda: saved(tmp_path)[1] == SYMBOLS[0])
    left = saved(tmp_path)
    again = make_app(market, tmp_path)
    async with again.run_test(size=(160, 45)) as pilot:
        await ready(pilot, again)
        assert list(again.store.markets)[: len(left)] == left
        assert [str(k.value) for k in again.market_screen.query_one("#watchlist").rows][: len(left)] == left  # type: ignore[union-attr]


async def test_a_fast_typed_filter_goes_into_the_box(market: RunningExchange, tmp_path: Path) -> None:
    """'/ada' arriving in one read (a fast typist, a paste): every key after '/' is text, none
    is taken by the table (where 'a' would add the pair under the cursor to the watchlist)."""
    from textual import events

    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        screen, table = await open_screener(pilot, app)
        for key, char in (("slash", "/"), ("a", "a"), ("d", "d"), ("a", "a")):
            app.post_message(events.Key(key, char))
        await until(pilot, lambda: screen.text == "ada")
        await pilot.pause(0.1)
        assert table.order == [EXTRA] and not (tmp_path / "watchlist.json").exists()
