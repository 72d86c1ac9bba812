"""The trades tape: newest first, coloured by the aggressor's side, drawn line by line."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.store import Trade

__all__ = ["TradesTape"]

# The tape's scroll height is fixed at its capacity: a virtual size that grew with every trade
# would re-run the whole screen's layout (tens of ms) on every new print.
CAPACITY = 300


def _fmt(value: object) -> str:
    return format(value, "f")


class TradesTape(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"tape--buy", "tape--sell", "tape--time"}
    DEFAULT_CSS = "TradesTape { scrollbar-size-vertical: 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.trades: list[Trade] = []
        self._last_id: int | None = None
        self._styles: dict[str, Style] | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _style(self) -> dict[str, Style]:
        """Built once per style change: ``rich_style`` walks the DOM, too slow for every line."""
        if self._styles is None:
            base = self.rich_style
            self._styles = {
                "base": base,
                "time": base + self.get_component_rich_style("tape--time"),
                "buy": base + self.get_component_rich_style("tape--buy"),
                "sell": base + self.get_component_rich_style("tape--sell"),
            }
        return self._styles

    def update_trades(self, trades: list[Trade]) -> None:
        newest = trades[-1].trade_id if trades else None
        if newest == self._last_id and len(trades) == len(self.trades):
            return
        self._last_id = newest
        self.trades = trades[::-1]
        size = Size(self.size.width, max(CAPACITY, len(self.trades)))
        if self.virtual_size != size:
            self.virtual_size = size
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.size.width
        st = self._style()
        if index >= len(self.trades):
            return Strip.blank(width, st["base"])
        t = self.trades[index]
        clock = t.timestamp[11:19] if len(t.timestamp) >= 19 else t.timestamp
        if width < 36:
            clock = clock[3:]  # mm:ss, so a narrow tape keeps every digit of the quantity
        segs = [
            Segment(f"{clock} ", st["time"]),
            Segment(
                f"{'B' if t.side == 'buy' else 'S'} {_fmt(t.price):>10} ",
                st[t.side if t.side in ("buy", "sell") else "base"],
            ),
            Segment(f"{_fmt(t.qty):>11}", st["base"]),
        ]
        return Strip(segs).crop(0, width).extend_cell_length(width, st["base"])
