"""Encoding of every v2 request, numbers written exactly.

Prices and quantities are ``Decimal`` and go on the wire as bare JSON numbers with every digit
(``format(d, "f")``), never through a float and never as a JSON string (which Kraken rejects with
``Limit_price field must be a number_float``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tui.kraken.jsontext import EncodeError, dumps
from tui.kraken.vocab import LIMIT_PRICED_TYPES, ORDER_TYPES, TIME_IN_FORCE, TRIGGERED_TYPES

__all__ = [
    "ORDER_TYPES",
    "Conditional",
    "OrderParams",
    "RequestError",
    "add_order",
    "amend_order",
    "batch_add",
    "batch_cancel",
    "cancel_all",
    "cancel_all_orders_after",
    "cancel_order",
    "edit_order",
    "encode",
    "new_cl_ord_id",
    "ping",
    "subscribe",
    "unsubscribe",
]


class RequestError(ValueError):
    """A request that the documented rules forbid; raised before anything is sent."""


def new_cl_ord_id() -> str:
    """A short UUID (32 hex), one of the three cl_ord_id forms Kraken accepts."""
    return uuid.uuid4().hex


def encode(method: str, params: Mapping[str, Any] | None = None, req_id: int | None = None) -> str:
    frame: dict[str, Any] = {"method": method}
    if params is not None:
        frame["params"] = {k: v for k, v in params.items() if v is not None}
    if req_id is not None:
        frame["req_id"] = req_id
    try:
        return dumps(frame)
    except EncodeError as exc:
        raise RequestError(str(exc)) from None


def ping(req_id: int | None = None) -> str:
    return encode("ping", None, req_id)


def subscribe(
    channel: str,
    symbols: Sequence[str] | None = None,
    *,
    req_id: int | None = None,
    token: str | None = None,
    **params: Any,
) -> str:
    body: dict[str, Any] = {"channel": channel}
    if symbols is not None:
        body["symbol"] = list(symbols)
    body.update(params)
    if token is not None:
        body["token"] = token
    return encode("subscribe", body, req_id)


def unsubscribe(
    channel: str,
    symbols: Sequence[str] | None = None,
    *,
    req_id: int | None = None,
    token: str | None = None,
    **params: Any,
) -> str:
    body: dict[str, Any] = {"channel": channel}
    if symbols is not None:
        body["symbol"] = list(symbols)
    body.update(params)
    if token is not None:
        body["token"] = token
    return encode("unsubscribe", body, req_id)


@dataclass(frozen=True, slots=True)
class Conditional:
    """add_order's ``conditional`` (OTO): the opposite-side close placed for each fill of the
    primary, of the filled size (a stop-loss at ``trigger_price``, a limit at ``limit_price``)."""

    order_type: str
    trigger_price: Decimal | None = None
    limit_price: Decimal | None = None

    def to_params(self) -> dict[str, Any]:
        p: dict[str, Any] = {"order_type": self.order_type}
        if self.trigger_price is not None:
            p["trigger_price"] = self.trigger_price
        if self.limit_price is not None:
            p["limit_price"] = self.limit_price
        return p


@dataclass(frozen=True, slots=True)
class OrderParams:
    """One order as add_order/batch_add take it, with the documented exclusions enforced."""

    order_type: str
    side: str
    order_qty: Decimal
    symbol: str
    limit_price: Decimal | None = None
    limit_price_type: str | None = None
    trigger_price: Decimal | None = None
    trigger_price_type: str | None = None
    trigger_reference: str | None = None
    time_in_force: str | None = None
    expire_time: str | None = None
    deadline: str | None = None
    post_only: bool = False
    reduce_only: bool = False
    display_qty: Decimal | None = None
    cl_ord_id: str | None = None
    order_userref: int | None = None
    cash_order_qty: Decimal | None = None
    validate: bool = False
    stp_type: str | None = None
    fee_preference: str | None = None
    conditional: Conditional | None = None  # OTO: the close each fill of this order places

    def __post_init__(self) -> None:
        if self.order_type not in ORDER_TYPES:
            raise RequestError(f"order_type must be one of {', '.join(ORDER_TYPES)}")
        if self.side not in ("buy", "sell"):
            raise RequestError("side must be buy or sell")
        if self.cl_ord_id is not None and self.order_userref is not None:
            raise RequestError("cl_ord_id and order_userref are mutually exclusive")
        if self.display_qty is not None and self.order_type != "iceberg":
            raise RequestError("display_qty is only for iceberg orders")
        if self.time_in_force is not None and self.time_in_force not in TIME_IN_FORCE:
            raise RequestError("time_in_force must be gtc, gtd, ioc or fok")
        if self.expire_time is not None and self.time_in_force != "gtd":
            raise RequestError("expire_time needs time_in_force gtd")
        if self.time_in_force == "gtd" and self.expire_time is None:
            raise RequestError("gtd needs an expire_time")
        if self.order_type in LIMIT_PRICED_TYPES and self.limit_price is None:
            raise RequestError(f"{self.order_type} needs a limit_price")
        if self.order_type in TRIGGERED_TYPES and self.trigger_price is None:
            raise RequestError(f"{self.order_type} needs a trigger price")
        if self.post_only and self.order_type not in LIMIT_PRICED_TYPES:
            raise RequestError("post_only is only for limit-priced orders")

    def to_params(self, *, with_symbol: bool = True) -> dict[str, Any]:
        p: dict[str, Any] = {"order_type": self.order_type, "side": self.side, "order_qty": self.order_qty}
        if with_symbol:
            p["symbol"] = self.symbol
        if self.limit_price is not None:
            p["limit_price"] = self.limit_price
        if self.limit_price_type is not None:
            p["limit_price_type"] = self.limit_price_type
        elif self.order_type == "trailing-stop-limit":  # the docs' default (quote) is not relied on
            p["limit_price_type"] = "quote"
        if self.trigger_price is not None:
            trig: dict[str, Any] = {"price": self.trigger_price}
            if self.trigger_reference:
                trig["reference"] = self.trigger_reference
            if self.trigger_price_type:
                trig["price_type"] = self.trigger_price_type
            p["triggers"] = trig
        for name in ("time_in_force", "expire_time", "deadline", "stp_type", "fee_preference"):
            value = getattr(self, name)
            if value is not None:
                p[name] = value
        if self.post_only:
            p["post_only"] = True
        if self.reduce_only:
            p["reduce_only"] = True
        if self.display_qty is not None:
            p["display_qty"] = self.display_qty
        if self.cl_ord_id is not None:
            p["cl_ord_id"] = self.cl_ord_id
        if self.order_userref is not None:
            p["order_userref"] = self.order_userref
        if self.cash_order_qty is not None:
            p["cash_order_qty"] = self.cash_order_qty
        if self.conditional is not None:
            p["conditional"] = self.conditional.to_params()
        if self.validate:
            p["validate"] = True
        return p


def add_order(order: OrderParams, *, token: str, req_id: int | None = None) -> str:
    return encode("add_order", {**order.to_params(), "token": token}, req_id)


def amend_order(
    *,
    token: str,
    order_id: str | None = None,
    cl_ord_id: str | None = None,
    order_qty: Decimal | None = None,
    limit_price: Decimal | None = None,
    display_qty: Decimal | None = None,
    trigger_price: Decimal | None = None,
    post_only: bool | None = None,
    deadline: str | None = None,
    req_id: int | None = None,
) -> str:
    if (order_id is None) == (cl_ord_id is None):
        raise RequestError("amend_order needs exactly one of order_id or cl_ord_id")
    return encode(
        "amend_order",
        {
            "order_id": order_id,
            "cl_ord_id": cl_ord_id,
            "order_qty": order_qty,
            "limit_price": limit_price,
            "display_qty": display_qty,
            "trigger_price": trigger_price,
            "post_only": post_only,
            "deadline": deadline,
            "token": token,
        },
        req_id,
    )


def edit_order(
    *,
    token: str,
    order_id: str,
    symbol: str,
    order_qty: Decimal | None = None,
    limit_price: Decimal | None = None,
    display_qty: Decimal | None = None,
    post_only: bool | None = None,
    order_userref: int | None = None,
    validate: bool | None = None,
    req_id: int | None = None,
) -> str:
    return encode(
        "edit_order",
        {
            "order_id": order_id,
            "symbol": symbol,
            "order_qty": order_qty,
            "limit_price": limit_price,
            "display_qty": display_qty,
            "post_only": post_only,
            "order_userref": order_userref,
            "validate": validate,
            "token": token,
        },
        req_id,
    )


def cancel_order(
    *,
    token: str,
    order_id: Sequence[str] | None = None,
    cl_ord_id: Sequence[str] | None = None,
    order_userref: Sequence[int] | None = None,
    req_id: int | None = None,
) -> str:
    if not (order_id or cl_ord_id or order_userref):
        raise RequestError("cancel_order needs order_id, cl_ord_id or order_userref")
    return encode(
        "cancel_order",
        {
            "order_id": list(order_id) if order_id else None,
            "cl_ord_id": list(cl_ord_id) if cl_ord_id else None,
            "order_userref": list(order_userref) if order_userref else None,
            "token": token,
        },
        req_id,
    )


def cancel_all(*, token: str, req_id: int | None = None) -> str:
    return encode("cancel_all", {"token": token}, req_id)


def cancel_all_orders_after(timeout: int, *, token: str, req_id: int | None = None) -> str:
    if not 0 <= timeout < 86400:
        raise RequestError("timeout must be 0 (disable) to 86399 seconds")
    return encode("cancel_all_orders_after", {"timeout": timeout, "token": token}, req_id)


def batch_add(
    symbol: str,
    orders: Sequence[OrderParams],
    *,
    token: str,
    validate: bool = False,
    deadline: str | None = None,
    req_id: int | None = None,
) -> str:
    if not 2 <= len(orders) <= 15:
        raise RequestError("batch_add takes 2 to 15 orders")
    if any(o.symbol != symbol for o in orders):
        raise RequestError("batch_add orders must share one symbol")
    return encode(
        "batch_add",
        {
            "symbol": symbol,
            "orders": [o.to_params(with_symbol=False) for o in orders],
            "validate": True if validate else None,
            "deadline": deadline,
            "token": token,
        },
        req_id,
    )


def batch_cancel(
    *,
    token: str,
    orders: Sequence[str] = (),
    cl_ord_id: Sequence[str] = (),
    req_id: int | None = None,
) -> str:
    n = len(orders) + len(cl_ord_id)
    if not 2 <= n <= 50:
        raise RequestError("batch_cancel takes 2 to 50 identifiers")
    return encode(
        "batch_cancel",
        {"orders": list(orders) or None, "cl_ord_id": list(cl_ord_id) or None, "token": token},
        req_id,
    )
