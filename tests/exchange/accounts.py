"""Test helpers: a quiet exchange (no synthetic flow, so every fill is one a test made) with
counterparty accounts, and plain-aiohttp private sockets for them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import aiohttp

from tests.exchange.conftest import WS, connect, get_token
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange

__all__ = ["ask", "executions", "private", "quiet_exchange"]

COUNTERPARTY_FUNDS = {"USD": Decimal(1_000_000), "BTC": Decimal(100), "ETH": Decimal(100)}


@asynccontextmanager
async def quiet_exchange(**config: Any) -> AsyncIterator[RunningExchange]:
    """An exchange whose books hold only what the test puts there; users ``bob`` and ``carol``
    trade against ``demo``."""
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, source="none", futures_symbols=[], **config))
    for user in ("bob", "carol"):
        ex.add_user(f"{user}-key", "c2VjcmV0", user, dict(COUNTERPARTY_FUNDS))
    try:
        yield ex
    finally:
        await ex.stop()


async def private(session: aiohttp.ClientSession, ex: RunningExchange, user: str = "demo") -> tuple[WS, str]:
    """A private socket and a token for ``user`` (demo's through REST GetWebSocketsToken)."""
    ws = await connect(session, ex.url_private)
    token = await get_token(session, ex) if user == "demo" else ex.credentials.issue_token(user)
    return ws, token


async def ask(ws: WS, method: str, params: dict[str, Any], req_id: int | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"method": method, "params": params}
    if req_id is not None:
        frame["req_id"] = req_id
    await ws.send(frame)
    return await ws.until(lambda m: m.get("method") == method)


async def executions(ws: WS, token: str, **params: Any) -> dict[str, Any]:
    """Subscribe executions; the ack (the snapshot is read and dropped)."""
    ack = await ask(ws, "subscribe", {"channel": "executions", "token": token, **params})
    assert ack["success"] is True, ack
    await ws.until(lambda m: m.get("channel") == "executions" and m.get("type") == "snapshot")
    return ack
