"""Issue 12, "every outcome is announced" and the risky switches: fills, DMS firings, quitting with
orders open, switching to LIVE, reduce-only refused in the form, orders gone while the app was away.

Fills come from a second account on the embedded exchange trading against the demo user's resting
order, so the fill reaches the app exactly as a real one would (executions feed).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from textual.coordinate import Coordinate

from tests.app.conftest import SYMBOLS, fill_form, live_app, order_panel, panel_closed, ready, until
from tests.app.test_order_guards import methods, open_orders, place
from tui.exchange.orders import OrderRequest
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.screens.confirm import Confirm
from tui.screens.market import MarketScreen
from tui.widgets.account import FillsTable


@pytest.fixture
async def quiet() -> AsyncIterator[RunningExchange]:
    """A market that barely moves: no synthetic taker hits the resting order before the test does."""
    ex = await start_exchange(ExchangeConfig(port=0, rate=0.01, seed=5, symbols=SYMBOLS))
    yield ex
    await ex.stop()


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    return tmp_path


class Toasts:
    def __init__(self, app: Any) -> None:
        self.seen: list[tuple[str, str]] = []
        inner = app.desk.notify

        def notify(message: str, *, severity: str = "information", timeout: float | None = None) -> None:
            self.seen.append((severity, message))
            inner(message, severity=severity, timeout=timeout)

        app.desk.notify = notify

    def texts(self) -> list[str]:
        return [m for _, m in self.seen]


def hit(ex: RunningExchange, order: Any, qty: str) -> None:
    """Another account sells ``qty`` into the demo user's resting buy at its price."""
    pair = ex.engine.pairs["BTC/USD"]
    if not ex.engine.has_account("carol"):
        ex.engine.open_account("carol", {"USD": Decimal(0), "BTC": Decimal(10)})
    ex.engine.add_order(
        "carol", OrderRequest("limit", "sell", "BTC/USD", pair.qty_ticks(qty), order.limit_price)
    )
    ex.ctx.publish()


async def rest_at_the_bid(pilot: Any, app: Any, ex: RunningExchange, qty: str) -> Any:
    """A buy one tick above the best bid: the first in line for a seller at that price."""
    return await place(pilot, app, ex, qty, "+1t")


# --- 14. fills are announced -------------------------------------------------------------------
async def test_partial_and_full_fill_are_announced_once(quiet: RunningExchange) -> None:
    exchange = quiet
    app = live_app(exchange, notify={"bell": True})
    bells: list[int] = []
    written: list[str] = []
    async with app.run_test(size=(140, 40)) as pilot:
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        app.terminal_write = written.append  # type: ignore[method-assign, assignment]
        await ready(pilot, app)
        toasts = Toasts(app)
        history_fills = len(app.store.account.fills)
        order = await rest_at_the_bid(pilot, app, exchange, "0.003")
        hit(exchange, order, "0.001")
        await until(
            pilot, lambda: any(t.startswith("Partly filled BUY 0.001 BTC/USD") for t in toasts.texts())
        )
        text = next(t for t in toasts.texts() if t.startswith("Partly filled"))
        price = format(exchange.engine.pairs["BTC/USD"].price_decimal(order.limit_price), "f").rstrip("0")
        assert f"@ {price.rstrip('.')}" in text and "remaining 0.002" in text and "fee 0" in text, text
        assert any(e.text == text for e in app.store.activity)
        assert bells == [1] and written == []  # the terminal has focus: no desktop notification

        # the terminal loses focus: the next fill also goes to the desktop
        app.post_message(__import__("textual.events", fromlist=["AppBlur"]).AppBlur())
        await until(pilot, lambda: not app.terminal_focused)
        hit(exchange, order, "0.002")
        await until(pilot, lambda: any(t.startswith("Filled BUY 0.002 BTC/USD") for t in toasts.texts()))
        assert "remaining 0" in next(t for t in toasts.texts() if t.startswith("Filled"))
        await until(pilot, lambda: len(written) == 1)
        assert (
            "\x1b]9;kraken-tui: Filled BUY 0.002 BTC/USD" in written[0] and "\x1b]777;notify;" in written[0]
        )
        assert bells == [1, 1]
        await pilot.pause(0.5)
        fills = [t for t in toasts.texts() if "filled buy" in t.lower()]
        assert len(fills) == 2, fills  # each once
        assert len(app.store.account.fills) == history_fills + 2

        # the Fills panel: newest first, g/G/home/end move, `p` groups per order at the average
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        await pilot.press("f")
        table = screen.query_one(FillsTable)
        await until(pilot, lambda: table.row_count >= 2)
        newest = app.store.account.fills[-1]
        assert table.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value == newest.exec_id
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("p")
        await until(pilot, lambda: f"order-{order.order_id}" in table._values)
        row = table.get_row(f"order-{order.order_id}")
        assert str(row[4]) == "0.00300000" and str(row[6]) == "×2"
        assert Decimal(str(row[3])) == exchange.engine.pairs["BTC/USD"].price_decimal(order.limit_price)


async def test_snapshot_history_is_not_announced(quiet: RunningExchange) -> None:
    """Fills from before the session (a second app connecting to the same account) are history."""
    exchange = quiet
    first = live_app(exchange)
    async with first.run_test(size=(140, 40)) as pilot:
        await ready(pilot, first)
        order = await rest_at_the_bid(pilot, first, exchange, "0.002")
        hit(exchange, order, "0.002")
        await until(pilot, lambda: any(f.order_id == order.order_id for f in first.store.account.fills))
    second = live_app(exchange)
    async with second.run_test(size=(140, 40)) as pilot:
        toasts = Toasts(second)
        await ready(pilot, second)
        await until(pilot, lambda: any(f.order_id == order.order_id for f in second.store.account.fills))
        await pilot.pause(0.6)
        assert not [t for t in toasts.texts() if "illed" in t], toasts.texts()


def test_desktop_notification_is_wrapped_for_tmux_and_cannot_escape() -> None:
    from tui.screens.notify import desktop_notification

    plain = desktop_notification("kraken-tui", "Filled BUY 1 BTC/USD\x1b]0;pwned\x07")
    assert (
        plain
        == "\x1b]9;kraken-tui: Filled BUY 1 BTC/USD]0,pwned\x07\x1b]777;notify;kraken-tui;Filled BUY 1 BTC/USD]0,pwned\x07"
    )
    wrapped = desktop_notification("t", "b", tmux=True)
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\\x1bPtmux;\x1b\x1b]777;notify;t;b\x07\x1b\\"


# --- 15. the Activity log ------------------------------------------------------------------------
async def test_dms_firing_and_local_refusals_reach_the_activity_log(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    app.settings.dead_mans_switch.timeout = 1
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        await place(pilot, app, exchange, "0.001", "-1%")
        await pilot.press("D")
        await until(pilot, lambda: app.store.account.dms_armed)
        assert app.feed is not None
        for switch in app.feed.dead_mans_switches():
            switch.stop_refreshing()
        await until(pilot, lambda: not open_orders(exchange), timeout=4)
        await until(
            pilot,
            lambda: any(e.text.startswith("Dead-man's switch fired: 1 order") for e in app.store.activity),
        )
        # a refusal in the form is written down too
        await fill_form(pilot, "buy", "1,5", "-1%")
        await pilot.press("enter")
        await until(pilot, lambda: any("use a point for decimals" in e.text for e in app.store.activity))


async def test_connection_loss_and_recovery_reach_the_activity_log(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        for conn in list(exchange.ctx.conns):
            if conn.kind == "public":
                await conn.ws.close()
        # lost, then back (or, when the reconnect beat the next look, one line saying both)
        await until(
            pilot,
            lambda: any(
                "public: connected again after" in e.text
                or "public: connection dropped and came back" in e.text
                for e in app.store.activity
            ),
            timeout=10,
        )


# --- 12. risky switches ------------------------------------------------------------------------
async def test_quit_with_open_orders_asks_first(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        await place(pilot, app, exchange, "0.001", "-1%")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        question = app.screen.question  # type: ignore[attr-defined]
        assert question == (
            "1 order open on the demo exchange. Quit anyway? The dead-man's switch is not armed: they stay open."
        )
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, MarketScreen))
        assert app.is_running
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running)


async def test_switching_to_live_from_the_palette_asks_first(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        store = app.store
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"switch to LIVE")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert "real money" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("n")
        await pilot.pause(0.3)
        assert app.store is store and app.store.mode == "DEMO"


async def test_orders_the_switch_cancelled_while_away_are_reported_once(
    exchange: RunningExchange, state_home: Path
) -> None:
    first = live_app(exchange)
    first.settings.dead_mans_switch.timeout = 1
    async with first.run_test(size=(140, 40)) as pilot:
        await ready(pilot, first)
        order = await place(pilot, first, exchange, "0.001", "-1%")
        await pilot.press("D")
        await until(pilot, lambda: first.store.account.dms_armed)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(first.screen, Confirm))
        assert "dead-man's switch is armed" in first.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await until(pilot, lambda: not first.is_running)
    saved = json.loads((state_home / "kraken-tui" / "open-orders-demo.json").read_text())
    assert [o["order_id"] for o in saved["orders"]] == [order.order_id]
    await until_async(
        lambda: not open_orders(exchange), 12
    )  # the switch fires with nobody there (1 s; slack for a loaded machine)
    second = live_app(exchange)
    async with second.run_test(size=(140, 40)) as pilot:
        await ready(pilot, second)
        await until(pilot, lambda: any("While the app was away" in e.text for e in second.store.activity), 15)
        text = next(e.text for e in second.store.activity if "While the app was away" in e.text)
        assert f"{order.order_id} buy 0.001 BTC/USD" in text and "cancelled by the dead-man's switch" in text
        assert "fired at" in text
    third = live_app(exchange)
    async with third.run_test(size=(140, 40)) as pilot:
        await ready(pilot, third)
        await pilot.pause(2)
        assert not any("While the app was away" in e.text for e in third.store.activity)


async def until_async(pred: Any, timeout: float) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


# --- 13. refusals caught in the form -----------------------------------------------------------
async def test_reduce_only_that_would_not_reduce_is_refused_in_the_form(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    product = "PF_XBTUSD"
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        # spot: the form offers neither reduce-only nor settle-position
        await pilot.press("b")
        await until(pilot, lambda: order_panel(app) is not None)
        form = order_panel(app)
        assert form is not None and not form.query_one("#reduce_only").display
        from textual.widgets import Select

        assert "settle-position" not in [v for _, v in form.query_one("#type", Select)._options]
        await pilot.press("escape")
        await until(pilot, lambda: panel_closed(app))
        await pilot.press("slash", *"PF_X", "enter")
        await until(
            pilot,
            lambda: (
                app.market_screen.symbol == product  # type: ignore[union-attr]
                and app.store.market(product).book_state == "ok"
                and app.store.account.futures_authenticated
            ),
        )
        sent = methods(exchange)
        await fill_form(pilot, "buy", "0.0100", "-0.5%")
        form = order_panel(app)
        assert form is not None and form.query_one("#reduce_only").display
        form.query_one("#reduce_only").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert order_panel(app) is form
        label = form.query_one("#qty-error")
        assert "reduce-only would not reduce: no PF_XBTUSD position" in str(label.render())
        assert methods(exchange) == sent


async def test_config_warning_reaches_the_activity_log(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    app.settings.permission_warning = "config.toml holds a secret and is readable by others; chmod 600 it"
    async with app.run_test(size=(140, 40)) as pilot:
        await until(
            pilot, lambda: any(e.text.startswith("config: config.toml holds") for e in app.store.activity)
        )
