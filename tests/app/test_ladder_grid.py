"""The price grid and the cursor on it, from the recorded session (no sockets): every step shown,
empty ones too, sizes as the book holds them, the own order in its column, the cursor one step
per key; and the level ladder's cursor keeps its price when the level under it goes.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.app.conftest import FixtureApp
from tui.screens.market import MarketScreen
from tui.widgets.ladder import PRICED, BookLadder


def _screen(app: Any) -> tuple[MarketScreen, BookLadder]:
    screen = app.market_screen
    assert isinstance(screen, MarketScreen)
    return screen, screen.query_one("#book", BookLadder)


async def test_grid_rows_are_every_step_with_the_books_sizes() -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.3)
        screen, ladder = _screen(app)
        screen.settings.ladder.grid_span = 600  # 60 USD each side: the recorded own bid is in it
        await pilot.press("number_sign")
        await pilot.pause(0.2)
        view = ladder.view
        assert view is not None and view.grid
        prices = [r.price for r in view.rows]
        assert len(prices) == 2 * screen.settings.ladder.grid_span + 1
        assert all(a - b == 1 for a, b in itertools.pairwise(prices))  # BTC: one 0.1 tick a row
        book = app.store.market("BTC/USD").book
        assert book is not None
        bid, ask = book.best_bid(), book.best_ask()
        assert bid is not None and ask is not None
        levels = dict(book.asks(25)) | dict(book.bids(25))
        for r in view.rows:
            assert r.qty == levels.get(r.price, 0)  # empty rows are empty, levels as the book holds them
            assert r.kind == ("ask" if r.price >= ask[0] else "bid" if r.price <= bid[0] else "gap")
        assert [r.mine for r in view.rows if r.price == 972100] == [1_000_000]  # the recorded own bid

        # the cursor starts on the best bid and moves one step a key, empty rows included
        await pilot.press("l")
        assert ladder.cursor == bid[0]
        await pilot.press("down", "down", "down")
        assert ladder.cursor == bid[0] - 3
        await pilot.press("up")
        assert ladder.cursor == bid[0] - 2
        price = screen.cursor_price()
        assert price is not None and price * 10 == bid[0] - 2


async def test_level_cursor_keeps_its_price_when_the_level_goes() -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.3)
        _, ladder = _screen(app)
        await pilot.press("l", "down", "down")
        view = ladder.view
        assert view is not None and not view.grid
        bids = [r.price for r in view.rows if r.kind == "bid"]
        assert ladder.cursor == bids[2]  # levels only: three levels down, whatever the gaps
        gone = ladder.cursor
        # the level disappears from the book: the cursor stays on that price, and the next key
        # goes to the next level below it
        ladder.update_view(type(view)(tuple(r for r in view.rows if r.price != gone), *_rest(view)))
        assert ladder.cursor == gone
        await pilot.press("down")
        assert ladder.cursor == bids[3]
        assert all(r.kind in PRICED or r.kind in ("spread", "marker") for r in ladder.view.rows)  # type: ignore[union-attr]


def _rest(view: Any) -> tuple[Any, ...]:
    return (view.price_precision, view.qty_precision, view.max_cum, view.spread_index, view.grid, view.note)


async def test_grid_cursor_walks_past_the_grids_edge_and_the_grid_follows() -> None:
    """A ↓ on the grid's last row is not lost: the cursor takes the next step and the grid moves
    under it (bench-ui lost 1 to 6 of 40 cursor keys in the grid before this)."""
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.3)
        screen, ladder = _screen(app)
        screen.settings.ladder.grid_span = 40  # 81 rows; the recorded spread is 48 ticks wide
        await pilot.press("number_sign")
        await pilot.pause(0.2)
        await pilot.press("l")
        start = ladder.cursor
        assert start is not None
        for n in range(1, 41):
            await pilot.press("down")
            assert ladder.cursor == start - n  # one step a key, past the first grid's last row
        await pilot.pause(0.2)
        view = ladder.view
        assert view is not None and view.grid
        here = ladder.cursor_index()
        assert here is not None and view.rows[here].price == start - 40  # the row is drawn
        top, bottom = ladder._visible()
        assert top <= here < bottom  # and in sight
        await pilot.press(*["up"] * 40)
        assert ladder.cursor == start
        await pilot.pause(0.2)
        here = ladder.cursor_index()
        assert here is not None and ladder.view is not None and ladder.view.rows[here].price == start


async def test_grid_narrower_than_the_spread_still_puts_the_cursor_on_the_best_bid() -> None:
    """A grid of 21 rows around the mid of a 48-tick spread holds no level at all: the first `l`
    still finds the book's best bid, and the grid moves to show it."""
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.3)
        screen, ladder = _screen(app)
        screen.settings.ladder.grid_span = 10
        await pilot.press("number_sign")
        await pilot.pause(0.2)
        assert ladder.view is not None and all(r.kind == "gap" for r in ladder.view.rows)
        await pilot.press("l")
        book = app.store.market("BTC/USD").book
        assert book is not None and (bid := book.best_bid()) is not None
        assert ladder.cursor == bid[0]
        await pilot.pause(0.2)
        here = ladder.cursor_index()
        assert here is not None and ladder.view.rows[here].price == bid[0]
        assert ladder.view.rows[here].kind == "bid"
        await pilot.press("down")
        assert ladder.cursor == bid[0] - 1
