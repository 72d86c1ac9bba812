"""Spot v2 trading methods: add, amend, edit, cancel (one, all, after), batch add and cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.exchange.orders import OrderError
from tui.exchange.spot.replies import reply
from tui.exchange.spot.requests import (
    AMEND_FIELDS,
    EDIT_FIELDS,
    ArgError,
    flag,
    integer,
    num,
    opt_str,
    order_request,
    text,
    timestamp,
    trigger_terms,
)
from tui.kraken.rfc3339 import format_rfc3339

__all__ = ["BATCH_FIELDS", "SpotTrading"]

BATCH_FIELDS = frozenset({"symbol", "orders", "deadline", "validate", "token"})


class SpotTrading:
    """Each ``m_<method>`` turns the params into engine calls and returns the reply's result."""

    def __init__(self, ctx: ExchangeContext) -> None:
        self.engine = ctx.engine
        self.pairs = ctx.pairs

    def handle(
        self, conn: Conn, user: str, method: str, params: dict[str, Any], req_id: Any, time_in: str
    ) -> None:
        handler: Callable[[str, dict[str, Any]], Any] = getattr(self, f"m_{method}")
        try:
            results = handler(user, params)
        except OrderError as exc:
            reply(conn, method, req_id, time_in, error=exc.text)
            return
        except ArgError as exc:
            reply(conn, method, req_id, time_in, error=str(exc))
            return
        if method == "cancel_order":
            for r in results:
                reply(conn, method, req_id, time_in, result=r)
            return
        if method == "batch_cancel":  # recorded: top-level orders_cancelled, no result
            reply(conn, method, req_id, time_in, top={"orders_cancelled": results["count"]})
            return
        reply(conn, method, req_id, time_in, result=results)

    def m_add_order(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        symbol = p.get("symbol")
        if not isinstance(symbol, str):
            raise ArgError("Symbol field must be a string")
        req = order_request(self.pairs, p, symbol)
        o = self.engine.add_order(user, req)
        result: dict[str, Any] = {"order_id": o.order_id}
        if req.cl_ord_id is not None:
            result["cl_ord_id"] = req.cl_ord_id
        if req.order_userref is not None:
            result["order_userref"] = req.order_userref
        return result

    def m_amend_order(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        for key in p:
            if key not in AMEND_FIELDS:
                raise ArgError(f"Unsupported field: '{key}' for the given msg type: amend order")
        self.engine.check_deadline(timestamp(p, "deadline"))
        oid, cid = opt_str(p.get("order_id")), opt_str(p.get("cl_ord_id"))
        if (oid is None) == (cid is None):
            raise OrderError("EGeneral:Invalid arguments:order_id or cl_ord_id required")
        target = self.engine.find(user, oid, cid)
        if target.symbol not in self.pairs:
            raise OrderError("EOrder:Unknown order")  # a futures order: another venue
        symbol = text(p, "symbol")
        if symbol is not None and symbol != target.symbol:  # the symbol cannot change
            raise OrderError("EGeneral:Invalid arguments:symbol")
        pair = self.pairs[target.symbol]
        # an untriggered trailing-stop-limit's limit_price is its offset from the trigger price
        offset_limit = target.order_type == "trailing-stop-limit" and not target.triggered
        lp = num(p, "limit_price")
        try:
            qty = pair.qty_ticks(q) if (q := num(p, "order_qty")) is not None else None
            price = pair.price_ticks(lp) if lp is not None and not offset_limit else None
            display = pair.qty_ticks(d) if (d := num(p, "display_qty")) is not None else None
        except ValueError:
            raise OrderError("EGeneral:Invalid arguments:precision") from None
        amend_id, _ = self.engine.amend_order(
            user,
            order_id=oid,
            cl_ord_id=cid,
            qty=qty,
            limit_price=price,
            limit_offset=lp if offset_limit else None,
            limit_price_type=text(p, "limit_price_type"),
            display_qty=display,
            trigger_price=num(p, "trigger_price"),
            trigger_price_type=text(p, "trigger_price_type"),
            post_only=flag(p, "post_only"),
        )
        result: dict[str, Any] = {"amend_id": amend_id}
        if oid:
            result["order_id"] = oid
        if cid:
            result["cl_ord_id"] = cid
        return result

    def m_edit_order(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        for key in p:
            if key not in EDIT_FIELDS:
                raise ArgError(f"Unsupported field: '{key}' for the given msg type: edit order")
        oid = opt_str(p.get("order_id"))
        symbol = p.get("symbol")
        if oid is None or not isinstance(symbol, str):
            raise OrderError("EGeneral:Invalid arguments:order_id and symbol required")
        pair = self.pairs.get(symbol)
        if pair is None:
            raise ArgError(f"Currency pair not supported {symbol}")
        if self.engine.find(user, oid).symbol != symbol:  # the symbol cannot be edited
            raise OrderError("EGeneral:Invalid arguments:symbol")
        self.engine.check_deadline(timestamp(p, "deadline"))
        if "price" in p and "limit_price" in p:
            raise OrderError("EGeneral:Invalid arguments:price and limit_price together")
        lp = num(p, "limit_price") if "limit_price" in p else num(p, "price")  # price: deprecated
        try:
            qty = pair.qty_ticks(q) if (q := num(p, "order_qty")) is not None else None
            price = pair.price_ticks(lp) if lp is not None else None
            display = pair.qty_ticks(d) if (d := num(p, "display_qty")) is not None else None
        except ValueError:
            raise OrderError("EGeneral:Invalid arguments:precision") from None
        new_trigger = any(k in p for k in ("triggers", "stop_price", "trigger"))
        price_t, price_type, reference = trigger_terms(p, pair)
        if new_trigger and price_t is None:
            raise OrderError("EGeneral:Invalid arguments:triggers")
        fee = text(p, "fee_preference")
        new, original = self.engine.edit_order(
            user,
            oid,
            qty=qty,
            limit_price=price,
            post_only=flag(p, "post_only") if "post_only" in p else None,
            order_userref=integer(p, "order_userref"),
            validate=flag(p, "validate"),
            display_qty=display,
            reduce_only=flag(p, "reduce_only") if "reduce_only" in p else None,
            trigger=(price_t, price_type, reference) if new_trigger and price_t is not None else None,
            fee_preference=fee,
        )
        return {"order_id": new.order_id, "original_order_id": original}

    def m_cancel_order(self, user: str, p: dict[str, Any]) -> list[dict[str, Any]]:
        ids = p.get("order_id") or []
        cids = p.get("cl_ord_id") or []
        refs = p.get("order_userref") or []
        if not all(isinstance(x, list) for x in (ids, cids, refs)):
            raise ArgError("Order_id field must be an array")
        for name, values, kind in (
            ("order_id", ids, str),
            ("cl_ord_id", cids, str),
            ("order_userref", refs, int),
        ):
            if not all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
                raise OrderError(f"EGeneral:Invalid arguments:{name}")
        if not (ids or cids or refs):
            raise OrderError("EGeneral:Invalid arguments:order_id, cl_ord_id or order_userref required")
        futures = self.engine.futures_orders(user)  # another venue: never cancelled from here
        if futures:
            ids = [i for i in ids if i not in {o.order_id for o in futures}]
            cids = [c for c in cids if c not in {o.cl_ord_id for o in futures}]
        cancelled = self.engine.cancel_orders(user, ids, cids, refs)
        out = []
        for o in cancelled:
            r: dict[str, Any] = {"order_id": o.order_id}
            if o.cl_ord_id and o.cl_ord_id in cids:
                r["cl_ord_id"] = o.cl_ord_id
            out.append(r)
        return out

    def m_cancel_all(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"count": self.engine.cancel_all(user)}

    def m_cancel_all_orders_after(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        timeout = p.get("timeout")
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 0 <= timeout < 86400:
            raise OrderError("EGeneral:Invalid arguments:timeout")
        current, trigger = self.engine.cancel_all_orders_after(user, timeout)
        return {
            "currentTime": format_rfc3339(current, 0),
            "triggerTime": format_rfc3339(trigger, 0) if timeout else "0",
        }

    def m_batch_add(self, user: str, p: dict[str, Any]) -> list[dict[str, Any]]:
        for key in p:
            if key not in BATCH_FIELDS:
                raise ArgError(f"Unsupported field: '{key}' for the given msg type: batch add")
        self.engine.check_deadline(timestamp(p, "deadline"))
        symbol = p.get("symbol")
        orders = p.get("orders")
        if not isinstance(symbol, str) or not isinstance(orders, list):
            raise OrderError("EGeneral:Invalid arguments:symbol and orders required")
        reqs = []
        for o in orders:
            if not isinstance(o, dict):
                raise ArgError("Orders field must be an array of objects")
            if "symbol" in o:
                raise ArgError("Unsupported field: 'symbol' for the given msg type: batch add")
            reqs.append(order_request(self.pairs, o, symbol, "batch add"))
        placed = self.engine.batch_add(user, symbol, reqs, flag(p, "validate"))
        out = []
        for req, o in zip(reqs, placed, strict=True):
            r: dict[str, Any] = {"order_id": o.order_id}
            if req.cl_ord_id:
                r["cl_ord_id"] = req.cl_ord_id
            if req.order_userref is not None:
                r["order_userref"] = req.order_userref
            out.append(r)
        return out

    def m_batch_cancel(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        ids = p.get("orders") or []
        cids = p.get("cl_ord_id") or []
        if not isinstance(ids, list) or not isinstance(cids, list):
            raise ArgError("Orders field must be an array")
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in [*ids, *cids]):
            raise OrderError("EGeneral:Invalid arguments:orders")
        futures = self.engine.futures_orders(user)  # another venue: never cancelled from here
        fids = {o.order_id for o in futures}
        fcids = {o.cl_ord_id for o in futures}
        ids = [i for i in ids if str(i) not in fids]
        cids = [c for c in cids if str(c) not in fcids]
        return {"count": self.engine.batch_cancel(user, [str(i) for i in ids], [str(c) for c in cids])}
