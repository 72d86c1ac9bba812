"""The depth chart as rows of (text, style) cells: cumulative size by price, mid in the middle.

Pure (no Textual). The x axis is price, not level number: both sides share one scale around the
mid, out to the nearer of the two sides' deepest shown level (beyond it one side would be
unknown), so a thin side looks thin. The axis row names the left edge, the mid and the right
edge exactly; the mid of an odd spread has one more digit, as on the ladder.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.kraken.numbers import ticks_to_decimal
from tui.widgets.candle_draw import BLOCKS, Cell

__all__ = ["draw_depth"]


def _heights(levels: Sequence[tuple[int, int]], distance: Sequence[float]) -> list[int]:
    """Cumulative size out to each column's far edge (``distance`` from the mid, in ticks)."""
    out = []
    i, cum = 0, 0
    for far in distance:
        while i < len(levels) and levels[i][0] <= far:
            cum = levels[i][1]
            i += 1
        out.append(cum)
    return out


def draw_depth(
    bids: Sequence[tuple[int, int]],
    asks: Sequence[tuple[int, int]],
    decimals: int,
    width: int,
    height: int,
) -> list[list[Cell]]:
    """``bids``/``asks``: (price in ticks, cumulative size) best first."""
    if (not bids and not asks) or height < 1 or width < 3:
        return [[("no book", "depth--dim")]]
    mid2 = (bids[0][0] + asks[0][0]) if bids and asks else 2 * (bids or asks)[0][0]
    # distances from the mid in half ticks, so an odd spread stays exact
    reach = [
        d for d in (mid2 - 2 * bids[-1][0] if bids else None, 2 * asks[-1][0] - mid2 if asks else None) if d
    ]
    span2 = min(reach) if reach else 2
    axis = 1 if height >= 3 else 0
    rows = height - axis
    centre = width // 2
    n = max(centre, width - centre - 1)
    far = [span2 * (i + 1) / n for i in range(n)]
    bid_h = _heights([(mid2 - 2 * p, c) for p, c in bids], far)[:centre]
    ask_h = _heights([(2 * p - mid2, c) for p, c in asks], far)[: width - centre - 1]
    top = max([*bid_h, *ask_h, 1])

    def cell(v: int, y: int, style: str) -> Cell:
        eighths = round(v / top * rows * 8)
        return (BLOCKS[max(0, min(8, eighths - (rows - 1 - y) * 8))], style)

    out = [
        [cell(v, y, "depth--bid") for v in reversed(bid_h)]
        + [("│", "depth--mid")]
        + [cell(v, y, "depth--ask") for v in ask_h]
        for y in range(rows)
    ]
    if axis:
        out.append(_axis(mid2, span2, decimals, width, centre))
    return out


def _axis(mid2: int, span2: int, decimals: int, width: int, centre: int) -> list[Cell]:
    def price(half_ticks: int) -> str:
        return format(ticks_to_decimal(half_ticks, decimals) / 2, "f")

    chars = [" "] * width
    mid = price(mid2)
    start = max(0, min(width - len(mid), centre - len(mid) // 2))
    chars[start : start + len(mid)] = mid
    left, right = price(mid2 - span2), price(mid2 + span2)
    if len(left) < start:
        chars[: len(left)] = left
    if width - len(right) > start + len(mid):
        chars[width - len(right) :] = right
    return [
        ("".join(chars[:start]), "depth--axis"),
        (mid, "depth--mid"),
        ("".join(chars[start + len(mid) :]), "depth--axis"),
    ]
