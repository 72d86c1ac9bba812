"""The rate counter in sight (issue 13 point 6): 40 quick nudges of one order against the embedded
exchange's counter. The counter shown next to the working size rises, the warning comes before the
exchange's own ``EOrder:Rate limit exceeded``, and with ``rate_guard = "refuse"`` the desk stops
the amends itself, so the exchange never has to refuse one.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from textual import events

from tests.app.conftest import live_app, ready, until
from tui.app import KrakenApp
from tui.exchange.server import RunningExchange
from tui.screens.market import MarketScreen
from tui.widgets.ladder import BookLadder


async def _nudges(pilot: Any, app: KrakenApp, ex: RunningExchange, n: int) -> list[float]:
    await pilot.press("exclamation_mark", "l", "down", "down", "down", "down", "down", "down", "y")
    await until(pilot, lambda: len(ex.engine.open_orders("demo")) == 1)
    order_id = ex.engine.open_orders("demo")[0].order_id
    await until(pilot, lambda: order_id in app.store.account.orders)
    await until(pilot, lambda: app.store.account.rate_max is not None)
    # as a held-down key delivers them (about 30/s autorepeat): the terminal driver posts each key
    seen = []
    for _ in range(n):
        app.post_message(events.Key("right_square_bracket", "]"))
        await asyncio.sleep(0.03)
        seen.append(float(app.desk.rate_reading("BTC/USD").value))
    await pilot.pause(0.3)
    return seen


def _entries(app: KrakenApp) -> list[tuple[str, str]]:
    return [(e.level, e.text) for e in app.store.activity]


async def test_forty_nudges_warn_before_the_exchange_refuses(exchange: RunningExchange) -> None:
    app = live_app(exchange, book_depth=100)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        seen = await _nudges(pilot, app, exchange, 40)
        assert max(seen) >= 100 and seen[10] > seen[0]  # the counter rose, nudge by nudge
        await until(
            pilot, lambda: any("Rate limit exceeded" in t for lv, t in _entries(app) if lv == "error")
        )
        entries = _entries(app)
        warned = next(i for i, (lv, t) in enumerate(entries) if lv == "warning" and "rate counter" in t)
        refused = next(i for i, (lv, t) in enumerate(entries) if lv == "error" and "Rate limit exceeded" in t)
        assert warned < refused
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        info = screen.query_one("#book", BookLadder).info
        # next to the working size, as the exchange streamed it (no "~": not an estimate)
        assert re.search(r"rate \d+/125", info), info
        assert "BTC/USD" in app.store.account.rate_counters


async def test_refuse_setting_stops_the_amend_before_the_exchange_has_to(exchange: RunningExchange) -> None:
    app = live_app(exchange, book_depth=100, ladder={"rate_guard": "refuse"})
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await _nudges(pilot, app, exchange, 40)
        await pilot.pause(0.5)
        entries = _entries(app)
        assert any("refused locally" in t and "Rate limit exceeded" in t for _, t in entries)
        assert not any(
            lv == "error" and t.startswith("amend ") and "Rate limit exceeded" in t for lv, t in entries
        )
