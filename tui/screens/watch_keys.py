"""The market screen's watchlist edits, search over every listed pair, and the screener.

A mixin (as ``replay_keys``), so the market screen keeps one class. Edits go to the desk (which
subscribes, unsubscribes and saves the list); the watchlist widget only says what was asked.

| key | where | action |
|---|---|---|
| `S` | market screen | the screener (every listed pair) |
| `/` | market screen | search every listed pair; Enter opens, ctrl+t adds or removes |
| `Delete` | watchlist focused | remove the pair |
| `shift+↑` / `shift+↓` | watchlist focused | move the pair up / down |
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding

from tui.desk import Desk
from tui.screens.commands import PaletteEntry
from tui.screens.screener import ScreenerScreen
from tui.screens.search import SymbolSearch
from tui.screens.trading import TradingScreen
from tui.store import Store
from tui.widgets.account import FillsTable, OrdersTable
from tui.widgets.watchlist import Watchlist

__all__ = ["WatchlistKeys"]

FULL_IDS_FROM = 120  # columns from which the account tables show order ids whole (19 characters)
SHORT_ID = 13


class WatchlistKeys(TradingScreen):
    desk: Desk
    store: Store
    symbol: str

    BINDINGS = [
        # not in the footer (full at 160 columns): the help screen and the palette list it
        Binding(
            "S",
            "screener",
            "Screener",
            show=False,
            tooltip="Every listed pair: sort, filter, open",
            id="market.screener",
        ),
    ]

    def layout_uses_terminal(self, width: int, height: int) -> None:
        """Panels grow with the terminal: the watchlist and side panels at 150 and 190 columns
        (so the watchlist shows every column and the ladder stops at a readable width), the
        account panel with the height, and order ids in full once the bottom panel has room."""
        self.set_class(150 <= width < 190, "-wide")
        self.set_class(width >= 190, "-wider")
        self.set_class(height >= 44, "-tall")
        id_width = None if width >= FULL_IDS_FROM else SHORT_ID
        for table in (self.query_one(OrdersTable), self.query_one(FillsTable)):
            table.id_width = id_width

    def select_symbol(self, symbol: str) -> None:  # the market screen's
        raise NotImplementedError

    def sync_watchlist(self) -> None:
        """The watchlist widget shows the store's markets in their order (cheap when unchanged);
        if the pair on screen left the list, the first one is shown."""
        wl = self.query_one(Watchlist)
        if wl.show_symbols(list(self.store.markets), self.desk.visiting, self.symbol):
            if self.symbol not in self.store.markets and self.store.markets:
                self.select_symbol(next(iter(self.store.markets)))
            self.refresh_watchlist_rows()

    def refresh_watchlist_rows(self) -> None:
        wl = self.query_one(Watchlist)
        for m in list(self.store.markets.values()):
            wl.update_market(m)

    def open_pair(self, symbol: str) -> None:
        """Show ``symbol``: a watched pair at once; another one joins the list unsaved."""
        if symbol not in self.store.markets:
            self.desk.watch(symbol, keep=False)
        self.sync_watchlist()
        self.select_symbol(symbol)
        wl = self.query_one(Watchlist)
        if symbol in wl.rows:
            wl.move_cursor(row=wl.get_row_index(symbol), animate=False)

    def toggle_watch(self, symbol: str) -> bool:
        """Add (saved) or remove; True when the pair is on the watchlist afterwards."""
        if symbol in self.store.markets and symbol != self.desk.visiting:
            self.desk.unwatch(symbol)
        else:
            self.desk.watch(symbol)
        self.sync_watchlist()
        return symbol in self.store.markets

    @on(Watchlist.Edit)
    def _watchlist_edit(self, event: Watchlist.Edit) -> None:
        if event.step == 0:
            self.desk.unwatch(event.symbol)
        else:
            self.desk.move_watched(event.symbol, event.step)
        self.sync_watchlist()

    def action_search(self) -> None:
        def chosen(symbol: str | None) -> None:
            if symbol:
                self.open_pair(symbol)

        pairs = [p.symbol for p in self.store.spot_pairs()]
        listed = [*self.store.markets, *(p for p in pairs if p not in self.store.markets)]
        self.app.push_screen(
            SymbolSearch(listed, lambda s: s in self.store.markets, self.toggle_watch), chosen
        )

    def action_screener(self) -> None:
        self.app.push_screen(ScreenerScreen(self.store, self.desk, self.open_pair, self.symbol))

    def screener_entries(self) -> list[PaletteEntry]:
        return [PaletteEntry("Screener", "Every listed pair: sort, filter, open (S)", self.action_screener)]
