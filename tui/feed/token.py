"""Fetching a WebSocket token: Kraken's signed REST call, done fresh for every private connection."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from tui.kraken.auth import NonceSource, api_sign

__all__ = ["BadSecret", "TokenError", "fetch_ws_token", "post_spot_private"]

PATH = "/0/private/GetWebSocketsToken"


class TokenError(Exception):
    """Kraken refused to issue a token; the text is Kraken's (never the secret)."""


class BadSecret(ValueError):
    """The configured secret cannot sign (not base64): said without the secret."""


async def post_spot_private(
    session: aiohttp.ClientSession,
    rest_url: str,
    path: str,
    api_key: str,
    api_secret: str,
    nonce: NonceSource,
    timeout: float,
) -> str:
    """The signed form POST every spot private REST call makes (a fresh nonce, ``API-Sign``);
    the reply's text. Raises BadSecret, or the transport's own error for the caller to word."""
    n = nonce.next()
    body = f"nonce={n}"
    try:
        sign = api_sign(path, n, body, api_secret)
    except (ValueError, TypeError):
        raise BadSecret("API secret is not valid base64") from None
    headers = {
        "API-Key": api_key,
        "API-Sign": sign,
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": "kraken-tui",
    }
    async with session.post(
        rest_url.rstrip("/") + path,
        data=body,
        headers=headers,
        timeout=aiohttp.ClientTimeout(total=timeout),
    ) as resp:
        return await resp.text()


async def fetch_ws_token(
    session: aiohttp.ClientSession,
    rest_url: str,
    api_key: str,
    api_secret: str,
    nonce: NonceSource,
    timeout: float = 10.0,
) -> str:
    try:
        text = await post_spot_private(session, rest_url, PATH, api_key, api_secret, nonce, timeout)
        data: Any = json.loads(text) if text.strip() else None
    except BadSecret as exc:
        raise TokenError(str(exc)) from None
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise TokenError(f"token request failed: {type(exc).__name__}: {exc}") from None
    errors = data.get("error") if isinstance(data, dict) else None
    if errors:
        raise TokenError(", ".join(str(e) for e in errors))
    try:
        token = data["result"]["token"]
    except (KeyError, TypeError):
        raise TokenError("token response without a token") from None
    if not isinstance(token, str):
        raise TokenError("token response without a token")
    return token
