"""Candles and depth, drawn with block characters so they work in any 256-colour terminal."""

from __future__ import annotations

from decimal import Decimal

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from tui.store import Candle

__all__ = ["CandleChart", "DepthChart"]

BLOCKS = " ▁▂▃▄▅▆▇█"


def _runs(cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge neighbouring cells of one style into a single segment (a chart row has few runs)."""
    out: list[tuple[str, str]] = []
    for ch, st in cells:
        if out and out[-1][1] == st:
            out[-1] = (out[-1][0] + ch, st)
        else:
            out.append((ch, st))
    return out


class _StripChart(Widget):
    """Charts are drawn once per data or size change into strips; repaints reuse them.

    The compositor re-renders every widget inside the union of the regions that changed, and the
    book beside these charts changes 20 times a second: a chart that rebuilt its Text on each of
    those renders cost more than the book itself.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._strips: list[Strip] | None = None
        self._styles_ready: dict[str, Style] | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles_ready = None
        self._strips = None

    def on_resize(self) -> None:
        self._strips = None

    def _style(self, name: str) -> Style:
        if self._styles_ready is None:
            base = self.rich_style
            self._styles_ready = {"": base} | {
                c: base + self.get_component_rich_style(c) for c in self.COMPONENT_CLASSES
            }
        return self._styles_ready[name]

    def _rows(self, width: int, height: int) -> list[list[tuple[str, str]]]:
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        if self._strips is None or len(self._strips) != height:
            self._strips = [
                Strip([Segment(text, self._style(st)) for text, st in _runs(row)]).adjust_cell_length(
                    width, self._style("")
                )
                for row in self._rows(width, height)
            ]
            self._strips += [Strip.blank(width, self._style(""))] * (height - len(self._strips))
        return self._strips[y] if y < len(self._strips) else Strip.blank(width, self._style(""))

    def _redraw(self) -> None:
        self._strips = None
        self.refresh()


class CandleChart(_StripChart):
    COMPONENT_CLASSES = {"candle--up", "candle--down", "candle--axis", "candle--dim"}
    DEFAULT_CSS = "CandleChart > .candle--dim { color: $text-muted; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.candles: list[Candle] = []
        self.interval = 1

    def update_candles(self, candles: list[Candle], interval: int) -> None:
        if candles == self.candles and interval == self.interval:
            return
        self.candles = list(candles)
        self.interval = interval
        self._redraw()

    def _rows(self, width: int, height: int) -> list[list[tuple[str, str]]]:
        axis_w = 11
        cols = max(1, width - axis_w)
        data = self.candles[-cols:]
        if not data or height < 3:
            return [[(f"waiting for {self.interval}m candles…", "candle--dim")]]
        hi = max(c.high for c in data)
        lo = min(c.low for c in data)
        span = hi - lo or Decimal(1)
        rows = height

        def row_of(v: Decimal) -> int:
            return min(rows - 1, int((hi - v) / span * (rows - 1)))

        grid = [[(" ", "")] * len(data) for _ in range(rows)]
        for x, c in enumerate(data):
            style = "candle--up" if c.close >= c.open else "candle--down"
            top, bottom = row_of(c.high), row_of(c.low)
            b0, b1 = sorted((row_of(c.open), row_of(c.close)))
            for y in range(top, bottom + 1):
                grid[y][x] = ("█" if b0 <= y <= b1 else "│", style)
        for y in range(rows):
            label = ""
            if y == 0:
                label = format(hi, "f")
            elif y == rows - 1:
                label = format(lo, "f")
            elif y == rows // 2:
                label = f"{self.interval}m"
            grid[y] = [*grid[y], (" " + label[: axis_w - 1].rjust(axis_w - 1), "candle--axis")]
        return grid


class DepthChart(_StripChart):
    """Cumulative bid (left) and ask (right) depth around the mid."""

    COMPONENT_CLASSES = {"depth--bid", "depth--ask", "depth--dim"}
    DEFAULT_CSS = "DepthChart > .depth--dim { color: $text-muted; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bids: list[int] = []
        self.asks: list[int] = []

    def update_depth(self, bid_cum: list[int], ask_cum: list[int]) -> None:
        if bid_cum == self.bids and ask_cum == self.asks:
            return
        self.bids, self.asks = bid_cum, ask_cum
        self._redraw()

    def _rows(self, width: int, height: int) -> list[list[tuple[str, str]]]:
        half = max(1, width // 2)
        if (not self.bids and not self.asks) or height < 1:
            return [[("no book", "depth--dim")]]
        top = max(self.bids[-1] if self.bids else 0, self.asks[-1] if self.asks else 0) or 1

        def col(values: list[int], i: int) -> int:
            if not values:
                return 0
            v = values[min(len(values) - 1, i * len(values) // half)]
            return int(v / top * height * 8)

        bid_cols = [col(self.bids, i) for i in range(half)][::-1]
        ask_cols = [col(self.asks, i) for i in range(half)]
        out = []
        for y in range(height):
            level = (height - 1 - y) * 8
            out.append(
                [(BLOCKS[max(0, min(8, v - level))], "depth--bid") for v in bid_cols]
                + [(BLOCKS[max(0, min(8, v - level))], "depth--ask") for v in ask_cols]
            )
        return out
