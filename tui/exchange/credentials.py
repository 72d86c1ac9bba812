"""Who may trade: API keys and their secrets, WebSocket tokens, and the spot REST nonces."""

from __future__ import annotations

import base64
import secrets
import time

__all__ = ["TOKENS_KEPT", "Credentials"]

TOKENS_KEPT = 10_000


class Credentials:
    """API key -> (secret, user); tokens issued by ``GetWebSocketsToken`` and what they are worth.

    A token expires ``token_ttl`` seconds after it is issued unless it has been used, as on
    Kraken (a used token stays valid while its connection lives)."""

    def __init__(self, token_ttl: float) -> None:
        self.token_ttl = token_ttl
        self.users: dict[str, tuple[str, str]] = {}  # api key -> (secret, user)
        self.tokens: dict[str, tuple[str, float, bool]] = {}  # token -> (user, issued, used)
        self.nonces: dict[str, int] = {}

    def add(self, api_key: str, api_secret: str, user: str) -> None:
        self.users[api_key] = (api_secret, user)

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
