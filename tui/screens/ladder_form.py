"""The order form opened by an unarmed ladder key: side, price and working size already filled.

The same form and the same guards as ``b``/``s``; only the starting text differs. When the
one-key order was refused by a guard (funds, lot, tick), the form opens with the refusals
already next to their fields, so the user sees why nothing was sent.
"""

from __future__ import annotations

from textual.widgets import Input, Select

from tui.config import Settings
from tui.screens.order_form import OrderForm
from tui.store import Store

__all__ = ["PrefilledForm"]


class PrefilledForm(OrderForm):
    def __init__(
        self,
        store: Store,
        settings: Settings,
        symbol: str,
        side: str,
        *,
        price: str,
        qty: str,
        qty_unit: str,
        show_errors: bool = False,
    ) -> None:
        super().__init__(store, settings, symbol, side, price)
        self.prefill = (qty, qty_unit)
        self.show_errors = show_errors

    def on_mount(self) -> None:
        qty, unit = self.prefill
        self.query_one("#qty", Input).value = qty
        self.query_one("#qty_unit", Select).value = unit
        if self.show_errors:
            self.call_after_refresh(self._show_refusals)

    def _show_refusals(self) -> None:
        if not self.draft().ok:
            self.action_review(False)  # the refusals appear next to their fields; nothing is sent
