"""The watchlist: last, 24h change, spread and volume per symbol, updated cell by cell.

Edited at run time (``Delete`` removes, ``shift+↑/↓`` moves): the widget only posts what was
asked (``Watchlist.Edit``); the screen hands it to the desk and shows the result with
``show_symbols``.
"""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from tui.store import MarketState
from tui.widgets.lean_table import LeanTable

__all__ = ["Watchlist"]

COLUMNS = ("Symbol", "Last", "24h%", "Spread", "Vol", "")


def _compact(v: Decimal) -> str:
    for unit, div in (("B", Decimal(10) ** 9), ("M", Decimal(10) ** 6), ("K", Decimal(10) ** 3)):
        if abs(v) >= div:
            return f"{(v / div):.1f}{unit}"
    return f"{v:.2f}"


class Watchlist(LeanTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g", "scroll_top", "Top", show=False, id="list.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="list.bottom"),
        Binding(
            "delete", "edit(0)", "Remove", tooltip="Remove the pair from the watchlist", id="watchlist.remove"
        ),
        Binding(
            "shift+up", "edit(-1)", "Move up", tooltip="Move the pair up the watchlist", id="watchlist.up"
        ),
        Binding("shift+down", "edit(1)", "Move down", tooltip="Move the pair down", id="watchlist.down"),
    ]

    class Edit(Message):
        """Remove (``step`` 0) or move the pair ``step`` places."""

        def __init__(self, symbol: str, step: int) -> None:
            super().__init__()
            self.symbol = symbol
            self.step = step

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = False
        for name in COLUMNS:
            self.add_column(name, key=name)
        self._cells: dict[tuple[str, str], str] = {}

    def ensure_rows(self, symbols: list[str]) -> None:
        for s in symbols:
            if s not in self.rows:
                self.add_row(*[Text(s if c == "Symbol" else "") for c in COLUMNS], key=s)
        self._symbols = [str(k.value) for k in self.rows]

    def show_symbols(self, symbols: list[str], visiting: str | None, current: str) -> bool:
        """These rows in this order (a pair shown but not saved in italics); False if unchanged."""
        if symbols == getattr(self, "_symbols", None) and visiting == getattr(self, "_visiting", None):
            return False
        self.clear()
        self._cells.clear()
        for s in symbols:
            label = Text(s, style="italic" if s == visiting else "")
            self.add_row(label, *[Text("") for _ in COLUMNS[1:]], key=s)
        self._symbols, self._visiting = list(symbols), visiting
        if current in symbols:
            self.move_cursor(row=symbols.index(current), animate=False)
        return True

    def action_edit(self, step: int) -> None:
        if 0 <= self.cursor_row < self.row_count:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
            if key:
                self.post_message(self.Edit(str(key), step))

    def update_market(self, mk: MarketState) -> None:
        t = mk.ticker
        inst = mk.instrument
        book = mk.book
        cells: dict[str, Text] = {}
        if t is not None:
            up = t.change_pct >= 0
            cells["Last"] = Text(format(t.last, "f"), style="green" if up else "red", justify="right")
            cells["24h%"] = Text(f"{t.change_pct:+.2f}", style="green" if up else "red", justify="right")
            cells["Vol"] = Text(_compact(t.volume), justify="right")
        if book is not None and inst is not None:
            spread = book.spread_ticks()
            if spread is not None:
                cells["Spread"] = Text(inst.format_price(spread), justify="right")
        state = {
            "ok": ("✓", "green"),
            "resyncing": ("⟳", "yellow"),
            "stale": ("!", "yellow"),
            "waiting": ("…", "dim"),
        }.get(mk.book_state, ("?", "dim"))
        cells[""] = Text(state[0], style=state[1])
        if mk.refused:  # the venue does not list it: nothing of it is known here
            cells = {"Last": Text("not listed", style="dim", justify="right"), "": Text("✗", style="red")}
        changed: dict[str, Text] = {}
        for col, value in cells.items():
            key = (mk.symbol, col)
            plain = value.plain + str(value.style)
            if self._cells.get(key) != plain:
                self._cells[key] = plain
                changed[col] = value
        self.update_row_cells(mk.symbol, changed)  # that row alone, and only if a cell changed
