"""A DataTable whose render caches hold one screenful, not ten thousand stale cells.

Textual's DataTable keys every cached cell, row and line by an update counter that moves on each
``update_cell``/``add_row``, so after an update every cached render is stale and is never read
again; it only leaves when the LRU is full (10,000 cells, 1,000 rows, lines and renderables per
table). Our tables update several times a second, so each filled its caches with dead renders:
about 400,000 live objects across the dashboard after a few minutes, and each full garbage
collection walked them all (250-380 ms with the event loop stopped, measured in
``kraken-tui bench-ui``). A screenful of this terminal is at most a few hundred cells.

This reaches into Textual internals; Textual is pinned in pyproject.toml, and
``tests/app/test_long_session.py`` fails if a new version moves them.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

__all__ = ["LeanTable"]

# One screen of cells (45 rows x 10 columns) with cursor and hover variants; rows and lines: 45.
CELLS = 1000
ROWS = 100


class LeanTable(DataTable[Text]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cell_render_cache.maxsize = CELLS
        self._row_render_cache.maxsize = ROWS
        self._row_renderable_cache.maxsize = ROWS
        self._line_cache.maxsize = ROWS
