"""Which lines of a widget changed, as runs of neighbours: each run is one repaint region.

The ladder and the charts draw their own lines and repaint only those whose content changed since
the last paint; a run of neighbouring lines goes to Textual as one region, not line by line.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["changed_runs"]


def changed_runs(old: Sequence[object], new: Sequence[object]) -> list[tuple[int, int]]:
    """``(first line, count)`` for each run of lines that differ; the sequences are equally long."""
    runs: list[tuple[int, int]] = []
    start = prev = -2
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if a == b:
            continue
        if i != prev + 1:
            if prev >= 0:
                runs.append((start, prev - start + 1))
            start = i
        prev = i
    if prev >= 0:
        runs.append((start, prev - start + 1))
    return runs
