"""Textual's strips without the reference cycles that made each full collection take seconds.

Textual (8.2.8, pinned) caches the result of ``Strip.divide`` and ``Strip.crop_extend`` on the
strip. When the result is the strip itself (a line that needs no cut or crop: most lines of a
dashboard), the strip then holds itself in its own cache, reference counting can never free it,
and every line the compositor drew became cyclic garbage with its seven caches. In a
``bench-ui --ladder grid --depth 100`` run (2,300 book messages/s, ~40 s) that was 2.3 million
objects, and the paced full collection that freed them (``tui.gc_pacer``) stopped the event loop
for 3.0 s. These wrappers answer exactly those two cases without caching, with the very strip
the originals return; every other call goes to Textual unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

__all__ = ["install"]

_divide = Strip.divide
_crop_extend = Strip.crop_extend


def _divide_uncached_self(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    length = self.cell_length
    kept = [cut for cut in cuts if cut <= length]
    if len(kept) == 1 and kept[0] == length:  # no cut inside the line: the line itself
        return [self]
    return _divide(self, kept)


def _crop_extend_uncached_self(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start <= 0 and end == self.cell_length:  # neither extended nor cropped: the line itself
        return self
    return _crop_extend(self, start, end, style)


def install() -> None:
    """Idempotent; for the life of the process (the wrappers change no result, only caching)."""
    Strip.divide = _divide_uncached_self  # type: ignore[method-assign]
    Strip.crop_extend = _crop_extend_uncached_self  # type: ignore[method-assign]
