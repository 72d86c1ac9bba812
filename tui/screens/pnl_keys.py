"""The P&L panel's key, and the paint of the account tabs that are hidden most of the time
(P&L, balances, positions): each is repainted with the balances (at most 4 times a second) only
while its tab is shown, and at once when its tab is shown. A P&L report sorts every known fill;
and a hidden table that repaints is not among the widgets on screen, so Textual arranges the whole
screen again to find it (at 683 pairs the balances' values moved with every price: a full
arrangement 4 times a second for a table nobody saw).

A mixin, so the market screen keeps one class; the report comes from ``tui.orders.pnl_report``
(pure reading of the store), the session's start from the desk's announcer (fills older than it
came with the executions snapshot).
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.widgets import TabbedContent

from tui.orders.pnl_report import pnl_report, portfolio
from tui.screens.repaint_guard import RepaintGuard
from tui.screens.trading import TradingScreen
from tui.widgets.account import BalancesTable, PositionsTable
from tui.widgets.pnl import PnlTable

__all__ = ["QUOTE", "PnlKeys"]

QUOTE = "USD"  # the portfolio's currency (the demo's and the watchlist's quote)


class PnlKeys(TradingScreen):
    repaint: RepaintGuard  # the market screen's (tui/screens/repaint_guard.py)

    BINDINGS = [
        Binding(
            "dollar_sign",
            "focus_panel('pnl')",
            "P&L",
            show=False,
            tooltip="Profit and loss: average cost, FIFO lots, portfolio",
            id="panel.pnl",
        ),
    ]

    def _tab_shown(self, tab: str) -> bool:
        return self.query_one("#account", TabbedContent).active == tab

    def paint_pnl(self, force: bool = False) -> None:
        """The P&L tab, when it is the one shown (or ``force``)."""
        if not (force or self._tab_shown("tab-pnl")):
            return
        store = self.store
        report = pnl_report(store, QUOTE, since=self.desk.announcer.since)
        self.query_one(PnlTable).show(report, store.instruments, store.asset_display)

    def paint_balances(self, force: bool = False) -> None:
        """The Balances tab, when it is the one shown (or ``force``)."""
        if not (force or self._tab_shown("tab-balances")):
            return
        store = self.store
        self.query_one(BalancesTable).show(
            store.account.balances(store.instruments), portfolio(store, QUOTE), store.asset_display
        )

    def paint_positions(self, force: bool = False) -> None:
        """The Positions tab, when it is the one shown (or ``force``)."""
        if not (force or self._tab_shown("tab-positions")):
            return
        acct = self.store.account
        self.query_one(PositionsTable).show(acct.positions, acct.futures_margin, self.store.instruments)

    @on(TabbedContent.TabActivated, "#account")
    def _account_tab_shown(self, event: TabbedContent.TabActivated) -> None:
        shown = {
            "tab-pnl": ("pnl", self.paint_pnl),
            "tab-balances": ("balances", self.paint_balances),
            "tab-positions": ("positions", self.paint_positions),
        }.get(event.pane.id or "")
        if shown is not None:  # the latest values before the tab is seen; a failure is counted
            self.repaint.run(shown[0], shown[1], force=True)
