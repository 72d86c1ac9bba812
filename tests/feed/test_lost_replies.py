"""A lost add_order reply is settled by evidence, never by absence, and never re-sent.

The executions snapshot after a reconnect holds the open orders and only the last 50 fills. An
order that filled and then sank under 60 newer fills, one cancelled elsewhere and an IOC that
expired are all missing from it: the client must answer "unknown", not "not placed". Each reply
is lost for real: the exchange delays its frames, the private socket is closed under the reply,
and new connections are refused while the world changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from tests.feed.conftest import wait_for
from tui.exchange.orders import OrderRequest
from tui.exchange.server import RunningExchange
from tui.feed.client import Feed
from tui.feed.venue import Reply
from tui.kraken.requests import OrderParams
from tui.store import Store


def _sent(ex: RunningExchange, cid: str) -> int:
    return sum(1 for r in ex.requests_received if r["params"].get("cl_ord_id") == cid)


async def lose_reply(
    f: Feed, ex: RunningExchange, order: OrderParams, while_away: Callable[[], object] = lambda: None
) -> Reply:
    assert order.cl_ord_id is not None
    ex.faults.delay_ms = 300  # the reply sits in the exchange's send queue ...
    task = asyncio.create_task(f.trading.add_order(order))
    await wait_for(lambda: _sent(ex, order.cl_ord_id or "") == 1)
    ex.faults.refuse_for(1.5)  # ... the client cannot come back while the world changes ...
    for c in list(ex.conns):
        if c.kind == "private":
            await c.close()  # ... and the socket closes under it
    ex.faults.delay_ms = 0
    while_away()
    return await task


async def ready(f: Feed, store: Store) -> None:
    await wait_for(lambda: store.account.authenticated and f.token is not None and bool(store.account.totals))
    await wait_for(lambda: store.market("BTC/USD").book_state == "ok")
    await asyncio.sleep(0.3)


def _limit(cid: str, **kw: object) -> OrderParams:
    return OrderParams(
        "limit",
        "buy",
        Decimal("0.0001"),
        "BTC/USD",
        limit_price=Decimal("50000.0"),
        cl_ord_id=cid,
        **kw,  # type: ignore[arg-type]
    )


async def test_an_order_filled_then_buried_under_60_fills_is_unknown_not_unplaced(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    f, store = feed
    await ready(f, store)

    def sixty_more_fills() -> None:
        for _ in range(60):
            exchange.engine.add_order("demo", OrderRequest("market", "buy", "BTC/USD", 10_000))

    reply = await lose_reply(
        f,
        exchange,
        OrderParams("market", "buy", Decimal("0.0001"), "BTC/USD", cl_ord_id="gone-1"),
        sixty_more_fills,
    )
    assert reply.outcome == "unknown" and not reply.ok, reply
    assert "check history" in (reply.error or "")
    assert _sent(exchange, "gone-1") == 1, "never re-sent"
    mine = [x for x in exchange.engine.fills("demo", 200) if x.get("cl_ord_id") == "gone-1"]
    assert mine, "the order did fill on the exchange"


async def test_an_order_cancelled_elsewhere_is_unknown_not_unplaced(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    f, store = feed
    await ready(f, store)
    reply = await lose_reply(
        f, exchange, _limit("gone-2"), lambda: exchange.engine.cancel_orders("demo", cl_ord_ids=["gone-2"])
    )
    assert reply.outcome == "unknown" and not reply.ok, reply
    assert _sent(exchange, "gone-2") == 1
    assert not [o for o in exchange.engine.open_orders("demo") if o.cl_ord_id == "gone-2"]


async def test_an_expired_ioc_is_unknown_not_unplaced(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    f, store = feed
    await ready(f, store)
    reply = await lose_reply(f, exchange, _limit("gone-3", time_in_force="ioc"))
    assert reply.outcome == "unknown" and not reply.ok, reply
    assert _sent(exchange, "gone-3") == 1


async def test_a_recent_fill_in_the_snapshot_is_found_with_its_status(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    f, store = feed
    await ready(f, store)
    reply = await lose_reply(
        f, exchange, OrderParams("market", "buy", Decimal("0.0001"), "BTC/USD", cl_ord_id="found-1")
    )
    assert reply.outcome == "lost-then-found" and reply.ok, reply
    assert reply.result["status"] == "filled"
    (fill,) = [x for x in exchange.engine.fills("demo", 50) if x.get("cl_ord_id") == "found-1"]
    assert reply.result["order_id"] == fill["order_id"]
    assert _sent(exchange, "found-1") == 1
