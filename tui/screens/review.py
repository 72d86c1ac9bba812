"""The order review: what will be sent, and the typed confirmation a threshold asks for.

The review returns the order the user confirmed (a ``Reviewed``). Whoever pushes it hands it the
desk's door as ``send``, which it calls once on the confirming key, before it closes: the
request then leaves ahead of the repaint that closing brings.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.kraken.futures import is_futures
from tui.kraken.requests import OrderParams
from tui.orders import FUTURES_INITIAL_MARGIN, Review, Reviewed
from tui.orders.model import Bracket

__all__ = ["ReviewScreen", "bracket_rows"]


def bracket_rows(t: Table, b: Bracket, quote: str) -> None:
    """Entry's close: stop, target, what the stop loses and the target gains (fees in), R:R."""

    def f(v: Decimal | None) -> str:
        return "unknown" if v is None else format(v, "f")

    if b.stop is not None:
        t.add_row("Stop-loss", Text(f"{f(b.stop)}  (sent: closes each fill)", style="bold"))
    if b.target is not None:
        sent = b.sent == "target"
        note = "sent: closes each fill" if sent else "NOT placed: one close per entry; for R:R only"
        t.add_row("Target", Text(f"{f(b.target)}  ({note})", style="bold" if sent else "yellow"))
    if b.stop is not None:
        t.add_row("Loss at stop", Text(f"{f(b.loss_at_stop)} {quote} (fees included)", style="red"))
    if b.target is not None:
        t.add_row("Gain at target", f"{f(b.reward_at_target)} {quote} (fees included)")
    if b.stop is not None and b.target is not None:
        t.add_row("Reward:risk", f"{f(b.reward_risk)} : 1" if b.reward_risk is not None else "unknown")
    if b.risk is not None:
        t.add_row("Sized from risk", f"{b.risk.quantize(Decimal('0.01'))} {quote}")


class ReviewScreen(ModalScreen[Reviewed | None]):
    """Shows what will be sent; Enter returns it (``v``: the same order as a validate-only request)."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", id="review.back"),
        Binding("enter", "send(False)", "Send", id="review.send", priority=True),
        Binding("v", "send(True)", "Validate only", id="review.validate"),
    ]

    def __init__(
        self,
        params: OrderParams,
        review: Review,
        mode: str,
        *,
        amend: str | None = None,
        title: str | None = None,
        send: Callable[[Reviewed], object] | None = None,
    ) -> None:
        """``amend``: the amend's label when this reviews an amend (the order as it would become);
        ``title``: what a one-key action (flatten, reverse...) is about to do, above its order;
        ``send``: called with the confirmed order on the key itself, before the screen closes (the
        request then leaves ahead of the repaint that closing brings: ~2 ms instead of ~40 ms
        behind a full dashboard repaint); the screen still returns the order, already sent."""
        super().__init__()
        self.send = send
        self.params = params
        self.review = review
        self.mode = mode
        self.amend = amend
        self.title = title

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
        t.add_row(
            "Entry" if r.bracket else "Price", format(r.price, "f") if r.price is not None else "market"
        )
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
        if r.bracket is not None:
            bracket_rows(t, r.bracket, r.fee_asset)
        if is_futures(r.symbol):
            t.add_row(
                "Margin (est.)",
                f"{(r.notional * FUTURES_INITIAL_MARGIN).quantize(Decimal('0.01')):,} {r.fee_asset}",
            )
        with Vertical(id="review-box"):
            if self.amend is not None:
                if self.title:
                    yield Label(self.title, classes="review-warning")
                yield Label(f"Review {self.amend}: the order would become", id="review-title")
            else:
                yield Label(self.title or "Review order", id="review-title")
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
        reviewed = Reviewed(params, r, pressed)
        if self.send is not None:
            send, self.send = self.send, None  # once: a second Enter before the close sends nothing
            send(reviewed)
        self.dismiss(reviewed)
