from __future__ import annotations

import time
import zlib
from decimal import Decimal
from typing import Any

import aiohttp
from sortedcontainers import SortedDict

from tests.exchange.conftest import connect, get_token
from tui.exchange.server import RunningExchange
from tui.kraken.auth import api_sign


def ref_checksum(book: dict[str, SortedDict[Decimal, Decimal]], pp: int, qp: int) -> int:
    """Written from the reference's algorithm (§4.1), independent of the server's code."""

    def tok(v: Decimal, prec: int) -> str:
        return format(v.quantize(Decimal(1).scaleb(-prec)), "f").replace(".", "").lstrip("0")

    asks = book["asks"].keys()[:10]
    bids = list(reversed(book["bids"].keys()[-10:]))
    text = "".join(tok(p, pp) + tok(book["asks"][p], qp) for p in asks)
    text += "".join(tok(p, pp) + tok(book["bids"][p], qp) for p in bids)
    return zlib.crc32(text.encode())


async def test_status_ping_and_subscription_errors(
    exchange: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await connect(session, exchange.url_public)
    await ws.send({"method": "ping", "req_id": 101})
    pong = await ws.recv()
    assert pong["method"] == "pong" and pong["req_id"] == 101 and pong["time_in"].endswith("Z")
    await ws.send({"method": "ping", "params": {}, "req_id": 1})
    assert (await ws.recv())["error"] == "Unsupported field: 'params' for the given msg type: ping"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "book", "symbol": ["XBT/USD"]}, "Currency pair not supported XBT/USD"),
        ({"channel": "book", "symbol": ["BTC/USD"], "depth": 27}, "Subscription depth not supported"),
        ({"channel": "book", "symbol": "BTC/USD"}, "Symbol field must be an array"),
        (
            {"channel": "executions", "token": "x"},
            "Private data and trading are unavailable on this endpoint. Try ws-auth.kraken.com",
        ),
        (
            {"channel": "book", "symbol": ["BTC/USD"], "price": 1},
            "Unsupported field: 'price' for the given msg type: subscribe",
        ),
    ]
    for params, error in cases:
        await ws.send({"method": "subscribe", "params": params, "req_id": 7})
        ack = await ws.until(lambda m: m.get("method") == "subscribe")
        assert ack["success"] is False and ack["error"] == error and ack["req_id"] == 7
    await ws.send(
        {
            "method": "subscribe",
            "params": {"channel": "ticker", "symbol": ["BTC/USD", "ETH/USD"]},
            "req_id": 8,
        }
    )
    acks = [await ws.until(lambda m: m.get("method") == "subscribe") for _ in range(2)]
    assert {a["result"]["symbol"] for a in acks} == {"BTC/USD", "ETH/USD"}
    await ws.send(
        {"method": "subscribe", "params": {"channel": "ticker", "symbol": ["BTC/USD"]}, "req_id": 9}
    )
    again = await ws.until(lambda m: m.get("method") == "subscribe" and m.get("req_id") == 9)
    assert again["error"] == "Already subscribed"
    await ws.send(
        {"method": "unsubscribe", "params": {"channel": "trade", "symbol": ["BTC/USD"]}, "req_id": 10}
    )
    nf = await ws.until(lambda m: m.get("req_id") == 10)
    assert nf["error"] == "Subscription Not Found"
    priv = await connect(session, exchange.url_private)
    await priv.send({"method": "subscribe", "params": {"channel": "book", "symbol": ["BTC/USD"]}})
    assert (await priv.recv())["error"] == (
        "Public market data subscriptions are unavailable on this endpoint. Try ws.kraken.com"
    )
    await priv.send(
        {"method": "subscribe", "params": {"channel": "executions", "token": "bogus"}, "req_id": 3}
    )
    bad = await priv.recv()
    assert bad["error"] == "ESession:Invalid session" and bad["status"] == "error"


async def _verify_stream(
    exchange: RunningExchange, session: aiohttp.ClientSession, depth: int, n: int
) -> int:
    ws = await connect(session, exchange.url_public)
    await ws.send(
        {
            "method": "subscribe",
            "params": {"channel": "book", "symbol": ["BTC/USD"], "depth": depth},
            "req_id": 1,
        }
    )
    book: dict[str, SortedDict[Decimal, Decimal]] = {"bids": SortedDict(), "asks": SortedDict()}
    checked = 0
    assert exchange.market is not None
    while checked < n:
        for _ in range(200):
            exchange.market.markets[0].step()
            exchange.publish()
        await ws.send({"method": "ping", "req_id": 77})  # frames arrive in order: the pong closes the batch
        while True:
            msg = await ws.recv()
            if msg.get("method") == "pong":
                break
            if msg.get("channel") != "book":
                continue
            data = msg["data"][0]
            if msg["type"] == "snapshot":
                book = {"bids": SortedDict(), "asks": SortedDict()}
            for side in ("bids", "asks"):
                levels = book[side]
                for lvl in data[side]:
                    if lvl["qty"] == 0:
                        levels.pop(lvl["price"], None)
                    else:
                        levels[lvl["price"]] = lvl["qty"]
                while len(levels) > depth:
                    levels.popitem(0 if side == "bids" else -1)
            assert ref_checksum(book, 1, 8) == data["checksum"]
            checked += 1
    return checked


async def test_book_frames_verify_independently_at_depth_10_and_1000(
    exchange: RunningExchange, session: aiohttp.ClientSession
) -> None:
    assert await _verify_stream(exchange, session, 10, 10_000) >= 10_000
    assert await _verify_stream(exchange, session, 1000, 10_000) >= 10_000


async def test_number_formatting_keeps_precision(
    exchange: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await connect(session, exchange.url_public)
    await ws.send({"method": "subscribe", "params": {"channel": "book", "symbol": ["BTC/USD"], "depth": 10}})
    raw = ""
    for _ in range(3):
        msg = await ws.ws.receive(timeout=2)
        raw = msg.data
        if '"type":"snapshot"' in raw:
            break
    import re

    prices = re.findall(r'"price":([0-9.e-]+)', raw)
    qtys = re.findall(r'"qty":([0-9.e-]+)', raw)
    assert prices and all(len(p.split(".")[1]) == 1 for p in prices)
    assert qtys and all(len(q.split(".")[1]) == 8 for q in qtys)


async def test_crossing_order_fills_at_resting_price_everywhere(
    exchange: RunningExchange, session: aiohttp.ClientSession
) -> None:
    token = await get_token(session, exchange)
    priv = await connect(session, exchange.url_private)
    pub = await connect(session, exchange.url_public)
    l3 = await connect(session, exchange.url_l3)
    await pub.send({"method": "subscribe", "params": {"channel": "trade", "symbol": ["BTC/USD"]}})
    await pub.send({"method": "subscribe", "params": {"channel": "book", "symbol": ["BTC/USD"], "depth": 10}})
    await priv.send({"method": "subscribe", "params": {"channel": "executions", "token": token}})
    await priv.send({"method": "subscribe", "params": {"channel": "balances", "token": token}})
    await priv.until(lambda m: m.get("channel") == "balances" and m["type"] == "snapshot")
    best_ask = exchange.engine.levels("BTC/USD", "ask", 1)[0][0]
    ask_price = Decimal(best_ask).scaleb(-1)
    await priv.send(
        {
            "method": "add_order",
            "req_id": 11,
            "params": {
                "order_type": "limit",
                "side": "buy",
                "order_qty": Decimal("0.0001"),
                "limit_price": ask_price + 100,
                "symbol": "BTC/USD",
                "token": token,
                "cl_ord_id": "cross-1",
            },
        }
    )
    ack = await priv.until(lambda m: m.get("method") == "add_order")
    assert ack["success"] and ack["result"]["cl_ord_id"] == "cross-1" and ack["req_id"] == 11
    types = []
    trade_report = None
    while "filled" not in types:
        m = await priv.until(lambda m: m.get("channel") == "executions" and m["type"] == "update")
        for r in m["data"]:
            types.append(r["exec_type"])
            if r["exec_type"] == "trade":
                trade_report = r
    assert types[:3] == ["pending_new", "new", "trade"] and types[-1] == "filled"
    assert trade_report is not None and trade_report["last_price"] == ask_price  # the resting price
    assert trade_report["liquidity_ind"] == "t" and trade_report["fees"][0]["asset"] == "USD"
    bal = await priv.until(lambda m: m.get("channel") == "balances" and m["type"] == "update")
    assert bal["data"][0]["type"] == "trade"
    trade = await pub.until(lambda m: m.get("channel") == "trade")
    assert trade["data"][0]["price"] == ask_price and trade["data"][0]["side"] == "buy"
    # a resting order appears in level3 and in the book
    bid = Decimal(exchange.engine.levels("BTC/USD", "bid", 1)[0][0]).scaleb(-1) + Decimal("0.1")
    await priv.send(
        {
            "method": "add_order",
            "req_id": 12,
            "params": {
                "order_type": "limit",
                "side": "buy",
                "order_qty": Decimal("0.0002"),
                "limit_price": bid,
                "symbol": "BTC/USD",
                "token": token,
            },
        }
    )
    oid = (await priv.until(lambda m: m.get("req_id") == 12))["result"]["order_id"]
    await l3.send(
        {"method": "subscribe", "params": {"channel": "level3", "symbol": ["BTC/USD"], "token": token}}
    )
    snap = await l3.until(lambda m: m.get("channel") == "level3")
    assert snap["data"][0]["bids"][0]["order_id"] == oid
    upd = await pub.until(
        lambda m: m.get("channel") == "book" and any(lv["price"] == bid for lv in m["data"][0]["bids"])
    )
    assert upd


async def test_trading_errors(exchange: RunningExchange, session: aiohttp.ClientSession) -> None:
    token = await get_token(session, exchange)
    priv = await connect(session, exchange.url_private)

    async def add(**params: Any) -> dict[str, Any]:
        base = {
            "order_type": "limit",
            "side": "buy",
            "order_qty": Decimal("0.001"),
            "limit_price": Decimal("1000.0"),
            "symbol": "BTC/USD",
            "token": token,
        }
        base.update(params)
        await priv.send(
            {"method": "add_order", "params": {k: v for k, v in base.items() if v is not None}, "req_id": 5}
        )
        return await priv.until(lambda m: m.get("method") == "add_order")

    assert (await add(token="nope"))["error"] == "ESession:Invalid session"
    assert (await add(symbol="FOO/USD"))["error"] == "Currency pair not supported FOO/USD"
    assert (await add(price=1))["error"] == "Unsupported field: 'price' for the given msg type: add order"
    assert (await add(limit_price="abc"))["error"] == "Limit_price field must be a number_float"
    assert (await add(order_qty=Decimal("500")))["error"] == "EOrder:Insufficient funds"
    assert (await add(order_qty=Decimal("0.00001")))["error"] == "EOrder:Order minimum not met"
    assert (await add(limit_price=Decimal("1000.05")))["error"] == "EGeneral:Invalid arguments:precision"
    assert (await add(cl_ord_id="dup"))["success"]
    assert (await add(cl_ord_id="dup"))["error"] == "EOrder:Duplicate cl_ord_id"
    await priv.send({"method": "cancel_order", "params": {"order_id": ["NOPE"], "token": token}, "req_id": 9})
    assert (await priv.until(lambda m: m.get("req_id") == 9))["error"] == "EOrder:Unknown order"
    exchange.faults.rate_limited = 1.0
    assert (await add())["error"] == "EOrder:Rate limit exceeded"
    exchange.faults.rate_limited = 0.0
    pub = await connect(session, exchange.url_public)
    await pub.send({"method": "add_order", "params": {"token": token}})
    assert "ws-auth" in (await pub.recv())["error"]


async def test_dead_mans_switch_fires(exchange: RunningExchange, session: aiohttp.ClientSession) -> None:
    token = await get_token(session, exchange)
    priv = await connect(session, exchange.url_private)
    await priv.send(
        {
            "method": "add_order",
            "req_id": 1,
            "params": {
                "order_type": "limit",
                "side": "buy",
                "order_qty": Decimal("0.001"),
                "limit_price": Decimal("1000.0"),
                "symbol": "BTC/USD",
                "token": token,
            },
        }
    )
    assert (await priv.until(lambda m: m.get("req_id") == 1))["success"]
    await priv.send(
        {"method": "cancel_all_orders_after", "params": {"timeout": 1, "token": token}, "req_id": 2}
    )
    res = await priv.until(lambda m: m.get("req_id") == 2)
    assert res["result"]["triggerTime"].endswith("Z")
    assert len(exchange.engine.open_orders("demo")) == 1
    deadline = time.monotonic() + 3
    while exchange.engine.open_orders("demo") and time.monotonic() < deadline:
        await priv.recv(timeout=3) if priv.backlog else None
        import asyncio

        await asyncio.sleep(0.1)
    assert exchange.engine.open_orders("demo") == []


async def test_rest_token_errors(exchange: RunningExchange, session: aiohttp.ClientSession) -> None:
    path = "/0/private/GetWebSocketsToken"
    body = "nonce=5"
    r = await session.post(exchange.url_rest + path, data=body, headers={"API-Key": "wrong", "API-Sign": "x"})
    assert (await r.json())["error"] == ["EAPI:Invalid key"]
    r = await session.post(
        exchange.url_rest + path, data=body, headers={"API-Key": exchange.api_key, "API-Sign": "x"}
    )
    assert (await r.json())["error"] == ["EAPI:Invalid signature"]
    await get_token(session, exchange, nonce=10)
    sign = api_sign(path, 9, "nonce=9", exchange.api_secret)
    r = await session.post(
        exchange.url_rest + path,
        data="nonce=9",
        headers={
            "API-Key": exchange.api_key,
            "API-Sign": sign,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert (await r.json())["error"] == ["EAPI:Invalid nonce"]
    r = await session.get(exchange.url_rest + "/0/public/AssetPairs")
    assert "BTCUSD" in (await r.json())["result"]
