"""Order entry from the keyboard: ``b``/``s`` open it, Tab moves, Enter reviews, Esc backs out.

Nothing is sent from here: Enter runs the guards (errors appear next to their fields) and opens
the review; the review returns the order the user confirmed (after a typed confirmation when a
threshold is crossed), the form returns it in turn, and the screen that opened the form hands it
to the desk.
"""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from tui.config import Settings
from tui.kraken.futures import is_futures
from tui.kraken.requests import OrderParams, new_cl_ord_id
from tui.kraken.vocab import FUTURES_ORDER_TYPES, LIMIT_PRICED_TYPES, ORDER_TYPES, TRIGGERED_TYPES
from tui.orders import FIELDS, FUTURES_INITIAL_MARGIN, Draft, FormInput, Review, Reviewed, build_order
from tui.orders.context import order_context
from tui.store import Store

__all__ = ["OrderForm", "ReviewScreen"]


class OrderForm(ModalScreen[Reviewed | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", id="form.back"),
        Binding("ctrl+s", "flip_side", "Flip side", id="form.flip-side"),
        Binding("ctrl+r", "review(False)", "Review", id="form.review"),
        Binding("ctrl+v", "review(True)", "Validate only", id="form.validate"),
    ]

    def __init__(self, store: Store, settings: Settings, symbol: str, side: str, price: str = "best") -> None:
        super().__init__()
        self.store = store
        self.symbol = symbol
        self.side = side
        self.settings = settings
        self.initial_price = price

    def compose(self) -> ComposeResult:
        inst = self.store.market(self.symbol).instrument
        assert inst is not None
        futures = is_futures(self.symbol)
        # only what can succeed here: settle-position and reduce-only need a margin position,
        # which spot trading here does not have
        types = FUTURES_ORDER_TYPES if futures else tuple(t for t in ORDER_TYPES if t != "settle-position")
        with VerticalScroll(id="order-form", classes=f"-{self.side}"):
            yield Label(self._title(), id="form-title")
            with Horizontal(classes="form-row"):
                yield Label("Type", classes="form-label")
                yield Select([(t, t) for t in types], value="limit", allow_blank=False, id="type")
            yield Label("", id="type-error", classes="form-error")
            with Horizontal(classes="form-row"):
                yield Label("Quantity", classes="form-label")
                yield Input(placeholder=f"min {inst.format_qty(inst.qty_min)}", id="qty")
                yield Select(
                    [
                        (f"{inst.base} contracts" if futures else inst.base, "base"),
                        (inst.quote, "quote"),
                        ("% of margin" if futures else "% of available", "pct"),
                    ],
                    value="base",
                    allow_blank=False,
                    id="qty_unit",
                )
            yield Label("", id="qty-error", classes="form-error")
            with Horizontal(classes="form-row"):
                yield Label("Price", classes="form-label")
                yield Input(self.initial_price, placeholder="price, best, mid, +2t, -0.5%", id="price")
            yield Label("", id="price-error", classes="form-error")
            with Horizontal(classes="form-row", id="trigger-row"):
                yield Label("Trigger", classes="form-label")
                yield Input(placeholder="trigger price (trailing: distance)", id="trigger")
                yield Select(
                    [("last trade", "last"), ("index", "index")],
                    value="last",
                    allow_blank=False,
                    id="trigger_reference",
                )
            yield Label("", id="trigger-error", classes="form-error")
            with Horizontal(classes="form-row"):
                yield Label("Time in force", classes="form-label")
                yield Select(
                    [("GTC", "gtc"), ("IOC", "ioc")]
                    if futures
                    else [("GTC", "gtc"), ("GTD", "gtd"), ("IOC", "ioc")],
                    value="gtc",
                    allow_blank=False,
                    id="tif",
                )
                yield Input(placeholder="GTD: seconds", id="expire")
            yield Label("", id="expire-error", classes="form-error")
            with Horizontal(classes="form-row", id="iceberg-row"):
                yield Label("Iceberg show", classes="form-label")
                yield Input(placeholder="display qty (iceberg)", id="display_qty")
            yield Label("", id="display_qty-error", classes="form-error")
            with Horizontal(classes="form-row"):
                yield Checkbox("post-only", id="post_only")
                reduce = Checkbox("reduce-only", id="reduce_only")
                reduce.display = futures
                yield reduce
            yield Static(
                Text(
                    "Enter (in a field) or Ctrl+R: review   Ctrl+V: validate only   Ctrl+S: flip side   Esc: back",
                    style="dim",
                ),
                id="form-help",
            )

    def _title(self) -> Text:
        t = Text()
        t.append(f" {self.side.upper()} ", style="bold reverse " + ("green" if self.side == "buy" else "red"))
        t.append(f" {self.symbol}  ", style="bold")
        t.append(f"[{self.store.mode}]", style="bold red" if self.store.mode == "LIVE" else "bold")
        return t

    def on_mount(self) -> None:
        self.query_one("#qty", Input).focus()
        self._update_visibility()

    @on(Select.Changed, "#type")
    def _type_changed(self) -> None:
        self._update_visibility()

    def _update_visibility(self) -> None:
        otype = str(self.query_one("#type", Select).value)
        self.query_one("#trigger-row").display = otype in TRIGGERED_TYPES
        self.query_one("#price").disabled = otype not in LIMIT_PRICED_TYPES
        self.query_one("#iceberg-row").display = otype == "iceberg"

    def action_flip_side(self) -> None:
        self.side = "sell" if self.side == "buy" else "buy"
        self.query_one("#form-title", Label).update(self._title())
        self.query_one("#order-form").set_classes(f"-{self.side}")

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
        )

    def draft(self, validate: bool = False) -> Draft:
        ctx = order_context(self.store, self.symbol)
        assert ctx is not None  # the form opens only once the instrument and book are there
        return build_order(
            self.form_input(validate),
            ctx.inst,
            ctx.book,
            ctx.balances,
            self.settings.guards,
            live=ctx.live,
            cl_ord_id=new_cl_ord_id(),
            margin_available=ctx.margin_available,
            verified_levels=ctx.verified_levels,
            positions=ctx.positions,
        )

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
            target = {
                "type": "#type",
                "qty": "#qty",
                "price": "#price",
                "trigger": "#trigger",
                "expire": "#expire",
                "display_qty": "#display_qty",
            }.get(first, "#qty")
            self.query_one(target).focus()
            return
        assert draft.params is not None and draft.review is not None
        self.run_worker(self._review_flow(ReviewScreen(draft.params, draft.review, self.store.mode)))

    async def _review_flow(self, review: ReviewScreen) -> None:
        order = await self.app.push_screen(review, wait_for_dismiss=True)
        self._reviewed(order)

    def _reviewed(self, order: Reviewed | None) -> None:
        if order is not None:
            self.dismiss(order)


class ReviewScreen(ModalScreen[Reviewed | None]):
    """Shows what will be sent; Enter returns it (``v``: the same order as a validate-only request)."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", id="review.back"),
        Binding("enter", "send(False)", "Send", id="review.send", priority=True),
        Binding("v", "send(True)", "Validate only", id="review.validate"),
    ]

    def __init__(self, params: OrderParams, review: Review, mode: str, *, amend: str | None = None) -> None:
        """``amend``: the amend's label when this reviews an amend (the order as it would become)."""
        super().__init__()
        self.params = params
        self.review = review
        self.mode = mode
        self.amend = amend

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # an amend has no validate-only form on either venue
        return not (self.amend is not None and action == "send" and parameters == (True,))

    def compose(self) -> ComposeResult:
        r = self.review
        t = Table(show_header=False, box=None, expand=True)
        t.add_column(style="bold")
        t.add_column()
        side_style = "bold green" if r.side == "buy" else "bold red"
        t.add_row("Mode", Text(self.mode, style="bold reverse red" if self.mode == "LIVE" else "bold"))
        t.add_row(
            "Order",
            Text(f"{r.side.upper()} {format(r.qty, 'f')} {r.symbol} {r.order_type}", style=side_style),
        )
        t.add_row("Price", format(r.price, "f") if r.price is not None else "market")
        if self.params.trigger_price is not None:
            t.add_row("Trigger", format(self.params.trigger_price, "f"))
        t.add_row("Notional", f"{r.notional:,} {r.fee_asset}")
        t.add_row("Fee (est.)", f"{r.fee} {r.fee_asset} ({'taker' if r.marketable else 'maker'})")
        if r.distance_pct is not None:
            t.add_row("From mid", f"{r.distance_pct:+}%")
        if r.marketable:
            t.add_row(
                "Avg fill (book)", format(r.avg_fill, "f") if r.avg_fill is not None else "no liquidity"
            )
            if r.slippage_pct is not None:
                t.add_row("Slippage", f"{r.slippage_pct}%")
            if r.walk is not None:
                t.add_row("Book walk", r.walk)
            if r.unfilled:
                t.add_row("Not fillable now", format(r.unfilled, "f"))
        flags = [
            f
            for f, on_ in (("post-only", self.params.post_only), ("reduce-only", self.params.reduce_only))
            if on_
        ]
        if flags:
            t.add_row("Flags", ", ".join(flags))
        if is_futures(r.symbol):
            t.add_row(
                "Margin (est.)",
                f"{(r.notional * FUTURES_INITIAL_MARGIN).quantize(Decimal('0.01')):,} {r.fee_asset}",
            )
        with Vertical(id="review-box"):
            if self.amend is not None:
                yield Label(f"Review {self.amend}: the order would become", id="review-title")
            else:
                yield Label("Review order", id="review-title")
            yield Static(t)
            if r.needs_typed_confirmation:
                for reason in r.confirm_reasons:
                    yield Label(f"⚠ {reason}", classes="review-warning")
                yield Label(f"Type {r.side.upper()} (capitals) and press Enter to send:")
                yield Input(id="confirm-input")
            yield Label("", id="review-error", classes="form-error")
            keys = (
                "Enter: send   Esc: back"
                if self.amend
                else "Enter: send   v: validate only (nothing is placed)   Esc: back"
            )
            yield Label(keys, id="review-help")

    # Focus goes to the confirmation field whenever this screen is shown, also when it was pushed
    # while the prompt before it was still closing (an amend's quantity prompt): focusing it once
    # in on_mount lost that race, and the typed BUY went nowhere.
    AUTO_FOCUS = "#confirm-input"

    def on_mount(self) -> None:
        if self.review.needs_typed_confirmation:
            self.query_one("#confirm-input", Input).focus()

    def on_screen_resume(self) -> None:
        if self.review.needs_typed_confirmation and self.focused is None:
            self.query_one("#confirm-input", Input).focus()

    @on(Input.Submitted, "#confirm-input")
    def _typed(self) -> None:
        self.action_send(False)

    def action_send(self, validate: bool) -> None:
        pressed = time.perf_counter()
        r = self.review
        if r.needs_typed_confirmation and not validate:
            # exact and case-sensitive: a deliberate act, not whatever was in the field
            typed = self.query_one("#confirm-input", Input).value
            if typed != r.side.upper():
                error = self.query_one("#review-error", Label)
                error.update(
                    f"{typed!r} is not {r.side.upper()}: type {r.side.upper()} in capitals; nothing was sent."
                )
                error.add_class("-shown")
                return
        params = dataclasses.replace(self.params, validate=True) if validate else self.params
        self.dismiss(Reviewed(params, r, pressed))
