"""Kraken's REST API-Sign and the futures challenge signature (protocol §8.2, §9).

Both the client (to fetch a WebSocket token) and the embedded exchange (to verify it) use these,
so a misreading would show up against the documented test vectors, not hide between two twins.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

__all__ = [
    "NonceSource",
    "api_sign",
    "futures_authent",
    "sign_futures_challenge",
    "verify_api_sign",
    "verify_futures_authent",
]


def api_sign(url_path: str, nonce: int | str, post_data: str, secret_b64: str) -> str:
    digest = hashlib.sha256((str(nonce) + post_data).encode()).digest()
    mac = hmac.new(base64.b64decode(secret_b64), url_path.encode() + digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def verify_api_sign(url_path: str, nonce: int | str, post_data: str, secret_b64: str, signature: str) -> bool:
    try:
        expected = api_sign(url_path, nonce, post_data, secret_b64)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, signature)


def sign_futures_challenge(challenge: str, secret_b64: str) -> str:
    digest = hashlib.sha256(challenge.encode()).digest()
    mac = hmac.new(base64.b64decode(secret_b64), digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def futures_authent(post_data: str, nonce: int | str, endpoint_path: str, secret_b64: str) -> str:
    """Kraken Futures REST ``Authent``: HMAC-SHA512 over SHA256(postData + nonce + endpointPath).

    ``endpoint_path`` is the path after ``/derivatives`` (``/api/v3/sendorder``): signing the full
    URL path is the classic mistake and the server answers ``authenticationError``.
    """
    digest = hashlib.sha256((post_data + str(nonce) + endpoint_path).encode()).digest()
    mac = hmac.new(base64.b64decode(secret_b64), digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def verify_futures_authent(
    post_data: str, nonce: int | str, endpoint_path: str, secret_b64: str, signature: str
) -> bool:
    try:
        expected = futures_authent(post_data, nonce, endpoint_path, secret_b64)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, signature)


class NonceSource:
    """Strictly increasing nonces (µs since epoch), even if the wall clock steps back.

    Kraken rejects a nonce that does not exceed the last one (``EAPI:Invalid nonce``).
    """

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        now = time.time_ns() // 1000
        self._last = max(now, self._last + 1)
        return self._last
