"""Kraken's error texts (protocol §2.5) in one place, and how a client should react to each family.

The client shows these strings verbatim and only ever branches on a known prefix or whole text, so a
new detail suffix from Kraken (``EGeneral:Invalid arguments:<detail>``) never breaks matching.
"""

from __future__ import annotations

import enum

__all__ = [
    "ErrorKind",
    "classify_error",
    "split_error",
]

# Session / subscription level (v2 WebSocket).
ALREADY_SUBSCRIBED = "Already subscribed"
DEPTH_NOT_SUPPORTED = "Subscription depth not supported"
SUBSCRIPTION_NOT_FOUND = "Subscription Not Found"
SYMBOL_MUST_BE_ARRAY = "Symbol field must be an array"
UNSUPPORTED_EVENT = "Unsupported event"
INVALID_SESSION = "ESession:Invalid session"
PAIR_NOT_SUPPORTED_PREFIX = "Currency pair not supported"
# Kraken's answers to a subscription for a symbol it does not list (spot v2, and its REST twin)
UNLISTED_SYMBOL = (PAIR_NOT_SUPPORTED_PREFIX, "Unknown asset pair")
PRIVATE_ON_PUBLIC_HOST = "Private data and trading are unavailable on this endpoint. Try ws-auth.kraken.com"
PUBLIC_ON_PRIVATE_HOST = (
    "Public market data subscriptions are unavailable on this endpoint. Try ws.kraken.com"
)
TOKENS_NOT_FOUND = "Token(s) not found"
EXCEEDED_MSG_RATE = "Exceeded msg rate"

# Trading / account level (same strings as REST).
INVALID_ARGUMENTS = "EGeneral:Invalid arguments"
PERMISSION_DENIED = "EGeneral:Permission denied"
TEMPORARY_LOCKOUT = "EGeneral:Temporary lockout"
INTERNAL_ERROR = "EGeneral:Internal error"
SERVICE_UNAVAILABLE = "EService:Unavailable"
CANCEL_ONLY = "EService:Market in cancel_only mode"
POST_ONLY = "EService:Market in post_only mode"
LIMIT_ONLY = "EService:Market in limit_only mode"
DEADLINE_ELAPSED = "EService:Deadline elapsed"
INVALID_KEY = "EAPI:Invalid key"
INVALID_SIGNATURE = "EAPI:Invalid signature"
INVALID_NONCE = "EAPI:Invalid nonce"
API_RATE_LIMIT = "EAPI:Rate limit exceeded"
INSUFFICIENT_FUNDS = "EOrder:Insufficient funds"
ORDER_MINIMUM = "EOrder:Order minimum not met"
COST_MINIMUM = "EOrder:Cost minimum not met"
TICK_SIZE = "EOrder:Tick size check failed"
ORDERS_LIMIT = "EOrder:Orders limit exceeded"
ORDER_RATE_LIMIT = "EOrder:Rate limit exceeded"
INVALID_PRICE = "EOrder:Invalid price"
UNKNOWN_ORDER = "EOrder:Unknown order"
INVALID_ORDER = "EOrder:Invalid order"
INVALID_PERMISSIONS = "EAccount:Invalid permissions"


class ErrorKind(enum.Enum):
    """What the client should do about an error, independent of its exact wording."""

    AUTH = "auth"  # credentials or permissions: stop retrying, tell the user
    SESSION = "session"  # token expired/invalid: fetch a new token and reconnect
    RATE = "rate"  # back off, then retry
    MARKET_STATE = "market_state"  # the market refuses this now (cancel_only, post_only, ...)
    ORDER = "order"  # this order is wrong (minimums, funds, price): show it on the form
    SUBSCRIPTION = "subscription"  # a subscribe/unsubscribe problem for one symbol or channel
    REQUEST = "request"  # a malformed request: a bug on our side
    TRANSIENT = "transient"  # server trouble: retry later
    OTHER = "other"


_EXACT: dict[str, ErrorKind] = {
    INVALID_SESSION: ErrorKind.SESSION,
    ALREADY_SUBSCRIBED: ErrorKind.SUBSCRIPTION,
    DEPTH_NOT_SUPPORTED: ErrorKind.SUBSCRIPTION,
    SUBSCRIPTION_NOT_FOUND: ErrorKind.SUBSCRIPTION,
    SYMBOL_MUST_BE_ARRAY: ErrorKind.REQUEST,
    UNSUPPORTED_EVENT: ErrorKind.REQUEST,
    PRIVATE_ON_PUBLIC_HOST: ErrorKind.REQUEST,
    PUBLIC_ON_PRIVATE_HOST: ErrorKind.REQUEST,
    TOKENS_NOT_FOUND: ErrorKind.ORDER,
    INVALID_NONCE: ErrorKind.AUTH,
}

# Longest prefixes first so ``EAPI:Rate limit`` wins over ``EAPI:``.
_PREFIXES: tuple[tuple[str, ErrorKind], ...] = (
    (PAIR_NOT_SUPPORTED_PREFIX, ErrorKind.SUBSCRIPTION),
    (EXCEEDED_MSG_RATE, ErrorKind.RATE),
    ("Unsupported field:", ErrorKind.REQUEST),
    (API_RATE_LIMIT, ErrorKind.RATE),
    (ORDER_RATE_LIMIT, ErrorKind.RATE),
    ("EOrder:Domain rate limit exceeded", ErrorKind.RATE),
    ("EAuth:Rate limit exceeded", ErrorKind.RATE),
    ("EAuth:Too many requests", ErrorKind.RATE),
    ("EService: Throttled", ErrorKind.RATE),
    (TEMPORARY_LOCKOUT, ErrorKind.RATE),
    (PERMISSION_DENIED, ErrorKind.AUTH),
    (INVALID_ARGUMENTS, ErrorKind.ORDER),
    (INTERNAL_ERROR, ErrorKind.TRANSIENT),
    (SERVICE_UNAVAILABLE, ErrorKind.TRANSIENT),
    (DEADLINE_ELAPSED, ErrorKind.TRANSIENT),
    ("EService:Market in", ErrorKind.MARKET_STATE),
    ("EAPI:", ErrorKind.AUTH),
    ("EAccount:", ErrorKind.AUTH),
    ("EAuth:", ErrorKind.AUTH),
    ("ESession:", ErrorKind.SESSION),
    ("EOrder:", ErrorKind.ORDER),
    ("ETrade:", ErrorKind.ORDER),
    ("EFunding:", ErrorKind.ORDER),
    ("EBM:", ErrorKind.ORDER),
)


def classify_error(text: str) -> ErrorKind:
    """Map one of Kraken's error strings to the reaction it calls for."""
    kind = _EXACT.get(text)
    if kind is not None:
        return kind
    for prefix, pkind in _PREFIXES:
        if text.startswith(prefix):
            return pkind
    if text.endswith("field must be a number_float"):
        return ErrorKind.REQUEST
    return ErrorKind.OTHER


def split_error(text: str) -> tuple[str, str]:
    """Split ``EFamily:Message[:detail]`` into (``EFamily:Message``, detail); detail may be empty.

    Kraken appends details after a second colon; the first two parts are the stable identity.
    Texts without the ``E...:`` shape come back whole with an empty detail.
    """
    head, sep, rest = text.partition(":")
    if not sep or not head.startswith("E") or " " in head:
        return text, ""
    message, sep2, detail = rest.partition(":")
    if not sep2:
        return text, ""
    return f"{head}:{message}", detail
