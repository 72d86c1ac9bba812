"""fetch_ws_token against a tiny loopback server that checks the signature like Kraken does.

The embedded exchange has its own token endpoint; this server is deliberately independent so a
signing mistake cannot be mirrored on both sides.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tui.feed.token import PATH, TokenError, fetch_ws_token
from tui.kraken.auth import NonceSource, verify_api_sign

KEY = "test-key-public"
SECRET = base64.b64encode(b"a very secret 64 byte key material for the tiny test server....").decode()

ServerFactory = Callable[..., Awaitable[TestServer]]


def make_app(seen: list[dict[str, Any]], *, answer: dict[str, Any] | None = None) -> web.Application:
    async def token(request: web.Request) -> web.Response:
        body = await request.text()
        nonce = parse_qs(body).get("nonce", [""])[0]
        seen.append({"headers": dict(request.headers), "body": body, "nonce": nonce})
        if request.headers.get("API-Key") != KEY:
            return web.json_response({"error": ["EAPI:Invalid key"]})
        if not verify_api_sign(PATH, nonce, body, SECRET, request.headers.get("API-Sign", "")):
            return web.json_response({"error": ["EAPI:Invalid signature"]})
        if answer is not None:
            return web.json_response(answer)
        return web.json_response({"error": [], "result": {"token": f"tok-{nonce}", "expires": 900}})

    app = web.Application()
    app.router.add_post(PATH, token)
    return app


@pytest.fixture
async def session() -> Any:
    async with aiohttp.ClientSession() as s:
        yield s


async def test_signed_request_returns_token(aiohttp_server: ServerFactory, session: Any) -> None:
    seen: list[dict[str, Any]] = []
    server = await aiohttp_server(make_app(seen))
    nonces = NonceSource()
    url = str(server.make_url("/"))
    tok1 = await fetch_ws_token(session, url, KEY, SECRET, nonces)
    tok2 = await fetch_ws_token(session, url, KEY, SECRET, nonces)
    assert tok1 == f"tok-{seen[0]['nonce']}"
    assert tok2 == f"tok-{seen[1]['nonce']}"
    assert int(seen[1]["nonce"]) > int(seen[0]["nonce"])
    assert seen[0]["body"] == f"nonce={seen[0]['nonce']}"
    headers = seen[0]["headers"]
    assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert headers["User-Agent"] == "kraken-tui"
    assert SECRET not in str(seen)


async def test_wrong_key_and_wrong_secret_carry_krakens_text(
    aiohttp_server: ServerFactory, session: Any
) -> None:
    server = await aiohttp_server(make_app([]))
    url = str(server.make_url("/"))
    with pytest.raises(TokenError) as bad_key:
        await fetch_ws_token(session, url, "other-key", SECRET, NonceSource())
    assert str(bad_key.value) == "EAPI:Invalid key"
    other_secret = base64.b64encode(b"another secret entirely, not the one the server holds").decode()
    with pytest.raises(TokenError) as bad_sig:
        await fetch_ws_token(session, url, KEY, other_secret, NonceSource())
    assert str(bad_sig.value) == "EAPI:Invalid signature"
    assert other_secret not in str(bad_sig.value)


async def test_permission_denied_and_missing_token(aiohttp_server: ServerFactory, session: Any) -> None:
    denied = await aiohttp_server(make_app([], answer={"error": ["EGeneral:Permission denied"]}))
    with pytest.raises(TokenError, match=r"^EGeneral:Permission denied$"):
        await fetch_ws_token(session, str(denied.make_url("/")), KEY, SECRET, NonceSource())
    empty = await aiohttp_server(make_app([], answer={"error": [], "result": {}}))
    with pytest.raises(TokenError, match="without a token"):
        await fetch_ws_token(session, str(empty.make_url("/")), KEY, SECRET, NonceSource())


async def test_invalid_secret_never_echoed(session: Any) -> None:
    secret = "not base64 at all!!"
    with pytest.raises(TokenError) as err:
        await fetch_ws_token(session, "http://127.0.0.1:9", KEY, secret, NonceSource())
    assert secret not in str(err.value)


async def test_unreachable_server_is_a_token_error(session: Any) -> None:
    # Port 9 (discard) on loopback: connection refused in the test environment.
    with pytest.raises(TokenError, match="token request failed"):
        await fetch_ws_token(session, "http://127.0.0.1:9", KEY, SECRET, NonceSource(), timeout=2.0)
