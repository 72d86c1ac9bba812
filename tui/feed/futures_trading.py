"""Futures order entry over Kraken's signed v3 REST, with the spot ``Trading`` method names.

The order form, the orders panel's cancel/amend keys and the dead-man's switch call the same
methods for spot and futures; this translates a spot-shaped ``OrderParams`` into ``sendorder``
(limit → lmt, post-only → post, IOC → ioc, market → mkt, stop-loss → stp, take-profit →
take_profit) and refuses what futures do not have. Every order carries a ``cliOrdId``: a reply lost
to a timeout is reconciled against ``openorders`` and the orders the private feed showed (evidence
the store returns), never re-sent; an order found in neither is ``unknown``, not "not placed".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tui.feed.dms import DeadMansSwitch
from tui.feed.signed_rest import SignedRest
from tui.feed.venue import Reply, summarize
from tui.kraken import futures as fx
from tui.kraken import requests as rq
from tui.store.outcomes import OrdersSeen, SeenOrder

__all__ = ["FuturesTrading", "to_futures_order"]

SEEN_KEPT = 2000

_TYPE_MAP = {
    "limit": "lmt",
    "market": "mkt",
    "stop-loss": "stp",
    "stop-loss-limit": "stp",
    "take-profit": "take_profit",
    "take-profit-limit": "take_profit",
}


def to_futures_order(o: rq.OrderParams) -> fx.FuturesOrder:
    """The sendorder equivalent of a spot-shaped order; ValueError names what futures lack."""
    kind = _TYPE_MAP.get(o.order_type)
    if kind is None:
        raise ValueError(f"{o.order_type} orders are not available on Kraken Futures")
    if o.display_qty is not None:
        raise ValueError("iceberg orders are not available on Kraken Futures")
    if o.time_in_force == "gtd" or o.time_in_force == "fok":
        raise ValueError(f"{o.time_in_force.upper()} is not available on Kraken Futures")
    if kind == "lmt" and o.post_only:
        kind = "post"
    elif kind == "lmt" and o.time_in_force == "ioc":
        kind = "ioc"
    triggered = kind in ("stp", "take_profit")
    return fx.FuturesOrder(
        order_type=kind,
        symbol=o.symbol,
        side=o.side,
        size=o.order_qty,
        limit_price=o.limit_price,
        stop_price=o.trigger_price if triggered else None,
        cli_ord_id=o.cl_ord_id or rq.new_cl_ord_id(),
        reduce_only=o.reduce_only,
        trigger_signal="last" if triggered else None,
    )


class FuturesTrading:
    """The futures venue: order requests over signed REST, reconciled by ``cliOrdId`` when lost."""

    def __init__(
        self,
        rest: SignedRest,
        *,
        log: Callable[[str, str], None],
        publish_dms: Callable[[bool, float | None], None],
    ) -> None:
        self.rest = rest
        self.log = log
        self.dead_mans_switch = DeadMansSwitch(self, publish_dms)
        self.sent_count = 0
        # from the store: every order the private feed showed, by cliOrdId (bounded)
        self._seen: dict[str, SeenOrder] = {}

    @property
    def timeout(self) -> float:
        return self.rest.timeout

    async def _call(
        self, endpoint: str, fields: Mapping[str, str], *, method: str = "POST"
    ) -> tuple[dict[str, Any] | None, str | None]:
        return await self.rest.call(endpoint, fields, method=method)

    def on_orders_seen(self, seen: OrdersSeen) -> None:
        """Evidence from the store: an order the private feed showed existed (for lost replies)."""
        for o in seen.orders:
            if o.cl_ord_id is not None:
                self._seen[o.cl_ord_id] = o
        if len(self._seen) > SEEN_KEPT:
            for key in list(self._seen)[: len(self._seen) - SEEN_KEPT]:
                del self._seen[key]

    def _log(self, label: str, reply: Reply) -> Reply:
        detail = reply.error or summarize(reply.result)
        self.log(
            "info" if reply.ok else "error",
            f"futures {label}: {reply.outcome} in {reply.latency_ms:.1f} ms: {detail}",
        )
        return reply

    async def _status_call(self, label: str, endpoint: str, fields: Mapping[str, str], key: str) -> Reply:
        started = time.perf_counter()
        body, why = await self._call(endpoint, fields)
        self.sent_count += 1
        latency = (time.perf_counter() - started) * 1000
        if body is None:
            return self._log(
                label,
                Reply(
                    False,
                    error=f"{why}; outcome unknown, check open orders",
                    latency_ms=latency,
                    outcome="lost",
                ),
            )
        st = fx.parse_send_status(body, key)
        result = {"order_id": st.order_id, "status": st.status}
        outcome = "acked" if st.ok else "rejected"
        return self._log(label, Reply(st.ok, result, st.error, latency, outcome))

    # --- the Trading surface ------------------------------------------------------------------------
    async def add_order(self, order: rq.OrderParams) -> Reply:
        try:
            fo = to_futures_order(order)
        except ValueError as exc:
            return Reply(False, error=str(exc), outcome="not-sent")
        if order.validate:
            return Reply(True, {"validated": True}, outcome="acked")
        started = time.perf_counter()
        body, why = await self._call("sendorder", fo.form())
        self.sent_count += 1
        latency = (time.perf_counter() - started) * 1000
        if body is None:
            return self._log("sendorder", await self._reconcile(fo, why or "no reply", started))
        st = fx.parse_send_status(body)
        result = {"order_id": st.order_id, "cl_ord_id": fo.cli_ord_id, "status": st.status}
        return self._log(
            "sendorder", Reply(st.ok, result, st.error, latency, "acked" if st.ok else "rejected")
        )

    async def _reconcile(self, fo: fx.FuturesOrder, why: str, started: float) -> Reply:
        """The reply was lost: look the order up by cliOrdId rather than sending it again."""
        for _ in range(3):
            body, _err = await self._call("openorders", {}, method="GET")
            if body is not None and body.get("result") == "success":
                for o in body.get("openOrders") or ():
                    if o.get("cliOrdId") == fo.cli_ord_id:
                        latency = (time.perf_counter() - started) * 1000
                        return Reply(
                            True,
                            {"order_id": o.get("order_id"), "cl_ord_id": fo.cli_ord_id},
                            None,
                            latency,
                            "lost-then-found",
                        )
                latency = (time.perf_counter() - started) * 1000
                seen = self._seen.get(fo.cli_ord_id or "")
                if seen is not None:
                    result = {"order_id": seen.order_id, "cl_ord_id": fo.cli_ord_id, "status": seen.status}
                    return Reply(True, result, None, latency, "lost-then-found")
                # not open, never shown closed: it may still have filled, expired or been cancelled
                return Reply(
                    False,
                    {"cl_ord_id": fo.cli_ord_id},
                    f"reply lost ({why}); outcome unknown - check history; not retried",
                    latency,
                    "unknown",
                )
            await asyncio.sleep(1.0)
        latency = (time.perf_counter() - started) * 1000
        return Reply(False, None, f"reply lost ({why}); outcome unknown, check open orders", latency, "lost")

    async def amend_order(
        self,
        *,
        order_id: str | None = None,
        cl_ord_id: str | None = None,
        order_qty: Decimal | None = None,
        limit_price: Decimal | None = None,
        post_only: bool | None = None,
        trigger_price: Decimal | None = None,
    ) -> Reply:
        fields: dict[str, str] = {}
        if order_id:
            fields["orderId"] = order_id
        elif cl_ord_id:
            fields["cliOrdId"] = cl_ord_id
        if order_qty is not None:
            fields["size"] = format(order_qty, "f")
        if limit_price is not None:
            fields["limitPrice"] = format(limit_price, "f")
        if trigger_price is not None:
            fields["stopPrice"] = format(trigger_price, "f")
        return await self._status_call("editorder", "editorder", fields, "editStatus")

    async def edit_order(self, **kw: Any) -> Reply:
        return await self.amend_order(**kw)

    async def cancel_order(self, order_ids: Sequence[str] = (), cl_ord_ids: Sequence[str] = ()) -> Reply:
        replies = [
            await self._status_call("cancelorder", "cancelorder", {"order_id": oid}, "cancelStatus")
            for oid in order_ids
        ] + [
            await self._status_call("cancelorder", "cancelorder", {"cliOrdId": cid}, "cancelStatus")
            for cid in cl_ord_ids
        ]
        if len(replies) == 1:
            return replies[0]
        bad = [r for r in replies if not r.ok]
        return Reply(
            not bad,
            {"count": len(replies) - len(bad)},
            bad[0].error if bad else None,
            sum(r.latency_ms for r in replies),
            "acked" if not bad else "rejected",
        )

    async def batch_cancel(self, order_ids: Sequence[str]) -> Reply:
        return await self.cancel_order(order_ids)

    async def cancel_all(self, symbol: str | None = None) -> Reply:
        return await self._status_call(
            "cancelallorders", "cancelallorders", {"symbol": symbol} if symbol else {}, "cancelStatus"
        )

    async def cancel_all_orders_after(self, timeout: int) -> Reply:
        started = time.perf_counter()
        body, why = await self._call("cancelallordersafter", {"timeout": str(timeout)})
        latency = (time.perf_counter() - started) * 1000
        if body is None:
            return Reply(False, error=why, latency_ms=latency, outcome="lost")
        if body.get("result") != "success":
            return Reply(False, error=str(body.get("error")), latency_ms=latency, outcome="rejected")
        status = body.get("status")
        return Reply(True, dict(status) if isinstance(status, Mapping) else {}, latency_ms=latency)

    def stop(self) -> None:
        self.dead_mans_switch.stop_refreshing()
