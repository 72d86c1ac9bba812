"""Watchlist edits at run time: search over every listed pair, add, remove, reorder, persisted."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.widgets import Label, OptionList

from tui.exchange.server import RunningExchange
from tui.feed.tickers import TickerBatches, batches
from tui.screens.search import SymbolSearch
from tui.watchlist import WatchlistFile
from tui.widgets.statusbar import StatusBar
from tui.widgets.watchlist import Watchlist

from .conftest import SYMBOLS, ready, until
from .test_screener import EXTRA, make_app, market, public_subs, saved

__all__ = ["market"]  # the fixture, shared with the screener tests


def rows_of(app: object) -> list[str]:
    screen = app.market_screen  # type: ignore[attr-defined]
    return [str(k.value) for k in screen.query_one(Watchlist).rows]


async def test_search_finds_every_listed_pair_and_says_no_match(
    market: RunningExchange, tmp_path: Path
) -> None:
    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: EXTRA in app.store.instruments)
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SymbolSearch))
        search = app.screen
        await pilot.press(*"zzz")
        await pilot.pause(0.1)
        assert search.query_one(OptionList).option_count == 0
        assert "no match" in str(search.query_one("#search-none", Label).render())
        await pilot.press("ctrl+u", *"ada")
        await pilot.pause(0.1)
        assert search.query_one(OptionList).get_option_at_index(0).id == EXTRA  # not on the watchlist
        await pilot.press("ctrl+t")  # added (saved) from the search
        await until(pilot, lambda: EXTRA in app.store.markets)
        assert saved(tmp_path) == [*SYMBOLS, EXTRA]
        await until(pilot, lambda: {"book", "ticker", "trade", "ohlc"} <= public_subs(market, EXTRA))
        await pilot.press("ctrl+t")  # and removed again
        await until(pilot, lambda: EXTRA not in app.store.markets)
        assert saved(tmp_path) == SYMBOLS
        await until(pilot, lambda: public_subs(market, EXTRA) == set())
        await pilot.press("enter")  # opened: shown, not saved
        ms = app.market_screen
        assert ms is not None
        await until(pilot, lambda: app.screen is ms and ms.symbol == EXTRA)
        assert EXTRA in rows_of(app) and saved(tmp_path) == SYMBOLS


async def test_reorder_and_remove_persist_across_restart(market: RunningExchange, tmp_path: Path) -> None:
    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await pilot.press("w")  # the watchlist; its cursor is on the first pair
        await pilot.press("shift+down", "shift+down")
        await until(pilot, lambda: rows_of(app)[2] == SYMBOLS[0])
        assert list(app.store.markets)[:5] == [SYMBOLS[1], SYMBOLS[2], SYMBOLS[0], *SYMBOLS[3:]]
        await pilot.press("shift+up")
        await until(pilot, lambda: rows_of(app)[1] == SYMBOLS[0])
        await pilot.press("down", "delete")  # the cursor's pair (SYMBOLS[2]) goes
        await until(pilot, lambda: SYMBOLS[2] not in app.store.markets)
        assert SYMBOLS[2] not in rows_of(app)
        await until(pilot, lambda: public_subs(market, SYMBOLS[2]) == set())
        left = saved(tmp_path)
        assert left == [SYMBOLS[1], SYMBOLS[0], *SYMBOLS[3:]]
    again = make_app(market, tmp_path)
    async with again.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: again.store.market(left[0]).book_state == "ok")
        assert [s for s in again.store.markets if "/" in s] == left
        assert rows_of(again)[: len(left)] == left
        assert again.feed is not None and again.feed.spot.symbols == left
        assert again.market_screen is not None and again.market_screen.symbol == left[0]


async def test_the_last_spot_pair_and_futures_are_not_removed(
    market: RunningExchange, tmp_path: Path
) -> None:
    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        for s in SYMBOLS[1:]:
            assert app.desk.unwatch(s)
        assert not app.desk.unwatch(SYMBOLS[0])
        assert not app.desk.unwatch("PF_XBTUSD")
        assert SYMBOLS[0] in app.store.markets and saved(tmp_path) == SYMBOLS[:1]


# --- the saved file: precedence and bad input ---------------------------------------------------------
def test_saved_list_wins_over_the_config_it_was_started_from(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    wl = WatchlistFile(path, SYMBOLS)
    assert wl.load() == SYMBOLS  # first run: the config's
    assert wl.save(["ETH/USD", "ADA/USD"]) is None
    assert WatchlistFile(path, SYMBOLS).load() == ["ETH/USD", "ADA/USD"]
    # the user edited the config's symbols since: the config wins
    assert WatchlistFile(path, ["SOL/USD"]).load() == ["SOL/USD"]
    assert not list(tmp_path.glob("*.tmp"))


def test_a_bad_file_is_reported_and_the_config_used(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    for body in (
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"symbols": ["btc", 3], "config_symbols": SYMBOLS}),
    ):
        path.write_text(body)
        wl = WatchlistFile(path, SYMBOLS)
        assert wl.load() == SYMBOLS
        assert wl.problem is not None and str(path) in wl.problem
    path.write_text(json.dumps({"symbols": ["ADA/USD", "x", "ADA/USD"], "config_symbols": SYMBOLS}))
    assert WatchlistFile(path, SYMBOLS).load() == ["ADA/USD"]  # invalid and repeated entries dropped


def test_a_file_that_cannot_be_written_is_an_error_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the directory should be")
    error = WatchlistFile(blocker / "watchlist.json", SYMBOLS).save(SYMBOLS)
    assert error is not None and "not saved" in error


# --- the screener's ticker batches ----------------------------------------------------------------
async def test_tickers_go_in_batches_and_missing_ones_are_asked_again() -> None:
    sent: list[list[str]] = []
    latest: dict[str, object] = {}
    symbols = [f"P{i:03d}/USD" for i in range(120)]

    async def send(chunk: list[str]) -> None:
        sent.append(chunk)
        for s in chunk:
            if s != "P007/USD" or len(sent) >= 4:  # one pair's first answer is lost
                latest[s] = object()

    tb = TickerBatches(send, latest.get, pace=0.0, check_after=0.01)
    new = tb.want(symbols, already=["P000/USD"])
    assert len(new) == 119 and "P000/USD" in tb.wanted
    assert tb.want(symbols) == []  # asked once
    await asyncio.wait_for(tb.run(new), 2)
    assert [len(c) for c in sent] == [50, 50, 19, 1] and sent[-1] == ["P007/USD"]
    assert batches(symbols, 50)[2] == symbols[100:]


async def test_a_mode_switch_keeps_the_watchlist_as_edited(market: RunningExchange, tmp_path: Path) -> None:
    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        assert app.desk.watch(EXTRA)
        await app.switch_mode_to("DEMO")  # a fresh store and desk over the in-process exchange
        await until(pilot, lambda: EXTRA in app.store.markets, 10)
        await until(pilot, lambda: app.store.markets[EXTRA].book_state == "ok", 15)
        assert app.desk.watchlist_file is not None and rows_of(app)[len(SYMBOLS)] == EXTRA


async def test_a_fast_typed_search_lands_in_the_box(market: RunningExchange, tmp_path: Path) -> None:
    """'/ada' in one read: the letters after '/' are the query, none is a market-screen key."""
    from textual import events
    from textual.widgets import Input

    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: EXTRA in app.store.instruments)
        for key, char in (("slash", "/"), ("a", "a"), ("d", "d"), ("a", "a")):
            app.post_message(events.Key(key, char))
        await until(pilot, lambda: isinstance(app.screen, SymbolSearch))
        await until(pilot, lambda: app.screen.query_one("#search-input", Input).value == "ada")
        await pilot.pause(0.1)
        assert app.screen.query_one(OptionList).get_option_at_index(0).id == EXTRA


async def test_a_saved_pair_this_venue_does_not_list_says_so(market: RunningExchange, tmp_path: Path) -> None:
    """A pair saved in another mode's watchlist: the venue refuses it, the row and the status bar
    say "not listed", the ladder says so, and the other pairs are unharmed."""
    unlisted = "ZZZ/USD"
    assert WatchlistFile(tmp_path / "watchlist.json", SYMBOLS).save([*SYMBOLS, unlisted]) is None
    app = make_app(market, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: app.store.market(unlisted).refused is not None)
        assert "Currency pair not supported" in str(app.store.market(unlisted).refused)
        wl = app.market_screen.query_one(Watchlist)  # type: ignore[union-attr]
        await until(pilot, lambda: wl.get_cell(unlisted, "Last").plain == "not listed")
        assert wl.get_cell(unlisted, "").plain == "✗"
        assert all(app.store.market(s).book_state == "ok" for s in SYMBOLS)
        assert "ZZZ✗" in str(app.market_screen.query_one(StatusBar).render())  # type: ignore[union-attr]
        app.market_screen.select_symbol(unlisted)  # type: ignore[union-attr]
        ladder = app.market_screen.query_one("#book")  # type: ignore[union-attr]
        await until(pilot, lambda: ladder.border_subtitle == "not listed by this venue")
