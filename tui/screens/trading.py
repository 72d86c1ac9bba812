"""The market screen's trading keys: open the order panel, cancel, amend, the dead-man's switch.

Every request goes through the desk; the order panel and the modals (review, confirmations,
prompts) return values and this screen hands them on, so none of them ever sends anything.
"""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal
from functools import partial

from textual.css.query import NoMatches
from textual.screen import Screen

from tui.config import Settings
from tui.desk import Desk
from tui.kraken.vocab import TRIGGERED_TYPES
from tui.orders.amend import Amend
from tui.orders.parse import num
from tui.screens.confirm import AskValue, Confirm
from tui.screens.order_form import OrderForm
from tui.screens.review import ReviewScreen
from tui.store import Store
from tui.widgets.account import OrdersTable

# how long a sent order keeps its panel up, so the ack is read before the relayout
ACK_BEFORE_CLOSE_S = 0.06

__all__ = ["PANEL_BESIDE_MIN_WIDTH", "TradingScreen"]

# Narrower than this, the order panel goes below the book instead of beside it.
PANEL_BESIDE_MIN_WIDTH = 110


class TradingScreen(Screen[None]):
    """A screen that trades ``symbol`` from the keyboard (bindings live on the concrete screen)."""

    store: Store
    desk: Desk
    settings: Settings
    symbol: str

    def action_order(self, side: str) -> None:
        self.open_order_panel(side)

    @property
    def order_panel(self) -> OrderForm | None:
        """The order panel when it is open."""
        found = self.query(OrderForm)
        return found.first() if found else None

    def open_order_panel(
        self, side: str, price: Decimal | None = None, qty: Decimal | None = None
    ) -> OrderForm | None:
        """Dock the order panel beside the book (below it when the terminal is narrow), its
        price field filled with ``price`` (the ladder's cursor) and its size with ``qty``.

        Open already: it takes the new side, price and size and keeps what else was typed.
        None (and a notice) when this screen cannot trade yet."""
        if not self.desk.can_trade:
            self.notify(
                "Trading needs API credentials (KRAKEN_API_KEY/SECRET) or --demo/--paper.", severity="warning"
            )
            return None
        mk = self.store.market(self.symbol)
        if mk.instrument is None or mk.book is None:
            self.notify("Waiting for the book and instrument data…", severity="warning")
            return None
        panel = self.order_panel
        if panel is not None:
            panel.retarget(side, price, qty)
            return panel
        panel = OrderForm(self.store, self.settings, self.symbol, side, price, qty, place=self.desk.place)
        below = self.size.width < PANEL_BESIDE_MIN_WIDTH
        self.set_class(True, "-ordering")
        self.set_class(below, "-ordering-below")
        panel.set_class(below, "-below")
        try:
            if below:
                self.mount(panel, after=self.query_one("#main"))
            else:
                self.query_one("#main").mount(panel, after=self.query_one("#book"))
        except NoMatches:
            self.mount(panel)  # a screen without the dashboard's layout: at its end
        self.run_worker(self._order_flow(panel), group="form")
        return panel

    async def _order_flow(self, panel: OrderForm) -> None:
        # The review hands a confirmed order to the desk on its key (key -> sent under a ms).
        order = await panel.result
        if order is not None and not panel.sent:
            self.desk.place(order)
        if order is not None:
            # Closing the panel relays out the whole dashboard (20-40 ms at 160x45); done at once
            # it sat between the request and the reading of its ack, doubling sent -> ack.
            await asyncio.sleep(ACK_BEFORE_CLOSE_S)
        await panel.remove()
        self.set_class(False, "-ordering")
        self.set_class(False, "-ordering-below")
        with contextlib.suppress(NoMatches):
            self.set_focus(self.query_one("#book"))

    def _selected_orders(self) -> list[str]:
        table = self.query_one(OrdersTable)
        if table.marked:
            return [o for o in table.marked if o in self.store.account.orders]
        key = table.selected_key
        return [key] if key else []

    def action_mark(self) -> None:
        table = self.query_one(OrdersTable)
        key = table.selected_key
        if key:
            table.marked.symmetric_difference_update({key})
            table.show(self.store.account.orders)

    def action_cancel_selected(self) -> None:
        ids = self._selected_orders()
        if not ids:
            self.notify("No order selected (press o to focus the orders panel).", severity="warning")
            return
        self.query_one(OrdersTable).marked.clear()
        self.desk.cancel(ids)

    def action_cancel_all(self) -> None:
        n = len(self.store.account.orders)
        symbol = self.symbol
        here = [o.order_id for o in self.store.account.orders.values() if o.symbol == symbol]

        def done(choice: str | None) -> None:
            if choice == "all":
                self.desk.cancel_all(symbol)
            elif choice == "symbol" and here:
                self.desk.cancel(here)

        self.app.push_screen(
            Confirm(
                f"Cancel orders? {len(here)} on {symbol}, {n} in total.",
                {"y": ("all", "Yes, all orders"), "s": ("symbol", f"Only {symbol}")},
            ),
            done,
        )

    def action_nudge(self, ticks: int) -> None:
        ids = self._selected_orders()
        if not ids:
            self.notify("Select an order first (o, then j/k).", severity="warning")
            return
        o = self.store.account.orders.get(ids[0])
        inst = self.store.instruments.get(o.symbol) if o else None
        if o is None or inst is None:
            return

        def moved(price: Decimal | None) -> Decimal | None:
            if price is None:
                return None
            return inst.price_decimal(inst.price_ticks(price) + ticks * inst.price_increment)

        # a stop (an OTO close among them) moves its trigger; a stop-limit its trigger and limit
        trigger = moved(o.trigger_price) if o.order_type in TRIGGERED_TYPES else None
        price = moved(o.limit_price)
        if trigger is None and price is None:
            return
        amend = self.desk.check_amend(o.order_id, price=price, trigger=trigger)
        if amend is not None:
            self._send_amend(amend)

    def action_amend_qty(self) -> None:
        ids = self._selected_orders()
        o = self.store.account.orders.get(ids[0]) if ids else None
        if o is None:
            self.notify("Select an order first (o, then j/k).", severity="warning")
            return
        order_id = o.order_id

        def check(text: str) -> str | None:
            try:
                qty = num(text)
            except ValueError as exc:
                return str(exc)
            amend = self.desk.check_amend(order_id, qty=qty)
            return None if amend is None or amend.ok else amend.refusal

        self.run_worker(
            self._amend_qty_flow(
                order_id, AskValue(f"New total quantity for {order_id}", format(o.qty, "f"), check)
            ),
            group="amend",
        )

    async def _amend_qty_flow(self, order_id: str, ask: AskValue) -> None:
        value = await self.app.push_screen(ask, wait_for_dismiss=True)
        if not value:
            return
        try:
            qty = num(value)
        except ValueError as exc:
            self.desk.refuse(f"amend {order_id}", str(exc))
            return
        amend = self.desk.check_amend(order_id, qty=qty)
        if amend is not None:
            await self._amend_flow(amend)

    def _send_amend(self, amend: Amend) -> None:
        if amend.ok and amend.needs_confirmation:
            self.run_worker(self._amend_flow(amend), group="amend")
        else:
            self.desk.amend(amend)  # sent, or refused with its reason

    async def _amend_flow(self, amend: Amend) -> None:
        """Above a limit, the same review and typed confirmation as a new order."""
        draft = amend.draft
        if not (amend.ok and amend.needs_confirmation):
            self.desk.amend(amend)
            return
        assert draft.params is not None and draft.review is not None
        send = partial(self.desk.amend, amend)  # on the confirming key, ahead of the close's repaint
        await self.app.push_screen(
            ReviewScreen(draft.params, draft.review, self.store.mode, amend=amend.label, send=send)
        )

    def action_toggle_dms(self) -> None:
        self.desk.toggle_dead_mans_switch()
