"""``/_control/faults``: read (GET) or change (POST a JSON object) the fault settings at run time.

It changes how the venue treats every client, so it is guarded twice: only loopback peers are
served (unless ``ExchangeConfig.control_remote``), and every request must carry the token made at
start (``RunningExchange.control_token``) in an ``X-Control-Token`` header. A bad body is
answered 400 with a one-line ``{"error": ...}`` and changes nothing.
"""

from __future__ import annotations

import hmac
import ipaddress
import json

from aiohttp import web

from tui.exchange.faults import FaultConfig

__all__ = ["TOKEN_HEADER", "FaultControl"]

TOKEN_HEADER = "X-Control-Token"


def _loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


class FaultControl:
    def __init__(self, faults: FaultConfig, token: str, *, allow_remote: bool = False) -> None:
        self.faults = faults
        self.token = token
        self.allow_remote = allow_remote

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/_control/faults", self._handle)
        app.router.add_get("/_control/faults", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        if not self.allow_remote and not _loopback(request.remote):
            return web.json_response({"error": "the control endpoint serves loopback only"}, status=403)
        if not hmac.compare_digest(request.headers.get(TOKEN_HEADER, "").encode(), self.token.encode()):
            return web.json_response({"error": f"missing or wrong {TOKEN_HEADER}"}, status=401)
        if request.method == "POST":
            try:
                body = json.loads(await request.read())
                self.faults.update(body)
            except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, too deep, refused
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                return web.json_response({"error": message[:300]}, status=400)
        data = {k: v for k, v in self.faults.as_dict().items() if k != "rng"}
        return web.json_response(data)
