from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.kraken.auth import api_sign
from tui.kraken.jsontext import dumps


class WS:
    """A plain aiohttp client socket with Decimal-exact JSON parsing, as a third-party bot would use."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.backlog: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_str(dumps(frame))  # bare exact numbers, as Kraken expects

    async def recv(self, timeout: float = 3.0) -> dict[str, Any]:
        if self.backlog:
            return self.backlog.pop(0)
        msg = await self.ws.receive(timeout=timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        data: dict[str, Any] = json.loads(msg.data, parse_float=Decimal)
        return data

    async def until(self, pred: Any, timeout: float = 3.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        skipped: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            msg = await self.recv(max(0.01, deadline - time.monotonic()))
            if pred(msg):
                self.backlog = skipped + self.backlog
                return msg
            skipped.append(msg)
        raise AssertionError(
            f"no matching frame; saw {[m.get('channel') or m.get('method') for m in skipped][-20:]}"
        )


@pytest.fixture
async def exchange() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, source="synthetic", seed=3))
    yield ex
    await ex.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def connect(session: aiohttp.ClientSession, url: str) -> WS:
    ws = WS(await session.ws_connect(url))
    status = await ws.recv()
    assert status["channel"] == "status"
    return ws


async def get_token(session: aiohttp.ClientSession, ex: RunningExchange, nonce: int | None = None) -> str:
    nonce = nonce or time.time_ns()
    body = f"nonce={nonce}"
    path = "/0/private/GetWebSocketsToken"
    resp = await session.post(
        ex.url_rest + path,
        data=body,
        headers={
            "API-Key": ex.api_key,
            "API-Sign": api_sign(path, nonce, body, ex.api_secret),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    data = await resp.json()
    assert data["error"] == [], data
    token: str = data["result"]["token"]
    return token
