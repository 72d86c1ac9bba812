"""The P&L panel's key and paint: ``$`` shows it; it is repainted with the balances (at most 4
times a second) and only while its tab is shown, since a report sorts every known fill.

A mixin, so the market screen keeps one class; the report comes from ``tui.orders.pnl_report``
(pure reading of the store), the session's start from the desk's announcer (fills older than it
came with the executions snapshot).
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.widgets import TabbedContent

from tui.orders.pnl_report import pnl_report, portfolio
from tui.screens.trading import TradingScreen
from tui.widgets.account import BalancesTable
from tui.widgets.pnl import PnlTable

__all__ = ["QUOTE", "PnlKeys"]

QUOTE = "USD"  # the portfolio's currency (the demo's and the watchlist's quote)


class PnlKeys(TradingScreen):
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

    def paint_pnl(self, force: bool = False) -> None:
        """The P&L tab, when it is the one shown (or ``force``)."""
        if not force and self.query_one("#account", TabbedContent).active != "tab-pnl":
            return
        store = self.store
        report = pnl_report(store, QUOTE, since=self.desk.announcer.since)
        self.query_one(PnlTable).show(report, store.instruments, store.asset_display)

    def paint_balances(self) -> None:
        store = self.store
        self.query_one(BalancesTable).show(
            store.account.balances(store.instruments), portfolio(store, QUOTE), store.asset_display
        )

    @on(TabbedContent.TabActivated, "#account")
    def _pnl_tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-pnl":
            self.paint_pnl(force=True)
