"""The engine's typed events: every state change, in the order it happened.

The engine appends them; the venues' publishers drain them and turn them into wire frames.
Prices and quantities are integer ticks at the pair's precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tui.exchange.orders import Order

__all__ = [
    "Event",
    "Execution",
    "FuturesFill",
    "FuturesOrderEvent",
    "L3Changed",
    "Ledger",
    "LevelChanged",
    "PublicTrade",
    "RateCount",
]


@dataclass(frozen=True, slots=True)
class LevelChanged:
    symbol: str
    side: str  # "bid" | "ask"
    price: int
    qty: int  # visible total now; 0 = level gone


@dataclass(frozen=True, slots=True)
class L3Changed:
    symbol: str
    side: str
    event: str  # add | modify | delete
    order_id: str
    price: int
    qty: int
    timestamp: float


@dataclass(frozen=True, slots=True)
class PublicTrade:
    symbol: str
    side: str  # taker side
    price: int
    qty: int
    ord_type: str
    trade_id: int
    timestamp: float


@dataclass(frozen=True, slots=True)
class Execution:
    user: str
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RateCount:
    """A user's per-pair trading rate counter took ``value`` (the very value the engine enforces)."""

    user: str
    symbol: str
    value: Decimal
    timestamp: float


@dataclass(frozen=True, slots=True)
class Ledger:
    user: str
    entry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FuturesOrderEvent:
    """A futures order changed: ``order`` is a copy taken when it happened."""

    user: str
    exec_type: str  # new | amended | trade | status | filled | canceled | expired
    order: Order
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FuturesFill:
    user: str
    symbol: str
    order_id: str
    cl_ord_id: str | None
    side: str
    order_type: str
    time_in_force: str
    post_only: bool
    price: int
    qty: int
    remaining: int
    fill_id: str
    liquidity: str  # maker | taker
    fee: Decimal
    realized: Decimal
    timestamp: float
    seq: int
    taker_order_type: str = ""  # the REST code of the trade's taker order (recorded on every fill)


Event = (
    LevelChanged | L3Changed | PublicTrade | Execution | Ledger | FuturesOrderEvent | FuturesFill | RateCount
)
