"""Bad data never ends the UI, and no crash report or log line carries account data."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from rich.text import Text

from tests.app.conftest import FixtureApp, live_app, until
from tui.exchange.server import RunningExchange
from tui.screens.market import MarketScreen
from tui.store import Position
from tui.widgets.ladder import BookLadder
from tui.widgets.statusbar import StatusBar

# Account data that must never reach a log line or a crash report.
SENTINEL_SIZE = Decimal("27182.8182")
SENTINEL_ENTRY = Decimal("31415.9265")


def hostile_position() -> Position:
    """A position whose P&L is a signalling NaN: comparing it raises, so no table can show it."""
    return Position("PF_EVILUSD", SENTINEL_SIZE, SENTINEL_ENTRY, None, Decimal("sNaN"), None, None, None)


async def test_a_value_no_widget_can_show_does_not_stop_the_tick(
    exchange: RunningExchange, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(
            pilot, lambda: app.store.market("BTC/USD").book_state == "ok" and bool(app.store.account.totals)
        )
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        app.store.account.positions["PF_EVILUSD"] = hostile_position()
        await pilot.press("P")  # the positions tab, painted only while it is shown

        def failed_again() -> bool:
            app.store.mark("account", "positions")  # as if position frames kept coming
            return screen.repaint.failures["positions"] >= 3

        await until(pilot, failed_again)

        # the tick goes on: the book keeps repainting from new frames, the app is alive
        ladder = screen.query_one("#book", BookLadder)
        before = ladder.view
        await until(pilot, lambda: ladder.view is not before)
        assert app.is_running and app._exception is None
        assert set(screen.repaint.failures) == {"positions"}

        # told once, however often it fails
        notices = [n for n in app._notifications if "positions panel" in n.message]
        assert len(notices) == 1, [n.message for n in app._notifications]
        assert any("positions panel could not be repainted" in e.text for e in app.store.activity)
        orders = list(app.store.account.orders)
        totals = {format(v, "f") for v in app.store.account.totals.values() if v}

    logged = caplog.text
    assert "repainting positions failed (InvalidOperation)" in logged
    assert "tui/widgets/account.py" in logged  # where it happened is kept
    for secret in (str(SENTINEL_SIZE), str(SENTINEL_ENTRY), "PF_EVILUSD", *orders, *totals):
        assert secret not in logged, secret


async def test_a_crash_report_carries_no_locals(
    exchange: RunningExchange, capsys: pytest.CaptureFixture[str]
) -> None:
    app = live_app(exchange)

    def boom() -> None:
        position = hostile_position()  # a local, as account data is in most frames
        raise RuntimeError(f"boom with a {type(position).__name__}")

    with pytest.raises(RuntimeError, match="boom with a Position"):
        async with app.run_test(size=(140, 40)) as pilot:
            await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
            app.call_later(boom)
            await pilot.pause(0.5)
    report: Any = capsys.readouterr().err
    assert "RuntimeError" in report and "boom" in report
    assert str(SENTINEL_SIZE) not in report and str(SENTINEL_ENTRY) not in report


async def test_health_shows_dropped_frames_per_connection(exchange: RunningExchange) -> None:
    """Garbage frames (bad JSON, wrong types, unknown channels) are counted and shown, per connection,
    and stay shown while that connection is reconnecting."""
    app = live_app(exchange)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
        public = app.store.health.conn("public")
        exchange.faults.malformed = 0.3
        await until(pilot, lambda: public.malformed >= 2 and public.unknown >= 1, timeout=15)
        exchange.faults.malformed = 0.0
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        bar = screen.query_one(StatusBar)

        def shown() -> str:
            content = bar.content
            return content.plain if isinstance(content, Text) else str(content)

        def part(name: str, until_next: str) -> str:
            text = shown()
            return text[text.index(f" {name} ") : text.index(f" {until_next} ")]

        def counts(name: str) -> str:
            c = app.store.health.conn(name)
            return " ".join(f"{k}:{n}" for k, n in (("bad", c.malformed), ("unk", c.unknown)) if n)

        await until(pilot, lambda: f"bad:{public.malformed} unk:{public.unknown}" in part("publ", "priv"))
        # each connection shows its own counts (the private socket may have had garbage too)
        await until(
            pilot, lambda: (counts("private") or "bad:") in part("priv", "fut") or not counts("private")
        )
        if not counts("private"):
            assert "bad:" not in part("priv", "fut")

        public.state = "reconnecting"
        app.store.mark("health", "conn")
        await until(pilot, lambda: "reconnecting" in part("publ", "priv"))
        await until(pilot, lambda: f"bad:{public.malformed} unk:{public.unknown}" in part("publ", "priv"))


async def test_timers_that_fire_while_the_app_shuts_down_do_nothing() -> None:
    """Textual takes the screens away before it stops the timers: the 1 s GC pacer once fired in
    that gap, asked for the screen on top and ended a CI run with ``ScreenStackError``."""
    app = FixtureApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
    assert not app.screen_stack  # as while the app is torn down
    app._pace_gc()
    app._tick()
