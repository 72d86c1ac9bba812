"""Hostile input and hostile clients (GitHub issue 18): the exchange answers at once, with
Kraken's error texts, and one bad client never stalls or grows the venue for the others.

Every test here runs against the embedded exchange over loopback sockets, and each was seen to
fail on the exchange before the fix it covers."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.exchange.conftest import WS, connect, get_token
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.kraken.auth import futures_authent

HUGE = "1E+300000"  # 4.2 s of event loop before the bound (1E+900000: 37.5 s)
_nonces = itertools.count(int(time.time() * 1000))


@pytest.fixture
async def fast() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, source="synthetic", seed=5, rate_limits=False))
    yield ex
    await ex.stop()


class Pinger:
    """A second client pinging all along: the round trips say whether the loop was ever blocked."""

    def __init__(self, ws: WS) -> None:
        self.ws = ws
        self.rtts: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        for n in itertools.count(1):
            t0 = time.monotonic()
            await self.ws.send({"method": "ping", "req_id": n})
            await self.ws.until(lambda m, n=n: m.get("method") == "pong" and m.get("req_id") == n, timeout=60)
            self.rtts.append(time.monotonic() - t0)
            await asyncio.sleep(0.005)

    def __enter__(self) -> Pinger:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    async def worst(self) -> float:
        """The slowest round trip, counting one still waiting for its pong."""
        await asyncio.sleep(0.02)
        return max(self.rtts, default=float("inf"))


async def timed(call: Awaitable[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    t0 = time.monotonic()
    out = await call
    return out, time.monotonic() - t0


async def reply_to(ws: WS, req_id: int) -> dict[str, Any]:
    return await ws.until(lambda m: m.get("req_id") == req_id and "method" in m, timeout=60)


async def futures_rest(
    session: aiohttp.ClientSession, ex: RunningExchange, endpoint: str, params: dict[str, str]
) -> dict[str, Any]:
    body = urlencode(params)
    n = str(next(_nonces))
    headers = {
        "APIKey": ex.api_key,
        "Authent": futures_authent(body, n, f"/api/v3/{endpoint}", ex.api_secret),
        "Nonce": n,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    resp = await session.post(f"{ex.url_futures_rest}/api/v3/{endpoint}", data=body, headers=headers)
    assert resp.status == 200
    data: dict[str, Any] = json.loads(await resp.text(), parse_float=Decimal)
    return data


# --- 1. numbers are bounded before any arithmetic -------------------------------------------------
async def test_absurd_numbers_are_refused_at_once_while_other_clients_are_served(
    fast: RunningExchange, session: aiohttp.ClientSession
) -> None:
    token = await get_token(session, fast)
    trader = await connect(session, fast.url_private)
    watcher = Pinger(await connect(session, fast.url_public))
    base = {"order_type": "limit", "side": "buy", "symbol": "BTC/USD", "token": token}
    await trader.send(
        {
            "method": "add_order",
            "req_id": 1,
            "params": {**base, "order_qty": "0.001", "limit_price": "1000.0"},
        }
    )
    resting = (await reply_to(trader, 1))["result"]["order_id"]
    amend = {"order_id": resting, "token": token}
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("add_order", {**base, "order_qty": HUGE, "limit_price": "1000.0"}, "order_qty"),
        ("add_order", {**base, "order_qty": "-" + HUGE, "limit_price": "1000.0"}, "order_qty"),
        ("add_order", {**base, "order_qty": "1" * 5000, "limit_price": "1000.0"}, "order_qty"),
        ("add_order", {**base, "order_qty": "0.001", "limit_price": HUGE}, "limit_price"),
        (
            "add_order",
            {**base, "order_type": "stop-loss", "order_qty": "0.001", "triggers": {"price": HUGE}},
            "triggers",
        ),
        (
            "add_order",
            {
                **base,
                "order_type": "iceberg",
                "order_qty": "0.01",
                "limit_price": "1000.0",
                "display_qty": HUGE,
            },
            "display_qty",
        ),
        ("add_order", {**base, "order_type": "market", "cash_order_qty": HUGE}, "cash_order_qty"),
        ("amend_order", {**amend, "order_qty": HUGE}, "order_qty"),
        ("amend_order", {**amend, "limit_price": HUGE}, "limit_price"),
        ("amend_order", {**amend, "trigger_price": HUGE}, "trigger_price"),
        ("edit_order", {**amend, "symbol": "BTC/USD", "order_qty": HUGE}, "order_qty"),
        (
            "batch_add",
            {
                "symbol": "BTC/USD",
                "token": token,
                "orders": [
                    {"order_type": "limit", "side": "buy", "order_qty": HUGE, "limit_price": "1000.0"},
                    {"order_type": "limit", "side": "buy", "order_qty": "0.001", "limit_price": "1000.0"},
                ],
            },
            "order_qty",
        ),
    ]
    with watcher:
        for n, (method, params, field) in enumerate(cases, start=10):
            await trader.send({"method": method, "req_id": n, "params": params})
            ack, took = await timed(reply_to(trader, n))
            assert took < 0.1, (method, field, took)
            assert ack["success"] is False and ack["method"] == method, ack
            assert ack["error"] == f"EGeneral:Invalid arguments:{field}", ack
        # the same as a bare JSON number, not a string
        raw = json.dumps({"method": "add_order", "req_id": 99, "params": {**base, "limit_price": "1000.0"}})
        await trader.ws.send_str(raw.replace('"params": {', f'"params": {{"order_qty": {HUGE}, ', 1))
        ack, took = await timed(reply_to(trader, 99))
        assert ack["error"] == "EGeneral:Invalid arguments:order_qty" and took < 0.1
        # futures REST v3: size, limitPrice, stopPrice
        for field, extra in (
            ("size", {"size": HUGE, "limitPrice": "50000"}),
            ("limitPrice", {"size": "0.001", "limitPrice": HUGE}),
            ("stopPrice", {"size": "0.001", "stopPrice": HUGE, "orderType": "stp"}),
        ):
            form = {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", **extra}
            out, took = await timed(futures_rest(session, fast, "sendorder", form))
            assert out["result"] == "error" and out["error"] == f"invalidArgument: {field}", out
            assert took < 0.1, (field, took)
        assert await watcher.worst() < 0.1
    assert [o.order_id for o in fast.engine.open_orders("demo")] == [resting]
