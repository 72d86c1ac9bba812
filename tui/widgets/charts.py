"""Candles and depth, drawn with block characters so they work in any 256-colour terminal."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.widget import Widget

from tui.store import Candle

__all__ = ["CandleChart", "DepthChart"]

BLOCKS = " ▁▂▃▄▅▆▇█"


class CandleChart(Widget):
    COMPONENT_CLASSES = {"candle--up", "candle--down", "candle--axis"}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.candles: list[Candle] = []
        self.interval = 1

    def update_candles(self, candles: list[Candle], interval: int) -> None:
        if candles == self.candles and interval == self.interval:
            return
        self.candles = list(candles)
        self.interval = interval
        self.refresh()

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        axis_w = 11
        cols = max(1, width - axis_w)
        data = self.candles[-cols:]
        if not data or height < 3:
            return Text(f"waiting for {self.interval}m candles…", style="dim")
        hi = max(c.high for c in data)
        lo = min(c.low for c in data)
        span = hi - lo or Decimal(1)
        rows = height

        def row_of(v: Decimal) -> int:
            return min(rows - 1, int((hi - v) / span * (rows - 1)))

        grid = [[(" ", "")] * len(data) for _ in range(rows)]
        for x, c in enumerate(data):
            up = c.close >= c.open
            style = "candle--up" if up else "candle--down"
            top, bottom = row_of(c.high), row_of(c.low)
            b0, b1 = sorted((row_of(c.open), row_of(c.close)))
            for y in range(top, bottom + 1):
                grid[y][x] = ("█" if b0 <= y <= b1 else "│", style)
        up_style = self.get_component_rich_style("candle--up")
        down_style = self.get_component_rich_style("candle--down")
        axis = self.get_component_rich_style("candle--axis")
        text = Text()
        for y in range(rows):
            for ch, st in grid[y]:
                text.append(ch, up_style if st == "candle--up" else down_style if st else None)
            label = ""
            if y == 0:
                label = format(hi, "f")
            elif y == rows - 1:
                label = format(lo, "f")
            elif y == rows // 2:
                label = f"{self.interval}m"
            text.append(" " + label[: axis_w - 1].rjust(axis_w - 1), axis)
            if y < rows - 1:
                text.append("\n")
        return text


class DepthChart(Widget):
    """Cumulative bid (left) and ask (right) depth around the mid."""

    COMPONENT_CLASSES = {"depth--bid", "depth--ask"}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.bids: list[int] = []
        self.asks: list[int] = []

    def update_depth(self, bid_cum: list[int], ask_cum: list[int]) -> None:
        if bid_cum == self.bids and ask_cum == self.asks:
            return
        self.bids, self.asks = bid_cum, ask_cum
        self.refresh()

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        half = max(1, width // 2)
        if (not self.bids and not self.asks) or height < 1:
            return Text("no book", style="dim")
        top = max(self.bids[-1] if self.bids else 0, self.asks[-1] if self.asks else 0) or 1

        def col(values: list[int], i: int) -> int:
            if not values:
                return 0
            v = values[min(len(values) - 1, i * len(values) // half)]
            return int(v / top * height * 8)

        bid_cols = [col(self.bids, i) for i in range(half)][::-1]
        ask_cols = [col(self.asks, i) for i in range(half)]
        bid_style = self.get_component_rich_style("depth--bid")
        ask_style = self.get_component_rich_style("depth--ask")
        text = Text()
        for y in range(height):
            level = (height - 1 - y) * 8
            for v in bid_cols:
                text.append(BLOCKS[max(0, min(8, v - level))], bid_style)
            for v in ask_cols:
                text.append(BLOCKS[max(0, min(8, v - level))], ask_style)
            if y < height - 1:
                text.append("\n")
        return text
