"""The spot REST calls a v2 client needs: ``Time``, ``AssetPairs``, ``GetWebSocketsToken`` and
``GetApiKeyInfo`` (what the signing key may do)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import msgspec
from aiohttp import web

from tui.exchange.context import ExchangeContext
from tui.exchange.spot.assetpairs import canonical_key, lookup
from tui.exchange.spot.rows import asset_pair_row
from tui.kraken.auth import verify_api_sign
from tui.kraken.jsontext import dumps

__all__ = ["SpotRest"]


class SpotRest:
    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/0/private/GetWebSocketsToken", self._token)
        app.router.add_post("/0/private/GetApiKeyInfo", self._key_info)
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
        pairs = self.ctx.pairs
        asked = request.query.get("pair")
        if asked is None and request.method == "POST":
            asked = (await request.post()).get("pair")  # type: ignore[assignment]
        if asked is None:
            result = {canonical_key(s): asset_pair_row(s, p) for s, p in pairs.items()}
        else:
            result = {}
            for name in str(asked).split(","):
                hit = lookup(list(pairs), name.strip())
                if hit is None:  # the venue refuses the whole request for one unknown pair
                    return _json({"error": ["EQuery:Unknown asset pair"]})
                result[hit[1]] = asset_pair_row(hit[0], pairs[hit[0]])
        return _json({"error": [], "result": result})

    async def _signed(self, request: web.Request) -> tuple[str, str, int] | web.Response:
        """(api key, user, nonce) of a correctly signed private request, or Kraken's refusal."""
        creds = self.ctx.credentials
        body = await request.text()
        key = request.headers.get("API-Key", "")
        sign = request.headers.get("API-Sign", "")
        entry = creds.lookup(key)
        if entry is None:
            return _error("EAPI:Invalid key")
        secret, user = entry
        if request.content_type == "application/json":
            try:
                nonce_val = msgspec.json.decode(body).get("nonce")
            except (msgspec.DecodeError, AttributeError, RecursionError):
                return _error("EGeneral:Invalid arguments")
        else:
            nonce_val = (parse_qs(body).get("nonce") or [""])[0]
        try:
            nonce = int(str(nonce_val))
        except ValueError:
            return _error("EAPI:Invalid nonce")
        if not verify_api_sign(request.path, nonce, body, secret, sign):
            return _error("EAPI:Invalid signature")
        if not creds.take_nonce(key, nonce):
            return _error("EAPI:Invalid nonce")
        return key, user, nonce

    async def _token(self, request: web.Request) -> web.Response:
        signed = await self._signed(request)
        if isinstance(signed, web.Response):
            return signed
        key, user, _ = signed
        creds = self.ctx.credentials
        info = creds.key_info(key)
        if info is not None and not info.may("create-ws-token"):
            return _error("EGeneral:Permission denied")  # the key lacks "WebSocket interface"
        token = creds.issue_token(user)
        return web.json_response({"error": [], "result": {"token": token, "expires": int(creds.token_ttl)}})

    async def _key_info(self, request: web.Request) -> web.Response:
        """``GetApiKeyInfo``: the fields and their order as in the docs' example reply (times and
        the nonce as strings, ``nonceWindow`` a number); a demo key has no restriction (``0``)."""
        signed = await self._signed(request)
        if isinstance(signed, web.Response):
            return signed
        key, user, nonce = signed
        info = self.ctx.credentials.key_info(key)
        if info is None:
            return _error("EAPI:Invalid key")
        now = str(int(time.time()))
        result = {
            "apiKeyName": info.name,
            "apiKey": key,
            "nonce": str(nonce),
            "nonceWindow": 0,
            "permissions": list(info.permissions),
            "iban": info.iban(user),
            "validUntil": "0",
            "queryFrom": "0",
            "queryTo": "0",
            "createdTime": str(info.created),
            "modifiedTime": str(info.created),
            "ipAllowlist": [],
            "lastUsed": now,
        }
        return _json({"error": [], "result": result})


def _error(text: str) -> web.Response:
    return web.json_response({"error": [text]})


def _json(body: dict[str, object]) -> web.Response:
    return web.Response(text=dumps(body), content_type="application/json")
