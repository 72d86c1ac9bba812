"""Issue 12 point 5: on a narrow terminal the safety state keeps its place on the status bar
(mode, DMS countdown, RESYNC/STALE marks, the mirror / replay state); counters give way first.
And toasts never cover it."""

from __future__ import annotations

import time

import pytest
from textual.app import App, ComposeResult

from tui.store import Store
from tui.widgets.statusbar import StatusBar

SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/EUR", "DOGE/USD"]


def _busy_store() -> Store:
    store = Store("PAPER")
    for name in ("public", "private", "level3"):
        c = store.health.conn(name)
        c.state, c.rtt_ms, c.frames_per_s, c.last_frame_at = "connected", 12.5, 1234.0, time.monotonic()
        c.malformed = 3
    for s in SYMBOLS:
        store.market(s).book_state = "ok"
    store.market("ETH/USD").book_state = "resyncing"
    store.market("DOGE/USD").book_state = "stale"
    store.account.dms_armed, store.account.dms_trigger_at = True, time.time() + 42.5
    store.set_source("mirror", "live", "mirror: live from wss://ws.kraken.com/v2")
    return store


class _Bar(App[None]):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield StatusBar(self.store)


@pytest.mark.parametrize("width", [80, 120, 160])
async def test_safety_state_keeps_its_place_at_every_width(width: int) -> None:
    app = _Bar(_busy_store())
    async with app.run_test(size=(width, 3)) as pilot:
        bar = app.query_one(StatusBar)
        bar.refresh_status(SYMBOLS)
        await pilot.pause()
        line = bar.render().plain  # type: ignore[union-attr]
        assert len(line) <= width
        assert line.startswith(" PAPER  DMS 4")  # the mode, then the countdown, always first
        assert "ETH⟳" in line and "DOGE!" in line and "mirror ● live" in line, line
        if width == 80:
            assert "12.5ms" not in line and "/s" not in line  # the numbers gave way first
        if width == 120:  # some numbers gave way, before any ✓ mark did
            assert "priv ● 12.5ms" not in line and "BTC✓ ETH⟳ SOL✓ XRP✓ DOGE!" in line
        if width == 160:
            assert "priv ● 12.5ms" in line


async def test_toasts_do_not_cover_the_status_bar() -> None:
    from tui.app import KrakenApp
    from tui.config import Settings

    app = KrakenApp(Settings(symbols=["BTC/USD"], log_file=None), "DEMO", start_feed=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause(0.2)
        app.notify("a long notice " * 6, timeout=30)
        await pilot.pause(0.3)
        screen = app.screen
        bar = screen.query_one(StatusBar)
        toasts = [w for w in screen.query("Toast")]
        assert toasts
        bar_row = bar.region.y
        assert all(t.region.y + t.region.height <= bar_row for t in toasts), (
            bar_row,
            [t.region for t in toasts],
        )
