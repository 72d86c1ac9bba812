"""The market screen's compositor: a partial update renders only the widgets it can show.

Textual's compositor answers a partial update (the book's rows changed, say) by asking every
visible widget whose *clip* meets the changed rectangle for its lines. A widget's clip is its
container's region, for most of this screen the whole terminal, so every one of the ~25 widgets
on the dashboard was asked 16 times a second, including the watchlist, the account tabs and the
footer far from the book; their lines were looked up, filtered and cut into the update, then
dropped, because the update only writes the changed spans. Here a widget is asked only when its
own region meets the rectangle too. What reaches the terminal is the same: a widget outside the
rectangle has no cell inside it.

This overrides a Textual internal (``Compositor._get_renders``: the same walk over the visible
widgets, with the one extra test); Textual is pinned in pyproject.toml, and
``tests/app/test_crop_compositor.py`` compares the updates with Textual's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

__all__ = ["CropCompositor"]


class CropCompositor(Compositor):
    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if not crop:  # a full update: every widget
            yield from super()._get_renders(crop)
            return
        overlaps = crop.overlaps
        for widget, (region, clip) in self.visible_widgets.items():
            if not (overlaps(clip) and overlaps(region)):
                continue
            if clip.contains_region(region):
                lines = widget.render_lines(Region(0, 0, region.width, region.height))
                yield region, clip, lines
                continue
            x, y, width, height = region.intersection(clip)
            if width and height:
                lines = widget.render_lines(Region(x - region.x, y - region.y, width, height))
                yield region, clip, lines
