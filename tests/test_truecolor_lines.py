"""A line already in true colour is its own ANSI-filtered line (tui.truecolor_lines); any other
line is Textual's filter's, segment for segment."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import MONOKAI
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.strip import Strip

from tui import truecolor_lines

BG = Color(18, 18, 18)
RGB = Style(color="#e1e1e1", bgcolor="#1b1b1b", bold=True)


@pytest.fixture
def installed() -> Iterator[None]:
    original = Strip.apply_filter
    truecolor_lines.install()
    try:
        yield
    finally:
        Strip.apply_filter = original  # type: ignore[method-assign]


def _line(*styles: Style | None) -> Strip:
    return Strip([Segment(f"{i:<4}", s) for i, s in enumerate(styles)], 4 * len(styles))


CASES = [
    (RGB, None, Style(color="#ff0000")),  # true colour only: the line itself
    (RGB, Style(color="red")),  # an ANSI colour
    (Style(bgcolor="blue"), RGB),  # an ANSI background
    (Style(color="#ff0000", dim=True),),  # dim over a colour: the filter mixes it
    (Style(dim=True), RGB),  # dim without a colour: left as it is
]


@pytest.mark.parametrize("styles", CASES)
def test_every_line_filters_as_textual_filters_it(installed: None, styles: tuple[Style | None, ...]) -> None:
    ansi = ANSIToTruecolor(MONOKAI)
    ours = _line(*styles).apply_filter(ansi, BG)
    textuals = truecolor_lines._apply_filter(_line(*styles), ansi, BG)
    assert list(ours) == list(textuals)


def test_a_truecolor_line_is_answered_with_itself_and_freed_at_once(installed: None) -> None:
    ansi = ANSIToTruecolor(MONOKAI)
    line = _line(RGB, None, Style(dim=True))
    assert line.apply_filter(ansi, BG) is line
    assert line.apply_filter(ansi, BG) is line  # remembered, as a marker
    ansi_line = _line(RGB, Style(color="red"))
    converted = ansi_line.apply_filter(ansi, BG)
    assert converted is not ansi_line
    assert [s.style.color.triplet is not None for s in converted if s.style and s.style.color] == [True, True]
    gc.collect()
    gc.disable()
    try:
        line = _line(RGB)
        line.apply_filter(ansi, BG)
        del line
        assert gc.collect() == 0  # the marker is not the line: no cycle
    finally:
        gc.enable()
