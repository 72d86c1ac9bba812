"""The trades tape: newest first, coloured by the taker's side, sweeps folded, big prints lit.

Each line is one print or one sweep (see ``tape_lines``): ``12:00:01 B×3 ~97256.23 0.41000000``
is a buy that took three prints at one timestamp, 0.41 in all at that average. A line whose size
reaches the symbol's threshold is highlighted, and ``BigPrint`` tells the screen (which may ring
the bell) about each new one; the widget never reaches for the App.
"""

from __future__ import annotations

from decimal import Decimal

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.store import Trade
from tui.widgets.line_runs import changed_runs
from tui.widgets.plain_lines import use_plain_lines
from tui.widgets.tape_lines import TapeLine, aggregate, avg_text, fold

__all__ = ["CAPACITY", "TradesTape"]

# The tape's scroll height is fixed at its capacity: a virtual size that grew with every trade
# would re-run the whole screen's layout (tens of ms) on every new print.
CAPACITY = 300


class TradesTape(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"tape--buy", "tape--sell", "tape--time", "tape--big"}
    DEFAULT_CSS = """
    TradesTape { scrollbar-size-vertical: 1; }
    TradesTape > .tape--big { text-style: bold reverse; }
    """

    class BigPrint(Message):
        """A line at or above the threshold arrived (not one already there when it was set)."""

        def __init__(self, line: TapeLine) -> None:
            super().__init__()
            self.line = line

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        use_plain_lines(self)
        self.lines: list[TapeLine] = []  # newest first
        self._folded: list[TapeLine] = []  # the same, oldest first
        self.threshold: Decimal | None = None
        self.decimals: int | None = None
        self._last_id: int | None = None
        # what the last repaint showed: scroll row, width and the lines in sight (None: blank)
        self._shown: tuple[int, int, list[TapeLine | None]] | None = None
        self._count = 0
        self._styles: dict[str, Style] | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _style(self) -> dict[str, Style]:
        """Built once per style change: ``rich_style`` walks the DOM, too slow for every line."""
        if self._styles is None:
            base = self.rich_style
            lit = self.get_component_rich_style("tape--big")
            # only its attributes: its colour (inherited) would hide the side's
            big = Style(bold=lit.bold, italic=lit.italic, underline=lit.underline, reverse=lit.reverse)
            self._styles = {"base": base, "base-big": base + big}
            for name in ("time", "buy", "sell"):
                own = base + self.get_component_rich_style(f"tape--{name}")
                self._styles[name] = own
                self._styles[f"{name}-big"] = own + big
        return self._styles

    def update_trades(
        self, trades: list[Trade], decimals: int | None = None, threshold: Decimal | None = None
    ) -> None:
        """``decimals``: the pair's price precision; ``threshold``: the size that lights a line."""
        newest = trades[-1].trade_id if trades else None
        if (
            newest == self._last_id
            and len(trades) == self._count
            and decimals == self.decimals
            and threshold == self.threshold
        ):
            return
        before, was, was_decimals = self._last_id, self.threshold, self.decimals
        self._last_id, self._count = newest, len(trades)
        self.decimals, self.threshold = decimals, threshold
        self._folded = self._fold(trades, before)
        self.lines = self._folded[::-1]
        if before is not None and threshold is not None and threshold == was:
            for line in reversed(self.lines):
                if line.newest_id > before and line.is_big(threshold):
                    self.post_message(self.BigPrint(line))
        size = Size(self.size.width, max(CAPACITY, len(self.lines)))
        if self.virtual_size != size:
            self.virtual_size = size
        self._repaint(full=decimals != was_decimals or threshold != was)

    def _repaint(self, full: bool) -> None:
        """The lines in sight whose print changed (a new print moves them all down, a print folded
        into the newest changes that one); the border and scrollbar are left as they are."""
        top, height = int(self.scroll_offset.y), self.size.height
        shown = (top, self.size.width, [*self.lines[top : top + height], *[None] * height][:height])
        before, self._shown = self._shown, shown
        if full or before is None or before[:2] != shown[:2]:
            self.refresh()
            return
        width = self.scrollable_content_region.width
        for row, count in changed_runs(before[2], shown[2]):
            self.refresh(Region(0, row, width, count))

    def _fold(self, trades: list[Trade], before: int | None) -> list[TapeLine]:
        """Only the prints newer than the last look are folded (a busy tape gets a few per tick
        out of 300); from scratch when the last one seen is not where it was (another symbol)."""
        start = len(trades)
        while start > 0 and trades[start - 1].trade_id != before:
            start -= 1
        if before is None or start == 0 or not self._folded:
            return aggregate(trades)
        lines = fold(self._folded, trades[start:])
        first = trades[0].trade_id
        drop = 0
        while drop < len(lines) - 1 and lines[drop].newest_id < first:
            drop += 1
        return lines[drop:]

    def forget(self) -> None:
        """Another symbol: what comes next is its history, not news (no bell for it)."""
        self._last_id = None

    def line_text(self, index: int, width: int) -> list[tuple[str, str]]:
        """The ``index``-th line (newest first) as (text, style name) parts."""
        line = self.lines[index]
        clock = line.timestamp[11:19] if len(line.timestamp) >= 19 else line.timestamp
        narrow = width < 36
        if narrow:
            clock = clock[3:]  # mm:ss, so a narrow tape keeps every digit of the quantity
        side = line.side if line.side in ("buy", "sell") else "base"
        mark = "B" if line.side == "buy" else "S"
        count = f"×{line.count}" if line.count > 1 else ""
        big = "-big" if line.is_big(self.threshold) else ""
        price_w, qty_w = (9, 10) if narrow else (10, 11)
        return [
            (f"{clock} ", "time"),
            (f"{mark}{count:<3}{avg_text(line, self.decimals):>{price_w}} ", side + big),
            (f"{format(line.qty, 'f'):>{qty_w}}", side + big if big else "base"),
        ]

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.size.width
        st = self._style()
        if index >= len(self.lines):
            return Strip.blank(width, st["base"])
        segs = [Segment(text, st[name]) for text, name in self.line_text(index, width)]
        return Strip(segs).crop(0, width).extend_cell_length(width, st["base"])
