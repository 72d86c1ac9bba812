"""Spot v2 WebSocket endpoints: ``/v2`` public, ``/auth/v2`` private and trading, ``/l3/v2`` level3.

Parses each frame, answers ``ping``, and hands subscriptions and trading to their modules.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import msgspec
from aiohttp import web

from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.exchange.sockets import serve_socket
from tui.exchange.spot.publish import SpotPublisher
from tui.exchange.spot.replies import PRIVATE_ERR, bare_error, now_iso, reply
from tui.exchange.spot.subscribe import SpotSubscriptions
from tui.exchange.spot.trading import SpotTrading
from tui.kraken.vocab import TRADING_METHODS

__all__ = ["REQUESTS_KEPT", "SpotGateway"]

REQUESTS_KEPT = 10_000
_decoder = msgspec.json.Decoder(float_hook=str)
# where a frame nests too deep to decode, its top-level method and req_id are read by pattern
_METHOD = re.compile(
    r'^\s*\{\s*(?:"[^"\\]{0,32}"\s*:\s*(?:"[^"\\]{0,64}"|-?\d{1,19})\s*,\s*)*"method"\s*:\s*"([a-z_]{1,32})"'
)
_REQ_ID = re.compile(
    r'^\s*\{\s*(?:"[^"\\]{0,32}"\s*:\s*(?:"[^"\\]{0,64}"|-?\d{1,19})\s*,\s*)*"req_id"\s*:\s*(-?\d{1,19})\b'
)


class SpotGateway:
    def __init__(self, ctx: ExchangeContext, publisher: SpotPublisher) -> None:
        self.ctx = ctx
        self.publisher = publisher
        self.subscriptions = SpotSubscriptions(ctx, publisher)
        self.trading = SpotTrading(ctx)
        # private requests, newest last, for tests and audits (the last REQUESTS_KEPT at most)
        self.requests_received: list[dict[str, Any]] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/v2", self._ws_public)
        app.router.add_get("/auth/v2", self._ws_private)
        app.router.add_get("/l3/v2", self._ws_l3)

    async def _ws_public(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "public")

    async def _ws_private(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "private")

    async def _ws_l3(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "l3")

    async def _serve(self, request: web.Request, kind: str) -> web.StreamResponse:
        return await serve_socket(
            self.ctx,
            request,
            kind,
            greeting=_status(),
            handle=self.handle,
            internal_error=_internal_error,
            on_binary=self.handle_binary,
            on_close=self.publisher.drop,
        )

    def handle(self, conn: Conn, text: str, time_in: str) -> None:
        try:
            req = _decoder.decode(text)
        except msgspec.DecodeError:
            bare_error(conn, "Malformed request", time_in)
            return
        except RecursionError:  # nested deeper than any request: no envelope could be read
            self._too_deep(conn, text, time_in)
            return
        if not isinstance(req, dict) or not isinstance(req.get("method"), str):
            req_id = req.get("req_id") if isinstance(req, dict) else None
            bare_error(conn, "Unsupported event", time_in, req_id=req_id if _is_req_id(req_id) else None)
            return
        method = req["method"]
        req_id = req.get("req_id")
        if req_id is not None and not _is_req_id(req_id):
            reply(conn, method, None, time_in, error="Req_id field must be an integer")
            return
        if method == "ping":
            self._ping(conn, req, req_id, time_in)
            return
        params = req.get("params")
        if params is not None and not isinstance(params, dict):
            reply(conn, method, req_id, time_in, error="Params field must be an object")
            return
        params = params or {}
        if method in ("subscribe", "unsubscribe"):
            self.subscriptions.handle(conn, method, params, req_id, time_in)
        elif method in TRADING_METHODS:
            self._trade(conn, method, params, req_id, time_in)
        else:
            reply(conn, method, req_id, time_in, error="Unsupported event")

    def handle_binary(self, conn: Conn, time_in: str) -> None:
        """v2 speaks JSON text frames only: a binary frame is answered, not silently dropped."""
        bare_error(conn, "Malformed request", time_in)

    @staticmethod
    def _too_deep(conn: Conn, text: str, time_in: str) -> None:
        """Answer with the method and req_id the frame shows at its top, where they can be read."""
        method = _METHOD.search(text)
        req_id = _REQ_ID.search(text)
        rid = int(req_id.group(1)) if req_id else None
        if method is None:
            bare_error(conn, "Malformed request", time_in, req_id=rid if _is_req_id(rid) else None)
            return
        reply(
            conn,
            method.group(1),
            rid if _is_req_id(rid) else None,
            time_in,
            error="EGeneral:Invalid arguments",
        )

    @staticmethod
    def _ping(conn: Conn, req: dict[str, Any], req_id: Any, time_in: str) -> None:
        if "params" in req:
            error = "Unsupported field: 'params' for the given msg type: ping"
            reply(conn, "ping", req_id, time_in, error=error)
            return
        frame: dict[str, Any] = {"method": "pong"}
        if req_id is not None:
            frame["req_id"] = req_id
        frame.update(time_in=time_in, time_out=now_iso())
        conn.send(frame)

    def _trade(self, conn: Conn, method: str, params: dict[str, Any], req_id: Any, time_in: str) -> None:
        if conn.kind != "private":
            reply(conn, method, req_id, time_in, error=PRIVATE_ERR)
            return
        if "token" not in params:  # recorded: a trading request without a token
            reply(conn, method, req_id, time_in, error="Token(s) not found")
            return
        user = self.ctx.credentials.user_of(params.get("token"))
        if user is None:
            reply(conn, method, req_id, time_in, error="ESession:Invalid session", status="error")
            return
        conn.user = user
        if self.ctx.config.source == "replay":  # the recorded account is shown, not traded
            reply(conn, method, req_id, time_in, error="EGeneral:Permission denied")
            return
        received = self.requests_received
        received.append({"method": method, "params": {k: v for k, v in params.items() if k != "token"}})
        if len(received) > REQUESTS_KEPT:  # a paper session runs for days: keep the newest
            del received[: len(received) - REQUESTS_KEPT // 2]
        faults = self.ctx.faults
        if faults.chance(faults.rate_limited):
            reply(conn, method, req_id, time_in, error="EOrder:Rate limit exceeded")
            return
        self.trading.handle(conn, user, method, params, req_id, time_in)


def _is_req_id(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) < 2**63


def _status() -> dict[str, Any]:
    return {
        "channel": "status",
        "type": "update",
        "data": [
            {
                "version": "2.0.10",
                "system": "online",
                "api_version": "v2",
                "connection_id": secrets.randbits(63) + 2**63 // 2,
                "upcoming_maintenance": [],
                "emergency": [],
            }
        ],
    }


def _internal_error(time_in: str) -> dict[str, Any]:
    return {"error": "EGeneral:Internal error", "success": False, "time_in": time_in, "time_out": now_iso()}
