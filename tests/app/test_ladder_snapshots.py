"""The ladder with its price cursor, column headers and own-size column, from the recorded session
(no sockets, frozen clock): the level ladder at 160x45 and 80x24, the price grid at 160x45.

The recording holds one own order (a 0.01 BTC bid at 97210.0): it shows in the "mine" column.
"""

from __future__ import annotations

from typing import Any

from tests.app.conftest import FixtureApp
from tui.screens.market import MarketScreen
from tui.widgets.ladder import BookLadder


def _with_cursor(grid: bool = False) -> Any:
    """Down from the best bid, key by key, to the own order's price (97210.0)."""

    async def run(pilot: Any) -> None:
        app = pilot.app
        assert isinstance(app, FixtureApp)
        await pilot.pause(0.2)
        await app.freeze()
        if grid:
            await pilot.press("number_sign", "plus", "plus", "plus")  # a bucket of 10 ticks per row
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        ladder = screen.query_one("#book", BookLadder)
        await pilot.press("l")
        for _ in range(60):
            if ladder.cursor == 972100:
                break
            await pilot.press("down")
        assert ladder.cursor == 972100
        await pilot.pause(0.2)
        await app.freeze()
        await pilot.pause(0.2)
        assert ladder.view is not None
        assert any(r.mine == 1_000_000 and r.price == 972100 for r in ladder.view.rows)

    return run


def test_ladder_cursor_headers_and_own_size(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(), terminal_size=(160, 45), run_before=_with_cursor())


def test_ladder_small_terminal(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(), terminal_size=(80, 24), run_before=_with_cursor())


def test_ladder_price_grid(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(), terminal_size=(160, 45), run_before=_with_cursor(grid=True))
