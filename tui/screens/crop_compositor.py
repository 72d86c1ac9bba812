"""The market screen's compositor: a partial update asks a widget for its lines only when they show.

Textual's compositor answers a partial update (the book's rows changed, say) by asking every
visible widget whose *clip* meets the changed rectangle for its lines, and cutting each of those
lines at every widget edge on that row. A widget's clip is its container's region, for most of
this screen the whole terminal, so the ~25 widgets of the dashboard were asked 16 times a second;
the screen and the containers behind the book were cut into a strip per widget edge on every
changed row, and all of it was dropped, because the update writes only the changed spans and the
widget in front already covers them. Here, front to back as Textual paints, a widget is asked
only if one of its pieces is still wanted by a changed span, and a line is cut only then. What
reaches the terminal is the same: every piece a span writes comes from the same widget as before.

This overrides a Textual internal (``Compositor.render_partial_update``, with the walk of
``_get_renders`` and ``_render_chops`` folded into one); Textual is pinned in pyproject.toml, and
``tests/app/test_crop_compositor.py`` compares the updates with Textual's own.
"""

from __future__ import annotations

from itertools import pairwise

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

__all__ = ["CropCompositor"]


# A piece a span reaches only at its first column: ``ChopsUpdate`` writes a cursor move there and
# none of the piece's cells, so any strip will do and no widget need be asked for it.
_MOVE_ONLY = Strip([], 0)


class CropCompositor(Compositor):
    def render_partial_update(self) -> ChopsUpdate | None:
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        crop = Region.from_union(update_regions).intersection(self.size.region)
        spans = list(self._regions_to_spans(update_regions))
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(row[:-1]) for row in cuts]
        wanted, moves = _wanted(cuts, spans)
        for y, starts in moves.items():
            for x in starts:
                chops[y][x] = _MOVE_ONLY
        overlaps = crop.overlaps
        for widget, (region, clip) in self.visible_widgets.items():  # front to back
            if not wanted:
                break
            if not (overlaps(clip) and overlaps(region)):
                continue
            shown = region.intersection(clip)
            x0, x1 = shown.column_span
            rows = []  # (y, the cuts this widget's line is divided at) for rows it still fills
            for y in shown.line_range:
                want = wanted.get(y)
                if want is None:
                    continue
                row_cuts = [cut for cut in cuts[y] if x1 >= cut >= x0]
                if not want.isdisjoint(row_cuts[:-1]):
                    rows.append((y, row_cuts))
            if not rows:
                continue
            if clip.contains_region(region):
                lines = widget.render_lines(Region(0, 0, region.width, region.height))
            else:
                lines = widget.render_lines(
                    Region(x0 - region.x, shown.y - region.y, shown.width, shown.height)
                )
            top = shown.y
            for y, row_cuts in rows:
                if y - top >= len(lines):
                    break
                _fill(chops[y], wanted[y], lines[y - top], row_cuts, x0)
                if not wanted[y]:
                    del wanted[y]
        return ChopsUpdate(chops, spans, [row[1:] for row in cuts])


def _fill(
    chops_line: dict[int, Strip | None], want: set[int], line: Strip, row_cuts: list[int], x0: int
) -> None:
    """The wanted pieces of one widget's line (a wanted piece is still empty: the first widget,
    front to back, wins). One piece is cropped out; Textual cuts the line at every edge."""
    todo = [(cut, end) for cut, end in pairwise(row_cuts) if cut in want]
    if len(todo) == 1 and line.cell_length == row_cuts[-1] - x0:
        cut, end = todo[0]
        chops_line[cut] = line.crop(cut - x0, end - x0)
    else:
        pieces = line.divide([cut - x0 for cut in row_cuts[1:]])
        for (cut, _), piece in zip(pairwise(row_cuts), pieces, strict=False):
            if cut in want:
                chops_line[cut] = piece
    want.difference_update(cut for cut, _ in todo)


def _wanted(
    cuts: list[list[int]], spans: list[tuple[int, int, int]]
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Per row, the pieces (by their first column) whose cells ``ChopsUpdate`` writes for the
    spans, and those where it writes only a cursor move.

    Its test, mirrored: a piece from x to end is written for the span x1..x2 unless x > x2 or
    end <= x1; a piece starting at x2 gets the cursor move alone."""
    cells: dict[int, set[int]] = {}
    moves: dict[int, set[int]] = {}
    for y, x1, x2 in spans:
        row = cuts[y]
        for x, end in pairwise(row):
            if x > x2 or end <= x1:
                continue
            (moves if x == x2 else cells).setdefault(y, set()).add(x)
    for y, starts in moves.items():
        starts -= cells.get(y, set())
    return cells, {y: starts for y, starts in moves.items() if starts}
