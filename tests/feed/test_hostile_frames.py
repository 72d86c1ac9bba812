"""One malformed frame never stops the connection layer, on either venue, over real sockets.

Each hostile frame is sent by the embedded exchange on a live socket; the next good frame on the
same socket must still be applied, the frame counted in health, and the socket never dropped. An
exception from our own code is different: the session restarts with backoff and counts it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import pytest

from tests.feed.conftest import fast_settings, wait_for
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.client import Feed, Urls
from tui.kraken import events as ev
from tui.store import Store

DEEP = "[" * 100_000
PUBLIC = {
    "deep nesting": DEEP,
    "deep object": '{"a":' * 50_000,
    "trade price abc": '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy",'
    '"price":"abc","qty":1.0,"ord_type":"limit","trade_id":1,"timestamp":"2026-12-01T10:00:00Z"}]}',
    "book level 1E+300000": '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD",'
    '"bids":[{"price":1E+300000,"qty":1.0}],"asks":[],"checksum":1}]}',
    "ticker NaN": '{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":"NaN","last":1}]}',
    "candle Infinity": '{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","interval":1,'
    '"open":"Infinity","interval_begin":"2026-12-01T10:00:00Z"}]}',
    "not json": "{nope",
    "a list": "[1,2,3]",
}
PRIVATE = {
    "executions order_qty lots": '{"channel":"executions","type":"update","data":[{"order_id":"X1",'
    '"exec_type":"new","symbol":"BTC/USD","order_qty":"lots","order_status":"new"}],"sequence":99}',
    "balances plenty": '{"channel":"balances","type":"update","data":[{"asset":"USD","balance":"plenty"}]}',
    "balances NaN": '{"channel":"balances","type":"update","data":[{"asset":"USD","balance":"NaN"}]}',
    "deep nesting": DEEP,
}
FUTURES = {
    "deep nesting": DEEP,
    "NaN literal": '{"feed":"ticker","product_id":"PF_XBTUSD","bid":NaN}',
    "book 1E+300000": '{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":1,"price":1E+300000,"qty":1}',
    "fills abc": '{"feed":"fills","fills":[{"instrument":"PF_XBTUSD","qty":"abc","price":1,"fill_id":"z"}]}',
}


def _send(ex: RunningExchange, kind: str, text: str) -> None:
    for c in list(ex.conns):
        if c.kind == kind:
            c.send(text)


async def test_hostile_public_and_private_frames_are_dropped_and_the_next_frame_applies(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    _, store = feed
    await wait_for(lambda: store.account.authenticated and bool(store.account.totals))
    await wait_for(lambda: store.market("BTC/USD").book_state == "ok")
    for kind, frames in (("public", PUBLIC), ("private", PRIVATE)):
        health = store.health.conn(kind)
        for n, (name, text) in enumerate(frames.items()):
            before = health.malformed
            _send(exchange, kind, text)
            if kind == "public":
                marker = f"marker-{n}"
                _send(
                    exchange,
                    kind,
                    json.dumps({"channel": "status", "type": "update", "data": [{"system": marker}]}),
                )
                await wait_for(lambda m=marker: store.health.system_status == m)  # type: ignore[misc]
            else:
                _send(
                    exchange,
                    kind,
                    json.dumps(
                        {"channel": "balances", "type": "update", "data": [{"asset": "MARK", "balance": n}]}
                    ),
                )
                await wait_for(lambda n=n: store.account.totals.get("MARK") == Decimal(n))  # type: ignore[misc]
            assert health.malformed == before + 1, name
            assert health.reconnects == 0 and health.internal_errors == 0, (name, health.error)
    assert store.account.totals["USD"].is_finite()
    assert "X1" not in store.account.orders


@pytest.fixture
async def fx_feed() -> AsyncIterator[tuple[Feed, Store, RunningExchange]]:
    ex = await start_exchange(
        ExchangeConfig(port=0, rate=50, seed=5, symbols=["BTC/USD"], futures_symbols=["PF_XBTUSD"])
    )
    store = Store("DEMO")
    urls = Urls(
        ex.url_public, ex.url_private, ex.url_l3, ex.url_rest, None, None, ex.url_futures, ex.url_futures_rest
    )
    f = Feed(fast_settings(symbols=["BTC/USD"], futures_symbols=["PF_XBTUSD"]), store, urls=urls)
    task = asyncio.create_task(f.run())
    yield f, store, ex
    await f.stop()
    task.cancel()
    await ex.stop()


async def test_hostile_futures_frames_are_dropped_and_the_next_frame_applies(
    fx_feed: tuple[Feed, Store, RunningExchange],
) -> None:
    _, store, ex = fx_feed
    await wait_for(lambda: store.market("PF_XBTUSD").book_state == "ok")
    health = store.health.conn("futures")
    for n, (name, text) in enumerate(FUTURES.items()):
        before = health.malformed
        _send(ex, "futures", text)
        _send(ex, "futures", json.dumps({"event": "alert", "message": f"marker-{n}"}))
        await wait_for(lambda n=n: any(a.text.endswith(f"marker-{n}") for a in store.activity))  # type: ignore[misc]
        assert health.malformed == before + 1, name
        assert health.reconnects == 0 and health.internal_errors == 0, (name, health.error)


async def test_a_bug_in_our_own_code_restarts_the_session_with_backoff(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    _, store = feed
    await wait_for(lambda: store.market("BTC/USD").book_state == "ok")
    handlers = store._applier.handlers
    real = handlers[ev.TickerUpdate]
    calls = {"n": 0}

    def buggy(e: ev.TickerUpdate, now: float, conn: str) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("a bug in our apply")
        return real(e, now, conn)

    handlers[ev.TickerUpdate] = buggy  # type: ignore[assignment]
    public = store.health.conn("public")
    await wait_for(lambda: public.internal_errors == 1, timeout=8)
    assert "RuntimeError" in (public.error or "")
    await wait_for(lambda: public.reconnects == 1 and store.market("BTC/USD").book_state == "ok", timeout=8)
    await wait_for(lambda: calls["n"] > 3)  # tickers apply again on the new session
    assert public.internal_errors == 1 and public.state == "connected"


async def test_a_bug_before_connecting_is_retried_with_backoff(exchange: RunningExchange) -> None:
    """An exception from our own prepare step (token, instruments) is counted and retried, not fatal."""
    from tui.feed.connection import Connection
    from tui.store import ConnectionHealth

    health = ConnectionHealth("public")
    attempts = {"n": 0}
    connected = asyncio.Event()

    async def prepare() -> None:
        attempts["n"] += 1
        if attempts["n"] < 3:
            raise KeyError("a bug in our prepare")

    async def on_connected(c: Connection) -> None:
        connected.set()

    async with aiohttp.ClientSession() as session:
        conn = Connection(
            "public",
            exchange.url_public,
            session,
            health,
            lambda c, t, n: None,
            on_connected,
            lambda c: None,
            min_delay=0.05,
            max_delay=0.2,
            prepare=prepare,
        )
        task = asyncio.create_task(conn.run())
        try:
            await asyncio.wait_for(connected.wait(), 5)
        finally:
            task.cancel()
    assert attempts["n"] == 3 and health.internal_errors == 2
