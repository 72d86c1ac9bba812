"""Kraken Futures WS v1 and REST v3 of the embedded exchange, over real loopback sockets.

Expected frames are written from the protocol reference §9 and the task's wire shapes, and the
book is rebuilt by a plain dict here, independent of the server's code.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.exchange.conftest import WS
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.kraken.auth import futures_authent, sign_futures_challenge

VECTOR_CHALLENGE = "c100b894-1729-464d-ace1-52dbce11db42"
VECTOR_SECRET = "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm"
VECTOR_SIGNED = "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A=="
_nonces = itertools.count(time.time_ns())


@pytest.fixture
async def fx() -> AsyncIterator[RunningExchange]:
    """A still market (rate 0): seeded books that only our orders move, so numbers are exact."""
    ex = await start_exchange(
        ExchangeConfig(port=0, rate=0, seed=11, symbols=["BTC/USD"], heartbeat_interval=0.2)
    )
    yield ex
    await ex.stop()


@pytest.fixture
async def live() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(ExchangeConfig(port=0, rate=50, seed=5, symbols=["BTC/USD"]))
    yield ex
    await ex.stop()


async def fconnect(session: aiohttp.ClientSession, ex: RunningExchange) -> WS:
    ws = WS(await session.ws_connect(ex.url_futures))
    assert await ws.recv() == {"event": "info", "version": 1}
    return ws


async def challenge(ws: WS, key: str) -> str:
    await ws.send({"event": "challenge", "api_key": key})
    msg = await ws.until(lambda m: m.get("event") == "challenge")
    text: str = msg["message"]
    return text


async def private(ws: WS, ex: RunningExchange, *feeds: str) -> None:
    c = await challenge(ws, ex.api_key)
    signed = sign_futures_challenge(c, ex.api_secret)
    for feed in feeds:
        await ws.send(
            {
                "event": "subscribe",
                "feed": feed,
                "api_key": ex.api_key,
                "original_challenge": c,
                "signed_challenge": signed,
            }
        )
        ack = await ws.until(lambda m, f=feed: m.get("event") is not None and m.get("feed") in (f, None))
        assert ack["event"] == "subscribed", ack


async def rest(
    session: aiohttp.ClientSession,
    ex: RunningExchange,
    endpoint: str,
    params: dict[str, Any] | None = None,
    *,
    method: str = "POST",
    nonce: int | None = None,
    secret: str | None = None,
    signed_path: str | None = None,
) -> dict[str, Any]:
    body = urlencode(params or {})
    n = str(nonce if nonce is not None else next(_nonces))
    authent = futures_authent(body, n, signed_path or f"/api/v3/{endpoint}", secret or ex.api_secret)
    headers = {"APIKey": ex.api_key, "Authent": authent, "Nonce": n}
    url = f"{ex.url_futures_rest}/api/v3/{endpoint}"
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        resp = await session.post(url, data=body, headers=headers)
    else:
        resp = await session.get(url + (f"?{body}" if body else ""), headers=headers)
    assert resp.status == 200
    data: dict[str, Any] = json.loads(await resp.text(), parse_float=Decimal)
    return data


def best(ex: RunningExchange, symbol: str, side: str) -> tuple[Decimal, Decimal]:
    pair = ex.futures_pairs[symbol]
    price, qty = ex.engine.levels(symbol, side, 1)[0]
    return pair.price_decimal(price), pair.qty_decimal(qty)


# --- connection, public feeds ---------------------------------------------------------------------
async def test_info_errors_and_spot_isolation(fx: RunningExchange, session: aiohttp.ClientSession) -> None:
    ws = await fconnect(session, fx)
    await ws.ws.send_str("{not json")
    assert await ws.recv() == {"event": "error", "message": "Json Error"}
    await ws.send({"event": "subscribe", "feed": "nope", "product_ids": ["PF_XBTUSD"]})
    assert await ws.recv() == {"event": "alert", "message": "Couldn't subscribe to invalid feed"}
    await ws.send({"event": "subscribe", "feed": "ticker", "product_ids": ["PF_NOPE"]})
    assert await ws.recv() == {"event": "subscribed_failed", "feed": "ticker", "product_ids": ["PF_NOPE"]}
    # spot never lists futures products
    pairs = await (await session.get(fx.url_rest + "/0/public/AssetPairs")).json()
    assert not [k for k in pairs["result"] if k.startswith("PF_")]
    assert "futures: ws://" in fx.banner() and fx.banner().splitlines()[4].startswith("api key: ")


async def test_spot_methods_never_touch_futures_orders(
    fx: RunningExchange, session: aiohttp.ClientSession
) -> None:
    from tests.exchange.conftest import connect, get_token

    bid = best(fx, "PF_XBTUSD", "bid")[0]
    placed = await rest(
        session,
        fx,
        "sendorder",
        {
            "orderType": "lmt",
            "symbol": "PF_XBTUSD",
            "side": "buy",
            "size": "0.001",
            "limitPrice": str(bid - 50),
            "cliOrdId": "f-1",
        },
    )
    oid = placed["sendStatus"]["order_id"]
    ws = await connect(session, fx.url_private)
    token = await get_token(session, fx)
    await ws.send(
        {
            "method": "batch_cancel",
            "params": {"orders": [oid, "OUNKNOWN-AAAAA-BBBBBB", "OUNKNOWN-AAAAA-CCCCCC"], "token": token},
            "req_id": 1,
        }
    )
    reply = await ws.until(lambda m: m.get("method") == "batch_cancel")
    assert reply["success"] and reply["orders_cancelled"] == 0
    await ws.send({"method": "cancel_all", "params": {"token": token}, "req_id": 2})
    await ws.until(lambda m: m.get("method") == "cancel_all")
    assert [o.order_id for o in fx.engine.futures_orders("demo")] == [oid]


async def test_book_snapshot_and_contiguous_updates_rebuild_the_engine_book(
    live: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await fconnect(session, live)
    await ws.send({"event": "subscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]})
    ack = await ws.recv()
    assert ack == {"event": "subscribed", "feed": "book", "product_ids": ["PF_XBTUSD"]}
    snap = await ws.recv()
    assert snap["feed"] == "book_snapshot" and snap["product_id"] == "PF_XBTUSD" and "tickSize" in snap
    assert isinstance(snap["timestamp"], int)
    book = {
        "buy": {b["price"]: b["qty"] for b in snap["bids"]},
        "sell": {a["price"]: a["qty"] for a in snap["asks"]},
    }
    bid_prices = [b["price"] for b in snap["bids"]]
    assert bid_prices == sorted(bid_prices, reverse=True)
    seq = snap["seq"]
    updates = 0
    deadline = time.monotonic() + 0.8
    while time.monotonic() < deadline or updates == 0:
        m = await ws.recv()
        assert m["feed"] == "book" and m["seq"] == seq + 1, (m, seq)
        seq = m["seq"]
        updates += 1
        if m["qty"] == 0:
            book[m["side"]].pop(m["price"], None)
        else:
            book[m["side"]][m["price"]] = m["qty"]
    live.config.rate = 0  # pause the market, then drain what is in flight
    with pytest.raises(TimeoutError):
        while True:
            m = await ws.recv(timeout=0.3)
            assert m["seq"] == seq + 1
            seq = m["seq"]
            if m["qty"] == 0:
                book[m["side"]].pop(m["price"], None)
            else:
                book[m["side"]][m["price"]] = m["qty"]
    pair = live.futures_pairs["PF_XBTUSD"]
    for side, eside in (("buy", "bid"), ("sell", "ask")):
        engine = {
            pair.price_decimal(p): pair.qty_decimal(q) for p, q in live.engine.levels("PF_XBTUSD", eside)
        }
        assert book[side] == engine
    assert updates > 5


async def test_ticker_fields_trade_snapshot_and_heartbeat(
    fx: RunningExchange, session: aiohttp.ClientSession
) -> None:
    for side in ("buy", "sell", "buy"):
        r = await rest(
            session,
            fx,
            "sendorder",
            {"orderType": "mkt", "symbol": "PF_XBTUSD", "side": side, "size": "0.001"},
        )
        assert r["sendStatus"]["status"] == "filled", r
    ws = await fconnect(session, fx)
    await ws.send({"event": "subscribe", "feed": "ticker", "product_ids": ["PF_XBTUSD"]})
    await ws.until(lambda m: m.get("event") == "subscribed")
    t = await ws.until(lambda m: m.get("feed") == "ticker")
    for key in (
        "time", "bid", "ask", "bid_size", "ask_size", "volume", "volumeQuote", "last", "change", "index",
        "markPrice", "premium", "funding_rate", "relative_funding_rate", "funding_rate_prediction",
        "next_funding_rate_time", "openInterest", "dtm", "leverage", "tag", "pair", "suspended",
        "post_only", "maturityTime",
    ):  # fmt: skip
        assert key in t, key
    bid, ask = best(fx, "PF_XBTUSD", "bid")[0], best(fx, "PF_XBTUSD", "ask")[0]
    assert t["markPrice"] == (bid + ask) / 2 and t["pair"] == "XBT:USD" and t["tag"] == "perpetual"
    spot = fx.pairs["BTC/USD"]
    sb, sa = fx.engine.best("BTC/USD", "bid"), fx.engine.best("BTC/USD", "ask")
    assert sb is not None and sa is not None
    index = (spot.price_decimal(sb) + spot.price_decimal(sa)) / 2
    assert t["index"] == index
    assert t["relative_funding_rate"] == ((t["markPrice"] - index) / index / 8).quantize(Decimal("1e-12"))
    assert t["openInterest"] == Decimal("0.001")  # the demo user's net long 0.001
    await ws.send({"event": "subscribe", "feed": "trade", "product_ids": ["PF_XBTUSD"]})
    snap = await ws.until(lambda m: m.get("feed") == "trade_snapshot")
    seqs = [x["seq"] for x in snap["trades"]]
    assert len(seqs) >= 3 and seqs == sorted(seqs, reverse=True)
    assert snap["trades"][0]["side"] == "buy" and snap["trades"][0]["type"] == "fill"
    await ws.send({"event": "subscribe", "feed": "heartbeat"})
    hb = await ws.until(lambda m: m.get("feed") == "heartbeat" and "event" not in m)
    assert isinstance(hb["time"], int) and set(hb) == {"feed", "time"}
    await rest(
        session, fx, "sendorder", {"orderType": "mkt", "symbol": "PF_XBTUSD", "side": "sell", "size": "0.002"}
    )
    trade = await ws.until(lambda m: m.get("feed") == "trade" and "event" not in m)
    assert trade["side"] == "sell" and trade["seq"] == seqs[0] + 1 and isinstance(trade["uid"], str)


async def test_candle_snapshot_and_updates(fx: RunningExchange, session: aiohttp.ClientSession) -> None:
    ws = await fconnect(session, fx)
    await ws.send({"event": "subscribe", "feed": "candles_trade_1m", "product_ids": ["PF_XBTUSD"]})
    assert (await ws.until(lambda m: m.get("event") is not None))["event"] == "subscribed"
    snap = await ws.until(lambda m: m.get("feed") == "candles_trade_1m_snapshot")
    times = [c["time"] for c in snap["candles"]]
    assert len(times) > 10 and times == sorted(times) and all(t % 60_000 == 0 for t in times)
    first = snap["candles"][-1]
    assert Decimal(first["low"]) <= Decimal(first["open"]) <= Decimal(first["high"])
    r = await rest(
        session, fx, "sendorder", {"orderType": "mkt", "symbol": "PF_XBTUSD", "side": "buy", "size": "0.002"}
    )
    assert r["sendStatus"]["status"] == "filled", r
    upd = await ws.until(lambda m: m.get("feed") == "candles_trade_1m")
    price = fx.engine.trades("PF_XBTUSD", 1)[-1].price
    assert upd["product_id"] == "PF_XBTUSD"
    assert Decimal(upd["candle"]["close"]) == fx.futures_pairs["PF_XBTUSD"].price_decimal(price)
    await ws.send({"event": "subscribe", "feed": "candles_trade_12h", "product_ids": ["PF_XBTUSD"]})
    alert = await ws.until(lambda m: m.get("event") == "alert")
    assert alert["message"] == "Couldn't subscribe to invalid feed"


# --- authentication -------------------------------------------------------------------------------
async def test_challenge_auth_success_and_failures(
    fx: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await fconnect(session, fx)
    await private(ws, fx, "open_orders")
    snap = await ws.until(lambda m: m.get("feed") == "open_orders_snapshot")
    assert snap == {"feed": "open_orders_snapshot", "account": "demo", "orders": []}
    c = await challenge(ws, fx.api_key)
    other = await fconnect(session, fx)
    bad = [
        {"original_challenge": c, "signed_challenge": sign_futures_challenge(c, VECTOR_SECRET)},  # wrong key
        {"original_challenge": c, "signed_challenge": sign_futures_challenge(c, fx.api_secret)},  # other conn
    ]
    for i, creds in enumerate(bad):
        target = ws if i == 0 else other
        await target.send({"event": "subscribe", "feed": "fills", "api_key": fx.api_key, **creds})
        alert = await target.until(lambda m: m.get("event") is not None)
        assert alert == {"event": "alert", "message": "Failed to subscribe to authenticated feed"}


async def test_documented_challenge_vector_through_the_server(
    fx: RunningExchange, session: aiohttp.ClientSession
) -> None:
    assert fx.futures is not None
    fx.add_user("vector-key", VECTOR_SECRET, "vector", {})
    fx.futures.new_challenge = lambda: VECTOR_CHALLENGE
    ws = await fconnect(session, fx)
    assert await challenge(ws, "vector-key") == VECTOR_CHALLENGE
    await ws.send(
        {
            "event": "subscribe",
            "feed": "balances",
            "api_key": "vector-key",
            "original_challenge": VECTOR_CHALLENGE,
            "signed_challenge": VECTOR_SIGNED,
        }
    )
    ack = await ws.recv()
    assert ack["event"] == "subscribed" and ack["signed_challenge"] == VECTOR_SIGNED
    snap = await ws.recv()
    assert snap["feed"] == "balances_snapshot" and snap["account"] == "vector"


async def test_rest_authent_failures_and_nonce(fx: RunningExchange, session: aiohttp.ClientSession) -> None:
    r = await rest(session, fx, "openorders", method="GET", secret=VECTOR_SECRET)
    assert r["result"] == "error" and r["error"] == "authenticationError" and "serverTime" in r
    r = await rest(session, fx, "openorders", method="GET", signed_path="/derivatives/api/v3/openorders")
    assert r["error"] == "authenticationError"
    n = next(_nonces)
    assert (await rest(session, fx, "openorders", method="GET", nonce=n))["result"] == "success"
    r = await rest(session, fx, "openorders", method="GET", nonce=n)
    assert r == {"result": "error", "error": "nonceBelowThreshold", "serverTime": r["serverTime"]}
    r = await rest(session, fx, "sendorder", {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy"})
    assert r["error"] == "invalidArgument: size"


# --- order entry and private feeds ----------------------------------------------------------------
async def test_resting_order_shows_in_open_orders_then_cancels(
    fx: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await fconnect(session, fx)
    await private(ws, fx, "open_orders")
    await ws.until(lambda m: m.get("feed") == "open_orders_snapshot")
    params = {
        "orderType": "lmt",
        "symbol": "PF_XBTUSD",
        "side": "buy",
        "size": "0.01",
        "limitPrice": "90000.5",
        "cliOrdId": "my-1",
    }
    r = await rest(session, fx, "sendorder", params)
    st = r["sendStatus"]
    assert r["result"] == "success" and st["status"] == "placed" and st["cliOrdId"] == "my-1"
    assert [e["type"] for e in st["orderEvents"]] == ["PLACE"]
    assert st["orderEvents"][0]["order"]["limitPrice"] == Decimal("90000.5")
    upd = await ws.until(lambda m: m.get("feed") == "open_orders")
    assert upd["is_cancel"] is False and upd["reason"] == "new_placed_order_by_user"
    o = upd["order"]
    assert (o["instrument"], o["qty"], o["filled"], o["limit_price"], o["type"]) == (
        "PF_XBTUSD",
        Decimal("0.0100"),
        Decimal("0.0000"),
        Decimal("90000.5"),
        "limit",
    )
    assert o["order_id"] == st["order_id"] and o["cli_ord_id"] == "my-1" and o["direction"] == 0
    assert o["reduce_only"] is False and isinstance(o["time"], int)
    again = await rest(session, fx, "sendorder", params)
    assert again["sendStatus"]["status"] == "clientOrderIdAlreadyExist"
    oo = await rest(session, fx, "openorders", method="GET")
    assert [(x["order_id"], x["status"], x["unfilledSize"]) for x in oo["openOrders"]] == [
        (st["order_id"], "untouched", Decimal("0.0100"))
    ]
    c = await rest(session, fx, "cancelorder", {"order_id": st["order_id"]})
    assert c["cancelStatus"]["status"] == "cancelled" and c["cancelStatus"]["cliOrdId"] == "my-1"
    gone = await ws.until(lambda m: m.get("feed") == "open_orders")
    assert gone == {
        "feed": "open_orders",
        "order_id": st["order_id"],
        "cli_ord_id": "my-1",
        "is_cancel": True,
        "reason": "cancelled_by_user",
    }
    nf = await rest(session, fx, "cancelorder", {"order_id": st["order_id"]})
    assert nf["cancelStatus"]["status"] == "notFound"
    assert (await rest(session, fx, "cancelallorders"))["cancelStatus"]["status"] == "noOrdersToCancel"


async def test_marketable_order_updates_fills_positions_and_balances_exactly(
    fx: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await fconnect(session, fx)
    await private(ws, fx, "fills", "open_positions", "balances")
    assert (await ws.until(lambda m: m.get("feed") == "fills_snapshot"))["fills"] == []
    first = await ws.until(lambda m: m.get("feed") == "open_positions")
    assert first["positions"] == [] and first["account"] == "demo" and isinstance(first["seq"], int)
    bal = await ws.until(lambda m: m.get("feed") == "balances_snapshot")
    assert bal["flex_futures"]["currencies"]["USD"]["quantity"] == Decimal(50000)
    assert bal["flex_futures"]["available_margin"] == Decimal(50000)
    ask, ask_qty = best(fx, "PF_XBTUSD", "ask")
    size = min(Decimal("0.0100"), ask_qty)
    r = await rest(
        session,
        fx,
        "sendorder",
        {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", "size": str(size), "limitPrice": str(ask)},
    )
    st = r["sendStatus"]
    assert st["status"] == "filled"
    ex_ev = st["orderEvents"][0]
    assert ex_ev["type"] == "EXECUTION" and ex_ev["price"] == ask and ex_ev["amount"] == size
    assert ex_ev["orderPriorExecution"]["filled"] == 0
    fee = size * ask * Decimal("0.0005")
    fills = await ws.until(lambda m: m.get("feed") == "fills")
    (f,) = fills["fills"]
    assert fills["username"] == "demo"
    assert (f["price"], f["qty"], f["buy"], f["fill_type"], f["fee_paid"], f["fee_currency"]) == (
        ask,
        size,
        True,
        "taker",
        fee,
        "USD",
    )
    assert f["order_id"] == st["order_id"] and f["remaining_order_qty"] == 0 and f["order_type"] == "lmt"
    pos = await ws.until(lambda m: m.get("feed") == "open_positions" and m["positions"])
    assert pos["seq"] == first["seq"] + 1
    (p,) = pos["positions"]
    mark = fx.engine.mark_price("PF_XBTUSD")
    assert mark is not None
    assert (p["instrument"], p["balance"], p["entry_price"], p["mark_price"]) == (
        "PF_XBTUSD",
        size,
        ask,
        mark,
    )
    assert p["pnl"] == size * (mark - ask)
    assert p["initial_margin"] == size * mark * Decimal("0.02")
    bal = await ws.until(lambda m: m.get("feed") == "balances")
    flex = bal["flex_futures"]
    assert flex["currencies"]["USD"]["quantity"] == Decimal(50000) - fee
    assert flex["pnl"] == size * (mark - ask)
    assert flex["margin_equity"] == Decimal(50000) - fee + size * (mark - ask)
    assert flex["available_margin"] == flex["margin_equity"] - size * mark * Decimal("0.02")
    acc = await rest(session, fx, "accounts", method="GET")
    assert acc["accounts"]["flex"]["margin_equity"] == flex["margin_equity"]
    op = await rest(session, fx, "openpositions", method="GET")
    assert op["openPositions"] == [
        {
            "side": "long",
            "symbol": "PF_XBTUSD",
            "price": ask,
            "fillTime": op["openPositions"][0]["fillTime"],
            "size": size,
            "unrealizedFunding": 0,
        }
    ]
    # reduce-only that would flip the position is refused; one that closes it fills
    flip = {
        "orderType": "mkt",
        "symbol": "PF_XBTUSD",
        "side": "sell",
        "size": str(size * 2),
        "reduceOnly": "true",
    }
    assert (await rest(session, fx, "sendorder", flip))["sendStatus"]["status"] == "wouldNotReducePosition"
    close = {**flip, "size": str(size)}
    assert (await rest(session, fx, "sendorder", close))["sendStatus"]["status"] == "filled"
    assert fx.engine.ledger.qty("demo", "PF_XBTUSD") == 0


async def test_rejections(fx: RunningExchange, session: aiohttp.ClientSession) -> None:
    ask = best(fx, "PF_XBTUSD", "ask")[0]
    bid = best(fx, "PF_XBTUSD", "bid")[0]
    base = {"symbol": "PF_XBTUSD", "side": "buy"}
    cases = [
        ({"orderType": "lmt", "size": "30", "limitPrice": "90000"}, "insufficientAvailableFunds"),
        ({"orderType": "post", "size": "0.001", "limitPrice": str(ask)}, "postWouldExecute"),
        ({"orderType": "ioc", "size": "0.001", "limitPrice": str(bid)}, "iocWouldNotExecute"),
        (
            {"orderType": "lmt", "size": "0.001", "limitPrice": "90000", "reduceOnly": "true"},
            "wouldNotReducePosition",
        ),
        ({"orderType": "lmt", "size": "0.00001", "limitPrice": "90000"}, "invalidSize"),
        ({"orderType": "lmt", "size": "0.001", "limitPrice": "90000.3"}, "invalidPrice"),
        ({"orderType": "fok", "size": "0.001", "limitPrice": "90000"}, "invalidOrderType"),
    ]
    for params, status in cases:
        r = await rest(session, fx, "sendorder", {**base, **params})
        assert r["result"] == "success" and r["sendStatus"]["status"] == status, (params, r)
    post = await rest(session, fx, "sendorder", {**base, **cases[1][0]})
    assert post["sendStatus"]["orderEvents"][0]["type"] == "REJECT"
    assert fx.engine.futures_orders("demo") == []


async def test_editorder_and_dead_mans_switch(fx: RunningExchange, session: aiohttp.ClientSession) -> None:
    ws = await fconnect(session, fx)
    await private(ws, fx, "open_orders")
    await ws.until(lambda m: m.get("feed") == "open_orders_snapshot")
    r = await rest(
        session,
        fx,
        "sendorder",
        {"orderType": "lmt", "symbol": "PF_ETHUSD", "side": "sell", "size": "0.5", "limitPrice": "3900.1"},
    )
    oid = r["sendStatus"]["order_id"]
    await ws.until(lambda m: m.get("reason") == "new_placed_order_by_user")
    e = await rest(session, fx, "editorder", {"orderId": oid, "size": "0.25", "limitPrice": "3950"})
    es = e["editStatus"]
    assert es["status"] == "edited" and es["orderId"] == oid
    assert es["orderEvents"][0]["type"] == "EDIT" and es["orderEvents"][0]["new"]["limitPrice"] == Decimal(
        "3950.0"
    )
    upd = await ws.until(lambda m: m.get("reason") == "edited_by_user")
    assert upd["order"]["qty"] == Decimal("0.250") and upd["order"]["limit_price"] == Decimal("3950.0")
    bad = await rest(session, fx, "editorder", {"orderId": oid, "limitPrice": "3950.05"})
    assert bad["editStatus"]["status"] == "invalidPrice"
    missing = await rest(session, fx, "editorder", {"orderId": "nope", "size": "1"})
    assert missing["editStatus"]["status"] == "orderForEditNotFound"
    d = await rest(session, fx, "cancelallordersafter", {"timeout": "1"})
    assert d["result"] == "success" and set(d["status"]) == {"currentTime", "triggerTime"}
    gone = await ws.until(lambda m: m.get("is_cancel") is True, timeout=2.5)
    assert gone["order_id"] == oid and gone["reason"] == "dead_man_switch"
    assert fx.engine.futures_orders("demo") == []


async def test_public_rest_and_drop_fault(fx: RunningExchange, session: aiohttp.ClientSession) -> None:
    inst = await (await session.get(fx.url_futures_rest + "/api/v3/instruments")).json(
        loads=lambda s: json.loads(s, parse_float=Decimal)
    )
    rows = {r["symbol"]: r for r in inst["instruments"]}
    assert rows["PF_XBTUSD"]["tickSize"] == Decimal("0.5") and rows["PF_ETHUSD"]["tickSize"] == Decimal("0.1")
    assert rows["PF_XBTUSD"]["contractValueTradePrecision"] == 4 and rows["PF_XBTUSD"]["pair"] == "XBT:USD"
    tick = await (await session.get(fx.url_futures_rest + "/api/v3/tickers")).json()
    assert {t["symbol"] for t in tick["tickers"]} == {"PF_XBTUSD", "PF_ETHUSD"}
    fx.faults.drop_after = 3
    ws = await fconnect(session, fx)
    await ws.send({"event": "subscribe", "feed": "ticker", "product_ids": ["PF_XBTUSD"]})
    await ws.recv()
    await ws.recv()
    msg = await ws.ws.receive(timeout=2)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
    await asyncio.sleep(0)
