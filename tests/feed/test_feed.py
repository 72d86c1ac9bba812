from __future__ import annotations

import asyncio
import time
from decimal import Decimal

from tests.feed.conftest import fast_settings, urls_of, wait_for
from tui.exchange.server import RunningExchange
from tui.feed.client import Feed
from tui.kraken.requests import OrderParams
from tui.store import Store

SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD"]


def books_match(store: Store, ex: RunningExchange) -> list[str]:
    """Symbols whose verified store book differs from the exchange's own book (top 10 each side)."""
    bad = []
    for s in SYMBOLS:
        mk = store.market(s)
        if mk.book is None or mk.book_state != "ok":
            bad.append(s)
            continue
        if mk.book.bids(10) != ex.engine.levels(s, "bid", 10) or mk.book.asks(10) != ex.engine.levels(
            s, "ask", 10
        ):
            bad.append(s)
    return bad


async def settle(store: Store, ex: RunningExchange) -> None:
    """Freeze the market and let the last frames arrive, then compare."""
    rate = ex.config.rate
    ex.config.rate = 0
    try:
        await wait_for(lambda: not books_match(store, ex), timeout=8)
    finally:
        ex.config.rate = rate


async def test_books_verified_and_equal_to_exchange(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    _, store = feed
    await wait_for(lambda: all(store.market(s).book_state == "ok" for s in SYMBOLS))
    await asyncio.sleep(0.5)
    await settle(store, exchange)
    assert all(store.market(s).checksum_mismatches == 0 for s in SYMBOLS)
    assert store.market("BTC/USD").instrument is not None
    assert store.health.conn("public").rtt_ms is not None
    assert store.account.totals["USD"] == Decimal(100000)


async def test_faults_are_detected_and_healed_per_pair(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    f, store = feed
    await wait_for(lambda: all(store.market(s).book_state == "ok" for s in SYMBOLS))
    # while one symbol resyncs, the others must keep streaming
    overlap = {"seen": 0}

    def watch() -> None:
        states = {s: store.market(s).book_state for s in SYMBOLS}
        if "resyncing" in states.values() and any(v == "ok" for v in states.values()):
            overlap["seen"] += 1

    store.add_listener(watch)
    exchange.faults.update(
        {
            "corrupt_checksum": 0.02,
            "drop_frames": 0.01,
            "duplicate_frames": 0.01,
            "disconnect_every": 2.5,
            "malformed": 0.01,
        }
    )
    placed: list[str] = []
    outcomes: list[str] = []
    deadline = time.monotonic() + 8
    n = 0
    while time.monotonic() < deadline:
        n += 1
        cid = f"t{n:04d}"
        reply = await f.trading.add_order(
            OrderParams(
                "limit", "buy", Decimal("0.0001"), "BTC/USD", limit_price=Decimal("50000.0"), cl_ord_id=cid
            )
        )
        outcomes.append(reply.outcome)
        if reply.ok:
            placed.append(cid)
        await asyncio.sleep(0.1)
    exchange.faults.update(
        {
            "corrupt_checksum": 0,
            "drop_frames": 0,
            "duplicate_frames": 0,
            "disconnect_every": 0,
            "malformed": 0,
        }
    )
    try:
        await wait_for(lambda: all(store.market(s).book_state == "ok" for s in SYMBOLS), timeout=15)
    except AssertionError:
        raise AssertionError(
            {s: (store.market(s).book_state, store.market(s).resyncs) for s in SYMBOLS}
            | {"conn": store.health.conn("public").state, "log": list(store.activity)[-5:]}
        ) from None
    await settle(store, exchange)
    mismatches = sum(store.market(s).checksum_mismatches for s in SYMBOLS)
    resyncs = sum(store.market(s).resyncs for s in SYMBOLS)
    assert mismatches > 0 and resyncs > 0
    assert overlap["seen"] > 0
    assert store.health.conn("public").reconnects > 0
    assert store.health.conn("public").malformed > 0
    # no order lost or duplicated: every cl_ord_id exists at most once on the exchange, and each
    # acknowledged (or found-after-loss) order exists exactly once
    on_exchange = [o.cl_ord_id for o in exchange.engine.open_orders("demo")]
    assert len(on_exchange) == len(set(on_exchange))
    assert set(placed) <= set(on_exchange)
    unknown = [o for o in outcomes if o in ("lost", "timeout")]
    assert not unknown, outcomes


async def test_rejected_credentials_show_as_auth_error(exchange: RunningExchange) -> None:
    store = Store()
    f = Feed(fast_settings(), store, urls=urls_of(exchange, key="wrong-key"))
    task = asyncio.create_task(f.run())
    try:
        await wait_for(lambda: store.health.conn("private").state == "auth-error")
        assert "EAPI:Invalid key" in (store.health.conn("private").error or "")
        await asyncio.sleep(0.5)
        assert store.health.conn("private").state == "auth-error"  # no crash loop
        await wait_for(lambda: store.market("BTC/USD").book_state == "ok")  # public side unaffected
    finally:
        await f.stop()
        task.cancel()


async def test_lost_reply_is_reconciled_not_resent(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    f, store = feed
    await wait_for(lambda: store.account.authenticated and f.token is not None)
    await asyncio.sleep(0.3)
    # the next frame the exchange sends on the private socket (our ack) is the last: the reply is lost
    exchange.faults.delay_ms = 200
    task = asyncio.create_task(
        f.trading.add_order(
            OrderParams(
                "limit",
                "buy",
                Decimal("0.0001"),
                "BTC/USD",
                limit_price=Decimal("50000.0"),
                cl_ord_id="lost-1",
            )
        )
    )
    await asyncio.sleep(0.05)
    for c in list(exchange.conns):
        if c.kind == "private":
            await c.close()
    exchange.faults.delay_ms = 0
    reply = await task
    # the ack was still in the exchange's delayed send queue when the socket closed: it was lost,
    # so only the recovery (the executions snapshot searched by cl_ord_id) can have answered
    placed = [o for o in exchange.engine.open_orders("demo") if o.cl_ord_id == "lost-1"]
    assert len(placed) == 1
    assert reply.outcome == "lost-then-found", (reply.outcome, reply.error)
    assert reply.ok and reply.result == {
        "order_id": placed[0].order_id,
        "cl_ord_id": "lost-1",
        "status": "new",
    }
    assert store.account.orders[placed[0].order_id].cl_ord_id == "lost-1"
    assert (
        exchange.requests_received.count(
            next(r for r in exchange.requests_received if r["params"].get("cl_ord_id") == "lost-1")
        )
        == 1
    )
