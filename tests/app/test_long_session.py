"""A session that runs for hours must not slow down: what it keeps alive, and when it collects."""

from __future__ import annotations

import gc

from rich.text import Text

from tests.app.conftest import live_app, order_panel, panel_closed, until
from tui.exchange.server import RunningExchange
from tui.gc_pacer import NEVER
from tui.screens.market import MarketScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.lean_table import CELLS
from tui.widgets.watchlist import Watchlist


def footer_keys_alive() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o).__name__ == "FooterKey")


async def test_opening_and_closing_forms_leaves_nothing_behind(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        footer = screen.query_one(KeyFooter)
        for _ in range(8):
            await pilot.press("b")
            await until(pilot, lambda: order_panel(app) is not None)
            await pilot.press("escape")
            await until(pilot, lambda: panel_closed(app))
        await pilot.pause(0.3)
        shown = len(footer.children)
        assert shown > 5
        # every key the footer ever drew stayed alive through its watcher list before the fix
        assert len(getattr(footer, "__watchers")["compact"]) <= shown
        assert footer_keys_alive() <= shown

        # the watchlist repaints many times a second, and every update makes each cached cell
        # stale; its render cache still holds one screenful, not every render since the start
        watchlist = screen.query_one(Watchlist)
        for i in range(40):
            watchlist.update_cell("ETH/USD", "Vol", Text(str(i)))
            await pilot.pause(0.03)
        assert 0 < len(watchlist._cell_render_cache) <= CELLS


async def test_full_collections_wait_for_a_quiet_moment(exchange: RunningExchange) -> None:
    before = gc.get_threshold()
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
        pacer = app.gc_pacer
        assert gc.get_threshold()[2] == NEVER  # CPython's own full collections are off
        pacer.every, pacer.idle_after = 0.5, 0.3

        await pilot.press("b")  # a modal is open: no collection however long it waits
        await until(pilot, lambda: order_panel(app) is not None)
        n = pacer.collections
        await pilot.pause(2.5)
        assert pacer.collections == n

        await pilot.press("escape")  # back on the dashboard and idle: it collects
        await until(pilot, lambda: pacer.collections > n, timeout=5)
        assert pacer.last_ms > 0
    assert gc.get_threshold() == before
