"""``S``: the screener, every pair the ``instrument`` channel lists, sortable and filterable.

| key | action |
|---|---|
| `1`-`6` | sort by Pair, Last, 24h %, Volume, Spread, Status (again: reverse) |
| `q` | quote currency filter: all, then each quote listed |
| `t` | status filter: all, then each status listed |
| `/` | filter by text (Enter or Esc back to the table) |
| `Enter` | open the pair on the market screen (shown, not saved to the watchlist) |
| `a` | add the pair to the watchlist (saved) |
| `Esc` / `S` | back |

On first opening it asks for every listed pair's ticker (the desk, in paced batches, see
``tui/feed/tickers.py``); books stay with the watchlist's pairs. It repaints on its own timer
(4 Hz) when a ticker or the pair list moved; the row order follows the chosen sort at most every
``RESORT`` seconds so rows do not jump under the cursor on every tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Label

from tui.desk import Desk
from tui.store import Store
from tui.store.screener import COLUMNS, Sort, build_rows, select_rows, usd_rates
from tui.widgets.footer import KeyFooter
from tui.widgets.screener_table import ScreenerTable, header_text

__all__ = ["ScreenerScreen"]

RESORT = 1.0
REFRESH = 0.25


class ScreenerScreen(Screen[None]):
    BINDINGS = [
        *(  # the column headers show their digit (ScreenerTable)
            Binding(str(i + 1), f"sort('{key}')", f"Sort: {label}", show=False, id=f"screener.sort-{key}")
            for i, (key, label) in enumerate(COLUMNS)
        ),
        Binding("q", "cycle_quote", "Quote", tooltip="Filter by quote currency", id="screener.quote"),
        Binding("t", "cycle_status", "Status", tooltip="Filter by pair status", id="screener.status"),
        # priority: taken before the keys after it are handed to the table (a fast typist's
        # "/ada" arrives in one read), so they land in the box, which is always displayed
        Binding(
            "slash", "filter_text", "Filter", tooltip="Filter by text", id="screener.filter", priority=True
        ),
        Binding("a", "add", "Add", tooltip="Add the pair to the watchlist (saved)", id="screener.add"),
        Binding("escape,S", "back", "Back", id="screener.back"),
    ]

    def __init__(
        self, store: Store, desk: Desk, open_pair: Callable[[str], None], current: str | None = None
    ) -> None:
        super().__init__()
        self.current = current  # the pair the market screen shows: the cursor starts on it
        self.store = store
        self.desk = desk
        self.open_pair = open_pair
        self.sort = Sort()
        self.quote: str | None = None
        self.status: str | None = None
        self.text = ""
        self._seen: tuple[int, int, int] = (-1, -1, -1)
        self._sorted_at = 0.0
        self._asked = 0

    def compose(self) -> ComposeResult:
        yield Label("", id="screener-head")
        yield Label(
            "24h vol: base volume × vwap, in USD by the last of QUOTE/USD (or USD/QUOTE); "
            "unknown when neither is listed · 1-6 sort by a column, again reverses",
            id="screener-note",
        )
        yield Input(
            placeholder="/ filters pairs by text (Enter or Esc: back to the table)", id="screener-filter"
        )
        yield Label(header_text(self.size.width), id="screener-cols")
        yield ScreenerTable(id="screener-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(ScreenerTable))
        self.repaint(force=True)
        self.set_interval(REFRESH, self.repaint)

    def on_resize(self) -> None:
        self.query_one("#screener-cols", Label).update(header_text(self.size.width))

    # --- repaint -----------------------------------------------------------------------------------
    def repaint(self, force: bool = False) -> None:
        store = self.store
        pairs = store.spot_pairs()
        if len(pairs) != self._asked:  # the list arrived or grew: every pair's ticker
            self._asked = len(pairs)
            self.desk.subscribe_tickers([p.symbol for p in pairs])
        seen = (store.tickers_version, len(pairs), len(store.markets))
        if not force and seen == self._seen:
            return
        shape_changed = seen[1:] != self._seen[1:]
        self._seen = seen
        table = self.query_one(ScreenerTable)
        now = time.monotonic()
        if force or shape_changed or now - self._sorted_at >= RESORT:
            rows = select_rows(
                build_rows(pairs, store.tickers),
                self.sort,
                quote=self.quote,
                status=self.status,
                text=self.text,
            )
            self._sorted_at = now
            table.show_rows(rows, set(store.markets))
        else:  # the order stays for now: fresh values for the lines on screen only
            shown = table.visible_symbols()
            fresh = build_rows(
                [store.instruments[s] for s in shown if s in store.instruments],
                store.tickers,
                usd_rates(pairs, store.tickers),
            )
            table.refresh_rows(fresh)
        if self.current is not None and self.current in table.order:
            table.move_to(self.current)
            self.current = None
        self._paint_head(len(table.rows), len(pairs))

    def _paint_head(self, shown: int, listed: int) -> None:
        label = dict(COLUMNS)[self.sort.column]
        with_ticker = sum(1 for p in self.store.spot_pairs() if p.symbol in self.store.tickers)
        parts = [
            f"Screener {shown}/{listed}",
            f"quote {self.quote or 'all'}",
            f"status {self.status or 'all'}",
            f"text '{self.text}'" if self.text else "",
            f"sort {label} {'↓' if self.sort.descending else '↑'}",
            f"tickers {with_ticker}/{listed}",
        ]
        if listed == 0:
            parts = ["Screener  waiting for the instrument list…"]
        elif shown == 0:
            parts.insert(1, "no match")
        self.query_one("#screener-head", Label).update(" · ".join(p for p in parts if p))

    # --- keys --------------------------------------------------------------------------------------
    def action_sort(self, column: str) -> None:
        if self.sort.column == column:
            self.sort = Sort(column, not self.sort.descending)
        else:  # text columns start A→Z, numbers largest first
            self.sort = Sort(column, column not in ("pair", "status"))
        self.repaint(force=True)

    def _cycle(self, current: str | None, values: list[str]) -> str | None:
        options: list[str | None] = [None, *sorted(set(values))]
        return options[(options.index(current) + 1) % len(options)] if current in options else None

    def action_cycle_quote(self) -> None:
        self.quote = self._cycle(self.quote, [p.quote for p in self.store.spot_pairs()])
        self.repaint(force=True)

    def action_cycle_status(self) -> None:
        self.status = self._cycle(self.status, [p.status for p in self.store.spot_pairs()])
        self.repaint(force=True)

    def action_filter_text(self) -> None:
        box = self.query_one("#screener-filter", Input)
        if self.focused is box:
            box.insert_text_at_cursor("/")
        else:
            self.set_focus(box)

    @on(Input.Changed, "#screener-filter")
    def _text_changed(self, event: Input.Changed) -> None:
        self.text = event.value
        self.repaint(force=True)

    @on(Input.Submitted, "#screener-filter")
    def _text_done(self) -> None:
        self._close_filter()

    def _close_filter(self) -> None:
        self.set_focus(self.query_one(ScreenerTable))

    @on(ScreenerTable.Opened)
    def _opened(self, event: ScreenerTable.Opened) -> None:
        self.app.pop_screen()
        self.open_pair(event.symbol)

    def action_add(self) -> None:
        symbol = self.query_one(ScreenerTable).selected()
        if symbol is None:
            return
        if self.desk.watch(symbol):
            self.notify(f"{symbol} added to the watchlist", timeout=3)
        elif symbol in self.store.markets:
            self.notify(f"{symbol} is already on the watchlist", timeout=3)
        self.repaint(force=True)

    def action_back(self) -> None:
        if self.focused is self.query_one("#screener-filter", Input):
            self._close_filter()
            return
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        """Letters typed into the filter box are text, not keys."""
        return not (isinstance(self.focused, Input) and action not in ("back", "filter_text"))
