"""Kraken Futures REST v3 under ``/derivatives/api/v3/``: order entry, account queries, instruments.

Private endpoints take form-encoded POST bodies (GET: the query string) signed with ``APIKey`` /
``Authent`` / ``Nonce``; the signed path is ``/api/v3/<endpoint>`` (no ``/derivatives``). Every
answer is HTTP 200 with a JSON body; failures are
``{"result":"error","error":"authenticationError"|"nonceBelowThreshold"|"invalidArgument: <name>"}``.
A missing ``Nonce`` header is accepted (signed as the empty string) and not sequence-checked.

``triggerSignal`` (mark | index | last) is accepted for stops, but the engine's triggers always
watch the last trade price.
"""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from aiohttp import web

from tui.exchange.events import FuturesFill, FuturesOrderEvent
from tui.exchange.futures import instrument_row, iso, order_type_code
from tui.exchange.orders import Order, OrderError, OrderRequest
from tui.kraken.auth import verify_futures_authent
from tui.kraken.jsontext import dumps

if TYPE_CHECKING:
    from tui.exchange.futures import FuturesGateway

__all__ = ["FuturesRest"]

PREFIX = "/derivatives/api/v3/"
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


class _ArgError(Exception):
    pass


def _status_of(err: OrderError) -> str:
    if err.text.startswith("EService:Market in"):
        return "marketSuspended"
    return STATUS_OF_ERROR.get(err.text, "invalidArgument")


def _iso(ts: float) -> str:
    return iso(ts)


class FuturesRest:
    def __init__(self, gw: FuturesGateway) -> None:
        self.gw = gw
        self.ex = gw.ex
        self.engine = gw.engine
        self.nonces: dict[str, int] = {}

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        for name in ("sendorder", "editorder", "cancelorder", "cancelallorders", "cancelallordersafter"):
            r.add_post(PREFIX + name, self._private)
        for name in ("openorders", "openpositions", "accounts"):
            r.add_get(PREFIX + name, self._private)
        r.add_get(PREFIX + "instruments", self.instruments)
        r.add_get(PREFIX + "tickers", self.tickers)

    # --- plumbing -------------------------------------------------------------------------------
    @staticmethod
    def _json(data: dict[str, Any]) -> web.Response:
        return web.Response(text=dumps(data), content_type="application/json")

    def _error(self, error: str) -> web.Response:
        return self._json({"result": "error", "error": error, "serverTime": _iso(time.time())})

    def _ok(self, **data: Any) -> web.Response:
        return self._json({"result": "success", **data, "serverTime": _iso(time.time())})

    async def _private(self, request: web.Request) -> web.Response:
        endpoint = request.path.removeprefix(PREFIX)
        post_data = await request.text() if request.method == "POST" else request.rel_url.raw_query_string
        key = request.headers.get("APIKey", "")
        authent = request.headers.get("Authent", "")
        nonce = request.headers.get("Nonce", "")
        entry = self.ex.users.get(key)
        if entry is None:
            return self._error("authenticationError")
        secret, user = entry
        if not verify_futures_authent(post_data, nonce, "/api/v3/" + endpoint, secret, authent):
            return self._error("authenticationError")
        if nonce:
            try:
                n = int(nonce)
            except ValueError:
                return self._error("invalidArgument: nonce")
            if n <= self.nonces.get(key, 0):
                return self._error("nonceBelowThreshold")
            self.nonces[key] = n
        params = {k: v[0] for k, v in parse_qs(post_data, keep_blank_values=True).items()}
        received = time.time()
        try:
            result = getattr(self, "_" + endpoint)(user, params, received)
        except _ArgError as exc:
            return self._error(f"invalidArgument: {exc}")
        finally:
            self.ex.publish()
        return self._ok(**result)

    def _product(self, params: dict[str, str], name: str = "symbol") -> str:
        symbol = params.get(name, "")
        for s in self.gw.products:
            if s.lower() == symbol.lower():
                return s
        raise _ArgError(name)

    @staticmethod
    def _decimal(params: dict[str, str], name: str, required: bool = False) -> Decimal | None:
        v = params.get(name)
        if v is None or v == "":
            if required:
                raise _ArgError(name)
            return None
        try:
            d = Decimal(v)
        except InvalidOperation:
            raise _ArgError(name) from None
        if not d.is_finite():
            raise _ArgError(name)
        return d

    def order_rest(self, o: Order, filled: int | None = None) -> dict[str, Any]:
        pair = self.gw.products[o.symbol]
        f = o.filled if filled is None else filled
        row: dict[str, Any] = {
            "orderId": o.order_id,
            "cliOrdId": o.cl_ord_id,
            "type": _code(o),
            "symbol": o.symbol,
            "side": o.side,
            "quantity": pair.qty_decimal(o.qty),
            "filled": pair.qty_decimal(f),
            "limitPrice": pair.price_decimal(o.limit_price) if o.limit_price is not None else None,
            "reduceOnly": o.reduce_only,
            "timestamp": _iso(o.created),
            "lastUpdateTimestamp": _iso(o.updated or o.created),
        }
        if o.trigger_price is not None and _code(o) in ("stp", "take_profit"):
            row["stopPrice"] = pair.price_decimal(o.trigger_price)
            row["triggerSignal"] = "last"
        return row

    def _events_for(self, o: Order, start: int, prior_filled: int) -> tuple[list[dict[str, Any]], str | None]:
        """orderEvents for what the engine did to ``o`` since ``start``; and its close reason."""
        pair = self.gw.products[o.symbol]
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
                        "orderPriorExecution": self.order_rest(o, filled),
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

    # --- order entry ------------------------------------------------------------------------------
    def _sendorder(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        kind = p.get("orderType")
        if kind is None:
            raise _ArgError("orderType")
        symbol = self._product(p)
        side = p.get("side")
        if side not in ("buy", "sell"):
            raise _ArgError("side")
        size = self._decimal(p, "size", required=True)
        limit = self._decimal(p, "limitPrice", required=kind in ("lmt", "post", "ioc"))
        stop = self._decimal(p, "stopPrice", required=kind in ("stp", "take_profit"))
        signal = p.get("triggerSignal", "last")
        if signal not in ("mark", "index", "last"):
            raise _ArgError("triggerSignal")
        reduce = p.get("reduceOnly", "false").lower()
        if reduce not in ("true", "false"):
            raise _ArgError("reduceOnly")
        cid = p.get("cliOrdId") or None
        status: dict[str, Any] = {"receivedTime": _iso(received)}
        if cid is not None:
            status["cliOrdId"] = cid

        def reject(code: str) -> dict[str, Any]:
            return {"sendStatus": {**status, "status": code, "orderEvents": []}}

        if kind not in ORDER_TYPES:
            return reject("invalidOrderType")
        pair = self.gw.products[symbol]
        assert size is not None
        try:
            qty = pair.qty_ticks(size)
        except ValueError:
            return reject("invalidSize")
        if qty <= 0 or qty % pair.qty_increment or qty < pair.qty_min:
            return reject("invalidSize")
        try:
            limit_ticks = pair.price_ticks(limit) if limit is not None else None
            if stop is not None:
                pair.price_ticks(stop)
        except ValueError:
            return reject("invalidPrice")
        if kind == "mkt":
            limit_ticks = None
        engine_type = {
            "lmt": "limit",
            "post": "limit",
            "ioc": "limit",
            "mkt": "market",
            "stp": "stop-loss-limit" if limit_ticks is not None else "stop-loss",
            "take_profit": "take-profit-limit" if limit_ticks is not None else "take-profit",
        }[kind]
        if any(
            o.cl_ord_id == cid
            for o in self.engine.futures_orders(user)
            if cid is not None  # a cliOrdId is unique among the user's open futures orders
        ):
            return reject("clientOrderIdAlreadyExist")
        req = OrderRequest(
            order_type=engine_type,
            side=side,
            symbol=symbol,
            qty=qty,
            limit_price=limit_ticks,
            trigger_price=stop if kind in ("stp", "take_profit") else None,
            time_in_force="ioc" if kind == "ioc" else "gtc",
            post_only=kind == "post",
            reduce_only=reduce == "true",
            cl_ord_id=cid,
        )
        start = len(self.engine.events)
        try:
            o = self.engine.add_order(user, req)
        except OrderError as exc:
            return reject(_status_of(exc))
        events, close = self._events_for(o, start, 0)
        status["order_id"] = o.order_id
        if o.is_open:
            code = "partiallyFilled" if o.filled else "placed"
            events.append({"type": "PLACE", "order": self.order_rest(o)})
        elif o.remaining == 0:
            code = "filled"
        elif o.filled:
            code = "partiallyFilled"
        else:
            code = STATUS_OF_CLOSE.get(close or "", "cancelled")
            if close == "Insufficient liquidity" and kind == "ioc":
                code = "iocWouldNotExecute"
            events.append(
                {
                    "type": "REJECT",
                    "uid": o.order_id,
                    "order": self.order_rest(o),
                    "reason": _reject_reason(code),
                }
            )
        return {"sendStatus": {**status, "status": code, "orderEvents": events}}

    def _find(self, user: str, oid: str | None, cid: str | None) -> Order | None:
        for o in self.engine.futures_orders(user):
            if (oid and o.order_id == oid) or (cid and o.cl_ord_id == cid):
                return o
        return None

    def _editorder(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        oid, cid = p.get("orderId") or None, p.get("cliOrdId") or None
        if oid is None and cid is None:
            raise _ArgError("orderId")
        size = self._decimal(p, "size")
        limit = self._decimal(p, "limitPrice")
        stop = self._decimal(p, "stopPrice")
        status: dict[str, Any] = {"receivedTime": _iso(received)}
        if oid:
            status["orderId"] = oid
        if cid:
            status["cliOrdId"] = cid
        o = self._find(user, oid, cid)
        if o is None:
            return {"editStatus": {**status, "status": "orderForEditNotFound", "orderEvents": []}}
        status["orderId"] = o.order_id
        pair = self.gw.products[o.symbol]

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
        before = self.order_rest(o)
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
        edit = {"type": "EDIT", "old": before, "new": self.order_rest(o), "reducedQuantity": None}
        return {"editStatus": {**status, "status": "edited", "orderEvents": [edit, *events]}}

    def _cancelorder(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        oid, cid = p.get("order_id") or None, p.get("cliOrdId") or None
        if oid is None and cid is None:
            raise _ArgError("order_id")
        status: dict[str, Any] = {"receivedTime": _iso(received)}
        o = self._find(user, oid, cid)
        if o is None:
            if oid:
                status["order_id"] = oid
            if cid:
                status["cliOrdId"] = cid
            return {"cancelStatus": {**status, "status": "notFound", "orderEvents": []}}
        self.engine.cancel_orders(user, [o.order_id])
        status.update(order_id=o.order_id, cliOrdId=o.cl_ord_id)
        event = {"type": "CANCEL", "uid": o.order_id, "order": self.order_rest(o)}
        return {"cancelStatus": {**status, "status": "cancelled", "orderEvents": [event]}}

    def _cancelallorders(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        symbol = self._product(p) if p.get("symbol") else None
        orders = self.engine.futures_orders(user, symbol)
        self.engine.cancel_all(user, futures=True, symbol=symbol)
        return {
            "cancelStatus": {
                "status": "cancelled" if orders else "noOrdersToCancel",
                "cancelledOrders": [{"order_id": o.order_id, "cliOrdId": o.cl_ord_id} for o in orders],
                "receivedTime": _iso(received),
            }
        }

    def _cancelallordersafter(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        try:
            timeout = int(p.get("timeout", ""))
        except ValueError:
            raise _ArgError("timeout") from None
        if not 0 <= timeout < 86400:
            raise _ArgError("timeout")
        now, trigger = self.engine.cancel_all_orders_after(user, timeout, futures=True)
        return {"status": {"currentTime": _iso(now), "triggerTime": _iso(trigger) if timeout else "0"}}

    # --- queries ----------------------------------------------------------------------------------
    def _openorders(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        rows = []
        for o in self.engine.futures_orders(user):
            pair = self.gw.products[o.symbol]
            stop = o.trigger_price is not None and _code(o) in ("stp", "take_profit")
            rows.append(
                {
                    "order_id": o.order_id,
                    "cliOrdId": o.cl_ord_id,
                    "symbol": o.symbol,
                    "side": o.side,
                    "orderType": _code(o),
                    "limitPrice": pair.price_decimal(o.limit_price) if o.limit_price is not None else None,
                    "stopPrice": pair.price_decimal(o.trigger_price)
                    if stop and o.trigger_price is not None
                    else None,
                    "unfilledSize": pair.qty_decimal(o.remaining),
                    "filledSize": pair.qty_decimal(o.filled),
                    "receivedTime": _iso(o.created),
                    "lastUpdateTime": _iso(o.updated or o.created),
                    "status": "partiallyFilled" if o.filled else "untouched",
                    "reduceOnly": o.reduce_only,
                }
            )
        return {"openOrders": rows}

    def _openpositions(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        rows = []
        for s, pos in self.engine.ledger.open_positions(user).items():
            q = pos.qty
            rows.append(
                {
                    "side": "long" if q > 0 else "short",
                    "symbol": s,
                    "price": pos.entry_price,
                    "fillTime": _iso(pos.last_fill),
                    "size": abs(q),
                    "unrealizedFunding": 0,
                }
            )
        return {"openPositions": rows}

    def _accounts(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        return {"accounts": {"flex": {"type": "multiCollateralMarginAccount", **self.gw.flex(user)}}}

    async def instruments(self, request: web.Request) -> web.Response:
        return self._ok(instruments=[instrument_row(p) for p in self.gw.products.values()])

    async def tickers(self, request: web.Request) -> web.Response:
        rows = []
        for s in self.gw.products:
            row = self.gw.ticker(s)
            row.pop("feed", None)
            rows.append({"symbol": s, **row})
        return self._ok(tickers=rows)


def _code(o: Order) -> str:
    return order_type_code(o.order_type, o.time_in_force, o.post_only)


def _reject_reason(code: str) -> str:
    return {
        "postWouldExecute": "POST_WOULD_EXECUTE",
        "iocWouldNotExecute": "IOC_WOULD_NOT_EXECUTE",
        "selfFill": "SELF_FILL",
        "wouldNotReducePosition": "WOULD_NOT_REDUCE_POSITION",
    }.get(code, "CANCELLED")
