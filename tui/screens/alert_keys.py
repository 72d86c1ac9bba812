"""Price alerts from the market screen: ``@`` sets one on the shown symbol, the palette lists
and deletes them, and a fired alert's staged order opens in the review (never sent by itself).

A mixin, so the market screen keeps one class. The prompt is prefilled with the price under the
ladder cursor when the ladder offers one (``cursor_price``), else the verified mid, else the last
trade. Alerts are judged by the desk's ``AlertBook`` on the App's announce tick; this screen only
adds, deletes and opens what fired.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from textual.binding import Binding

from tui.alerts import Alert, AlertBook, describe
from tui.alerts.evaluate import current
from tui.alerts.parse import parse_alert
from tui.orders import FormInput
from tui.orders.context import draft_in, order_context
from tui.orders.pnl_report import verified_mid
from tui.screens.commands import PaletteEntry
from tui.screens.confirm import AskValue
from tui.screens.order_form import ReviewScreen
from tui.screens.trading import TradingScreen

__all__ = ["AlertKeys"]

PROMPT = "Alert on {symbol}\nmid|last [>|<]PRICE · spread TICKS · stale\n+ buy|sell QTY [@ PRICE]: staged for review"


class AlertKeys(TradingScreen):
    BINDINGS = [
        Binding(
            "at",
            "new_alert",
            "Alert",
            show=False,
            tooltip="Set a price alert on this symbol (at the ladder cursor's price)",
            id="alert.new",
        ),
    ]

    @property
    def alert_book(self) -> AlertBook:
        return self.desk.alerts

    def alert_default_price(self) -> Decimal | None:
        """The ladder cursor's price when the ladder has one, else the verified mid, else the last."""
        cursor = getattr(self, "cursor_price", None)  # the ladder helper's hook, when merged
        if callable(cursor):
            price = cursor()
            if isinstance(price, Decimal):
                return price
        mk = self.store.markets.get(self.symbol)
        mid, _ = verified_mid(mk)
        if mid is not None:
            return mid
        return mk.trades[-1].price if mk is not None and mk.trades else None

    def action_new_alert(self, kind: str = "mid") -> None:
        symbol = self.symbol
        price = self.alert_default_price()
        value = f"{kind} {format(price, 'f')}" if price is not None and kind in ("mid", "last") else kind

        def check(text: str) -> str | None:
            try:
                self._parse_alert(text, symbol)
            except ValueError as exc:
                return str(exc)
            return None

        self.run_worker(self._new_alert_flow(symbol, AskValue(PROMPT.format(symbol=symbol), value, check)))

    def _parse_alert(self, text: str, symbol: str) -> Alert:
        mk = self.store.market(symbol)
        return parse_alert(text, symbol, lambda kind: current(kind, mk), self.store.mode)

    async def _new_alert_flow(self, symbol: str, ask: AskValue) -> None:
        text = await self.app.push_screen(ask, wait_for_dismiss=True)
        if not text:
            return
        try:
            alert = self.alert_book.add(self._parse_alert(text, symbol))
        except ValueError as exc:
            self.notify(f"Alert not set: {exc}", severity="error")
            return
        self.notify(f"Alert set: {describe(alert)}", timeout=4)
        self.store.log("info", f"alert set: {describe(alert)}")

    def delete_alert(self, alert_id: str) -> None:
        gone = next((a for a in self.alert_book.alerts if a.id == alert_id), None)
        if gone is not None and self.alert_book.delete(alert_id):
            self.notify(f"Alert deleted: {describe(gone)}", timeout=4)
            self.store.log("info", f"alert deleted: {describe(gone)}")

    def show_alerts(self) -> None:
        alerts = self.alert_book.alerts
        if not alerts:
            self.notify("No alerts (press @ to set one).", timeout=4)
            return
        lines = [
            f"{'●' if a.active else '✓'} {describe(a)}" + ("" if a.active else f" · {a.fired_text}")
            for a in alerts
        ]
        self.notify("\n".join(lines), title=f"Alerts ({len(self.alert_book.active)} active)", timeout=10)

    def alert_palette_entries(self) -> list[PaletteEntry]:
        sym = self.symbol
        out = [
            PaletteEntry(
                f"Alert: new on {sym}", "mid/last crosses a price, spread, STALE", self.action_new_alert
            ),
            PaletteEntry("Alerts: list", "Every alert, active and fired", self.show_alerts),
        ]
        for a in self.alert_book.alerts:
            state = "active" if a.active else "fired"
            out.append(
                PaletteEntry(
                    f"Alert: delete {describe(a)} ({state})",
                    f"Remove alert {a.id}",
                    partial(self.delete_alert, a.id),
                )
            )
        return out

    # --- a fired alert's staged order --------------------------------------------------------
    def open_staged_alerts(self) -> None:
        """The staged order of an alert that fired, in the review, one at a time."""
        staged = self.alert_book.staged
        if not staged or self.app.screen is not self:
            return
        alert = staged.popleft()
        order = alert.staged
        ctx = order_context(self.store, alert.symbol)
        if order is None or ctx is None or not self.desk.can_trade:
            self.notify(
                f"Staged order of '{describe(alert)}' not opened: no book or no trading.", severity="error"
            )
            return
        form = FormInput(order.side, order_type=order.order_type, qty=order.qty, price=order.price)
        draft = draft_in(ctx, form, self.settings.guards)
        if not draft.ok or draft.params is None or draft.review is None:
            reasons = "; ".join(f"{f}: {m}" for f, m in draft.errors.items())
            self.desk.refuse(f"staged {order.side} {alert.symbol}", reasons)
            return
        # sent only from the review, on its confirming key (ahead of the close's repaint)
        self.app.push_screen(ReviewScreen(draft.params, draft.review, self.store.mode, send=self.desk.place))
