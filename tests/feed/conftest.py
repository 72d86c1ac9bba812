from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from tui.config import Settings
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.client import Feed, Urls
from tui.store import Store


def fast_settings(**kw: object) -> Settings:
    base: dict[str, object] = {
        "symbols": ["BTC/USD", "ETH/USD", "SOL/USD"],
        "book_depth": 10,
        "feed": {
            "connection_stale_after": 3.0,
            "reconnect_min_delay": 0.05,
            "reconnect_max_delay": 0.3,
            "ping_interval": 0.5,
            "request_timeout": 3.0,
            "symbol_stale_after": 30.0,
        },
    }
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def urls_of(ex: RunningExchange, key: str | None = None, secret: str | None = None) -> Urls:
    return Urls(
        ex.url_public, ex.url_private, ex.url_l3, ex.url_rest, key or ex.api_key, secret or ex.api_secret
    )


async def wait_for(pred: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def exchange() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(
        ExchangeConfig(port=0, rate=400, seed=11, symbols=["BTC/USD", "ETH/USD", "SOL/USD"])
    )
    yield ex
    await ex.stop()


@pytest.fixture
async def feed(exchange: RunningExchange) -> AsyncIterator[tuple[Feed, Store]]:
    store = Store("DEMO")
    f = Feed(fast_settings(), store, urls=urls_of(exchange))
    task = asyncio.create_task(f.run())
    yield f, store
    await f.stop()
    task.cancel()
