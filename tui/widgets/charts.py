"""Candles and depth, drawn with block characters so they work in any 256-colour terminal.

The drawing itself is pure (``candle_draw``, ``depth_draw``); these widgets only cache it.
Measured against plotext (``python -m tui.bench.charts``): it takes 7-14 ms to build what these
rebuild in under 0.5 ms, ~26 ms of a 62 ms frame when both charts change on one tick, so the own
renderer stays (README "Charts and tape").
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui.store import Candle
from tui.widgets.candle_draw import draw_candles
from tui.widgets.depth_draw import draw_depth
from tui.widgets.line_runs import changed_runs
from tui.widgets.plain_lines import use_plain_lines

__all__ = ["CandleChart", "DepthChart", "to_strips"]


def _runs(cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge neighbouring cells of one style into a single segment (a chart row has few runs)."""
    out: list[tuple[str, str]] = []
    for ch, st in cells:
        if out and out[-1][1] == st:
            out[-1] = (out[-1][0] + ch, st)
        else:
            out.append((ch, st))
    return out


def to_strips(
    rows: list[list[tuple[str, str]]], width: int, height: int, style: Callable[[str], Style]
) -> list[Strip]:
    """Cells to strips of exactly ``width`` × ``height``, one segment per run of a style."""
    strips = [
        Strip([Segment(text, style(st)) for text, st in _runs(row)]).adjust_cell_length(width, style(""))
        for row in rows[:height]
    ]
    return strips + [Strip.blank(width, style(""))] * (height - len(strips))


class _StripChart(Widget):
    """Charts are drawn once per data or size change into strips; repaints reuse them.

    The compositor re-renders every widget inside the union of the regions that changed, and the
    book beside these charts changes 20 times a second: a chart that rebuilt its Text on each of
    those renders cost more than the book itself.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        use_plain_lines(self)
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
            self._strips = to_strips(self._rows(width, height), width, height, self._style)
        return self._strips[y] if y < len(self._strips) else Strip.blank(width, self._style(""))

    def _redraw(self) -> None:
        """New data: draw it now and repaint only the lines that differ from what is shown (a
        new trade moves the last candle and its price label: two or three of the chart's lines,
        not all of them). Before the first paint, or after a resize or a style change, the whole
        chart is drawn when it is next rendered."""
        old = self._strips
        width, height = self.size.width, self.size.height
        if old is None or not width or not height or len(old) != height or old[0].cell_length != width:
            self._strips = None
            self.refresh()
            return
        new = self._strips = to_strips(self._rows(width, height), width, height, self._style)
        for y, count in changed_runs(old, new):  # one region per run of neighbouring lines
            self.refresh(Region(0, y, width, count))


class CandleChart(_StripChart):
    """Candles with their volume, a last-price line and both axes (see ``candle_draw``)."""

    COMPONENT_CLASSES = {
        "candle--up",
        "candle--down",
        "candle--axis",
        "candle--dim",
        "candle--vol-up",
        "candle--vol-down",
        "candle--last-line",
        "candle--last-up",
        "candle--last-down",
    }
    DEFAULT_CSS = """
    CandleChart > .candle--dim { color: $text-muted; }
    CandleChart > .candle--vol-up { color: $success 45%; }
    CandleChart > .candle--vol-down { color: $error 45%; }
    CandleChart > .candle--last-line { color: $text-muted; }
    CandleChart > .candle--last-up { background: $success; color: $background; text-style: bold; }
    CandleChart > .candle--last-down { background: $error; color: $background; text-style: bold; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.candles: list[Candle] = []
        self.interval = 1
        self.decimals: int | None = None

    def update_candles(self, candles: list[Candle], interval: int, decimals: int | None = None) -> None:
        """``decimals``: the pair's price precision (labels at it); None until the instrument is known."""
        if candles == self.candles and interval == self.interval and decimals == self.decimals:
            return
        self.candles = list(candles)
        self.interval = interval
        self.decimals = decimals
        self._redraw()

    def _rows(self, width: int, height: int) -> list[list[tuple[str, str]]]:
        return draw_candles(self.candles, self.interval, self.decimals, width, height)


class DepthChart(_StripChart):
    """Cumulative bid (left) and ask (right) size by price around the mid (see ``depth_draw``)."""

    COMPONENT_CLASSES = {"depth--bid", "depth--ask", "depth--dim", "depth--axis", "depth--mid"}
    DEFAULT_CSS = """
    DepthChart > .depth--dim { color: $text-muted; }
    DepthChart > .depth--axis { color: $text-muted; }
    DepthChart > .depth--mid { color: $warning; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bids: list[tuple[int, int]] = []
        self.asks: list[tuple[int, int]] = []
        self.decimals = 0

    def update_depth(self, bids: list[tuple[int, int]], asks: list[tuple[int, int]], decimals: int) -> None:
        """(price ticks, cumulative size ticks) best first, and the price precision of the ticks."""
        if bids == self.bids and asks == self.asks and decimals == self.decimals:
            return
        self.bids, self.asks, self.decimals = bids, asks, decimals
        self._redraw()

    def _rows(self, width: int, height: int) -> list[list[tuple[str, str]]]:
        return draw_depth(self.bids, self.asks, self.decimals, width, height)
