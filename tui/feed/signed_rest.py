"""Kraken Futures signed v3 REST: the one channel the futures venue is built with.

It owns the key, the secret and the nonce, signs each body (``Authent`` covers exactly the bytes
sent) and answers ``(body, None)`` or ``(None, why)``; it never raises for a network failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from tui.kraken import futures as fx
from tui.kraken.auth import NonceSource, futures_authent

__all__ = ["SignedRest"]


class SignedRest:
    def __init__(
        self,
        session: Callable[[], aiohttp.ClientSession | None],
        rest_url: str,
        api_key: str | None,
        api_secret: str | None,
        timeout: float,
    ) -> None:
        self._session = session
        self.rest_url = rest_url.rstrip("/")
        self._key = api_key
        self._secret = api_secret
        self.timeout = timeout
        self.nonce = NonceSource()

    def __repr__(self) -> str:  # never print credentials, even in a traceback
        return f"SignedRest({self.rest_url!r})"

    @property
    def has_credentials(self) -> bool:
        return bool(self._key and self._secret)

    async def call(
        self, endpoint: str, fields: Mapping[str, str], *, method: str = "POST"
    ) -> tuple[dict[str, Any] | None, str | None]:
        """(body, None) on an HTTP answer; (None, why) when nothing usable came back."""
        session = self._session()
        if session is None or not self._key or not self._secret:
            return None, "no futures credentials or session; nothing was sent"
        body = fx.encode_form(fields)
        nonce = str(self.nonce.next())
        headers = {
            "APIKey": self._key,
            "Nonce": nonce,
            "Authent": futures_authent(body, nonce, f"/api/v3/{endpoint}", self._secret),
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "kraken-tui",
        }
        url = f"{self.rest_url}/api/v3/{endpoint}"
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            if method == "GET":
                req = session.get(f"{url}?{body}" if body else url, headers=headers, timeout=timeout)
            else:
                req = session.post(url, data=body, headers=headers, timeout=timeout)
            async with req as resp:
                text = await resp.text()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return None, f"{type(exc).__name__}: {exc}"[:200] or "request failed"
        try:
            return fx.decode(text), None
        except fx.FrameError as exc:
            return None, f"unreadable reply: {exc}"
