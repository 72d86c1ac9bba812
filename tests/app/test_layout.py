"""The layout uses the terminal: panels grow with width and height, nothing scrolls sideways
that fits, order ids whole when there is room (recorded session, no sockets)."""

from __future__ import annotations

import pytest
from textual.widget import Widget

from tui.widgets.account import OrdersTable
from tui.widgets.ladder import BookLadder
from tui.widgets.tape import TradesTape
from tui.widgets.watchlist import Watchlist

from .conftest import FixtureApp, screen_text


def _panels(app: FixtureApp) -> tuple[Watchlist, BookLadder, TradesTape, Widget]:
    ms = app.market_screen
    assert ms is not None
    return (
        ms.query_one(Watchlist),
        ms.query_one(BookLadder),
        ms.query_one(TradesTape),
        ms.query_one("#account"),
    )


async def _account_height(size: tuple[int, int]) -> int:
    app = FixtureApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        return _panels(app)[3].size.height


@pytest.mark.parametrize("size", [(160, 45), (200, 50)])
async def test_wide_terminals_show_the_whole_watchlist_and_a_readable_ladder(size: tuple[int, int]) -> None:
    app = FixtureApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        app.market_screen.refresh_from_store(force=True)  # type: ignore[union-attr]
        await pilot.pause(0.3)
        wl, ladder, tape, _ = _panels(app)
        # every column of the watchlist (Vol and the book state last) fits: nothing to scroll to
        assert wl.virtual_size.width <= wl.scrollable_content_region.width
        for w in (wl, ladder, tape):
            assert not w.show_horizontal_scrollbar, w
        assert ladder.size.width <= 90  # the ladder's bars no longer take every spare column
        assert wl.size.width >= 50
        text = screen_text(app)
        for oid in app.store.account.orders:
            assert oid in text  # whole, not cut at 13 characters
        wl_line = next(ln for ln in text.splitlines() if "Symbol" in ln and "Last" in ln)
        assert "Vol" in wl_line


async def test_small_terminal_cuts_order_ids_and_the_bottom_panel_grows_with_the_height() -> None:
    app = FixtureApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        text = screen_text(app)
        ids = list(app.store.account.orders)
        assert ids and all(oid[:13] in text and oid not in text for oid in ids if len(oid) > 13)
        assert app.market_screen.query_one(OrdersTable).id_width == 13  # type: ignore[union-attr]
    heights = [await _account_height(s) for s in ((160, 35), (160, 45), (160, 60))]
    assert heights[0] < heights[1] < heights[2]
