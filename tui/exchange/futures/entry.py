"""Futures REST v3 order entry: ``sendorder``, ``editorder``, ``cancelorder``, ``cancelallorders``,
``cancelallordersafter``, answered with the ``*Status`` objects and their ``orderEvents``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tui.exchange.bounds import bounded_decimal
from tui.exchange.events import FuturesFill, FuturesOrderEvent
from tui.exchange.futures.rows import iso, order_type_code
from tui.exchange.futures.state import FuturesVenue
from tui.exchange.orders import Order, OrderError, OrderRequest
from tui.kraken.instrument import Instrument

__all__ = ["ArgError", "FuturesEntry", "order_rest"]

ORDER_TYPES = ("lmt", "post", "ioc", "mkt", "stp", "take_profit")
STATUS_OF_ERROR = {
    "insufficientAvailableFunds": "insufficientAvailableFunds",
    "wouldNotReducePosition": "wouldNotReducePosition",
    "EOrder:Tick size check failed": "invalidPrice",
    "EOrder:Invalid price": "invalidPrice",
    "EGeneral:Invalid arguments:limit_price": "invalidPrice",
    "EGeneral:Invalid arguments:triggers": "invalidPrice",
    "EGeneral:Invalid arguments:order_qty": "invalidSize",
    "EOrder:Order minimum not met": "invalidSize",
    "EOrder:Duplicate cl_ord_id": "clientOrderIdAlreadyExist",
    "EOrder:Orders limit exceeded": "tooManySmallOrders",
    "EGeneral:Invalid arguments:order_type": "invalidOrderType",
    "EOrder:Unknown order": "orderForEditNotFound",
}
STATUS_OF_CLOSE = {
    "Post only order": "postWouldExecute",
    "IOC": "iocWouldNotExecute",
    "Self trade prevention": "selfFill",
    "Reduce only": "wouldNotReducePosition",
}
REJECT_REASONS = {
    "postWouldExecute": "POST_WOULD_EXECUTE",
    "iocWouldNotExecute": "IOC_WOULD_NOT_EXECUTE",
    "selfFill": "SELF_FILL",
    "wouldNotReducePosition": "WOULD_NOT_REDUCE_POSITION",
}
ENGINE_TYPES = {"lmt": "limit", "post": "limit", "ioc": "limit", "mkt": "market"}


class ArgError(Exception):
    """``invalidArgument: <name>``."""


def _status_of(err: OrderError) -> str:
    if err.text.startswith("EService:Market in"):
        return "marketSuspended"
    return STATUS_OF_ERROR.get(err.text, "invalidArgument")


def code_of(o: Order) -> str:
    return order_type_code(o.order_type, o.time_in_force, o.post_only)


def decimal_param(params: dict[str, str], name: str, required: bool = False) -> Decimal | None:
    """A form number, bounded (``tui.exchange.bounds``) before any arithmetic sees it."""
    v = params.get(name)
    if v is None or v == "":
        if required:
            raise ArgError(name)
        return None
    try:
        return bounded_decimal(v)
    except ValueError:
        raise ArgError(name) from None


def order_rest(pair: Instrument, o: Order, filled: int | None = None) -> dict[str, Any]:
    f = o.filled if filled is None else filled
    row: dict[str, Any] = {
        "orderId": o.order_id,
        "cliOrdId": o.cl_ord_id,
        "type": code_of(o),
        "symbol": o.symbol,
        "side": o.side,
        "quantity": pair.qty_decimal(o.qty),
        "filled": pair.qty_decimal(f),
        "limitPrice": pair.price_decimal(o.limit_price) if o.limit_price is not None else None,
        "reduceOnly": o.reduce_only,
        "timestamp": iso(o.created),
        "lastUpdateTimestamp": iso(o.updated or o.created),
    }
    if o.trigger_price is not None and code_of(o) in ("stp", "take_profit"):
        row["stopPrice"] = pair.price_decimal(o.trigger_price)
        row["triggerSignal"] = o.trigger_reference
    return row


class FuturesEntry:
    """Each endpoint method takes (user, form params, received time) and returns the result body."""

    def __init__(self, venue: FuturesVenue) -> None:
        self.venue = venue
        self.engine = venue.engine
        self.products = venue.products

    def product(self, params: dict[str, str], name: str = "symbol") -> str:
        symbol = params.get(name, "")
        for s in self.products:
            if s.lower() == symbol.lower():
                return s
        raise ArgError(name)

    def _events_for(self, o: Order, start: int, prior_filled: int) -> tuple[list[dict[str, Any]], str | None]:
        """orderEvents for what the engine did to ``o`` since ``start``; and its close reason."""
        pair = self.products[o.symbol]
        out: list[dict[str, Any]] = []
        filled = prior_filled
        close: str | None = None
        closed = False
        for e in self.engine.events[start:]:
            if isinstance(e, FuturesFill) and e.order_id == o.order_id:
                out.append(
                    {
                        "type": "EXECUTION",
                        "executionId": e.fill_id,
                        "price": pair.price_decimal(e.price),
                        "amount": pair.qty_decimal(e.qty),
                        "orderPriorEdit": None,
                        "orderPriorExecution": order_rest(pair, o, filled),
                        "takerReducedQuantity": None,
                    }
                )
                filled += e.qty
            elif isinstance(e, FuturesOrderEvent) and e.order.order_id == o.order_id:
                if e.exec_type in ("canceled", "expired"):
                    close, closed = e.reason, True
                elif e.exec_type == "filled":
                    closed = True
        return out, close if closed else None

    # --- sendorder ------------------------------------------------------------------------------
    def sendorder(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        kind = p.get("orderType")
        if kind is None:
            raise ArgError("orderType")
        symbol = self.product(p)
        side = p.get("side")
        if side not in ("buy", "sell"):
            raise ArgError("side")
        size = decimal_param(p, "size", required=True)
        limit = decimal_param(p, "limitPrice", required=kind in ("lmt", "post", "ioc"))
        stop = decimal_param(p, "stopPrice", required=kind in ("stp", "take_profit"))
        signal = p.get("triggerSignal", "last")
        if signal not in ("mark", "index", "last"):
            raise ArgError("triggerSignal")
        reduce = p.get("reduceOnly", "false").lower()
        if reduce not in ("true", "false"):
            raise ArgError("reduceOnly")
        cid = p.get("cliOrdId") or None
        status: dict[str, Any] = {"receivedTime": iso(received)}
        if cid is not None:
            status["cliOrdId"] = cid
        assert size is not None
        req = self._send_request(user, kind, symbol, side, size, limit, stop, reduce == "true", cid, signal)
        if isinstance(req, str):
            return {"sendStatus": {**status, "status": req, "orderEvents": []}}
        return {"sendStatus": {**status, **self._place(user, req, kind)}}

    def _send_request(
        self,
        user: str,
        kind: str,
        symbol: str,
        side: str,
        size: Decimal,
        limit: Decimal | None,
        stop: Decimal | None,
        reduce_only: bool,
        cid: str | None,
        signal: str = "last",
    ) -> OrderRequest | str:
        """The engine request of a ``sendorder``, or the status code it is rejected with."""
        if kind not in ORDER_TYPES:
            return "invalidOrderType"
        pair = self.products[symbol]
        try:
            qty = pair.qty_ticks(size)
        except ValueError:
            return "invalidSize"
        if qty <= 0 or qty % pair.qty_increment or qty < pair.qty_min:
            return "invalidSize"
        try:
            limit_ticks = pair.price_ticks(limit) if limit is not None else None
            if stop is not None:
                pair.price_ticks(stop)
        except ValueError:
            return "invalidPrice"
        if kind == "mkt":
            limit_ticks = None
        stop_kind = "stop-loss" if kind == "stp" else "take-profit"
        engine_type = ENGINE_TYPES.get(kind) or (stop_kind + ("-limit" if limit_ticks is not None else ""))
        # a cliOrdId is unique among the user's open futures orders
        if cid is not None and any(o.cl_ord_id == cid for o in self.engine.futures_orders(user)):
            return "clientOrderIdAlreadyExist"
        return OrderRequest(
            order_type=engine_type,
            side=side,
            symbol=symbol,
            qty=qty,
            limit_price=limit_ticks,
            trigger_price=stop if kind in ("stp", "take_profit") else None,
            time_in_force="ioc" if kind == "ioc" else "gtc",
            post_only=kind == "post",
            reduce_only=reduce_only,
            cl_ord_id=cid,
            trigger_reference=signal,  # the engine's triggers watch that price: mark, index or last
        )

    def _place(self, user: str, req: OrderRequest, kind: str) -> dict[str, Any]:
        """Place it; the status code, the order id and the orderEvents of what happened."""
        start = len(self.engine.events)
        try:
            o = self.engine.add_order(user, req)
        except OrderError as exc:
            return {"status": _status_of(exc), "orderEvents": []}
        pair = self.products[o.symbol]
        events, close = self._events_for(o, start, 0)
        if o.is_open:
            code = "partiallyFilled" if o.filled else "placed"
            events.append({"type": "PLACE", "order": order_rest(pair, o)})
        elif o.remaining == 0:
            code = "filled"
        elif o.filled:
            code = "partiallyFilled"
        else:
            code = STATUS_OF_CLOSE.get(close or "", "cancelled")
            if close == "Insufficient liquidity" and kind == "ioc":
                code = "iocWouldNotExecute"
            reason = REJECT_REASONS.get(code, "CANCELLED")
            events.append(
                {"type": "REJECT", "uid": o.order_id, "order": order_rest(pair, o), "reason": reason}
            )
        return {"order_id": o.order_id, "status": code, "orderEvents": events}

    # --- edit and cancel --------------------------------------------------------------------------
    def _find(self, user: str, oid: str | None, cid: str | None) -> Order | None:
        for o in self.engine.futures_orders(user):
            if (oid and o.order_id == oid) or (cid and o.cl_ord_id == cid):
                return o
        return None

    def editorder(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        oid, cid = p.get("orderId") or None, p.get("cliOrdId") or None
        if oid is None and cid is None:
            raise ArgError("orderId")
        size = decimal_param(p, "size")
        limit = decimal_param(p, "limitPrice")
        stop = decimal_param(p, "stopPrice")
        status: dict[str, Any] = {"receivedTime": iso(received)}
        if oid:
            status["orderId"] = oid
        if cid:
            status["cliOrdId"] = cid
        o = self._find(user, oid, cid)
        if o is None:
            return {"editStatus": {**status, "status": "orderForEditNotFound", "orderEvents": []}}
        status["orderId"] = o.order_id
        pair = self.products[o.symbol]

        def reject(code: str) -> dict[str, Any]:
            return {"editStatus": {**status, "status": code, "orderEvents": []}}

        try:
            qty = pair.qty_ticks(size) if size is not None else None
        except ValueError:
            return reject("invalidSize")
        if qty is not None and (qty <= 0 or qty % pair.qty_increment or qty < pair.qty_min):
            return reject("invalidSize")
        try:
            price = pair.price_ticks(limit) if limit is not None else None
        except ValueError:
            return reject("invalidPrice")
        before = order_rest(pair, o)
        prior = o.filled
        start = len(self.engine.events)
        try:
            self.engine.amend_order(
                user,
                order_id=o.order_id,
                qty=qty,
                limit_price=price,
                trigger_price=stop,
                post_only=o.post_only,
            )
        except OrderError as exc:
            return reject(_status_of(exc))
        events, _close = self._events_for(o, start, prior)
        edit = {"type": "EDIT", "old": before, "new": order_rest(pair, o), "reducedQuantity": None}
        return {"editStatus": {**status, "status": "edited", "orderEvents": [edit, *events]}}

    def cancelorder(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        oid, cid = p.get("order_id") or None, p.get("cliOrdId") or None
        if oid is None and cid is None:
            raise ArgError("order_id")
        status: dict[str, Any] = {"receivedTime": iso(received)}
        o = self._find(user, oid, cid)
        if o is None:
            if oid:
                status["order_id"] = oid
            if cid:
                status["cliOrdId"] = cid
            return {"cancelStatus": {**status, "status": "notFound", "orderEvents": []}}
        self.engine.cancel_orders(user, [o.order_id])
        status.update(order_id=o.order_id, cliOrdId=o.cl_ord_id)
        event = {"type": "CANCEL", "uid": o.order_id, "order": order_rest(self.products[o.symbol], o)}
        return {"cancelStatus": {**status, "status": "cancelled", "orderEvents": [event]}}

    def cancelallorders(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        symbol = self.product(p) if p.get("symbol") else None
        orders = self.engine.futures_orders(user, symbol)
        self.engine.cancel_all(user, futures=True, symbol=symbol)
        return {
            "cancelStatus": {
                "status": "cancelled" if orders else "noOrdersToCancel",
                "cancelledOrders": [{"order_id": o.order_id, "cliOrdId": o.cl_ord_id} for o in orders],
                "receivedTime": iso(received),
            }
        }

    def cancelallordersafter(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        try:
            timeout = int(p.get("timeout", ""))
        except ValueError:
            raise ArgError("timeout") from None
        if not 0 <= timeout < 86400:
            raise ArgError("timeout")
        now, trigger = self.engine.cancel_all_orders_after(user, timeout, futures=True)
        return {"status": {"currentTime": iso(now), "triggerTime": iso(trigger) if timeout else "0"}}
