"""The screener's table: every listed pair, repainted cell by cell, rebuilt only when the order changes.

A LeanTable (its render caches hold one screenful), so 683 rows cost what a screenful costs on
each repaint; a re-sort or a filter rebuilds the rows once (measured in the tests at 683 rows).
"""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.binding import Binding

from tui.store.screener import COLUMNS, ScreenerRow
from tui.widgets.lean_table import LeanTable

__all__ = ["ScreenerTable", "compact"]

UNKNOWN = "unknown"


def compact(v: Decimal) -> str:
    for unit, div in (("B", Decimal(10) ** 9), ("M", Decimal(10) ** 6), ("K", Decimal(10) ** 3)):
        if abs(v) >= div:
            return f"{(v / div):.1f}{unit}"
    return f"{v:.2f}"


def _cells(row: ScreenerRow, watched: bool) -> list[Text]:
    up = row.change_pct is not None and row.change_pct >= 0
    colour = "" if row.change_pct is None else ("green" if up else "red")
    dim = "dim"
    return [
        Text(("★ " if watched else "  ") + row.symbol, style="bold" if watched else ""),
        Text(format(row.last, "f") if row.last is not None else "…", style=colour or dim, justify="right"),
        Text(
            f"{row.change_pct:+.2f}" if row.change_pct is not None else "…",
            style=colour or dim,
            justify="right",
        ),
        Text(
            compact(row.volume) if row.volume is not None else UNKNOWN,
            style="" if row.volume is not None else dim,
            justify="right",
        ),
        Text(
            f"{row.spread_bp:.1f}" if row.spread_bp is not None else "…",
            style="" if row.spread_bp is not None else dim,
            justify="right",
        ),
        Text(row.status, style="" if row.status == "online" else "yellow"),
    ]


class ScreenerTable(LeanTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="screener.down"),
        Binding("k", "cursor_up", "Up", show=False, id="screener.up"),
        Binding("g", "scroll_top", "Top", show=False, id="screener.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="screener.bottom"),
    ]

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = False
        for key, label in COLUMNS:
            self.add_column(label, key=key)
        self._order: list[str] = []
        self._shown: dict[str, tuple[str, ...]] = {}
        self.rebuilds = 0

    @property
    def order(self) -> list[str]:
        return list(self._order)

    def selected(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        return self._order[self.cursor_row]

    def show_rows(self, rows: list[ScreenerRow], watched: set[str]) -> None:
        """These rows in this order: rebuilt when the order changed, else only changed cells."""
        order = [r.symbol for r in rows]
        if order != self._order:
            keep = self.selected()
            self.clear()
            self._shown.clear()
            for r in rows:
                cells = _cells(r, r.symbol in watched)
                self._shown[r.symbol] = tuple(c.plain + str(c.style) for c in cells)
                self.add_row(*cells, key=r.symbol)
            self._order = order
            self.rebuilds += 1
            if keep in order:
                self.move_cursor(row=order.index(keep), animate=False)
            return
        keys = [k for k, _ in COLUMNS]
        for r in rows:
            cells = _cells(r, r.symbol in watched)
            shown = tuple(c.plain + str(c.style) for c in cells)
            old = self._shown.get(r.symbol)
            if old == shown:
                continue
            self._shown[r.symbol] = shown
            for i, c in enumerate(cells):
                if old is None or old[i] != shown[i]:
                    self.update_cell(r.symbol, keys[i], c)
