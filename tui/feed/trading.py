"""Order requests over the private socket, and what happens when a reply is lost.

Every add carries a ``cl_ord_id``. A request whose reply was lost to a disconnect is never sent
again: every execution report the store sees (before the drop and in the snapshot after the
reconnect) is evidence, and an order found there is reported with its status. Absence proves
nothing: the snapshot holds open orders and only the last 50 fills, so an order that filled long
ago, expired (IOC) or was cancelled elsewhere is missing from it. Such a request is reported
``unknown`` ("check history"), never "not placed". The user decides whether to try again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from tui.feed.dms import DeadMansSwitch
from tui.feed.venue import Reply, summarize
from tui.kraken import requests as rq
from tui.kraken.events import MethodResponse
from tui.store.outcomes import OrdersSeen, SeenOrder

__all__ = [
    "DeadMansSwitch",
    "PrivateChannel",
    "Reply",
    "Trading",
    "summarize",
]  # Reply lives in tui.feed.venue


class PrivateChannel(Protocol):
    """All the spot venue needs of the private socket: send text, number requests, the token."""

    @property
    def is_open(self) -> bool: ...

    @property
    def token(self) -> str | None: ...

    def next_req_id(self) -> int: ...

    async def send(self, text: str) -> None: ...


@dataclass
class _Pending:
    method: str
    future: asyncio.Future[Reply]
    sent_at: float
    cl_ord_id: str | None = None
    order_ids: tuple[str, ...] = ()
    lost: bool = False
    responses: list[MethodResponse] = field(default_factory=list)


class Trading:
    """The spot venue: order requests over the private v2 socket, correlated by ``req_id``."""

    def __init__(
        self,
        channel: PrivateChannel,
        *,
        timeout: float,
        log: Callable[[str, str], None],
        publish_dms: Callable[[bool, float | None], None],
    ) -> None:
        self.channel = channel
        self.timeout = timeout
        self.log = log
        self._pending: dict[int, _Pending] = {}
        self._lost: list[_Pending] = []
        self._evidence: dict[str, SeenOrder] = {}  # cl_ord_id of an outstanding request -> last report
        self.dead_mans_switch = DeadMansSwitch(self, publish_dms)
        self.sent_count = 0

    # --- requests -----------------------------------------------------------------------------------
    async def _request(
        self, method: str, build: Any, *, cl_ord_id: str | None = None, order_ids: Sequence[str] = ()
    ) -> Reply:
        channel = self.channel
        token = channel.token
        if not channel.is_open or token is None:
            return Reply(False, error="private connection is not up; nothing was sent", outcome="not-sent")
        req_id = channel.next_req_id()
        text = build(token=token, req_id=req_id)
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        pending = _Pending(method, fut, time.perf_counter(), cl_ord_id, tuple(order_ids))
        self._pending[req_id] = pending
        try:
            await channel.send(text)
        except (ConnectionError, RuntimeError) as exc:
            self._pending.pop(req_id, None)
            return Reply(False, error=f"not sent: {exc}", outcome="not-sent")
        self.sent_count += 1
        try:
            reply = await asyncio.wait_for(asyncio.shield(fut), self.timeout)
        except TimeoutError:
            if pending.lost:
                # keep waiting for reconciliation after the reconnect
                try:
                    reply = await asyncio.wait_for(fut, self.timeout * 3)
                except TimeoutError:
                    reply = Reply(
                        False, error="connection lost; outcome unknown, check open orders", outcome="lost"
                    )
            else:
                self._pending.pop(req_id, None)
                reply = Reply(
                    False,
                    error="no reply within timeout; check open orders before retrying",
                    outcome="timeout",
                )
        self._log(method, reply)
        return reply

    def _log(self, method: str, reply: Reply) -> None:
        level = "info" if reply.ok else "error"
        detail = reply.error or summarize(reply.result)
        self.log(level, f"{method}: {reply.outcome} in {reply.latency_ms:.1f} ms: {detail}")

    async def add_order(self, order: rq.OrderParams) -> Reply:
        if order.cl_ord_id is None and order.order_userref is None:
            order = _with_cl_ord_id(order)
        return await self._request(
            "add_order",
            lambda token, req_id: rq.add_order(order, token=token, req_id=req_id),
            cl_ord_id=order.cl_ord_id,
        )

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
        return await self._request(
            "amend_order",
            lambda token, req_id: rq.amend_order(
                token=token,
                req_id=req_id,
                order_id=order_id,
                cl_ord_id=cl_ord_id,
                order_qty=order_qty,
                limit_price=limit_price,
                post_only=post_only,
                trigger_price=trigger_price,
            ),
            order_ids=[order_id] if order_id else [],
        )

    async def edit_order(
        self,
        *,
        order_id: str,
        symbol: str,
        order_qty: Decimal | None = None,
        limit_price: Decimal | None = None,
    ) -> Reply:
        return await self._request(
            "edit_order",
            lambda token, req_id: rq.edit_order(
                token=token,
                req_id=req_id,
                order_id=order_id,
                symbol=symbol,
                order_qty=order_qty,
                limit_price=limit_price,
            ),
            order_ids=[order_id],
        )

    async def cancel_order(self, order_ids: Sequence[str] = (), cl_ord_ids: Sequence[str] = ()) -> Reply:
        return await self._request(
            "cancel_order",
            lambda token, req_id: rq.cancel_order(
                token=token,
                req_id=req_id,
                order_id=list(order_ids) or None,
                cl_ord_id=list(cl_ord_ids) or None,
            ),
            order_ids=order_ids,
        )

    async def cancel_all(self) -> Reply:
        return await self._request(
            "cancel_all", lambda token, req_id: rq.cancel_all(token=token, req_id=req_id)
        )

    async def cancel_all_orders_after(self, timeout: int) -> Reply:
        return await self._request(
            "cancel_all_orders_after",
            lambda token, req_id: rq.cancel_all_orders_after(timeout, token=token, req_id=req_id),
        )

    async def batch_add(self, symbol: str, orders: Sequence[rq.OrderParams], validate: bool = False) -> Reply:
        orders = [o if o.cl_ord_id or o.order_userref is not None else _with_cl_ord_id(o) for o in orders]
        return await self._request(
            "batch_add",
            lambda token, req_id: rq.batch_add(symbol, orders, token=token, req_id=req_id, validate=validate),
        )

    async def batch_cancel(self, order_ids: Sequence[str]) -> Reply:
        return await self._request(
            "batch_cancel",
            lambda token, req_id: rq.batch_cancel(token=token, req_id=req_id, orders=order_ids),
            order_ids=order_ids,
        )

    # --- replies and reconnects ---------------------------------------------------------------------
    def on_response(self, resp: MethodResponse) -> None:
        if resp.req_id is None:
            return
        pending = self._pending.get(resp.req_id)
        if pending is None:
            return
        latency = (time.perf_counter() - pending.sent_at) * 1000
        if resp.method == "cancel_order" and resp.success and len(pending.order_ids) > 1:
            # one response per cancelled order: resolve when all have answered
            pending.responses.append(resp)
            if len(pending.responses) < len(pending.order_ids):
                return
        self._pending.pop(resp.req_id, None)
        if not pending.future.done():
            pending.future.set_result(
                Reply(
                    resp.success,
                    resp.result,
                    resp.error,
                    latency,
                    "acked" if resp.success else "rejected",
                    [resp],
                )
            )

    def on_disconnected(self) -> None:
        for req_id, p in list(self._pending.items()):
            p.lost = True
            self._lost.append(p)
            del self._pending[req_id]

    def on_connected(self) -> None:
        """Nothing to do until the executions snapshot arrives; kept for the session's symmetry."""

    def on_orders_seen(self, seen: OrdersSeen) -> None:
        """Evidence from the store; after an executions snapshot, settle the lost requests."""
        wanted = {p.cl_ord_id for p in [*self._pending.values(), *self._lost] if p.cl_ord_id}
        for o in seen.orders:
            if o.cl_ord_id in wanted:
                self._evidence[o.cl_ord_id] = o
        if seen.snapshot:
            self._resolve_lost(seen.open_ids)
        live = {p.cl_ord_id for p in [*self._pending.values(), *self._lost] if p.cl_ord_id}
        self._evidence = {k: v for k, v in self._evidence.items() if k in live}

    def _resolve_lost(self, open_ids: frozenset[str]) -> None:
        """Resolve requests whose replies were lost, from the executions snapshot."""
        lost, self._lost = self._lost, []
        for p in lost:
            if p.future.done():
                continue
            latency = (time.perf_counter() - p.sent_at) * 1000
            if p.method == "add_order" and p.cl_ord_id:
                p.future.set_result(self._lost_add(p.cl_ord_id, latency))
            elif p.method in ("cancel_order", "batch_cancel") and p.order_ids:
                still = [o for o in p.order_ids if o in open_ids]
                p.future.set_result(
                    Reply(
                        not still,
                        {"still_open": still},
                        None if not still else "reply lost; some orders are still open",
                        latency,
                        "lost-then-found",
                    )
                )
            else:
                p.future.set_result(
                    Reply(False, None, "reply lost in a disconnect; check the order list", latency, "lost")
                )

    def _lost_add(self, cl_ord_id: str, latency: float) -> Reply:
        found = self._evidence.get(cl_ord_id)
        if found is not None:
            result = {"order_id": found.order_id, "cl_ord_id": cl_ord_id, "status": found.status}
            return Reply(True, result, None, latency, "lost-then-found")
        return Reply(
            False,
            {"cl_ord_id": cl_ord_id},
            "reply lost in a disconnect; outcome unknown - check history (the order may have been "
            "placed and closed since); not retried",
            latency,
            "unknown",
        )

    def stop(self) -> None:
        self.dead_mans_switch.stop_refreshing()
        for p in list(self._pending.values()) + self._lost:
            if not p.future.done():
                p.future.cancel()
        self._pending.clear()
        self._lost.clear()


def _with_cl_ord_id(order: rq.OrderParams) -> rq.OrderParams:
    from dataclasses import replace

    return replace(order, cl_ord_id=rq.new_cl_ord_id())
