"""The WebSocket accept loop both venues share: greet, read, hand each text frame on, publish.

A request that raises is logged and answered with the venue's internal-error frame; it never
ends the connection or the server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.kraken.rfc3339 import format_rfc3339

__all__ = ["serve_socket"]

log = logging.getLogger("tui.exchange")

Handler = Callable[[Conn, str, str], None]  # (connection, frame text, time_in)


async def serve_socket(
    ctx: ExchangeContext,
    request: web.Request,
    kind: str,
    *,
    greeting: dict[str, Any],
    handle: Handler,
    internal_error: Callable[[str], dict[str, Any]],
    on_open: Callable[[Conn], None] | None = None,
    on_close: Callable[[Conn], None] | None = None,
    on_binary: Callable[[Conn, str], None] | None = None,
    autoping: bool = True,
) -> web.StreamResponse:
    if ctx.refusing():
        return web.Response(status=503, text="refused by fault injection")
    ws = web.WebSocketResponse(max_msg_size=1 << 20, autoping=autoping)
    await ws.prepare(request)
    conn = ctx.open_conn(ws, kind, request.transport)
    if on_open is not None:
        on_open(conn)
    writer = asyncio.create_task(conn.writer())
    conn.send(greeting)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.PING:  # only seen with autoping off
                conn.last_rx = time.monotonic()
                await ws.pong(msg.data)
                continue
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            conn.last_rx = time.monotonic()
            time_in = format_rfc3339(time.time())
            if msg.type == WSMsgType.BINARY:
                if on_binary is not None:
                    on_binary(conn, time_in)
            else:
                try:
                    handle(conn, msg.data, time_in)
                except Exception:  # a bad request must never take the server down
                    log.exception("%s request handling failed", kind)
                    conn.send(internal_error(time_in))
                ctx.publish()
            # a pipelined burst is already buffered, so reading it never waits: without this,
            # 300 requests in one burst would hold every other client for seconds
            await asyncio.sleep(0)
    finally:
        if on_close is not None:
            on_close(conn)
        ctx.conns.discard(conn)
        await conn.close()
        writer.cancel()
    return ws
