"""The runs of changed lines the ladder and the charts repaint as one region each."""

from __future__ import annotations

from tui.widgets.line_runs import changed_runs


def test_runs_of_neighbouring_changed_lines() -> None:
    assert changed_runs([1, 2, 3, 4, 5, 6], [1, 0, 0, 4, 0, 6]) == [(1, 2), (4, 1)]
    assert changed_runs("abc", "xbz") == [(0, 1), (2, 1)]
    assert changed_runs([1, 2, 3], [0, 0, 0]) == [(0, 3)]
    assert changed_runs([1, 2], [1, 2]) == [] and changed_runs([], []) == []
