"""Amends through the same guards as a new order.

An amend (``a`` for the quantity, ``[``/``]`` for the price) is judged as the order it would
become: the resting order's side, type and flags with the new quantity or price, run through
``build_order`` like anything typed in the form: tick, lot, minimums, pair status, post-only
crossing, notional and distance limits. Funds count what the order already holds: its own
reservation is given back before the new size is charged, as the exchange does, so raising an
order never double-counts it and an amend the account cannot carry is refused here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tui.config import Guards
from tui.kraken.futures import is_futures
from tui.kraken.vocab import LIMIT_PRICED_TYPES, SPOT_TAKER_FEE, TRIGGERED_TYPES
from tui.orders.context import OrderContext
from tui.orders.guards import build_order
from tui.orders.model import Draft, FormInput
from tui.orders.parse import FUTURES_INITIAL_MARGIN
from tui.store import Balance, OrderView

__all__ = ["Amend", "check_amend", "released_balances"]


@dataclass(frozen=True, slots=True)
class Amend:
    """A checked amend: send it only when ``draft.errors`` is empty (and after a typed
    confirmation when ``draft.review`` asks for one)."""

    order_id: str
    symbol: str
    qty: Decimal | None
    price: Decimal | None
    draft: Draft
    trigger: Decimal | None = None  # a stop's (or take-profit's) new trigger price

    @property
    def ok(self) -> bool:
        return self.draft.ok

    @property
    def needs_confirmation(self) -> bool:
        return self.draft.review is not None and self.draft.review.needs_typed_confirmation

    @property
    def label(self) -> str:
        what = f"qty {format(self.qty, 'f')}" if self.qty is not None else ""
        if self.price is not None:
            what = (what + " " if what else "") + f"price {format(self.price, 'f')}"
        if self.trigger is not None:
            what = (what + " " if what else "") + f"trigger {format(self.trigger, 'f')}"
        return f"amend {self.order_id} {what}"

    @property
    def refusal(self) -> str:
        return "; ".join(self.draft.errors.values())


def released_balances(
    order: OrderView, ctx: OrderContext, price: Decimal | None
) -> tuple[dict[str, Balance], Decimal | None]:
    """Balances (and futures margin) with the order's own hold given back.

    The guards charge the whole new quantity; the exchange charges only what is left to fill,
    so the filled part is credited at the new price as well.
    """
    margin = ctx.margin_available
    if is_futures(order.symbol):
        px = order.limit_price or price
        if margin is not None and px is not None:
            margin += order.qty * px * FUTURES_INITIAL_MARGIN
        return ctx.balances, margin
    inst = ctx.inst
    out = dict(ctx.balances)
    if order.side == "sell":
        asset, held, credit = inst.base, order.remaining, order.filled
    else:
        if order.limit_price is None:
            return out, margin
        asset = inst.quote
        held = order.remaining * order.limit_price * (1 + SPOT_TAKER_FEE)
        credit = order.filled * (price or order.limit_price) * (1 + SPOT_TAKER_FEE)
    b = out.get(asset, Balance(asset, Decimal(0), Decimal(0)))
    out[asset] = replace(b, total=b.total + credit, reserved=max(Decimal(0), b.reserved - held))
    return out, margin


def check_amend(
    order: OrderView,
    ctx: OrderContext,
    guards: Guards,
    *,
    qty: Decimal | None = None,
    price: Decimal | None = None,
    trigger: Decimal | None = None,
) -> Amend:
    """The order as it would be after the amend, through the guards (``qty`` is the new total;
    ``trigger``: a stop's or take-profit's new trigger price)."""
    otype = order.order_type or "limit"
    new_qty = qty if qty is not None else order.qty
    new_price = price if price is not None else order.limit_price
    new_trigger = trigger if trigger is not None else order.trigger_price
    balances, margin = released_balances(order, ctx, new_price)
    form = FormInput(
        side=order.side,
        order_type=otype,
        qty=format(new_qty, "f"),
        price=format(new_price, "f") if new_price is not None and otype in LIMIT_PRICED_TYPES else "",
        trigger=format(new_trigger, "f") if new_trigger is not None and otype in TRIGGERED_TYPES else "",
        post_only=bool(order.post_only),
        reduce_only=bool(order.reduce_only),
        display_qty=format(order.display_qty, "f") if order.display_qty is not None else "",
    )
    draft = build_order(
        form,
        ctx.inst,
        ctx.book,
        balances,
        guards,
        live=ctx.live,
        margin_available=margin,
        verified_levels=ctx.verified_levels,
        positions=ctx.positions,
    )
    return Amend(order.order_id, order.symbol, qty, price, draft, trigger)
