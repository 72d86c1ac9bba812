"""The spot REST calls a v2 client needs: ``Time``, ``AssetPairs`` and ``GetWebSocketsToken``."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import msgspec
from aiohttp import web

from tui.exchange.context import ExchangeContext
from tui.exchange.spot.rows import asset_pair_row
from tui.kraken.auth import verify_api_sign
from tui.kraken.jsontext import dumps

__all__ = ["SpotRest"]


class SpotRest:
    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/0/private/GetWebSocketsToken", self._token)
        app.router.add_route("*", "/0/public/Time", self._time)
        app.router.add_route("*", "/0/public/AssetPairs", self._pairs)

    async def _time(self, request: web.Request) -> web.Response:
        now = time.time()
        result = {
            "unixtime": int(now),
            "rfc1123": time.strftime("%a, %d %b %y %H:%M:%S +0000", time.gmtime(now)),
        }
        return web.json_response({"error": [], "result": result})

    async def _pairs(self, request: web.Request) -> web.Response:
        result = {s.replace("/", ""): asset_pair_row(s, p) for s, p in self.ctx.pairs.items()}
        return web.Response(text=dumps({"error": [], "result": result}), content_type="application/json")

    async def _token(self, request: web.Request) -> web.Response:
        def err(text: str) -> web.Response:
            return web.json_response({"error": [text]})

        creds = self.ctx.credentials
        body = await request.text()
        key = request.headers.get("API-Key", "")
        sign = request.headers.get("API-Sign", "")
        entry = creds.lookup(key)
        if entry is None:
            return err("EAPI:Invalid key")
        secret, user = entry
        if request.content_type == "application/json":
            try:
                nonce_val = msgspec.json.decode(body).get("nonce")
            except (msgspec.DecodeError, AttributeError, RecursionError):
                return err("EGeneral:Invalid arguments")
        else:
            nonce_val = (parse_qs(body).get("nonce") or [""])[0]
        try:
            nonce = int(str(nonce_val))
        except ValueError:
            return err("EAPI:Invalid nonce")
        if not verify_api_sign(request.path, nonce, body, secret, sign):
            return err("EAPI:Invalid signature")
        if not creds.take_nonce(key, nonce):
            return err("EAPI:Invalid nonce")
        token = creds.issue_token(user)
        return web.json_response({"error": [], "result": {"token": token, "expires": int(creds.token_ttl)}})
