"""One-Triggers-Other (``conditional``) orders as Kraken documents them (websocket-v2 add_order,
batch_add and the executions ``contingent`` / ``ord_ref_id`` fields).

"Each fill on the primary order will generate a new secondary order. The size of the secondary
order will be the same size as the executed quantity and have the opposite side." So every fill,
partial ones included, places its own close order; none grows. Once placed a secondary is an
independent order (REST AddOrder: close orders "once triggered are independent orders"): it is
linked to its primary only by ``ord_ref_id`` ("Referral order transaction id that created this
order") and stays when the primary is cancelled. Relative secondary prices (``pct`` / ``quote``)
are offsets from the reference price when the secondary is placed, i.e. from the fill that placed
it (the last trade is that fill).

Kept apart from the matching engine: it only checks a template against a pair and turns one
fill into the secondary's request.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tui.exchange.orders import Conditional, Order, OrderError, OrderRequest
from tui.kraken.instrument import Instrument

__all__ = ["CONDITIONAL_TYPES", "check_conditional", "contingent_fields", "secondary_request"]

# the secondary order types the docs list (no market, iceberg or settle-position)
CONDITIONAL_TYPES = (
    "limit",
    "stop-loss",
    "stop-loss-limit",
    "take-profit",
    "take-profit-limit",
    "trailing-stop",
    "trailing-stop-limit",
)
_LIMITED = frozenset({"limit", "stop-loss-limit", "take-profit-limit", "trailing-stop-limit"})
_PRICE_TYPES = ("static", "pct", "quote")
_BAD = "EGeneral:Invalid arguments:conditional.{}"


def check_conditional(c: Conditional, pair: Instrument) -> None:
    """Refuse a template no secondary could be placed from, before the primary is accepted."""
    if c.order_type not in CONDITIONAL_TYPES:
        raise OrderError(_BAD.format("order_type"))
    trailing = c.order_type.startswith("trailing")
    if c.order_type in _LIMITED:
        if c.limit_price is None and c.order_type != "trailing-stop-limit":
            raise OrderError(_BAD.format("limit_price"))
    elif c.limit_price is not None:
        raise OrderError(_BAD.format("limit_price"))
    if c.limit_price_type not in _PRICE_TYPES:
        raise OrderError(_BAD.format("limit_price_type"))
    if c.limit_price_type != "static" and c.order_type != "trailing-stop-limit":
        raise OrderError(_BAD.format("limit_price_type"))  # docs: trailing-stop-limit only
    if c.order_type == "limit":
        if c.trigger_price is not None:
            raise OrderError(_BAD.format("trigger_price"))
    elif c.trigger_price is None:
        raise OrderError(_BAD.format("trigger_price"))
    if c.trigger_price_type not in _PRICE_TYPES:
        raise OrderError(_BAD.format("trigger_price_type"))
    if c.limit_price is not None and c.order_type != "trailing-stop-limit":
        _static_ticks(c.limit_price, pair)
    if c.trigger_price is not None:
        if trailing and c.trigger_price <= 0:
            raise OrderError(_BAD.format("trigger_price"))  # a reversion: always positive
        if c.trigger_price_type == "static" and not trailing:
            _static_ticks(c.trigger_price, pair)


def _static_ticks(price: Decimal, pair: Instrument) -> int:
    try:
        ticks = pair.price_ticks(price)
    except ValueError:
        raise OrderError("EOrder:Tick size check failed") from None
    if ticks <= 0:
        raise OrderError("EOrder:Invalid price")
    if ticks % pair.price_increment:
        raise OrderError("EOrder:Tick size check failed")
    return ticks


def secondary_request(primary: Order, qty: int, pair: Instrument) -> OrderRequest:
    """The close order one fill of ``qty`` on ``primary`` places: opposite side, same size, GTC."""
    c = primary.conditional
    assert c is not None
    limit_ticks = None
    offset = None
    if c.limit_price is not None:
        if c.order_type == "trailing-stop-limit":
            offset = c.limit_price
        else:
            limit_ticks = pair.price_ticks(c.limit_price)
    elif c.order_type == "trailing-stop-limit":
        offset = Decimal(0)  # docs: 0 sets the limit price the same as the trigger price
    return OrderRequest(
        order_type=c.order_type,
        side="sell" if primary.side == "buy" else "buy",
        symbol=primary.symbol,
        qty=qty,
        limit_price=limit_ticks,
        limit_price_type=c.limit_price_type if offset is not None else "static",
        limit_offset=offset,
        trigger_price=c.trigger_price,
        trigger_price_type=c.trigger_price_type,
        ord_ref_id=primary.order_id,
    )


def contingent_fields(c: Conditional, pair: Instrument) -> dict[str, Any]:
    """The executions ``contingent`` object of a primary: the template its secondaries follow."""
    out: dict[str, Any] = {"order_type": c.order_type}
    if c.trigger_price is not None:
        static = c.trigger_price_type == "static" and not c.order_type.startswith("trailing")
        out["trigger_price"] = (
            pair.price_decimal(pair.price_ticks(c.trigger_price)) if static else c.trigger_price
        )
        out["trigger_price_type"] = c.trigger_price_type
    if c.order_type in _LIMITED:
        if c.limit_price is not None and c.order_type != "trailing-stop-limit":
            out["limit_price"] = pair.price_decimal(pair.price_ticks(c.limit_price))
        else:
            out["limit_price"] = c.limit_price if c.limit_price is not None else Decimal(0)
        out["limit_price_type"] = c.limit_price_type
    return out
