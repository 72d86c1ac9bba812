"""Lines already in true colour skip Textual's ANSI-to-truecolour pass instead of being copied.

Textual (8.2.8, pinned) runs every drawn line through its ``ANSIToTruecolor`` filter, which
builds a new segment for each segment and a new ``Strip`` (seven caches) for each line, even
when the line holds no ANSI colour at all, as the ladder, tape and charts never do: their styles
come from the CSS, which is true colour. At 683 pairs and 2,500 messages/s that was a quarter of
the book ladder's cost per line. Here a line whose every style the filter would leave as it is
(no colour without an RGB triplet, no dim over a colour: the filter's own test) is answered with
the line itself, and that answer is remembered in the line's filter cache as a marker, not as
the line (a strip holding itself is the cycle ``tui.strip_cycles`` removes). Any other line goes
to Textual's filter unchanged, so what reaches the terminal is the same.

Whether a style passes does not depend on the background or the theme, so the styles seen to
pass are kept in one bounded set.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import ANSIToTruecolor, LineFilter
from textual.strip import Strip

__all__ = ["install"]

_apply_filter = Strip.apply_filter
_SAME = Strip([], 0)  # the marker: this filter leaves this line as it is
_PASSING: set[Style] = set()
_MAX_STYLES = 4096


def _passes(style: Style) -> bool:
    """``ANSIToTruecolor.truecolor_style`` would return the style itself."""
    color, bgcolor = style.color, style.bgcolor
    if color is not None and (color.triplet is None or style.dim):
        return False
    return bgcolor is None or bgcolor.triplet is not None


def _in_truecolor(segments: list[Segment]) -> bool:
    for _, style, _ in segments:
        if style is None or style in _PASSING:
            continue
        if not _passes(style):
            return False
        if len(_PASSING) >= _MAX_STYLES:
            _PASSING.clear()
        _PASSING.add(style)
    return True


def _apply_filter_keeping_truecolor(self: Strip, filter: LineFilter, background: Color) -> Strip:
    key = (filter, background)
    cached = self._filter_cache.get(key)
    if cached is _SAME:
        return self
    if cached is None and type(filter) is ANSIToTruecolor and _in_truecolor(self._segments):
        self._filter_cache[key] = _SAME
        return self
    return _apply_filter(self, filter, background)


def install() -> None:
    """Idempotent; for the life of the process (a passing line is the one the filter would build)."""
    Strip.apply_filter = _apply_filter_keeping_truecolor  # type: ignore[method-assign]
