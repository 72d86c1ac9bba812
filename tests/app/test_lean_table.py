"""The watchlist repaints the row whose ticker changed, not the whole table (recorded session, no
sockets): a DataTable line is a Rich render per cell, and a full repaint for one price at 4 Hz was
a measurable share of the app's CPU at 683 pairs (``bench-ui --pairs all``)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from rich.text import Text
from textual.widgets import DataTable

from tui.kraken.events import TickerUpdate
from tui.widgets.watchlist import Watchlist

from .conftest import FixtureApp, drawn_rows, screen_text


def _cell_renders(monkeypatch: pytest.MonkeyPatch, wl: Watchlist) -> list[tuple[int, int]]:
    """Record the cells of ``wl`` Textual renders (a Rich render each) from now on."""
    seen: list[tuple[int, int]] = []
    render = DataTable._render_cell

    def recording(self: DataTable[object], row: int, column: int, *args: object, **kw: object) -> object:
        if self is wl:
            seen.append((row, column))
        return render(self, row, column, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(DataTable, "_render_cell", recording)
    return seen


async def test_a_changed_ticker_repaints_its_row_alone_and_shows_the_new_price(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await app.painted(pilot, 0.4)
        wl = screen.query_one(Watchlist)
        row = wl.get_row_index("ETH/USD")
        line = row + wl.header_height  # the header is the table's first line
        store = app.store
        old = store.market("ETH/USD").ticker
        assert old is not None
        # a price no wider than the column (the first one after the table was laid out renders
        # its row whole once: Textual measured the columns after the last full repaint)
        store.apply(TickerUpdate("ETH/USD", replace(old, last=old.last - Decimal(2))), 100.5, "public")
        store.flush()
        await pilot.pause(0.6)  # the watchlist follows at the slow rate (4 Hz)
        seen = drawn_rows(wl)
        cells = _cell_renders(monkeypatch, wl)

        # the next one: that row's line alone is drawn again
        price = old.last - Decimal(1)
        store.apply(TickerUpdate("ETH/USD", replace(old, last=price)), 101.0, "public")
        store.flush()
        await pilot.pause(0.6)
        assert seen and set(seen) == {line}, seen
        # and of that row only the price is rendered again; the other cells come from the cache
        assert set(cells) == {(row, wl.get_column_index("Last"))}, cells
        assert format(price, "f") in wl.render_line(line).text
        assert format(price, "f") in screen_text(app)

        # a wider price: shown at once (cut to the old width until the columns are measured
        # again), then the column grows and the table is drawn again, the price whole
        wl.update_row_cells("ETH/USD", {"Last": Text("123456789.123456", justify="right")})
        drawn_now = wl.render_line(line).text
        assert format(price, "f") not in drawn_now and "12345" in drawn_now, drawn_now
        seen.clear()
        wide = Decimal("123456789.123456")
        store.apply(TickerUpdate("ETH/USD", replace(old, last=wide)), 102.0, "public")
        store.flush()
        await pilot.pause(0.6)
        assert {line, line + 1} <= set(seen)  # more than the one row
        assert "123456789.123456" in screen_text(app)

        # nothing changed: nothing is drawn
        seen.clear()
        wl.update_market(store.market("ETH/USD"))
        await pilot.pause(0.3)
        assert seen == []
