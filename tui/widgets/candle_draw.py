"""The candle chart as rows of (text, style) cells: candles, last-price line, volume, both axes.

Pure (no Textual): the widget turns the rows into strips once per change. Each candle takes one
column and a gap column after it, and sits in the slot of its own time, so an interval without a
candle shows as a gap rather than closing up and putting the time labels on the wrong candle.
Bodies and wicks are drawn at half-cell resolution (``▀`` ``▄`` ``╵`` ``╷``), which doubles the
vertical detail of a short chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from tui.kraken.rfc3339 import parse_rfc3339
from tui.kraken.vocab import interval_label
from tui.store import Candle
from tui.widgets.chart_axes import compact_amount, decimals_of, fixed, price_ticks, time_labels

__all__ = ["BLOCKS", "Cell", "draw_candles"]

Cell = tuple[str, str]
BLOCKS = " ▁▂▃▄▅▆▇█"
COLS_PER_CANDLE = 2
_EMPTY, _WICK, _BODY = 0, 1, 2
# (upper half, lower half) -> glyph; a half-body next to a half-wick keeps the body
_GLYPH = {
    (_EMPTY, _EMPTY): " ",
    (_WICK, _WICK): "│",
    (_WICK, _EMPTY): "╵",
    (_EMPTY, _WICK): "╷",
    (_BODY, _BODY): "█",
    (_BODY, _EMPTY): "▀",
    (_EMPTY, _BODY): "▄",
    (_BODY, _WICK): "▀",
    (_WICK, _BODY): "▄",
}


def _slots(
    candles: Sequence[Candle], interval: int, slots: int
) -> tuple[list[tuple[int, Candle]], float | None]:
    """Each candle's slot (the newest in the last one) by its open time; by position if a time
    does not parse. Also the newest open time, for the time axis."""
    times = [parse_rfc3339(c.interval_begin) for c in candles[-slots * 4 :]]
    recent = candles[-len(times) :]
    if not times or any(t is None for t in times):
        return [(slots - len(candles[-slots:]) + i, c) for i, c in enumerate(candles[-slots:])], None
    newest = times[-1]
    assert newest is not None
    out = []
    for t, c in zip(times, recent, strict=True):
        assert t is not None
        slot = slots - 1 - round((newest - t) / (interval * 60))
        if 0 <= slot < slots:
            out.append((slot, c))
    return out, newest


def _layout(height: int) -> tuple[int, int, int]:
    """Rows for candles, volume and the time axis: the axes go first when the chart is short."""
    time_rows = 1 if height >= 5 else 0
    vol_rows = 2 if height >= 14 else 1 if height >= 6 else 0
    return height - time_rows - vol_rows, vol_rows, time_rows


def draw_candles(
    candles: Sequence[Candle], interval: int, decimals: int | None, width: int, height: int
) -> list[list[Cell]]:
    if not candles or height < 3 or width < 8:
        return [[(f"waiting for {interval_label(interval)} candles…", "candle--dim")]]
    dec = decimals if decimals is not None else decimals_of([c.high for c in candles[-width:]])
    axis_w = 1 + max(len(fixed(c.high, dec)) for c in candles[-width:])
    plot_w = max(2, width - axis_w)
    slots = (plot_w + 1) // COLS_PER_CANDLE
    placed, newest = _slots(candles, interval, slots)
    rows, vol_rows, time_rows = _layout(height)
    hi = max(c.high for _, c in placed)
    lo = min(c.low for _, c in placed)
    if hi == lo:
        unit = Decimal(1).scaleb(-dec)
        hi, lo = hi + unit, lo - unit
    span = hi - lo
    halves = rows * 2

    def half(v: Decimal) -> int:
        return min(halves - 1, max(0, round(float((hi - v) / span) * (halves - 1))))

    grid: list[list[Cell]] = [[(" ", "")] * plot_w for _ in range(rows)]
    for slot, c in placed:
        _draw_one(grid, slot * COLS_PER_CANDLE, c, half)
    last = candles[-1].close
    last_row = half(last) // 2
    grid[last_row] = [cell if cell[0] != " " else ("┈", "candle--last-line") for cell in grid[last_row]]
    labels: dict[int, Cell] = {}
    for tick in price_ticks(lo, hi, max(2, rows * 2 // 3), dec):
        labels.setdefault(half(tick) // 2, (" " + fixed(tick, dec), "candle--axis"))
    up = candles[-1].close >= candles[-1].open
    labels[last_row] = (" " + fixed(last, dec), "candle--last-up" if up else "candle--last-down")
    out = [[*grid[y], _pad(labels.get(y, ("", "candle--axis")), axis_w)] for y in range(rows)]
    out += _volume(placed, plot_w, vol_rows, axis_w)
    if time_rows:
        out.append(_time_row(newest, slots, interval, plot_w, axis_w))
    return out


def _pad(cell: Cell, width: int) -> Cell:
    return (cell[0][:width].ljust(width), cell[1])


def _draw_one(grid: list[list[Cell]], x: int, c: Candle, half: Callable[[Decimal], int]) -> None:
    style = "candle--up" if c.close >= c.open else "candle--down"
    top, bottom = half(c.high), half(c.low)
    b0, b1 = sorted((half(c.open), half(c.close)))
    kinds = {h: _WICK for h in range(top, bottom + 1)} | {h: _BODY for h in range(b0, b1 + 1)}
    for y in range(top // 2, bottom // 2 + 1):
        glyph = _GLYPH[(kinds.get(2 * y, _EMPTY), kinds.get(2 * y + 1, _EMPTY))]
        grid[y][x] = (glyph, style)


def _volume(placed: list[tuple[int, Candle]], plot_w: int, rows: int, axis_w: int) -> list[list[Cell]]:
    """Volume bars in eighths of a cell, scaled to the largest visible candle's volume."""
    if rows == 0:
        return []
    top = max(c.volume for _, c in placed)
    grid: list[list[Cell]] = [[(" ", "")] * plot_w for _ in range(rows)]
    for slot, c in placed:
        if top <= 0 or c.volume <= 0:
            continue
        eighths = max(1, round(float(c.volume / top) * rows * 8))
        style = "candle--vol-up" if c.close >= c.open else "candle--vol-down"
        for y in range(rows):
            level = (rows - 1 - y) * 8
            grid[y][slot * COLS_PER_CANDLE] = (BLOCKS[max(0, min(8, eighths - level))], style)
    scale = _pad((" " + compact_amount(top, axis_w - 1), "candle--axis"), axis_w)
    return [[*row, scale if y == 0 else _pad(("", ""), axis_w)] for y, row in enumerate(grid)]


def _time_row(newest: float | None, slots: int, interval: int, plot_w: int, axis_w: int) -> list[Cell]:
    """Labels at the first candle of each period (UTC), none where they would touch."""
    chars = [" "] * plot_w
    end = -1
    if newest is not None:
        for slot, text in time_labels(newest, slots, interval, COLS_PER_CANDLE):
            x = slot * COLS_PER_CANDLE
            if x > end and x + len(text) <= plot_w:
                chars[x : x + len(text)] = text
                end = x + len(text)
    return [("".join(chars), "candle--axis"), _pad((" UTC", "candle--dim"), axis_w)]
