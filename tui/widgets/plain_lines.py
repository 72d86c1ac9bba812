"""Textual's line styling for the hot widgets, worked out once per repaint instead of per line.

Every line a widget draws goes through Textual's ``StylesCache.render_line``, which reads the
border, outline, padding, hatch, tint and opacity rules again and builds the border's styles
anew, for each line. For the book ladder and the trades tape that was ~70 µs of each line's
~90 µs at 683 pairs and 2,500 messages/s (``bench-ui --pairs all``; 27 of the ladder's lines
change 16 times a second). When those rules are plain for the whole repaint (no tint, opacity,
text opacity, hatch, outline or side padding) a content row is only the content fitted to its
width between the left and right border pieces; those pieces are worked out once in ``render``
and every other row (border, padding, a styled state such as the ladder's stale tint) is
Textual's own.

This reaches into a Textual internal (the widget's ``_styles_cache``); Textual is pinned in
pyproject.toml, and ``tests/app/test_plain_lines.py`` compares every line with Textual's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.terminal_theme import TerminalTheme
from textual._ansi_theme import DEFAULT_TERMINAL_THEME
from textual._border import get_box
from textual._styles_cache import RenderLineCallback, StylesCache
from textual.color import Color
from textual.content import Content
from textual.css.styles import StylesBase
from textual.filter import LineFilter
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

__all__ = ["PlainLinesCache", "use_plain_lines"]


class _Frame(NamedTuple):
    """What every content row of one repaint shares."""

    top: int  # the first content row
    rows: int  # content rows below it
    width: int
    content_width: int
    inner: RichStyle  # the content's background
    left: tuple[Segment, ...]
    right: tuple[Segment, ...]


class PlainLinesCache(StylesCache):
    def __init__(self) -> None:
        super().__init__()
        self._frame: _Frame | None = None

    def render(
        self,
        styles: StylesBase,
        size: Size,
        base_background: Color,
        background: Color,
        render_content_line: RenderLineCallback,
        filters: Sequence[LineFilter],
        border_title: tuple[Content, Color, Color, Style] | None,
        border_subtitle: tuple[Content, Color, Color, Style] | None,
        content_size: Size | None = None,
        padding: Spacing | None = None,
        crop: Region | None = None,
        opacity: float = 1.0,
        ansi_theme: TerminalTheme = DEFAULT_TERMINAL_THEME,
        native_ansi: bool = False,
    ) -> list[Strip]:
        self._frame = _plain_frame(
            self,
            styles,
            size,
            base_background,
            background,
            content_size or size,
            padding or styles.padding,
            opacity,
        )
        try:
            return super().render(
                styles,
                size,
                base_background,
                background,
                render_content_line,
                filters,
                border_title,
                border_subtitle,
                content_size=content_size,
                padding=padding,
                crop=crop,
                opacity=opacity,
                ansi_theme=ansi_theme,
                native_ansi=native_ansi,
            )
        finally:
            self._frame = None

    def render_line(
        self,
        styles: StylesBase,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: RenderLineCallback,
        border_title: tuple[Content, Color, Color, Style] | None,
        border_subtitle: tuple[Content, Color, Color, Style] | None,
        opacity: float,
        ansi_theme: TerminalTheme,
        native_ansi: bool,
    ) -> Strip:
        frame = self._frame
        if frame is not None and 0 <= (row := y - frame.top) < frame.rows:
            line = render_content_line(row).adjust_cell_length(frame.content_width, frame.inner)
            return Strip([*frame.left, *line, *frame.right], frame.width)
        return super().render_line(
            styles,
            y,
            size,
            content_size,
            padding,
            base_background,
            background,
            render_content_line,
            border_title,
            border_subtitle,
            opacity,
            ansi_theme,
            native_ansi,
        )


def _plain_frame(
    cache: StylesCache,
    styles: StylesBase,
    size: Size,
    base_background: Color,
    background: Color,
    content_size: Size,
    padding: Spacing,
    opacity: float,
) -> _Frame | None:
    """Textual's content row (its path "C"), when nothing but borders dresses it; else None."""
    if opacity != 1.0 or styles.text_opacity != 1.0 or styles.tint.a:
        return None
    if padding.left or padding.right:
        return None
    if styles.has_rule("hatch") and styles.hatch != "none":
        return None
    if any(edge for edge, _ in styles.outline):
        return None
    _, (border_right, right_color), _, (border_left, left_color) = styles.border
    inner, outer = cache.get_inner_outer(base_background, background)
    left: tuple[Segment, ...] = ()
    right: tuple[Segment, ...] = ()
    if border_left:
        style = Style(foreground=base_background + left_color.multiply_alpha(opacity))
        left = (get_box(border_left, inner, outer, style)[1][0],)
    if border_right:
        style = Style(foreground=base_background + right_color.multiply_alpha(opacity))
        right = (get_box(border_right, inner, outer, style)[1][2],)
    gutter = styles.gutter
    height = size.height
    # rows below the top border and padding, above the bottom ones, and within the content
    rows = min(height - gutter.bottom, gutter.top + content_size.height) - gutter.top
    return _Frame(gutter.top, max(rows, 0), size.width, content_size.width, inner.rich_style, left, right)


def use_plain_lines(widget: Widget) -> None:
    """Give the widget this cache (from its constructor: nothing is cached yet)."""
    widget._styles_cache = PlainLinesCache()
