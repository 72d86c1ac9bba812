"""The hot widgets' lines, styled once per repaint, are Textual's own line for line (recorded
session, no sockets): in the plain state, with focus moving the border colour, and in the stale
state whose tint goes Textual's way."""

from __future__ import annotations

from typing import Any

import pytest
from textual._styles_cache import StylesCache
from textual.widget import Widget
from textual.widgets import DataTable

from tui.widgets.account import OrdersTable
from tui.widgets.charts import CandleChart, DepthChart
from tui.widgets.ladder import BookLadder
from tui.widgets.lean_table import LeanTable
from tui.widgets.plain_lines import PlainLinesCache
from tui.widgets.tape import TradesTape
from tui.widgets.watchlist import Watchlist

from .conftest import FixtureApp

HOT = (BookLadder, TradesTape, CandleChart, DepthChart, Watchlist, OrdersTable)


def _both(widget: Widget, stock_rows: list[int]) -> tuple[list[list[Any]], list[list[Any]]]:
    """Every line of the widget from its cache and from Textual's, each rendered afresh."""
    ours = widget._styles_cache
    assert isinstance(ours, PlainLinesCache)
    region = widget.region.size.region  # the whole widget, its border rows too
    ours.clear()
    original = StylesCache.render_line

    def counted(self: StylesCache, styles: Any, y: int, *args: Any) -> Any:
        if self is ours:
            stock_rows.append(y)
        return original(self, styles, y, *args)

    StylesCache.render_line = counted  # type: ignore[method-assign,assignment]
    try:
        fast = ours.render_widget(widget, region)
    finally:
        StylesCache.render_line = original  # type: ignore[method-assign]
    stock = StylesCache().render_widget(widget, region)
    return [list(s) for s in fast], [list(s) for s in stock]


@pytest.mark.parametrize("stale", [None, "stale"])
async def test_every_line_is_textuals(stale: Any) -> None:
    app = FixtureApp(stale=stale)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await app.painted(pilot)
        ladder = screen.query_one("#book", BookLadder)
        for focused in (None, ladder, screen.query_one(TradesTape)):
            if focused is not None:
                focused.focus()
                await pilot.pause(0.1)
            for cls in HOT:
                for widget in screen.query(cls):
                    if not widget.display or not widget.size.height:
                        continue
                    stock_rows: list[int] = []
                    fast, stock = _both(widget, stock_rows)
                    assert fast == stock, (cls.__name__, focused)
                    height = widget.region.height
                    if stale and widget is ladder:  # tinted: every row is Textual's
                        assert stock_rows == list(range(height))
                    else:  # only the border rows are; content rows took the short way
                        assert len(stock_rows) <= 2, (cls.__name__, stock_rows)


async def test_tables_repaint_as_textual_draws_them() -> None:
    """A table's repaint reads its own and its components' styles once; the lines are the same."""
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await app.painted(pilot)
        tables = [t for t in screen.query(LeanTable) if t.display and t.size.height]
        assert {type(t).__name__ for t in tables} >= {"Watchlist", "OrdersTable"}
        for table in tables:
            region = table.region.size.region
            table._clear_caches()  # the table's own line, row and cell caches, and the styles cache
            ours = table.render_lines(region)
            table._clear_caches()
            stock = DataTable.render_lines(table, region)  # Textual's, style looked up per line
            assert [list(s) for s in ours] == [list(s) for s in stock], type(table).__name__
