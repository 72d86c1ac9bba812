"""Drawn lines are freed by reference counting, not left for the full collection (tui.strip_cycles):
Textual's own ``divide``/``crop_extend`` put a strip in its own cache when nothing was cut."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui import strip_cycles


@pytest.fixture
def no_auto_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _line() -> Strip:
    return Strip([Segment("97240.4 ", Style(bold=True)), Segment("0.00652384")], 18)


def _left_in_cycles(use: object) -> int:
    s = _line()
    use(s)  # type: ignore[operator]
    del s
    return gc.collect()


def test_textuals_strip_keeps_itself_alive_without_the_fix(no_auto_gc: None) -> None:
    """The reason for the module: if this starts failing, Textual fixed it and the wrappers can go."""
    divide, crop_extend = strip_cycles._divide, strip_cycles._crop_extend
    assert _left_in_cycles(lambda s: divide(s, [18])) > 0
    assert _left_in_cycles(lambda s: crop_extend(s, 0, 18, None)) > 0


def test_an_uncut_line_is_freed_at_once_and_results_are_textuals(no_auto_gc: None) -> None:
    strip_cycles.install()
    assert _left_in_cycles(lambda s: s.divide([18])) == 0
    assert _left_in_cycles(lambda s: s.crop_extend(0, 18, None)) == 0
    line = _line()
    assert line.divide([18]) == [line] and line.divide([18, 30])[0] is line
    assert line.crop_extend(0, 18, None) is line
    # the cases that make new strips still go to Textual, with the same results
    assert [s.text for s in line.divide([8, 18])] == ["97240.4 ", "0.00652384"]
    assert [s.text for s in strip_cycles._divide(_line(), [8, 18])] == ["97240.4 ", "0.00652384"]
    assert line.crop_extend(2, 18, None).text == "240.4 0.00652384"
    assert line.crop_extend(0, 20, None).text == "97240.4 0.00652384  "
    assert line.crop_extend(0, 8, None).text == "97240.4 "
