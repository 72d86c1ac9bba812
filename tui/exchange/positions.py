"""Futures settlement for the embedded exchange: positions as FIFO lots, USD collateral, margin.

A futures fill moves no spot asset. Each side's position (signed contracts) is kept as FIFO lots
``(qty, price)`` in exact Decimal, so a reducing fill realizes exactly
``lot_qty * (exit - entry)`` per consumed lot; realized PnL and fees move the user's futures USD
collateral, a ledger separate from the spot wallets. Margin follows a flat schedule: initial
margin 2 % of notional (50x), maintenance 1 %.

There is no liquidation engine: an account whose equity falls below its maintenance margin keeps
its positions (``liquidation_threshold`` is reported for display only), and no funding is ever
exchanged (``unrealizedFunding`` stays 0).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "IM_RATE",
    "MM_RATE",
    "FuturesLedger",
    "Lot",
    "MarginSummary",
    "Position",
    "order_margin",
]

IM_RATE = Decimal("0.02")
MM_RATE = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(slots=True)
class Lot:
    qty: Decimal  # signed: > 0 long, < 0 short
    price: Decimal


@dataclass(slots=True)
class Position:
    lots: deque[Lot] = field(default_factory=deque)
    last_fill: float = 0.0

    @property
    def qty(self) -> Decimal:
        return sum((lot.qty for lot in self.lots), ZERO)

    @property
    def entry_price(self) -> Decimal:
        """Average entry of the open lots (exact quotient rounded to 10 decimals)."""
        q = self.qty
        if not q:
            return ZERO
        cost = sum((lot.qty * lot.price for lot in self.lots), ZERO)
        return (cost / q).quantize(Decimal("1e-10")).normalize()

    def unrealized(self, mark: Decimal | None) -> Decimal:
        if mark is None:
            return ZERO
        return sum((lot.qty * (mark - lot.price) for lot in self.lots), ZERO)

    def apply(self, qty: Decimal, price: Decimal) -> Decimal:
        """Add a signed fill; returns the PnL it realized (consumed lots, oldest first)."""
        realized = ZERO
        remaining = qty
        while remaining and self.lots and (self.lots[0].qty > 0) != (remaining > 0):
            lot = self.lots[0]
            take = min(abs(remaining), abs(lot.qty))
            closed = take if lot.qty > 0 else -take  # signed part of the lot that closes
            realized += closed * (price - lot.price)
            lot.qty -= closed
            remaining += closed
            if not lot.qty:
                self.lots.popleft()
        if remaining:
            self.lots.append(Lot(remaining, price))
        return realized


@dataclass(frozen=True, slots=True)
class MarginSummary:
    collateral: Decimal
    unrealized: Decimal
    initial_margin: Decimal  # of positions
    maintenance_margin: Decimal
    order_margin: Decimal  # reserved by open orders

    @property
    def equity(self) -> Decimal:
        return self.collateral + self.unrealized

    @property
    def available(self) -> Decimal:
        return self.equity - self.initial_margin - self.order_margin


def order_margin(position: Decimal, orders: Iterable[tuple[str, Decimal, Decimal]]) -> Decimal:
    """Initial margin reserved by open orders ``(side, qty, price)`` of one product.

    Per side, the part of the orders that would only close the current position reserves
    nothing; the rest reserves 2 % of its notional at the order's price.
    """
    capacity = {"buy": max(ZERO, -position), "sell": max(ZERO, position)}
    total = ZERO
    for side, qty, price in orders:
        reduce = min(qty, capacity[side])
        capacity[side] -= reduce
        total += (qty - reduce) * price * IM_RATE
    return total


class FuturesLedger:
    """Per-user futures collateral (USD) and positions per product."""

    def __init__(self) -> None:
        self.collateral: dict[str, Decimal] = {}
        self.positions: dict[str, dict[str, Position]] = {}  # user -> symbol -> position

    def deposit(self, user: str, amount: Decimal) -> None:
        self.collateral[user] = self.collateral.get(user, ZERO) + amount

    def position(self, user: str, symbol: str) -> Position:
        return self.positions.setdefault(user, {}).setdefault(symbol, Position())

    def qty(self, user: str, symbol: str) -> Decimal:
        pos = self.positions.get(user, {}).get(symbol)
        return pos.qty if pos is not None else ZERO

    def open_positions(self, user: str) -> dict[str, Position]:
        return {s: p for s, p in self.positions.get(user, {}).items() if p.lots}

    def settle(
        self, user: str, symbol: str, qty: Decimal, price: Decimal, fee: Decimal, ts: float
    ) -> Decimal:
        """Book a fill: the position moves by ``qty`` (signed), collateral by realized PnL - fee."""
        pos = self.position(user, symbol)
        realized = pos.apply(qty, price)
        pos.last_fill = ts
        self.collateral[user] = self.collateral.get(user, ZERO) + realized - fee
        return realized

    def margin(
        self,
        user: str,
        marks: Mapping[str, Decimal | None],
        orders: Mapping[str, list[tuple[str, Decimal, Decimal]]],
    ) -> MarginSummary:
        unrealized = im = mm = om = ZERO
        for symbol, pos in self.positions.get(user, {}).items():
            mark = marks.get(symbol)
            q = pos.qty
            if q and mark is not None:
                unrealized += pos.unrealized(mark)
                im += abs(q) * mark * IM_RATE
                mm += abs(q) * mark * MM_RATE
        for symbol, rows in orders.items():
            om += order_margin(self.qty(user, symbol), rows)
        return MarginSummary(self.collateral.get(user, ZERO), unrealized, im, mm, om)

    def users(self) -> set[str]:
        return set(self.collateral) | set(self.positions)
