"""Reading a v2 trading request's params into an engine ``OrderRequest``, with Kraken's errors.

Shape errors (a wrong type, an unknown field) are answered with the plain v2 text
(``ArgError``); values the venue refuses get the ``EGeneral:``/``EOrder:`` text (``OrderError``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tui.exchange.bounds import NotANumber, OutOfRange, bounded_decimal
from tui.exchange.orders import Conditional, OrderError, OrderRequest
from tui.exchange.spot.params import (
    ADD_REFUSED,
    refuse_index_trigger,
    refuse_unsupported,
)
from tui.kraken.instrument import Instrument
from tui.kraken.rfc3339 import parse_rfc3339

__all__ = [
    "ADD_FIELDS",
    "AMEND_FIELDS",
    "ArgError",
    "flag",
    "integer",
    "num",
    "opt_str",
    "order_request",
    "text",
    "timestamp",
]

ADD_FIELDS = frozenset(
    {
        "order_type",
        "side",
        "order_qty",
        "symbol",
        "limit_price",
        "limit_price_type",
        "triggers",
        "time_in_force",
        "expire_time",
        "effective_time",
        "deadline",
        "post_only",
        "reduce_only",
        "margin",
        "display_qty",
        "cl_ord_id",
        "order_userref",
        "conditional",
        "fee_preference",
        "stp_type",
        "cash_order_qty",
        "validate",
        "sender_sub_id",
        "no_mpp",
        "token",
        "stop_price",
        "trigger",
    }
)
AMEND_FIELDS = frozenset(
    {
        "order_id",
        "cl_ord_id",
        "order_qty",
        "display_qty",
        "limit_price",
        "limit_price_type",
        "post_only",
        "trigger_price",
        "trigger_price_type",
        "deadline",
        "symbol",
        "token",
    }
)


class ArgError(Exception):
    """A request-shape error answered with the plain v2 error text (no EXxx: prefix)."""


def opt_str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _label(key: str) -> str:
    return key[0].upper() + key[1:]


def text(p: dict[str, Any], key: str, default: str | None = None, label: str | None = None) -> str | None:
    """A string field (``<Field> field must be a string`` otherwise)."""
    v = p.get(key, default)
    if v is None or isinstance(v, str):
        return v
    raise ArgError(f"{_label(label or key)} field must be a string")


def flag(p: dict[str, Any], key: str, default: bool = False) -> bool:
    """A boolean field (``<Field> field must be a boolean`` otherwise)."""
    v = p.get(key, default)
    if isinstance(v, bool):
        return v
    raise ArgError(f"{_label(key)} field must be a boolean")


def integer(p: dict[str, Any], key: str) -> int | None:
    """An integer field (``<Field> field must be an integer`` otherwise)."""
    v = p.get(key)
    if v is None or (isinstance(v, int) and not isinstance(v, bool) and abs(v) < 2**63):
        return v
    raise ArgError(f"{_label(key)} field must be an integer")


def num(p: dict[str, Any], key: str, label: str | None = None, detail: str | None = None) -> Decimal | None:
    """The number ``p[key]`` as an exact Decimal, bounded (``tui.exchange.bounds``) before any
    arithmetic sees it: a wrong type or non-finite text gets ``<Field> field must be a
    number_float``, an absurd length or magnitude ``EGeneral:Invalid arguments:<field>``."""
    v = p.get(key)
    if v is None:
        return None
    name = label or key
    wrong_type = ArgError(f"{name[0].upper()}{name[1:]} field must be a number_float")
    if isinstance(v, bool) or not isinstance(v, str | int):
        raise wrong_type
    try:
        return bounded_decimal(v)
    except NotANumber:
        raise wrong_type from None
    except OutOfRange:
        raise OrderError(f"EGeneral:Invalid arguments:{detail or key}") from None


def timestamp(p: dict[str, Any], key: str) -> float | None:
    v = text(p, key)
    if v is None:
        return None
    ts = parse_rfc3339(v)
    if ts is None:
        raise OrderError("EGeneral:Invalid arguments:time")
    return ts


def _check_fields(p: dict[str, Any], method: str) -> None:
    for key in p:
        if key not in ADD_FIELDS:
            raise ArgError(f"Unsupported field: '{key}' for the given msg type: {method}")


def _trigger(p: dict[str, Any], pair: Instrument) -> tuple[Decimal | None, str, str]:
    """(price, price_type, reference) of the ``triggers`` object, if any."""
    trig = p.get("triggers")
    if trig is None:
        return None, "static", "last"
    if not isinstance(trig, dict):
        raise ArgError("Triggers field must be an object")
    price = num(trig, "price", "Triggers.price", "triggers")
    reference = text(trig, "reference", "last", "Triggers.reference") or "last"
    if reference == "index" and not pair.has_index:
        raise OrderError("EGeneral:Invalid arguments:Index unavailable")
    return price, text(trig, "price_type", "static", "Triggers.price_type") or "static", reference


_CONDITIONAL_FIELDS = frozenset(
    {"order_type", "limit_price", "limit_price_type", "trigger_price", "trigger_price_type", "stop_price"}
)


def _conditional(p: dict[str, Any], method: str) -> Conditional | None:
    """The ``conditional`` (OTO) object read as wire values; its terms are checked against the
    pair by the engine (``tui.exchange.oto``), so batch_add members are checked the same way."""
    c = p.get("conditional")
    if c is None:
        return None
    if not isinstance(c, dict):
        raise ArgError("Conditional field must be an object")
    for key in c:
        if key not in _CONDITIONAL_FIELDS:
            raise ArgError(f"Unsupported field: '{key}' for the given msg type: {method}")
    order_type = text(c, "order_type", label="Conditional.order_type")
    if order_type is None:
        raise OrderError("EGeneral:Invalid arguments:conditional.order_type")
    trigger = num(c, "trigger_price", "Conditional.trigger_price", "conditional.trigger_price")
    stop = num(c, "stop_price", "Conditional.stop_price", "conditional.stop_price")  # deprecated alias
    if trigger is not None and stop is not None:
        raise OrderError("EGeneral:Invalid arguments:conditional.stop_price")
    lpt = "quote" if order_type == "trailing-stop-limit" else "static"  # as add_order's default
    return Conditional(
        order_type=order_type,
        limit_price=num(c, "limit_price", "Conditional.limit_price", "conditional.limit_price"),
        limit_price_type=text(c, "limit_price_type", lpt, "Conditional.limit_price_type") or lpt,
        trigger_price=trigger if trigger is not None else stop,
        trigger_price_type=text(c, "trigger_price_type", "static", "Conditional.trigger_price_type")
        or "static",
    )


def order_request(
    pairs: dict[str, Instrument], p: dict[str, Any], symbol: str, method: str = "add order"
) -> OrderRequest:
    _check_fields(p, method)
    refuse_unsupported(p, ADD_REFUSED)
    refuse_index_trigger(p)
    pair = pairs.get(symbol)
    if pair is None:
        raise ArgError(f"Currency pair not supported {symbol}")
    order_type = p.get("order_type")
    side = p.get("side")
    if not isinstance(order_type, str):
        raise ArgError("Order_type field must be a string")
    if side not in ("buy", "sell"):
        raise ArgError("Side field must be buy or sell")
    cash = num(p, "cash_order_qty")
    qty_d = num(p, "order_qty")
    if qty_d is None and cash is None:
        raise ArgError("EGeneral:Invalid arguments:order_qty")
    limit = num(p, "limit_price")
    trigger_price, trigger_type, reference = _trigger(p, pair)
    try:
        qty = pair.qty_ticks(qty_d) if qty_d is not None else 0
        limit_ticks = None
        offset = None
        if limit is not None:
            if order_type == "trailing-stop-limit":
                offset = limit
            else:
                limit_ticks = pair.price_ticks(limit)
        display = pair.qty_ticks(d) if (d := num(p, "display_qty")) is not None else None
    except ValueError:
        raise OrderError("EGeneral:Invalid arguments:precision") from None
    return OrderRequest(
        order_type=order_type,
        side=side,
        symbol=symbol,
        qty=qty,
        limit_price=limit_ticks,
        limit_price_type=text(p, "limit_price_type", "quote" if offset is not None else "static") or "static",
        limit_offset=offset,
        trigger_price=trigger_price,
        trigger_price_type=trigger_type,
        trigger_reference=reference,
        time_in_force=(text(p, "time_in_force", "gtc") or "gtc").lower(),
        expire_time=timestamp(p, "expire_time"),
        effective_time=timestamp(p, "effective_time"),
        fee_preference=text(p, "fee_preference", "quote") or "quote",
        deadline=timestamp(p, "deadline"),
        post_only=flag(p, "post_only"),
        reduce_only=flag(p, "reduce_only"),
        display_qty=display,
        cl_ord_id=text(p, "cl_ord_id"),
        order_userref=integer(p, "order_userref"),
        cash_order_qty=cash,
        validate=flag(p, "validate"),
        stp_type=text(p, "stp_type", "cancel_newest") or "cancel_newest",
        conditional=_conditional(p, method),
    )
