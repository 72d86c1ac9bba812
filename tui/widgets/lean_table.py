"""A DataTable whose render caches hold one screenful, not ten thousand stale cells.

Textual's DataTable keys every cached cell, row and line by an update counter that moves on each
``update_cell``/``add_row``, so after an update every cached render is stale and is never read
again; it only leaves when the LRU is full (10,000 cells, 1,000 rows, lines and renderables per
table). Our tables update several times a second, so each filled its caches with dead renders:
about 400,000 live objects across the dashboard after a few minutes, and each full garbage
collection walked them all (250-380 ms with the event loop stopped, measured in
``kraken-tui bench-ui``). A screenful of this terminal is at most a few hundred cells.

``update_row_cells`` repaints only the row whose cells changed, and only its changed cells are
rendered again: ``update_cell`` marks the whole table for repainting and moves the counter every
cache is keyed by, and a DataTable cell costs a Rich render (the watchlist's full repaint at 4 Hz
was ~8 ms each, 2.5 % of a core at 683 pairs for one changed price). So cells changed through
``update_row_cells`` keep a render cache of their own, keyed by the cell and dropped when that
cell is set; any other change to the table (rows added, cleared, sorted, ``update_cell``, a style
or width change) drops it whole, as Textual's own caches are. Lines that were not marked keep
what the compositor cached, which is what the table would draw again.

This reaches into Textual internals; Textual is pinned in pyproject.toml, and
``tests/app/test_long_session.py`` and ``tests/app/test_lean_table.py`` fail if a new version
moves them.
"""

from __future__ import annotations

from typing import Any, cast

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.css.styles import RenderStyles
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tui.widgets.plain_lines import use_plain_lines

__all__ = ["LeanTable"]

# One screen of cells (45 rows x 10 columns) with cursor and hover variants; rows and lines: 45.
CELLS = 1000
ROWS = 100
VARIANTS = 8  # renders kept per cell: cursor, hover and focus states of its one value


class _StylesOnce:
    """A component's styles whose Rich style is read once for the repaint (the rest as they are)."""

    def __init__(self, styles: RenderStyles) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)


class LeanTable(DataTable[Text]):
    _repaint_style: Style | None = None  # the widget's style during one repaint
    _repaint_components: dict[tuple[str, ...], RenderStyles] | None = None  # and its components'

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._cells_cache: dict[
            tuple[RowKey | None, ColumnKey | None], dict[tuple[Any, ...], list[list[Segment]]]
        ] = {}
        super().__init__(*args, **kwargs)
        use_plain_lines(self)
        self._cell_render_cache.maxsize = CELLS
        self._row_render_cache.maxsize = ROWS
        self._row_renderable_cache.maxsize = ROWS
        self._line_cache.maxsize = ROWS
        self._cells_count = 0  # Textual's update counter when ``_cells_cache`` was last valid

    def update_row_cells(self, row: str, cells: dict[str, Text]) -> None:
        """Set these cells of one row (column key -> value) and repaint that row alone.

        A value wider than its column goes through ``update_cell(update_width=True)`` (the
        columns are measured again and the whole table repaints); a narrower one keeps the
        column's width, so the table never shifts sideways for a shorter price.
        """
        if not cells:
            return
        row_key = RowKey(row)
        data = self._data[row_key]
        self._cells_valid()
        for col, value in cells.items():
            column_key = ColumnKey(col)
            self._cells_cache.pop((row_key, column_key), None)
            if value.cell_len > self.columns[column_key].content_width:
                # measured again when idle; the whole table repaints at the new width
                self.update_cell(row, col, value, update_width=True)
            else:
                data[column_key] = value
        # Textual's caches are keyed by this count: the row's next render reads the new values
        self._update_count += 1
        self._cells_count = self._update_count
        self.refresh_row(self.get_row_index(row))

    def _cells_valid(self) -> None:
        """Drop the cell cache if the table changed by any other way than ``update_row_cells``."""
        if self._update_count != self._cells_count:
            self._cells_cache.clear()
            self._cells_count = self._update_count

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        if row_index < 0 or column_index < 0:  # the header and row labels: Textual's caching
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._cells_valid()
        cell = (self._row_locations.get_key(row_index), self._column_locations.get_key(column_index))
        variant = (
            row_index,
            column_index,
            base_style,
            width,
            cursor,
            hover,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        if cell not in self._cells_cache and len(self._cells_cache) >= CELLS:
            self._cells_cache.clear()  # a screenful, as Textual's own cell cache here
        renders = self._cells_cache.setdefault(cell, {})
        lines = renders.get(variant)
        if lines is None:
            if len(renders) >= VARIANTS:
                renders.clear()
            lines = renders[variant] = super()._render_cell(
                row_index, column_index, base_style, width, cursor, hover
            )
        return lines

    @property
    def rich_style(self) -> Style:
        """During one repaint, the style worked out at its start: Textual asks for it (and for the
        header's) for every line, and each answer walks up the DOM (40 % of a watchlist line)."""
        style = self._repaint_style
        return style if style is not None else super().rich_style

    def get_component_styles(self, *names: str) -> RenderStyles:
        components = self._repaint_components
        if components is None:
            return super().get_component_styles(*names)
        styles = components.get(names)
        if styles is None:
            styles = components[names] = cast(RenderStyles, _StylesOnce(super().get_component_styles(*names)))
        return styles

    def render_lines(self, crop: Region) -> list[Strip]:
        self._repaint_style = self.rich_style
        self._repaint_components = {}
        try:
            return super().render_lines(crop)
        finally:
            self._repaint_style = self._repaint_components = None

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._cells_cache.clear()

    def notify_style_update(self) -> None:
        self._cells_cache.clear()
        super().notify_style_update()
