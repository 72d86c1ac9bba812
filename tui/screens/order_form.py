"""The order panel: docked beside the book (below it on a narrow terminal), so the book stays in
sight while an order is typed.

``b``/``s`` open it (the ladder's cursor can hand it a price and a size), Tab moves between its
fields, Enter reviews, Esc closes it. Nothing is sent from here: Enter runs the guards (errors
appear next to their fields) and opens the review; the review returns the order the user
confirmed (after a typed confirmation when a threshold is crossed) and the panel resolves its
``result`` with it, which the screen that opened the panel awaits and hands to the desk.

The panel is a widget on the market screen, not a screen of its own, so it keeps the keys typed
into it: it declares itself modal (``is_modal``), which ends Textual's binding chain at the
panel. A ``d`` typed into a field is a character, never the book's depth key, and Tab cycles the
panel's own fields instead of walking out into the dashboard.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from tui.config import Settings
from tui.kraken.futures import is_futures
from tui.kraken.vocab import FUTURES_ORDER_TYPES, LIMIT_PRICED_TYPES, ORDER_TYPES, TRIGGERED_TYPES
from tui.orders import FIELDS, Draft, FormInput, Reviewed
from tui.orders.context import OrderContext, draft_in, order_context
from tui.orders.parse import parse_inputs
from tui.screens.review import ReviewScreen
from tui.store import Store

__all__ = ["OrderForm", "ReviewScreen"]

# the field a refusal sends the cursor to
_FOCUS_FOR = {
    "type": "#type",
    "qty": "#qty",
    "price": "#price",
    "trigger": "#trigger",
    "expire": "#expire",
    "display_qty": "#display_qty",
    "stop": "#stop",
    "target": "#target",
    "risk": "#risk",
}


def _row(label: str, *widgets: Widget, id: str | None = None) -> Horizontal:
    return Horizontal(Label(label, classes="form-label"), *widgets, classes="form-row", id=id)


class OrderForm(VerticalScroll):
    """One order being typed for ``symbol``; ``result`` resolves to the confirmed order or None."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="form.back"),
        Binding("ctrl+s", "flip_side", "Flip side", id="form.flip-side"),
        Binding("ctrl+r", "review(False)", "Review", id="form.review"),
        Binding("ctrl+v", "review(True)", "Validate only", id="form.validate"),
        Binding("tab", "field(1)", "Next field", show=False, id="form.next-field"),
        Binding("shift+tab", "field(-1)", "Previous field", show=False, id="form.previous-field"),
    ]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        symbol: str,
        side: str,
        price: Decimal | str | None = None,
        qty: Decimal | None = None,
        *,
        place: Callable[[Reviewed], object],
    ) -> None:
        """``place``: where a confirmed order goes (the desk's door), called from the review's key."""
        super().__init__(id="order-form", classes=f"-{side}")
        self.place = place
        self.sent = False  # the confirmed order went to ``place``
        self.store = store
        self.symbol = symbol
        self.side = side
        self.settings = settings
        self.initial_price = (
            "best" if price is None else format(price, "f") if isinstance(price, Decimal) else price
        )
        self.initial_qty = "" if qty is None else format(qty, "f")
        self.result: asyncio.Future[Reviewed | None] = asyncio.get_running_loop().create_future()
        self._prefill: tuple[str, str, bool, str] | None = None
        self._composed = False  # on_mount has run: the fields exist

    @property
    def is_modal(self) -> bool:
        """Ends the binding chain here: the screen's keys do not fire while a field has focus."""
        return True

    def compose(self) -> ComposeResult:
        inst = self.store.market(self.symbol).instrument
        assert inst is not None
        futures = is_futures(self.symbol)
        # only what can succeed here: settle-position and reduce-only need a margin position,
        # which spot trading here does not have
        types = FUTURES_ORDER_TYPES if futures else tuple(t for t in ORDER_TYPES if t != "settle-position")
        yield Label(self._title(), id="form-title")
        yield Static("", id="form-quotes")
        yield _row(
            "Type", Select([(t, t) for t in types], value="limit", allow_blank=False, id="type", compact=True)
        )
        yield Label("", id="type-error", classes="form-error")
        qty_units = [
            (f"{inst.base} contracts" if futures else inst.base, "base"),
            (inst.quote, "quote"),
            ("% of margin" if futures else "% of available", "pct"),
        ]
        yield _row(
            "Quantity",
            Input(
                self.initial_qty, placeholder=f"min {inst.format_qty(inst.qty_min)}", id="qty", compact=True
            ),
            Select(qty_units, value="base", allow_blank=False, id="qty_unit", compact=True),
        )
        yield Label("", id="qty-error", classes="form-error")
        yield _row(
            "Price",
            Input(self.initial_price, placeholder="price, best, mid, +2t, -0.5%", id="price", compact=True),
        )
        yield Label("", id="price-error", classes="form-error")
        yield _row(
            "Trigger",
            Input(placeholder="trigger (trailing: distance)", id="trigger", compact=True),
            Select(
                [("last trade", "last"), ("index", "index")],
                value="last",
                allow_blank=False,
                id="trigger_reference",
                compact=True,
            ),
            id="trigger-row",
        )
        yield Label("", id="trigger-error", classes="form-error")
        tifs = (
            [("GTC", "gtc"), ("IOC", "ioc")] if futures else [("GTC", "gtc"), ("GTD", "gtd"), ("IOC", "ioc")]
        )
        yield _row(
            "In force",
            Select(tifs, value="gtc", allow_blank=False, id="tif", compact=True),
            Input(placeholder="GTD: seconds", id="expire", compact=True),
        )
        yield Label("", id="expire-error", classes="form-error")
        yield _row(
            "Iceberg", Input(placeholder="display qty", id="display_qty", compact=True), id="iceberg-row"
        )
        yield Label("", id="display_qty-error", classes="form-error")
        reduce = Checkbox("reduce-only", id="reduce_only", compact=True)
        reduce.display = futures
        yield Horizontal(Checkbox("post-only", id="post_only", compact=True), reduce, classes="form-row")
        yield from self._bracket_rows(inst.quote, futures)
        yield Static(
            Text("Enter: review  Ctrl+V: validate  Ctrl+S: flip  Tab: next  Esc: close", style="dim"),
            id="form-help",
        )

    def _bracket_rows(self, quote: str, futures: bool) -> ComposeResult:
        """Stop-loss / take-profit sent with the entry (spot: Kraken's ``conditional``), and
        the size from a risk instead of a quantity."""
        rows = [
            _row(
                "Stop", Input(placeholder="stop-loss: price or -1%", id="stop", compact=True), id="stop-row"
            ),
            Label("", id="stop-error", classes="form-error"),
            _row("Target", Input(placeholder="take-profit: price or +2%", id="target", compact=True)),
            Label("", id="target-error", classes="form-error"),
            _row(
                "Risk",
                Input(placeholder="size from the loss at the stop", id="risk", compact=True),
                Select(
                    [(quote, "quote"), ("% equity", "pct")],
                    value="quote",
                    allow_blank=False,
                    id="risk_unit",
                    compact=True,
                ),
            ),
            Label("", id="risk-error", classes="form-error"),
        ]
        for w in rows:
            if futures:
                w.display = False  # Kraken Futures attach no close order to an entry
            yield w

    def _title(self) -> Text:
        t = Text()
        t.append(f" {self.side.upper()} ", style="bold reverse " + ("green" if self.side == "buy" else "red"))
        t.append(f" {self.symbol}  ", style="bold")
        t.append(f"[{self.store.mode}]", style="bold red" if self.store.mode == "LIVE" else "bold")
        return t

    def on_mount(self) -> None:
        self.border_title = "Order"
        self.query_one("#qty", Input).focus()
        self._update_visibility()
        self.show_quotes()
        self.set_interval(0.25, self.show_quotes)
        self._composed = True
        if self._prefill is not None:
            self.prefill(*self._prefill)

    def prefill(self, qty: str, unit: str, show_errors: bool = False, stop: str = "") -> None:
        """The working size from a ladder key (a base amount, or one in the quote: ``unit``).

        ``show_errors``: the one-key order was refused by a guard (funds, lot, tick); the
        refusals appear next to their fields at once, so the trader sees why nothing was sent."""
        if not self._composed:
            self._prefill = (qty, unit, show_errors, stop)
            return
        self._prefill = None
        self.query_one("#qty", Input).value = qty
        self.query_one("#qty_unit", Select).value = unit
        if stop:
            self.query_one("#stop", Input).value = stop
        if show_errors:
            self.call_after_refresh(self._show_refusals)

    def _show_refusals(self) -> None:
        if not self.draft().ok:
            self.action_review(False)  # the refusals appear next to their fields; nothing is sent

    def on_unmount(self) -> None:
        self.finish(None)  # closed with the screen: whoever awaits the panel is answered

    # --- what the panel is for -----------------------------------------------------------------
    def finish(self, order: Reviewed | None) -> None:
        if not self.result.done():
            self.result.set_result(order)

    def retarget(self, side: str, price: Decimal | None = None, qty: Decimal | None = None) -> None:
        """Opened again while open: the new side, and the price/size the caller hands over."""
        if side != self.side:
            self.action_flip_side()
        if price is not None:
            self.query_one("#price", Input).value = format(price, "f")
        if qty is not None:
            self.query_one("#qty", Input).value = format(qty, "f")
        self.query_one("#qty", Input).focus()

    def action_close(self) -> None:
        self.finish(None)

    def action_field(self, step: int) -> None:
        """Tab stays inside the panel: its visible fields, in order, round and round."""
        chain = [w for w in self.screen.focus_chain if self in w.ancestors]
        if not chain:
            return
        focused = self.screen.focused
        i = chain.index(focused) if focused in chain else -1
        chain[(i + step) % len(chain)].focus()

    @on(Select.Changed, "#type")
    def _type_changed(self) -> None:
        self._update_visibility()

    @on(Input.Changed)
    @on(Select.Changed)
    def _typed(self) -> None:
        self.show_quotes()

    def _update_visibility(self) -> None:
        otype = str(self.query_one("#type", Select).value)
        self.query_one("#trigger-row").display = otype in TRIGGERED_TYPES
        self.query_one("#price").disabled = otype not in LIMIT_PRICED_TYPES
        self.query_one("#iceberg-row").display = otype == "iceberg"

    def show_quotes(self) -> None:
        """Best bid/ask, what is available and the size as it would be sent, from the store now."""
        ctx = order_context(self.store, self.symbol)
        if ctx is None:
            return
        self.query_one("#form-quotes", Static).update(self._quotes(ctx))

    def _quotes(self, ctx: OrderContext) -> Text:
        inst, book = ctx.inst, ctx.book
        bid, ask = book.best_bid(), book.best_ask()
        t = Text()
        t.append("bid ", style="dim")
        t.append(inst.format_price(bid[0]) if bid else "none", style="green")
        t.append("  ask ", style="dim")
        t.append(inst.format_price(ask[0]) if ask else "none", style="red")
        t.append("\navail ", style="dim")
        if is_futures(inst.symbol):
            m = ctx.margin_available
            t.append(f"{m:,.2f} {inst.quote} margin" if m is not None else "unknown (margin not loaded)")
        else:
            q, b = ctx.balances.get(inst.quote), ctx.balances.get(inst.base)
            t.append(f"{q.available:,.2f} {inst.quote}" if q is not None else f"0 {inst.quote}")
            t.append(f" · {format(b.available, 'f')} {inst.base}" if b is not None else f" · 0 {inst.base}")
        t.append("\nsize ", style="dim")
        parsed, errors = parse_inputs(
            self.form_input(), inst, book, ctx.balances, ctx.margin_available, equity=ctx.equity
        )
        if parsed.qty_ticks is None or "qty" in errors or "risk" in errors:
            t.append("–", style="dim")
        else:
            t.append(f"{inst.format_qty(parsed.qty_ticks)} {inst.base}", style="bold")
            at = parsed.price_ticks if parsed.price_ticks is not None else parsed.ref_price
            if at is not None:
                t.append(f" ≈ {inst.notional(parsed.qty_ticks, at):,.2f} {inst.quote}")
            if parsed.risk is not None:
                t.append(f" (risk {parsed.risk:,.2f})", style="dim")
        return t

    def action_flip_side(self) -> None:
        self.side = "sell" if self.side == "buy" else "buy"
        self.query_one("#form-title", Label).update(self._title())
        self.set_classes(f"-{self.side}")
        self.show_quotes()

    def form_input(self, validate: bool = False) -> FormInput:
        def val(id_: str) -> str:
            return self.query_one(f"#{id_}", Input).value

        return FormInput(
            side=self.side,
            order_type=str(self.query_one("#type", Select).value),
            qty=val("qty"),
            qty_unit=str(self.query_one("#qty_unit", Select).value),
            price=val("price"),
            trigger=val("trigger"),
            trigger_reference=str(self.query_one("#trigger_reference", Select).value),
            time_in_force=str(self.query_one("#tif", Select).value),
            expire=val("expire"),
            post_only=self.query_one("#post_only", Checkbox).value,
            reduce_only=self.query_one("#reduce_only", Checkbox).value,
            display_qty=val("display_qty"),
            validate=validate,
            stop=val("stop"),
            target=val("target"),
            risk=val("risk"),
            risk_unit=str(self.query_one("#risk_unit", Select).value),
        )

    def draft(self, validate: bool = False) -> Draft:
        ctx = order_context(self.store, self.symbol)
        assert ctx is not None  # the panel opens only once the instrument and book are there
        return draft_in(ctx, self.form_input(validate), self.settings.guards)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_review(False)

    def action_review(self, validate: bool = False) -> None:
        draft = self.draft(validate)
        for f in FIELDS:
            label = self.query_one(f"#{f}-error", Label)
            label.update(draft.errors.get(f, ""))
            label.set_class(f in draft.errors, "-shown")
        if not draft.ok:
            first = next(iter(draft.errors))
            reasons = "; ".join(f"{f}: {m}" for f, m in draft.errors.items())
            self.store.log("warning", f"{self.side} {self.symbol}: refused locally, nothing sent: {reasons}")
            self.query_one(_FOCUS_FOR.get(first, "#qty")).focus()
            return
        assert draft.params is not None and draft.review is not None
        review = ReviewScreen(draft.params, draft.review, self.store.mode, send=self._send)
        self.run_worker(self._review_flow(review), group="review", exclusive=True)

    def _send(self, order: Reviewed) -> None:
        """Confirmed in the review: to the desk at once (``place``, handed down by the screen)."""
        self.sent = True
        self.place(order)

    async def _review_flow(self, review: ReviewScreen) -> None:
        order = await self.app.push_screen(review, wait_for_dismiss=True)
        if order is not None:
            self.finish(order)
