"""A third-party Kraken client against the embedded exchange: python-kraken-sdk (PyPI
``python-kraken-sdk``), with only its URLs changed.

Its ``SpotOrderBookClient`` keeps books and checks every update's checksum with its own code,
after looking up each pair's decimals through REST ``AssetPairs?pair=BTC/USD`` (the lookup that
crashed with a KeyError before the pair filter); its ``SpotWSClient`` fetches a token over
signed REST and places and cancels an order on the private socket.

How the URLs are changed: the websocket clients take ``rest_url``/``ws_url``/``auth_ws_url``; the
order-book client takes none, so a subclass sets the class's ``WS_URL`` constant, and the REST
``Market`` it builds for itself gets its class ``URL`` constant monkeypatched. The SDK's REST
calls are synchronous (``requests``) inside its event loop, so the exchange runs on a loop in its
own thread, as a real venue is elsewhere.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

pytest.importorskip("kraken.spot")  # the dev extra installs it

from kraken.spot import Market, SpotOrderBookClient, SpotWSClient

from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange

PAIRS = ["BTC/USD", "ETH/USD", "SOL/USD"]


@pytest.fixture
def venue(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningExchange]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    cfg = ExchangeConfig(port=0, rate=400, seed=11, futures_symbols=[])
    ex = asyncio.run_coroutine_threadsafe(start_exchange(cfg), loop).result(10)
    monkeypatch.setattr(Market, "URL", ex.url_rest)  # the SDK's REST constant
    try:
        yield ex
    finally:
        asyncio.run_coroutine_threadsafe(ex.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def _book_client(ex: RunningExchange, depth: int, seen: dict[str, Any]) -> Any:
    class Books(SpotOrderBookClient):
        WS_URL = f"ws://{ex.host}:{ex.port}"  # the SDK appends "/v2"

        async def on_book_update(self, pair: str, message: dict[str, Any]) -> None:
            if "error" in message:  # the SDK's own words for a checksum mismatch
                seen.setdefault("errors", []).append(message["error"])
                return
            seen.setdefault(pair, []).append(message["type"])

    return Books(depth=depth)


async def _watch_books(ex: RunningExchange, depth: int, seconds: float) -> tuple[Any, dict[str, Any]]:
    seen: dict[str, Any] = {}
    client = _book_client(ex, depth, seen)
    await client.start()
    try:
        await client.add_book(pairs=PAIRS)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not client.exception_occur:
            await asyncio.sleep(0.1)
    finally:
        await client.close()
    return client, seen


@pytest.mark.parametrize("depth", [10, 100])
async def test_the_sdk_builds_verified_books_for_three_pairs(venue: RunningExchange, depth: int) -> None:
    client, seen = await _watch_books(venue, depth, seconds=1.5)
    assert not seen.get("errors"), seen.get("errors")  # no checksum mismatch, ever
    for pair in PAIRS:
        kinds = seen.get(pair, [])
        assert kinds[:1] == ["snapshot"] and kinds.count("update") >= 5, (pair, kinds[:5], len(kinds))
        book = client.get(pair)
        assert book is not None and book["valid"] is True
        assert len(book["bid"]) == depth and len(book["ask"]) == depth  # the window it asked for
        best_bid, best_ask = next(iter(book["bid"])), next(iter(book["ask"]))
        assert Decimal(best_bid) < Decimal(best_ask)


async def test_the_sdk_places_and_cancels_an_order(venue: RunningExchange) -> None:
    replies: list[dict[str, Any]] = []
    execs: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, dict) and message.get("method") in ("add_order", "cancel_order"):
            replies.append(message)
        elif isinstance(message, dict) and message.get("channel") == "executions":
            execs.extend(row.get("exec_type") for row in message.get("data", []))

    client = SpotWSClient(
        key=venue.api_key,
        secret=venue.api_secret,
        callback=on_message,
        no_public=True,
        rest_url=venue.url_rest,
        ws_url=f"ws://{venue.host}:{venue.port}",
        auth_ws_url=f"ws://{venue.host}:{venue.port}/auth",
    )
    await client.start()
    try:
        # as a bot would; the socket then carries frames, so the SDK's close() returns at once
        await client.subscribe(params={"channel": "executions", "snap_orders": True})
        order = {
            "order_type": "limit",
            "side": "buy",
            "symbol": "BTC/USD",
            "order_qty": 0.001,
            "limit_price": 50000,
        }
        await client.send_message({"method": "add_order", "params": order, "req_id": 7})
        added = await _reply(replies, "add_order")
        assert added["success"] is True, added
        order_id = added["result"]["order_id"]
        assert [o.order_id for o in venue.engine.open_orders("demo")] == [order_id]
        await client.send_message({"method": "cancel_order", "params": {"order_id": [order_id]}, "req_id": 8})
        cancelled = await _reply(replies, "cancel_order")
        assert cancelled["success"] is True, cancelled
        assert venue.engine.open_orders("demo") == []
        await _until(lambda: "canceled" in execs)
        assert execs[execs.index("pending_new") :][:3] == ["pending_new", "new", "canceled"], execs
    finally:
        await client.close()


async def _until(pred: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not pred():
        await asyncio.sleep(0.05)


async def _reply(replies: list[dict[str, Any]], method: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for r in replies:
            if r["method"] == method:
                return r
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {method} reply; got {replies}")
