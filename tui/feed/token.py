"""Fetching a WebSocket token: Kraken's signed REST call, done fresh for every private connection."""

from __future__ import annotations

import aiohttp

from tui.kraken.auth import NonceSource, api_sign

__all__ = ["TokenError", "fetch_ws_token"]

PATH = "/0/private/GetWebSocketsToken"


class TokenError(Exception):
    """Kraken refused to issue a token; the text is Kraken's (never the secret)."""


async def fetch_ws_token(
    session: aiohttp.ClientSession,
    rest_url: str,
    api_key: str,
    api_secret: str,
    nonce: NonceSource,
    timeout: float = 10.0,
) -> str:
    n = nonce.next()
    body = f"nonce={n}"
    try:
        sign = api_sign(PATH, n, body, api_secret)
    except (ValueError, TypeError):
        raise TokenError("API secret is not valid base64") from None
    headers = {
        "API-Key": api_key,
        "API-Sign": sign,
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": "kraken-tui",
    }
    try:
        async with session.post(
            rest_url.rstrip("/") + PATH,
            data=body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as resp:
            data = await resp.json(content_type=None)
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
