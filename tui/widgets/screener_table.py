"""The screener's table: every listed pair, drawn line by line (only the lines on screen).

Not a DataTable: measured with 683 rows (the whole Kraken market), a LeanTable re-sort took
75-130 ms to rebuild its rows and another 450-630 ms until the next frame, and a cursor move
200 ms, because a DataTable lays out and measures every row. Here a sort is a list sort, a
repaint renders the 40-odd visible lines, and the virtual height changes only with the number
of rows a filter keeps.
"""

from __future__ import annotations

from decimal import Decimal

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.store.screener import COLUMNS, ScreenerRow

__all__ = ["WIDTHS", "ScreenerTable", "compact", "gap_for", "header_text"]

UNKNOWN = "unknown"
# characters per column (Pair, Last, 24h %, Volume, Spread, Status), each followed by a space:
# 76 in all, so 80 columns show every one
WIDTHS = (14, 12, 8, 13, 11, 11)
_RIGHT = (False, True, True, True, True, False)


def compact(v: Decimal) -> str:
    for unit, div in (("B", Decimal(10) ** 9), ("M", Decimal(10) ** 6), ("K", Decimal(10) ** 3)):
        if abs(v) >= div:
            return f"{(v / div):.1f}{unit}"
    return f"{v:.2f}"


def gap_for(width: int) -> int:
    """Spaces after each column: one on a small terminal (75 columns in all), three from 100."""
    return 1 if width < 100 else 3


def _fit(text: str, width: int, right: bool, gap: int = 1) -> str:
    text = text if len(text) <= width else text[: width - 1] + "…"
    return (text.rjust(width) if right else text.ljust(width)) + " " * gap


def header_text(width: int = 80) -> str:
    """The column titles, each with the digit that sorts by it, aligned with the rows."""
    gap = gap_for(width)
    return " " + "".join(
        _fit(f"{i + 1}·{label}", w, r, gap)
        for i, ((_, label), w, r) in enumerate(zip(COLUMNS, WIDTHS, _RIGHT, strict=True))
    )


def _texts(row: ScreenerRow, watched: bool) -> tuple[str, ...]:
    return (
        ("★ " if watched else "  ") + row.symbol,
        format(row.last, "f") if row.last is not None else "…",
        f"{row.change_pct:+.2f}" if row.change_pct is not None else "…",
        compact(row.volume) if row.volume is not None else UNKNOWN,
        f"{row.spread_bp:.1f}" if row.spread_bp is not None else "…",
        row.status,
    )


class ScreenerTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {
        "screener--up",
        "screener--down",
        "screener--dim",
        "screener--cursor",
        "screener--flag",
    }
    DEFAULT_CSS = """
    ScreenerTable { scrollbar-size-vertical: 1; overflow-x: hidden; }
    ScreenerTable > .screener--up { color: $success; }
    ScreenerTable > .screener--down { color: $error; }
    ScreenerTable > .screener--dim { color: $text-muted; }
    ScreenerTable > .screener--flag { color: $warning; }
    ScreenerTable > .screener--cursor { background: $accent 40%; text-style: bold; }
    ScreenerTable:focus > .screener--cursor { background: $accent; }
    """
    BINDINGS = [
        Binding("down,j", "move(1)", "Down", show=False, id="screener.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="screener.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="screener.page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="screener.page-up"),
        Binding("home,g", "jump(0)", "Top", show=False, id="screener.top"),
        Binding("end,G", "jump(-1)", "Bottom", show=False, id="screener.bottom"),
        Binding("enter", "open", "Open", tooltip="Show the pair on the market screen", id="screener.open"),
    ]

    class Opened(Message):
        def __init__(self, symbol: str) -> None:
            super().__init__()
            self.symbol = symbol

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[ScreenerRow] = []
        self.watched: set[str] = set()
        self.cursor = 0
        self.rebuilds = 0  # times the row order changed (tests, benchmarks)
        self._styles: dict[str, Style] | None = None

    # --- what the screen calls --------------------------------------------------------------------
    @property
    def order(self) -> list[str]:
        return [r.symbol for r in self.rows]

    def selected(self) -> str | None:
        return self.rows[self.cursor].symbol if 0 <= self.cursor < len(self.rows) else None

    def show_rows(self, rows: list[ScreenerRow], watched: set[str]) -> None:
        """These rows in this order; the cursor stays on its pair when the pair is still listed."""
        keep = self.selected()
        if [r.symbol for r in rows] != self.order:
            self.rebuilds += 1
        self.rows, self.watched = rows, watched
        order = self.order
        self.cursor = order.index(keep) if keep in order else min(self.cursor, max(0, len(rows) - 1))
        size = Size(self.size.width, len(rows))
        if self.virtual_size != size:
            self.virtual_size = size
        self.refresh()

    def visible_symbols(self) -> list[str]:
        top = self.scroll_offset.y
        return [r.symbol for r in self.rows[top : top + self.size.height]]

    def refresh_rows(self, fresh: list[ScreenerRow]) -> None:
        """New values for rows already listed (the order unchanged); repaints those lines."""
        index = {r.symbol: i for i, r in enumerate(self.rows)}
        for row in fresh:
            i = index.get(row.symbol)
            if i is not None and self.rows[i] != row:
                self.rows[i] = row
                self.refresh_line(i)

    def move_to(self, symbol: str) -> None:
        order = self.order
        if symbol in order:
            self._set_cursor(order.index(symbol))

    # --- keys and mouse ---------------------------------------------------------------------------
    def _set_cursor(self, index: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(len(self.rows) - 1, index))
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)
        self.refresh()

    def action_move(self, step: int) -> None:
        self._set_cursor(self.cursor + step)

    def action_page(self, step: int) -> None:
        self._set_cursor(self.cursor + step * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        self._set_cursor(len(self.rows) - 1 if where < 0 else 0)

    def action_open(self) -> None:
        symbol = self.selected()
        if symbol is not None:
            self.post_message(self.Opened(symbol))

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self.rows):
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self._set_cursor(index)

    # --- drawing ----------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _style(self) -> dict[str, Style]:
        if self._styles is None:
            base = self.rich_style
            self._styles = {"base": base}
            for name in ("up", "down", "dim", "cursor", "flag"):
                self._styles[name] = base + self.get_component_rich_style(f"screener--{name}")
        return self._styles

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.size.width
        st = self._style()
        if index >= len(self.rows):
            return Strip.blank(width, st["base"])
        row = self.rows[index]
        texts = _texts(row, row.symbol in self.watched)
        move = "dim" if row.change_pct is None else ("up" if row.change_pct >= 0 else "down")
        styles = (
            "base",
            move,
            move,
            "dim" if row.volume is None else "base",
            "dim" if row.spread_bp is None else "base",
            "base" if row.status == "online" else "flag",
        )
        gap = gap_for(width)
        segs = [Segment(" ", st["base"])]
        segs += [
            Segment(_fit(t, w, r, gap), st[s])
            for t, w, r, s in zip(texts, WIDTHS, _RIGHT, styles, strict=True)
        ]
        strip = Strip(segs).crop(0, width).extend_cell_length(width, st["base"])
        if index == self.cursor:
            strip = strip.apply_style(st["cursor"])
        return strip
