"""Who may trade: API keys and their secrets and permissions, WebSocket tokens, the REST nonces."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass

__all__ = ["DEMO_PERMISSIONS", "PERMISSION_GROUPS", "TOKENS_KEPT", "Credentials", "KeyInfo", "permissions_of"]

TOKENS_KEPT = 10_000

# What a key may do, in Kraken's words as ``GetApiKeyInfo`` lists them. ``query-funds``,
# ``withdraw-funds``, ``query-open-trades`` and ``modify-trades`` are in the docs' example reply;
# the others are the names Kraken's key settings use in the same spelling (``create-ws-token`` for
# "WebSocket interface": not in the docs' example, so unconfirmed).
PERMISSION_GROUPS: dict[str, tuple[str, ...]] = {
    "query": ("query-funds", "query-open-trades", "query-closed-trades", "query-ledger"),
    "trade": ("modify-trades", "close-trades"),
    "withdraw": ("withdraw-funds",),
    "websocket": ("create-ws-token",),
}
# The demo key trades and reads but cannot move money out: what a trading key should be.
DEMO_PERMISSIONS = ("query", "trade", "websocket")


def permissions_of(groups: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``("query", "trade")`` as Kraken's permission names; ValueError names an unknown group."""
    out: list[str] = []
    for g in groups:
        if g not in PERMISSION_GROUPS:
            raise ValueError(f"unknown permission {g!r} (known: {', '.join(PERMISSION_GROUPS)})")
        out.extend(p for p in PERMISSION_GROUPS[g] if p not in out)
    return tuple(out)


@dataclass(frozen=True)
class KeyInfo:
    """A key's name, its permissions (Kraken's names) and when it was made."""

    name: str
    permissions: tuple[str, ...]
    created: int

    def may(self, permission: str) -> bool:
        return permission in self.permissions

    def iban(self, user: str) -> str:
        """The account's Kraken-shaped IIBAN (``AA88 N84G WOAK NMOI``), the same for a user every run."""
        digest = hashlib.sha256(user.encode()).hexdigest().upper()
        return f"AA{digest[:2]} {digest[2:6]} {digest[6:10]} {digest[10:14]}"


class Credentials:
    """API key -> (secret, user); tokens issued by ``GetWebSocketsToken`` and what they are worth.

    A token expires ``token_ttl`` seconds after it is issued unless it has been used, as on
    Kraken (a used token stays valid while its connection lives)."""

    def __init__(self, token_ttl: float) -> None:
        self.token_ttl = token_ttl
        self.users: dict[str, tuple[str, str]] = {}  # api key -> (secret, user)
        self.tokens: dict[str, tuple[str, float, bool]] = {}  # token -> (user, issued, used)
        self.nonces: dict[str, int] = {}
        self.keys: dict[str, KeyInfo] = {}

    def add(
        self,
        api_key: str,
        api_secret: str,
        user: str,
        permissions: tuple[str, ...] = permissions_of(DEMO_PERMISSIONS),
        name: str | None = None,
    ) -> None:
        self.users[api_key] = (api_secret, user)
        self.keys[api_key] = KeyInfo(name or f"{user}-key", tuple(permissions), int(time.time()))

    def key_info(self, api_key: str) -> KeyInfo | None:
        return self.keys.get(api_key)

    def lookup(self, api_key: str) -> tuple[str, str] | None:
        """(secret, user) of a key, or None."""
        return self.users.get(api_key)

    def take_nonce(self, api_key: str, nonce: int) -> bool:
        """False when ``nonce`` does not increase on the last one seen for the key."""
        if nonce <= self.nonces.get(api_key, 0):
            return False
        self.nonces[api_key] = nonce
        return True

    def issue_token(self, user: str) -> str:
        now = time.time()
        # unused tokens past their life are worth nothing: forget them, and never hold more than
        # TOKENS_KEPT (the oldest go first), however often a client asks
        for old in [
            t for t, (_u, issued, used) in self.tokens.items() if not used and now - issued > self.token_ttl
        ]:
            del self.tokens[old]
        while len(self.tokens) >= TOKENS_KEPT:
            del self.tokens[next(iter(self.tokens))]
        token = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        self.tokens[token] = (user, now, False)
        return token

    def user_of(self, token: object) -> str | None:
        """The user a request's ``token`` authenticates, or None."""
        if not isinstance(token, str):
            return None
        entry = self.tokens.get(token)
        if entry is None:
            return None
        user, issued, used = entry
        if not used:
            if time.time() - issued > self.token_ttl:
                del self.tokens[token]
                return None
            self.tokens[token] = (user, issued, True)
        return user
