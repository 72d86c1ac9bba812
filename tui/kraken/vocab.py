"""The protocol's vocabulary, in one place for the client and the embedded exchange alike.

These are facts of Kraken's documented API (the depths a book may be subscribed at, the candle
intervals, the order types, the futures candle feeds, the published fee tiers), not choices of
ours; every module that needs one imports it from here, so the two sides cannot drift apart.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "BOOK_DEPTHS",
    "CHECKSUM_LEVELS",
    "FUTURES_CANDLE_FEEDS",
    "FUTURES_CANDLE_MINUTES",
    "FUTURES_MAKER_FEE",
    "FUTURES_ORDER_TYPES",
    "FUTURES_TAKER_FEE",
    "L3_DEPTHS",
    "LIMIT_PRICED_TYPES",
    "OHLC_INTERVALS",
    "ORDER_TYPES",
    "SPOT_MAKER_FEE",
    "SPOT_TAKER_FEE",
    "TIME_IN_FORCE",
    "TRADING_METHODS",
    "TRIGGERED_TYPES",
    "interval_label",
]

# Spot v2 ``book``: the depths Kraken accepts, and how many levels per side the CRC32 covers.
BOOK_DEPTHS = (10, 25, 100, 500, 1000)
CHECKSUM_LEVELS = 10
L3_DEPTHS = (10, 100, 1000)

# Spot v2 ``ohlc`` intervals in minutes (1m ... 15d).
OHLC_INTERVALS = (1, 5, 15, 30, 60, 240, 1440, 10080, 21600)

# Futures v1 ``candles_trade_<resolution>`` feeds, by interval in minutes.
FUTURES_CANDLE_FEEDS = {
    1: "1m",
    5: "5m",
    15: "15m",
    30: "30m",
    60: "1h",
    240: "4h",
    720: "12h",
    1440: "1d",
    10080: "1w",
}
FUTURES_CANDLE_MINUTES = {v: k for k, v in FUTURES_CANDLE_FEEDS.items()}

# Spot v2 ``add_order`` order types.
ORDER_TYPES = (
    "limit",
    "market",
    "iceberg",
    "stop-loss",
    "stop-loss-limit",
    "take-profit",
    "take-profit-limit",
    "trailing-stop",
    "trailing-stop-limit",
    "settle-position",
)
TRIGGERED_TYPES = frozenset(
    {
        "stop-loss",
        "stop-loss-limit",
        "take-profit",
        "take-profit-limit",
        "trailing-stop",
        "trailing-stop-limit",
    }
)
LIMIT_PRICED_TYPES = frozenset(
    {"limit", "iceberg", "stop-loss-limit", "take-profit-limit", "trailing-stop-limit"}
)
TIME_IN_FORCE = ("gtc", "gtd", "ioc", "fok")

# The order types the order form offers for a futures product (mapped onto v3 ``orderType``).
FUTURES_ORDER_TYPES = ("limit", "market", "stop-loss", "stop-loss-limit", "take-profit", "take-profit-limit")

# Methods on the private v2 socket whose replies are order outcomes.
TRADING_METHODS = frozenset(
    {
        "add_order",
        "amend_order",
        "edit_order",
        "cancel_order",
        "cancel_all",
        "cancel_all_orders_after",
        "batch_add",
        "batch_cancel",
    }
)

# The entry fee tiers Kraken publishes (spot: 0.25 % maker / 0.40 % taker; futures 0.02 / 0.05 %).
SPOT_MAKER_FEE = Decimal("0.0025")
SPOT_TAKER_FEE = Decimal("0.0040")
FUTURES_MAKER_FEE = Decimal("0.0002")
FUTURES_TAKER_FEE = Decimal("0.0005")


def interval_label(minutes: int) -> str:
    """One naming of candle intervals everywhere: ``1m``, ``4h``, ``1d``, ``1w``, ``15d``."""
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 1440:
        return f"{minutes // 60}h"
    if minutes % 10080 == 0 and minutes != 21600:
        return f"{minutes // 10080}w"
    return f"{minutes // 1440}d"
