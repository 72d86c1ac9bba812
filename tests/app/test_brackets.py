"""Issue 13 point 4, end to end: a bracketed entry typed in the order panel, sent as one
add_order with ``conditional``, filled in two parts on the embedded exchange; each fill places
its stop, linked to the entry in the Orders panel; ``]`` moves a stop's trigger (an amend, the
guards run); the market falling through the stop closes the position."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from textual.coordinate import Coordinate

from tests.app.conftest import (
    SYMBOLS,
    app_settings,
    fill_form,
    live_app,
    order_panel,
    panel_closed,
    ready,
    screen_text,
    until,
    urls_of,
)
from tests.app.test_outcomes import hit
from tui.app import KrakenApp
from tui.exchange.orders import OrderRequest
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.orders import FormInput, Reviewed, build_order
from tui.orders.context import order_context
from tui.screens.review import ReviewScreen
from tui.widgets.account import OrdersTable


@pytest.fixture
async def quiet() -> AsyncIterator[RunningExchange]:
    """A market that barely moves: every fill is one the test made."""
    ex = await start_exchange(ExchangeConfig(port=0, rate=0.01, seed=5, symbols=SYMBOLS))
    yield ex
    await ex.stop()


def demo_orders(ex: RunningExchange) -> list[Any]:
    return ex.engine.open_orders("demo")


def btc(ex: RunningExchange) -> Decimal:
    return ex.engine.balances("demo")["BTC"][0]


async def tab_to(pilot: Any, panel: Any, field: str) -> None:
    """Tab through the panel's fields, as a user would, until ``field`` has the cursor."""
    for _ in range(20):
        if pilot.app.screen.focused is panel.query_one(field):
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {field}")


async def test_bracket_entry_fills_in_two_parts_and_its_stops_close_the_position(
    quiet: RunningExchange,
) -> None:
    ex = quiet
    app = live_app(ex)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        held = btc(ex)
        pair = ex.engine.pairs["BTC/USD"]
        # entry one tick above the best bid (first in line for a seller), stop 3 ticks under the bid
        await fill_form(pilot, "buy", "0.003", "+1t")
        panel = order_panel(app)
        assert panel is not None
        await tab_to(pilot, panel, "#stop")
        await pilot.press(*"-3t", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen)
        b = review.review.bracket
        assert b is not None and b.sent == "stop" and b.stop is not None and b.loss_at_stop is not None
        entry = review.review.price
        assert entry is not None
        # loss at the stop, fees in: 0.003 * (entry - stop) + maker fee in + taker fee out
        assert b.loss_at_stop == (
            Decimal("0.003") * (entry - b.stop)
            + Decimal("0.003") * entry * Decimal("0.0025")
            + Decimal("0.003") * b.stop * Decimal("0.004")
        ).quantize(Decimal("0.01"))
        text = screen_text(app)
        assert "Stop-loss" in text and "Loss at stop" in text and "fees included" in text
        sent = len(ex.requests_received)
        await pilot.press("enter")
        await until(pilot, lambda: len(demo_orders(ex)) == 1 and panel_closed(app))
        add = ex.requests_received[sent]
        assert add["method"] == "add_order" and add["params"]["conditional"] == {
            "order_type": "stop-loss",
            "trigger_price": format(b.stop, "f"),
        }
        primary = demo_orders(ex)[0]
        assert primary.conditional is not None

        # another order of demo's, placed after the entry, rests far below
        other = ex.engine.add_order(
            "demo", OrderRequest("limit", "buy", "BTC/USD", pair.qty_ticks("0.001"), primary.limit_price // 2)
        )
        ex.ctx.publish()
        await until(pilot, lambda: other.order_id in app.store.account.orders)
        # part one: 0.001 fills, and a 0.001 stop is placed for it
        hit(ex, primary, "0.001")
        await until(pilot, lambda: len(demo_orders(ex)) == 3)
        stops = [o for o in demo_orders(ex) if o.ord_ref_id == primary.order_id]
        assert [(o.order_type, o.side, o.qty) for o in stops] == [
            ("stop-loss", "sell", pair.qty_ticks("0.001"))
        ]
        # while the entry is partly filled, its stop sits on the row right under it
        table = app.market_screen.query_one(OrdersTable)  # type: ignore[union-attr]

        def rows() -> list[Any]:
            return [
                table.coordinate_to_cell_key(Coordinate(r, 0)).row_key.value for r in range(table.row_count)
            ]

        await until(pilot, lambda: stops[0].order_id in rows())
        assert rows().index(stops[0].order_id) == rows().index(primary.order_id) + 1, rows()
        # part two: the rest fills, a second stop for its 0.002
        hit(ex, primary, "0.002")
        await until(pilot, lambda: len([o for o in demo_orders(ex) if o.ord_ref_id]) == 2)
        stops = [o for o in demo_orders(ex) if o.ord_ref_id == primary.order_id]
        assert sorted(o.qty for o in stops) == [pair.qty_ticks("0.001"), pair.qty_ticks("0.002")]
        assert btc(ex) == held + Decimal("0.003")

        # the Orders panel shows each stop linked to its entry
        await until(pilot, lambda: all(o.order_id in table._values for o in stops))
        for o in stops:
            assert app.store.account.orders[o.order_id].ord_ref_id == primary.order_id
            cells = table._values[o.order_id]
            assert cells[0].startswith("↳ ") and f"stop-loss of {primary.order_id[:6]}" in cells[3]

        # `]` on a stop moves its trigger one tick: an amend of the same order
        first = next(o for o in stops if o.qty == pair.qty_ticks("0.001"))
        trigger = first.trigger_price
        await pilot.press("o")
        table.move_cursor(row=rows().index(first.order_id))
        await pilot.press("right_square_bracket")
        moved = trigger + pair.price_increment
        await until(pilot, lambda: getattr(ex.engine.order(first.order_id), "trigger_price", None) == moved)
        assert ex.requests_received[-1]["method"] == "amend_order"
        assert "trigger_price" in ex.requests_received[-1]["params"]

        # the market falls through the stops: carol sells the best bids away
        if not ex.engine.has_account("carol"):
            ex.engine.open_account("carol", {"USD": Decimal(0), "BTC": Decimal(10)})
        ex.engine.add_order("carol", OrderRequest("market", "sell", "BTC/USD", pair.qty_ticks("0.5")))
        ex.ctx.publish()
        await until(pilot, lambda: [o.order_id for o in demo_orders(ex)] == [other.order_id])
        assert btc(ex) == held  # the 0.003 bought is sold again: the position is closed
        await until(
            pilot,
            lambda: (
                [o for o in app.store.account.orders.values() if o.is_open]
                == [app.store.account.orders[other.order_id]]
            ),
        )


async def test_a_bracket_is_journaled_with_its_close(quiet: RunningExchange, tmp_path: Path) -> None:
    """The journal writes the request as sent, its conditional close included (a nested Decimal
    once broke the JSON and the order never left)."""
    db = tmp_path / "journal.sqlite3"
    app = KrakenApp(app_settings(), "DEMO", urls=urls_of(quiet), journal=db)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await fill_form(pilot, "buy", "0.002", "-1%")
        panel = order_panel(app)
        assert panel is not None
        await tab_to(pilot, panel, "#stop")
        await pilot.press(*"-2%", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: len(demo_orders(quiet)) == 1)
        assert demo_orders(quiet)[0].conditional is not None
        await pilot.pause(0.3)
    row = sqlite3.connect(db).execute("SELECT request FROM orders").fetchone()
    request = json.loads(row[0])
    assert request["conditional"]["order_type"] == "stop-loss"
    assert Decimal(request["conditional"]["trigger_price"]) > 0


async def test_the_store_follows_a_stop_moved_by_a_nudge(quiet: RunningExchange) -> None:
    ex = quiet
    app = live_app(ex)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        ctx = order_context(app.store, "BTC/USD")
        assert ctx is not None
        form = FormInput("sell", "stop-loss", qty="0.001", trigger="-2%")
        draft = build_order(form, ctx.inst, ctx.book, ctx.balances, app.settings.guards)
        assert draft.params is not None and draft.review is not None, draft.errors
        app.desk.place(Reviewed(draft.params, draft.review))
        await until(
            pilot,
            lambda: len(demo_orders(ex)) == 1 and demo_orders(ex)[0].order_id in app.store.account.orders,
        )
        stop = demo_orders(ex)[0]
        before = app.store.account.orders[stop.order_id].trigger_price
        assert before is not None
        ticks = stop.trigger_price
        assert ticks is not None
        await pilot.press("o", "right_square_bracket")
        tick = ex.engine.pairs["BTC/USD"].price_increment
        await until(pilot, lambda: stop.trigger_price == ticks + tick)  # the exchange's order moved
        await until(pilot, lambda: app.store.account.orders[stop.order_id].trigger_price != before, timeout=3)
        assert app.store.account.orders[stop.order_id].trigger_price == before + ctx.inst.price_decimal(tick)
