from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui.app import KrakenApp
from tui.config import Settings
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.endpoints import Urls
from tui.feed.record import read_recording
from tui.modes import exchange_urls
from tui.screens.market import MarketScreen
from tui.screens.order_form import OrderForm
from tui.store import BookState

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "session-demo.ndjson.gz"
SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/EUR", "DOGE/USD"]


def app_settings(**kw: Any) -> Settings:
    base: dict[str, Any] = {
        "symbols": SYMBOLS,
        "book_depth": 25,
        "log_file": None,
        "feed": {"reconnect_min_delay": 0.05, "reconnect_max_delay": 0.3, "ping_interval": 1.0},
        "guards": {"max_notional": 5000, "max_distance_pct": 5},
    }
    base.update(kw)
    return Settings(**base)


def urls_of(ex: RunningExchange) -> Urls:
    return exchange_urls(ex)


@pytest.fixture
async def exchange() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(ExchangeConfig(port=0, rate=60, seed=5, symbols=SYMBOLS))
    yield ex
    await ex.stop()


async def until(pilot: Any, pred: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


def live_app(ex: RunningExchange, **kw: Any) -> KrakenApp:
    return KrakenApp(app_settings(**kw), "DEMO", urls=urls_of(ex))


class FixtureApp(KrakenApp):
    """A purpose-built app for snapshots: no sockets, a recorded session, a frozen clock."""

    def __init__(self, mode: str = "DEMO", stale: BookState | None = None) -> None:
        super().__init__(app_settings(), mode, start_feed=False)
        self.stale = stale

    def on_mount(self) -> None:
        super().on_mount()
        from tui.feed.client import Feed

        feed = Feed(
            self.settings,
            self.store,
            urls=Urls(
                "ws://x/v2",
                "ws://x/auth/v2",
                "ws://x/l3/v2",
                "http://x",
                futures="ws://x/ws/v1",
                futures_rest="http://x",
            ),
        )
        last = 0.0
        for rec in read_recording(FIXTURE):
            if rec["dir"] == "in":
                feed.ingest(rec["conn"], rec["raw"], now=100.0)
                last = max(last, rec["t"])
        for name in ("public", "private", "futures"):
            c = self.store.health.conn(name)
            c.state, c.rtt_ms, c.frames_per_s, c.last_frame_at = "connected", 0.4, 120.0, 100.0
        if self.stale:
            self.store.market("BTC/USD").book_state = self.stale
            self.store.mark("BTC/USD", "status")
        self.fixed_now = last + 5

    async def painted(self, pilot: Any, settle: float = 0.3) -> MarketScreen:
        """The market screen once the recorded session is in and painted whole."""
        await pilot.pause(settle)
        screen = self.market_screen
        assert screen is not None
        screen.refresh_from_store(force=True)
        await pilot.pause(settle)
        return screen

    async def freeze(self) -> None:
        from tui.widgets.account import OrdersTable
        from tui.widgets.statusbar import StatusBar

        screen = self.market_screen
        assert screen is not None
        screen.query_one(StatusBar).clock = lambda: 100.2
        screen.query_one(OrdersTable).clock = lambda: self.fixed_now
        for mk in self.store.markets.values():
            # the recorded frames' lag depends on when they were recorded; show a fixed one
            setattr(mk, "lag_s", 0.2)  # noqa: B010 (a field of the store only once the feed reports lag)
        screen.refresh_from_store(force=True)
        await asyncio.sleep(0)


def drawn_rows(widget: Widget) -> list[int]:
    """The rows the widget draws from now on (its ``render_line`` calls), in order."""
    rows: list[int] = []
    draw = widget.render_line

    def recording(y: int) -> Strip:
        rows.append(y)
        return draw(y)

    widget.render_line = recording  # type: ignore[method-assign]
    return rows


def drawn_crops(widget: Widget) -> list[Region]:
    """What the widget is asked to draw from now on (its ``render_lines`` calls), in order."""
    crops: list[Region] = []
    draw = widget.render_lines

    def recording(crop: Region) -> list[Strip]:
        crops.append(crop)
        return draw(crop)

    widget.render_lines = recording  # type: ignore[method-assign]
    return crops


def order_panel(app: Any) -> OrderForm | None:
    """The order panel docked on the market screen, when it is open (and focused: typing goes there)."""
    screen = app.market_screen
    panel = screen.order_panel if screen is not None else None
    return panel if panel is not None and app.screen is screen and panel.has_focus_within else None


def panel_closed(app: Any) -> bool:
    """Back on the dashboard with no order panel open (the order sent, or the panel closed)."""
    screen = app.market_screen
    return screen is not None and app.screen is screen and screen.order_panel is None


async def fill_form(pilot: Any, side: str, qty: str, price: str | None = None) -> None:
    await pilot.press(side[0])
    await until(pilot, lambda: order_panel(pilot.app) is not None)
    await pilot.press(*qty)
    if price is not None:
        await pilot.press("tab", "tab", "ctrl+u", *price)


async def ready(pilot: Any, app: Any) -> None:
    await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok" and app.store.account.totals)
    await until(pilot, lambda: app.store.market("BTC/USD").instrument is not None)


def screen_text(app: object) -> str:
    """What is on the terminal right now, as plain text (from Textual's own screenshot)."""
    import html
    import re

    svg = app.export_screenshot()  # type: ignore[attr-defined]
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
