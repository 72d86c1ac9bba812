"""The trades tape: newest first, coloured by the aggressor's side, drawn line by line."""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.store import Trade

__all__ = ["TradesTape"]


def _fmt(value: object) -> str:
    return format(value, "f")


class TradesTape(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"tape--buy", "tape--sell", "tape--time"}
    DEFAULT_CSS = "TradesTape { scrollbar-size-vertical: 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.trades: list[Trade] = []
        self._last_id: int | None = None

    def update_trades(self, trades: list[Trade]) -> None:
        newest = trades[-1].trade_id if trades else None
        if newest == self._last_id and len(trades) == len(self.trades):
            return
        self._last_id = newest
        self.trades = trades[::-1]
        self.virtual_size = Size(self.size.width, len(self.trades))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.size.width
        if index >= len(self.trades):
            return Strip.blank(width, self.rich_style)
        t = self.trades[index]
        side = self.get_component_rich_style("tape--buy" if t.side == "buy" else "tape--sell")
        clock = t.timestamp[11:19] if len(t.timestamp) >= 19 else t.timestamp
        segs = [
            Segment(f"{clock} ", self.rich_style + self.get_component_rich_style("tape--time")),
            Segment(f"{'B' if t.side == 'buy' else 'S'} {_fmt(t.price):>10} ", self.rich_style + side),
            Segment(f"{_fmt(t.qty):>11}", self.rich_style),
        ]
        return Strip(segs).crop(0, width).extend_cell_length(width, self.rich_style)
