"""Signed REST: Kraken Futures v3 (``SignedRest``, the channel the futures venue is built with) and
the spot key check at start-up (``check_key``: what the configured key may do, ``GetApiKeyInfo``).

Both own nothing they print: the key, the secret and the nonce stay inside, a failure is an
answer (``(None, why)``), never an exception, for a network failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from tui.feed.token import BadSecret, post_spot_private
from tui.kraken import futures as fx
from tui.kraken.auth import NonceSource, futures_authent

__all__ = ["KEY_INFO_PATH", "KeyPermissions", "SignedRest", "check_key", "fetch_key_info"]

KEY_INFO_PATH = "/0/private/GetApiKeyInfo"


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


@dataclass(frozen=True)
class KeyPermissions:
    """What ``GetApiKeyInfo`` said the key may do, in Kraken's permission names."""

    name: str | None
    permissions: tuple[str, ...]

    @property
    def can_query(self) -> bool:
        return any(p.startswith("query-") for p in self.permissions)

    @property
    def can_trade(self) -> bool:
        return "modify-trades" in self.permissions or "close-trades" in self.permissions

    @property
    def can_withdraw(self) -> bool:
        return "withdraw-funds" in self.permissions

    @property
    def can_websocket(self) -> bool:
        return "create-ws-token" in self.permissions

    def describe(self) -> str:
        """``API key "bot": query, trade, WebSocket; no withdrawals`` (one Activity line)."""
        may = [
            word
            for word, ok in (
                ("query", self.can_query),
                ("trade", self.can_trade),
                ("WITHDRAW", self.can_withdraw),
                ("WebSocket", self.can_websocket),
            )
            if ok
        ]
        name = f' "{self.name}"' if self.name else ""
        tail = "" if self.can_withdraw else "; no withdrawals"
        return (
            f"API key{name}: {', '.join(may) or 'no permissions'}{tail} ({len(self.permissions)} permissions)"
        )


async def fetch_key_info(
    session: aiohttp.ClientSession,
    rest_url: str,
    api_key: str,
    api_secret: str,
    nonce: NonceSource,
    timeout: float = 5.0,
) -> tuple[KeyPermissions | None, str | None]:
    """(permissions, None), or (None, why): Kraken's error text, or what failed on the way."""
    try:
        text = await post_spot_private(session, rest_url, KEY_INFO_PATH, api_key, api_secret, nonce, timeout)
    except BadSecret as exc:
        return None, str(exc)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200]
    try:
        data = json.loads(text)
        errors = data.get("error")
        result = data.get("result")
    except (ValueError, AttributeError):
        return None, "unreadable reply"
    if errors:
        return None, ", ".join(str(e) for e in errors)[:200]
    perms = result.get("permissions") if isinstance(result, dict) else None
    if not isinstance(perms, list) or not all(isinstance(p, str) for p in perms):
        return None, "reply without a permission list"
    name = result.get("apiKeyName")
    return KeyPermissions(name if isinstance(name, str) else None, tuple(perms)), None


async def check_key(
    session: aiohttp.ClientSession,
    rest_url: str,
    api_key: str,
    api_secret: str,
    nonce: NonceSource,
    *,
    live: bool,
    log: Callable[[str, str], None],
) -> KeyPermissions | None:
    """Ask once at start-up what the key may do and say it on the Activity line; in LIVE a key
    that can withdraw is an error line (a trading tool's key never needs to move funds out)."""
    info, why = await fetch_key_info(session, rest_url, api_key, api_secret, nonce)
    if info is None:
        log("warning", f"API key permissions unknown (GetApiKeyInfo: {why})")
        return None
    if info.can_withdraw and live:
        log(
            "error",
            "THIS API KEY CAN WITHDRAW FUNDS. A trading key never needs to: make one without "
            '"Withdraw Funds" and use that one.',
        )
    log("warning" if info.can_withdraw else "info", info.describe())
    return info
