"""The store's vocabulary: what can change, and the states a book can be in.

Literal types rather than free strings, so ``store.mark(symbol, "bok")`` is a type error while the
screens keep reading plain strings (``"book" in changes.symbol_parts(symbol)``).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ACCOUNT_PARTS",
    "HEALTH_PARTS",
    "MARKET_PARTS",
    "AccountPart",
    "BookState",
    "HealthPart",
    "MarketPart",
    "Part",
]

MarketPart = Literal["book", "l3", "ticker", "trades", "candles", "instrument", "status"]
AccountPart = Literal["orders", "fills", "balances", "positions", "auth", "dms", "activity", "rate"]
HealthPart = Literal["conn", "tick", "malformed", "unknown", "rtt", "status", "feed", "lag", "source"]
Part = MarketPart | AccountPart | HealthPart

# waiting: no verified snapshot yet; ok: verified and fresh; resyncing: a fresh snapshot was asked
# for after a failed check; stale: verified, but no update for longer than expected; empty: the
# checks pass but a side has no level (nothing to verify, nothing to trade against).
BookState = Literal["waiting", "ok", "resyncing", "stale", "empty"]

MARKET_PARTS: frozenset[str] = frozenset(get_args(MarketPart))
ACCOUNT_PARTS: frozenset[str] = frozenset(get_args(AccountPart))
HEALTH_PARTS: frozenset[str] = frozenset(get_args(HealthPart))
