"""Hostile input and hostile clients (GitHub issue 18): the exchange answers at once, with
Kraken's error texts, and one bad client never stalls or grows the venue for the others.

Every test here runs against the embedded exchange over loopback sockets, and each was seen to
fail on the exchange before the fix it covers."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.exchange.conftest import WS, connect, get_token
from tui.exchange import credentials
from tui.exchange.market import MAKER
from tui.exchange.orders import OrderRequest
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.kraken.auth import futures_authent, sign_futures_challenge

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

    async def check(self) -> None:
        """Round trips stayed prompt: see ``prompt``."""
        await asyncio.sleep(0.02)
        assert len(self.rtts) >= 3, self.rtts
        prompt(self.rtts, "ping")


def prompt(times: list[float], what: str) -> None:
    """Nine in ten under 100 ms, none over 500 ms: the machine is shared, so one scheduling
    hiccup is tolerated, a blocked loop (seconds, before these fixes) is not."""
    ranked = sorted(times)
    p90 = ranked[int(0.9 * (len(ranked) - 1))]
    assert p90 < 0.1 and ranked[-1] < 0.5, f"{what}: p90 {p90:.3f} s, worst {ranked[-1]:.3f} s"


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
    replies: list[float] = []
    with watcher:
        for n, (method, params, field) in enumerate(cases, start=10):
            await trader.send({"method": method, "req_id": n, "params": params})
            ack, took = await timed(reply_to(trader, n))
            assert took < 0.5, (method, field, took)
            replies.append(took)
            assert ack["success"] is False and ack["method"] == method, ack
            assert ack["error"] == f"EGeneral:Invalid arguments:{field}", ack
        # the same as a bare JSON number, not a string
        raw = json.dumps({"method": "add_order", "req_id": 99, "params": {**base, "limit_price": "1000.0"}})
        await trader.ws.send_str(raw.replace('"params": {', f'"params": {{"order_qty": {HUGE}, ', 1))
        ack, took = await timed(reply_to(trader, 99))
        assert ack["error"] == "EGeneral:Invalid arguments:order_qty" and took < 0.5
        replies.append(took)
        # futures REST v3: size, limitPrice, stopPrice
        for field, extra in (
            ("size", {"size": HUGE, "limitPrice": "50000"}),
            ("limitPrice", {"size": "0.001", "limitPrice": HUGE}),
            ("stopPrice", {"size": "0.001", "stopPrice": HUGE, "orderType": "stp"}),
        ):
            form = {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", **extra}
            out, took = await timed(futures_rest(session, fast, "sendorder", form))
            assert out["result"] == "error" and out["error"] == f"invalidArgument: {field}", out
            assert took < 0.5, (field, took)
            replies.append(took)
        prompt(replies, "refusals")
        await watcher.check()
    assert [o.order_id for o in fast.engine.open_orders("demo")] == [resting]


# --- 2. malformed requests get Kraken's error, with their req_id and method -----------------------
async def is_reply_of(ws: WS, marker: int) -> list[dict[str, Any]]:
    """The replies (not channel data) that arrive before the pong to ``marker``."""
    await ws.send({"method": "ping", "req_id": marker})
    out: list[dict[str, Any]] = []
    while True:
        m = await ws.recv(timeout=5)
        if "channel" in m:
            continue
        if m.get("method") == "pong" and m.get("req_id") == marker:
            return out
        out.append(m)


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"order_qty": "Infinity"}, "Order_qty field must be a number_float"),
        ({"order_qty": "-Infinity"}, "Order_qty field must be a number_float"),
        ({"order_qty": "NaN"}, "Order_qty field must be a number_float"),
        ({"order_qty": "sNaN"}, "Order_qty field must be a number_float"),
        ({"order_qty": "0.001", "limit_price": "sNaN"}, "Limit_price field must be a number_float"),
        (
            {"order_qty": "0.001", "limit_price": "1000.0", "time_in_force": []},
            "Time_in_force field must be a string",
        ),
        (
            {"order_qty": "0.001", "limit_price": "1000.0", "post_only": "yes"},
            "Post_only field must be a boolean",
        ),
        ({"order_qty": "0.001", "limit_price": "1000.0", "cl_ord_id": 5}, "Cl_ord_id field must be a string"),
        (
            {"order_qty": "0.001", "limit_price": "1000.0", "expire_time": 5},
            "Expire_time field must be a string",
        ),
        (
            {"order_qty": "0.001", "limit_price": "1000.0", "triggers": {"price": "1", "price_type": []}},
            "Triggers.price_type field must be a string",
        ),
    ],
)
async def test_bad_values_get_their_specific_error(
    fast: RunningExchange, session: aiohttp.ClientSession, params: dict[str, Any], error: str
) -> None:
    token = await get_token(session, fast)
    trader = await connect(session, fast.url_private)
    base = {"order_type": "limit", "side": "buy", "symbol": "BTC/USD", "token": token}
    await trader.send({"method": "add_order", "req_id": 41, "params": {**base, **params}})
    replies = await is_reply_of(trader, 1)
    assert len(replies) == 1, replies
    assert replies[0]["error"] == error and replies[0]["req_id"] == 41 and replies[0]["method"] == "add_order"


WEIRD: list[Any] = [
    None,
    True,
    0,
    -1,
    2**70,
    1.5,
    "",
    "x" * 300,
    "Infinity",
    "-Infinity",
    "NaN",
    "sNaN",
    HUGE,
    "1e-900000",
    [],
    [[]],
    [{}],
    {},
    {"price": []},
    ["BTC/USD"],
    "BTC/USD",
]
METHODS = [
    "ping",
    "subscribe",
    "unsubscribe",
    "add_order",
    "amend_order",
    "edit_order",
    "cancel_order",
    "cancel_all",
    "cancel_all_orders_after",
    "batch_add",
    "batch_cancel",
    "no_such_method",
]


def base_params(method: str, token: str, rng: Any) -> dict[str, Any]:
    order = {"order_type": "limit", "side": "buy", "order_qty": "0.001", "limit_price": "1000.0"}
    return {
        "subscribe": {
            "channel": rng.choice(["book", "ticker", "trade", "ohlc", "executions", "level3"]),
            "symbol": ["BTC/USD"],
            "token": token,
        },
        "unsubscribe": {"channel": "book", "symbol": ["BTC/USD"], "token": token},
        "add_order": {**order, "symbol": "BTC/USD", "token": token},
        "amend_order": {"order_id": "OAAAAA-AAAAA-AAAAAA", "order_qty": "0.002", "token": token},
        "edit_order": {"order_id": "OAAAAA-AAAAA-AAAAAA", "symbol": "BTC/USD", "token": token},
        "cancel_order": {"order_id": ["OAAAAA-AAAAA-AAAAAA"], "token": token},
        "cancel_all": {"token": token},
        "cancel_all_orders_after": {"timeout": 0, "token": token},
        "batch_add": {"symbol": "BTC/USD", "orders": [order, dict(order)], "token": token},
        "batch_cancel": {"orders": ["OAAAAA-AAAAA-AAAAAA", "OBBBBB-BBBBB-BBBBBB"], "token": token},
    }.get(method, {"token": token})


def deep(n: int) -> str:
    return "[" * n + "]" * n


def malformed(rng: Any, n: int, token: str) -> tuple[str | bytes, int | None, str | None]:
    """One hostile frame: (text or bytes, the req_id it carries, the method it names)."""
    kind = rng.random()
    if kind < 0.04:
        return rng.choice([b"\x00\x01binary", b'{"method":"ping"}']), None, None
    if kind < 0.08:
        return rng.choice(["", "{", "[1,2", "nul", '{"method":', "\x00"]), None, None
    if kind < 0.13:
        text = (
            f'{{"method":"add_order","req_id":{n},"params":{{"token":"{token}","order_qty":{deep(5000)}}}}}'
        )
        return text, n, "add_order"
    method = rng.choice(METHODS)
    req: dict[str, Any] = {"method": method, "req_id": n, "params": base_params(method, token, rng)}
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        params = req.get("params")
        if r < 0.55 and isinstance(params, dict) and params:
            key = rng.choice(sorted(params))
            params[key] = rng.choice(WEIRD)
        elif r < 0.65 and isinstance(params, dict):
            params[rng.choice(["bogus", "snapshot", "depth", "triggers", "post_only", "display_qty"])] = (
                rng.choice(WEIRD)
            )
        elif r < 0.75:
            req["params"] = rng.choice(WEIRD)
        elif r < 0.85 and method == "ping":
            req.pop("params", None)
        elif r < 0.92:
            req["req_id"] = rng.choice(WEIRD)
        else:
            req["method"] = rng.choice(WEIRD)
    if method == "ping" and rng.random() < 0.5:
        req.pop("params", None)
    rid = req.get("req_id")
    req_id = rid if isinstance(rid, int) and not isinstance(rid, bool) and abs(rid) < 2**63 else None
    name = req["method"] if isinstance(req.get("method"), str) else None
    return json.dumps(req), req_id, name


async def test_fuzz_every_malformed_request_gets_one_answer_and_the_socket_lives(
    fast: RunningExchange, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    import random

    rng = random.Random(1811)
    token = await get_token(session, fast)
    ws = await connect(session, fast.url_private)
    t0 = time.monotonic()
    with caplog.at_level("DEBUG", logger="tui.exchange"):
        for n in range(1, 401):
            frame, req_id, method = malformed(rng, n, token)
            if isinstance(frame, bytes):
                await ws.ws.send_bytes(frame)
            else:
                await ws.ws.send_str(frame)
            replies = await is_reply_of(ws, 10**9 + n)
            assert len(replies) == 1, (frame[:300], replies)
            answer = replies[0]
            assert "Internal error" not in str(answer.get("error")), (frame[:300], answer)
            if req_id is not None:
                assert answer.get("req_id") == req_id, (frame[:300], answer)
            if method is not None:
                assert answer.get("method") in (method, "pong", "subscribe"), (frame[:300], answer)
    assert time.monotonic() - t0 < 30
    assert not [r for r in caplog.records if r.exc_info], [
        r.getMessage() for r in caplog.records if r.exc_info
    ]
    assert not ws.ws.closed
    assert (await is_reply_of(ws, 7)) == []


async def test_empty_symbol_list_binary_frames_and_deep_nesting_are_answered(
    fast: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await connect(session, fast.url_public)
    await ws.send({"method": "subscribe", "req_id": 3, "params": {"channel": "ticker", "symbol": []}})
    [ack] = await is_reply_of(ws, 1)
    assert ack == {**ack, "method": "subscribe", "req_id": 3, "success": False}
    assert ack["error"] == "Symbol field must be a non-empty array"
    await ws.ws.send_bytes(b'{"method":"ping","req_id":4}')
    [binary] = await is_reply_of(ws, 2)
    assert binary["error"] == "Malformed request" and binary["success"] is False
    await ws.ws.send_str('{"method":"subscribe","req_id":5,"params":' + deep(3000) + "}")
    [nested] = await is_reply_of(ws, 6)
    assert nested["error"] == "EGeneral:Invalid arguments"
    assert nested["method"] == "subscribe" and nested["req_id"] == 5
    await ws.ws.send_str('{"req_id":8,"method":' + deep(3000) + "}")
    [unnamed] = await is_reply_of(ws, 9)
    assert unnamed["error"] == "Malformed request" and unnamed["req_id"] == 8 and "method" not in unnamed
    assert not ws.ws.closed

    fut = WS(await session.ws_connect(fast.url_futures))
    assert (await fut.recv())["event"] == "info"
    await fut.ws.send_bytes(b"\x00\xff")
    assert await fut.recv() == {"event": "error", "message": "Json Error"}
    await fut.ws.send_str('{"event":"subscribe","feed":' + deep(3000) + "}")
    assert await fut.recv() == {"event": "error", "message": "Json Error"}
    await fut.send({"event": "subscribe", "feed": ["book"], "product_ids": ["PF_XBTUSD"]})
    assert await fut.recv() == {"event": "alert", "message": "Couldn't subscribe to invalid feed"}
    await fut.send({"event": "subscribe", "feed": "heartbeat"})
    assert (await fut.recv())["event"] == "subscribed"


# --- 3. a client that stops reading is dropped; a burst does not hold the others -------------------
def deepen(ex: RunningExchange, symbol: str, levels: int) -> None:
    """``levels`` resting orders a side from the synthetic maker, so book snapshots are large."""
    pair = ex.pairs[symbol]
    bid = ex.engine.best(symbol, "bid")
    ask = ex.engine.best(symbol, "ask")
    assert bid is not None and ask is not None
    step = pair.price_increment
    qty = max(pair.qty_min, pair.qty_increment)
    for i in range(1, levels + 1):
        ex.engine.add_order(MAKER, OrderRequest("limit", "buy", symbol, qty, bid - i * step))
        ex.engine.add_order(MAKER, OrderRequest("limit", "sell", symbol, qty, ask + i * step))
    ex.publish()


def ws_frame(text: str) -> bytes:
    """A masked client text frame (RFC 6455 5.2), for a socket that only writes."""
    payload = text.encode()
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (
        bytes([0x80 | n])
        if n < 126
        else bytes([0x80 | 126]) + n.to_bytes(2, "big")
        if n < 1 << 16
        else bytes([0x80 | 127]) + n.to_bytes(8, "big")
    )
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def deaf_client(host: str, port: int, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A WebSocket client with a 4 KiB receive buffer that never reads after the handshake."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, port))
    reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    assert b" 101 " in await reader.readuntil(b"\r\n\r\n")
    return reader, writer


@pytest.fixture
async def small_queue() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(
        ExchangeConfig(port=0, rate=0, source="synthetic", seed=5, send_queue_bytes=256 << 10)
    )
    yield ex
    await ex.stop()


async def test_a_client_that_stops_reading_is_dropped_with_a_bounded_queue(
    small_queue: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ex = small_queue
    deepen(ex, "BTC/USD", 1000)
    before = set(ex.conns)
    _reader, writer = await deaf_client(ex.host, ex.port, "/v2")
    await asyncio.sleep(0.05)
    [deaf] = set(ex.conns) - before
    watcher = Pinger(await connect(session, ex.url_public))
    book = {"channel": "book", "symbol": ["BTC/USD"], "depth": 1000}
    burst = b"".join(
        ws_frame(json.dumps({"method": m, "req_id": i, "params": book}))
        for i in range(400)
        for m in ("subscribe", "unsubscribe")
    )
    with watcher:
        writer.write(burst)
        deadline = time.monotonic() + 10
        while deaf in ex.conns and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert deaf not in ex.conns, "the deaf client was never dropped"
        await watcher.check()
    assert deaf.close_code == 1008 and deaf.close_reason.startswith("slow consumer")
    # and the socket itself is cut: a plain close would wait forever for its buffer to drain
    assert deaf.transport is not None
    deadline = time.monotonic() + 3
    while deaf.transport.get_extra_info("socket").fileno() != -1 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert deaf.transport.get_extra_info("socket").fileno() == -1
    assert deaf.peak_queued_bytes <= 256 << 10
    assert deaf.queued_bytes == 0
    writer.close()


async def test_one_clients_burst_does_not_stall_the_others(
    fast: RunningExchange, session: aiohttp.ClientSession
) -> None:
    deepen(fast, "BTC/USD", 1000)
    burster = await connect(session, fast.url_public)
    watcher = Pinger(await connect(session, fast.url_public))
    book = {"channel": "book", "symbol": ["BTC/USD"], "depth": 1000}
    frames = [
        json.dumps({"method": m, "req_id": i, "params": book})
        for i in range(300)
        for m in ("subscribe", "unsubscribe")
    ]

    async def drain() -> int:
        acks = 0
        while acks < len(frames):
            m = await burster.recv(timeout=30)
            acks += m.get("method") in ("subscribe", "unsubscribe")
        return acks

    reading = asyncio.create_task(drain())
    await asyncio.sleep(0.1)  # the watcher's first round trips
    with watcher:
        t0 = time.monotonic()
        for f in frames:  # pipelined: the server finds them all in its buffer at once
            await burster.ws.send_str(f)
        assert await reading == len(frames)
        took = time.monotonic() - t0
        await watcher.check()
    assert took < 10


# --- 4. the delay fault is latency, not a frame-rate cap ------------------------------------------
async def test_delay_fault_delays_every_frame_by_the_latency_in_parallel(
    fast: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await connect(session, fast.url_public)
    fast.faults.delay_ms = 200
    sent: dict[int, float] = {}
    late: dict[int, float] = {}

    async def read() -> None:
        while len(late) < 300:
            m = await ws.recv(timeout=5)
            if m.get("method") == "pong":
                late[m["req_id"]] = time.monotonic() - sent[m["req_id"]]

    reading = asyncio.create_task(read())
    for n in range(300):  # 300 frames/s for a second
        sent[n] = time.monotonic()
        await ws.send({"method": "ping", "req_id": n})
        await asyncio.sleep(1 / 300)
    await reading
    assert sorted(late) == list(range(300))
    assert min(late.values()) >= 0.19, "a frame left before its delay"
    prompt([t - 0.2 for t in late.values()], "lateness beyond the 200 ms delay")


# --- 5. the fault-control endpoint ----------------------------------------------------------------
async def control(
    session: aiohttp.ClientSession, ex: RunningExchange, body: str | None = None, token: str | None = ""
) -> tuple[int, dict[str, Any]]:
    headers = {} if token is None else {"X-Control-Token": token or ex.control_token}
    url = ex.url_rest + "/_control/faults"
    if body is None:
        resp = await session.get(url, headers=headers)
    else:
        resp = await session.post(url, data=body, headers=headers)
    data: dict[str, Any] = await resp.json()
    return resp.status, data


async def test_fault_control_validates_its_body(
    fast: RunningExchange, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    before = dict(fast.faults.as_dict())
    with caplog.at_level("DEBUG"):
        for body in (
            "[1, 2]",
            '"corrupt_checksum"',
            "3",
            "null",
            "{",
            '{"drop_after": 1.5}',
            '{"drop_after": -1}',
            '{"drop_after": true}',
            '{"corrupt_checksum": 2}',
            '{"corrupt_checksum": "0.5"}',
            '{"delay_ms": -5}',
            '{"delay_ms": 1e999}',
            '{"bogus": 1}',
            '{"corrupt_checksum": 0.5, "bogus": 1}',
            '{"a":' + deep(3000) + "}",
        ):
            status, data = await control(session, fast, body)
            assert status == 400, (body, status, data)
            assert isinstance(data["error"], str) and "\n" not in data["error"] and data["error"], body
    assert fast.faults.as_dict() == before, "a refused update changed something"
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]
    status, data = await control(
        session, fast, '{"drop_after": 3, "corrupt_checksum": 0.25, "refuse_for": 0}'
    )
    assert status == 200 and data["drop_after"] == 3 and data["corrupt_checksum"] == 0.25
    assert fast.faults.drop_after == 3 and isinstance(fast.faults.drop_after, int)


async def test_fault_control_needs_its_token(fast: RunningExchange, session: aiohttp.ClientSession) -> None:
    assert len(fast.control_token) >= 24
    assert (await control(session, fast, token=None))[0] == 401
    assert (await control(session, fast, token="wrong"))[0] == 401
    assert (await control(session, fast, '{"corrupt_checksum": 1}', token=None))[0] == 401
    assert fast.faults.corrupt_checksum == 0
    status, data = await control(session, fast)
    assert status == 200 and data["corrupt_checksum"] == 0


def outward_address() -> str | None:
    """This host's address on a non-loopback interface (UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            addr: str = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


@pytest.mark.parametrize("allow_remote", [False, True])
async def test_fault_control_serves_loopback_peers_only_unless_allowed(allow_remote: bool) -> None:
    local = outward_address()
    if local is None:
        pytest.skip("no non-loopback interface to connect from")
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, source="none", control_remote=allow_remote))
    try:
        # still a 127.0.0.1 listener: the client binds its end to the host's other address
        connector = aiohttp.TCPConnector(local_addr=(local, 0))
        async with aiohttp.ClientSession(connector=connector) as remote:
            status, data = await control(remote, ex, '{"corrupt_checksum": 0.5}')
        if allow_remote:
            assert status == 200 and ex.faults.corrupt_checksum == 0.5
        else:
            assert status == 403 and "loopback" in data["error"]
            assert ex.faults.corrupt_checksum == 0
    finally:
        await ex.stop()


async def test_fuzz_futures_socket_and_rest_never_fail_inside(
    fast: RunningExchange, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    import random

    rng = random.Random(2311)
    ws = WS(await session.ws_connect(fast.url_futures))
    assert (await ws.recv())["event"] == "info"
    feeds = [
        "book",
        "ticker",
        "ticker_lite",
        "trade",
        "candles_trade_1m",
        "heartbeat",
        "open_orders",
        "fills",
    ]
    with caplog.at_level("DEBUG", logger="tui.exchange"):
        for _ in range(200):
            req: dict[str, Any] = {
                "event": rng.choice(["subscribe", "unsubscribe", "challenge", "bogus"]),
                "feed": rng.choice(feeds),
                "product_ids": ["PF_XBTUSD"],
                "api_key": fast.api_key,
            }
            for _ in range(rng.randint(1, 2)):
                req[rng.choice(["event", "feed", "product_ids", "api_key", "original_challenge"])] = (
                    rng.choice(WEIRD)
                )
            await ws.ws.send_str(json.dumps(req))
        await ws.ws.send_str('{"event":"subscribe","feed":"heartbeat"}')
        await ws.until(lambda m: m.get("event") == "subscribed" and m.get("feed") == "heartbeat", timeout=10)
        form_keys = [
            "orderType",
            "symbol",
            "side",
            "size",
            "limitPrice",
            "stopPrice",
            "reduceOnly",
            "cliOrdId",
        ]
        for _ in range(60):
            endpoint = rng.choice(
                ["sendorder", "editorder", "cancelorder", "cancelallorders", "cancelallordersafter"]
            )
            form = {
                "orderType": "lmt",
                "symbol": "PF_XBTUSD",
                "side": "buy",
                "size": "0.001",
                "limitPrice": "1000",
                "orderId": "x",
                "timeout": "0",
            }
            for _ in range(rng.randint(1, 3)):
                form[rng.choice([*form_keys, "orderId", "timeout", "triggerSignal"])] = str(rng.choice(WEIRD))
            out = await futures_rest(session, fast, endpoint, form)
            assert out["result"] in ("success", "error"), out
    seen = [str(m) for m in ws.backlog]
    assert not [m for m in seen if "Internal error" in m]
    assert not [r for r in caplog.records if r.exc_info], [
        r.getMessage() for r in caplog.records if r.exc_info
    ]
    assert not ws.ws.closed


async def test_token_endpoint_and_subscribe_options_refuse_odd_values(
    fast: RunningExchange, session: aiohttp.ClientSession
) -> None:
    resp = await session.post(
        fast.url_rest + "/0/private/GetWebSocketsToken",
        data='{"nonce":' + deep(3000) + "}",
        headers={"API-Key": fast.api_key, "API-Sign": "x", "Content-Type": "application/json"},
    )
    assert resp.status == 200 and (await resp.json())["error"] == ["EGeneral:Invalid arguments"]
    ws = await connect(session, fast.url_public)
    for n, (params, error) in enumerate(
        [
            (
                {"channel": "ohlc", "symbol": ["BTC/USD"], "interval": True},
                "Subscription ohlc interval not supported",
            ),
            ({"channel": "book", "symbol": ["BTC/USD"], "depth": "10"}, "Subscription depth not supported"),
            ({"channel": "book", "symbol": [["BTC/USD"]]}, "Currency pair not supported ['BTC/USD']"),
        ]
    ):
        await ws.send({"method": "subscribe", "req_id": n, "params": params})
        [ack] = await is_reply_of(ws, 100 + n)
        assert ack["error"] == error and ack["req_id"] == n


async def test_per_client_state_stays_bounded(
    fast: RunningExchange, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = WS(await session.ws_connect(fast.url_futures))
    assert (await ws.recv())["event"] == "info"
    issued = []
    for _ in range(100):
        await ws.send({"event": "challenge", "api_key": fast.api_key})
        issued.append((await ws.recv())["message"])
    assert fast.futures is not None
    [state] = fast.futures.venue.state.values()
    assert list(state.challenges) == issued[-16:]
    for challenge, accepted in ((issued[0], False), (issued[-1], True)):
        await ws.send(
            {
                "event": "subscribe",
                "feed": "open_orders",
                "api_key": fast.api_key,
                "original_challenge": challenge,
                "signed_challenge": sign_futures_challenge(challenge, fast.api_secret),
            }
        )
        reply = await ws.until(lambda m: "event" in m)
        assert (reply["event"] == "subscribed") is accepted, reply

    monkeypatch.setattr(credentials, "TOKENS_KEPT", 5)
    tokens = [await get_token(session, fast) for _ in range(8)]
    assert list(fast.credentials.tokens) == tokens[-5:]
    assert fast.credentials.user_of(tokens[0]) is None and fast.credentials.user_of(tokens[-1]) == "demo"
