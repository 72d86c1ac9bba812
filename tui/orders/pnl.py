"""Profit and loss from fills, exact: spot by average cost, futures by FIFO lots.

Pure functions on ``Decimal`` (no store, no I/O) so the P&L panel, the journal's export and the
tests compute one figure the same way.

Spot, average cost (fees included): a buy adds ``qty * price + fee`` to the asset's cost; a sell
takes out ``cost * sold / held`` and realises ``qty * price - fee`` minus that. A fee charged in
the base asset comes out of the coins (a buy holds ``qty - fee`` for its cost, a sell gives up
``qty + fee``), as the balance does; one in a third currency cannot be valued here and is counted
in ``unvalued_fees`` instead. Selling more than the fills show was held means older
history is missing: that sell's realised P&L is ``None`` (unknown), never a guess.

Futures, FIFO lots (linear contracts, P&L in the quote currency): a fill in the direction of the
position opens a lot; one against it closes the oldest lots first, each closed part realising
``qty * (exit - entry)`` (sign by the lot's side). Fees are kept apart in ``fees``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

__all__ = [
    "ClosedLot",
    "FillLike",
    "FuturesBook",
    "Lot",
    "SpotPosition",
    "futures_apply",
    "futures_fifo",
    "futures_unrealised",
    "split_symbol",
    "spot_apply",
    "spot_average_cost",
    "spot_unrealised",
]

ZERO = Decimal(0)


class FillLike(Protocol):
    @property
    def side(self) -> str: ...
    @property
    def qty(self) -> Decimal: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def fee(self) -> Decimal: ...
    @property
    def fee_asset(self) -> str: ...


def split_symbol(symbol: str) -> tuple[str, str]:
    """``BTC/USD`` -> (``BTC``, ``USD``)."""
    base, _, quote = symbol.partition("/")
    return base, quote


# --- spot: average cost ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SpotPosition:
    """What the fills say is held of one asset, and what it cost in the quote currency."""

    qty: Decimal = ZERO
    cost: Decimal = ZERO
    realised: Decimal = ZERO
    unvalued_fees: Decimal = ZERO  # fees in a currency neither base nor quote
    partial: bool = False  # a sell exceeded the known holding: older fills are missing

    @property
    def avg_cost(self) -> Decimal | None:
        return self.cost / self.qty if self.qty > 0 else None


def spot_apply(
    pos: SpotPosition, fill: FillLike, base: str, quote: str
) -> tuple[SpotPosition, Decimal | None]:
    """The position after one fill, and the P&L that fill realised (``None`` for a buy, or for a
    sell whose cost basis is unknown)."""
    asset = fill.fee_asset.upper()
    quote_fee = fill.fee if asset in (quote.upper(), "") else ZERO
    base_fee = fill.fee if asset == base.upper() else ZERO  # taken out of the coins themselves
    unvalued = pos.unvalued_fees + (fill.fee if asset not in (quote.upper(), base.upper(), "") else ZERO)
    if fill.side == "buy":
        got = pos.qty + fill.qty - base_fee
        cost = pos.cost + fill.qty * fill.price + quote_fee
        return SpotPosition(got, cost, pos.realised, unvalued, pos.partial), None
    out = fill.qty + base_fee
    if out > pos.qty:  # older buys are not known: the basis of this sell is not either
        return SpotPosition(ZERO, ZERO, pos.realised, unvalued, True), None
    cost_out = pos.cost * out / pos.qty
    realised = fill.qty * fill.price - quote_fee - cost_out
    left = pos.qty - out
    cost_left = pos.cost - cost_out if left else ZERO
    return SpotPosition(left, cost_left, pos.realised + realised, unvalued, pos.partial), realised


def spot_average_cost(
    fills: Iterable[FillLike], base: str, quote: str
) -> tuple[SpotPosition, list[Decimal | None]]:
    """The position after ``fills`` (oldest first) and each fill's realised P&L, in order."""
    pos = SpotPosition()
    per_fill: list[Decimal | None] = []
    for f in fills:
        pos, realised = spot_apply(pos, f, base, quote)
        per_fill.append(realised)
    return pos, per_fill


def spot_unrealised(pos: SpotPosition, mid: Decimal) -> Decimal:
    """What the holding would realise at ``mid``, before the fee of selling it."""
    return pos.qty * mid - pos.cost


# --- futures: FIFO lots ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Lot:
    qty: Decimal  # signed: long > 0, short < 0
    price: Decimal


@dataclass(frozen=True, slots=True)
class ClosedLot:
    qty: Decimal  # signed as the lot was (a closed long is > 0)
    entry: Decimal
    exit: Decimal

    @property
    def realised(self) -> Decimal:
        return self.qty * (self.exit - self.entry)


@dataclass(slots=True)
class FuturesBook:
    lots: list[Lot] = field(default_factory=list)
    closed: list[ClosedLot] = field(default_factory=list)
    fees: Decimal = ZERO

    @property
    def realised(self) -> Decimal:
        return sum((c.realised for c in self.closed), ZERO)

    @property
    def size(self) -> Decimal:
        return sum((lot.qty for lot in self.lots), ZERO)


def futures_apply(lots: Iterable[Lot], fill: FillLike) -> tuple[list[Lot], list[ClosedLot]]:
    """The open lots after one fill, and the lot parts it closed (oldest first)."""
    open_lots = list(lots)
    signed = fill.qty if fill.side == "buy" else -fill.qty
    closed: list[ClosedLot] = []
    while signed and open_lots and (open_lots[0].qty > 0) != (signed > 0):
        lot = open_lots[0]
        take = min(abs(lot.qty), abs(signed))
        sign = 1 if lot.qty > 0 else -1
        closed.append(ClosedLot(sign * take, lot.price, fill.price))
        rest = lot.qty - sign * take
        signed += sign * take
        if rest:
            open_lots[0] = Lot(rest, lot.price)
        else:
            open_lots.pop(0)
    if signed:
        open_lots.append(Lot(signed, fill.price))
    return open_lots, closed


def futures_fifo(fills: Iterable[FillLike]) -> tuple[FuturesBook, list[Decimal | None]]:
    """Lots, closed parts and fees after ``fills`` (oldest first), and each fill's realised P&L
    (``None`` for a fill that closed nothing)."""
    book = FuturesBook()
    per_fill: list[Decimal | None] = []
    for f in fills:
        book.lots, closed = futures_apply(book.lots, f)
        book.closed += closed
        book.fees += f.fee
        per_fill.append(sum((c.realised for c in closed), ZERO) if closed else None)
    return book, per_fill


def futures_unrealised(lots: Iterable[Lot], mark: Decimal) -> Decimal:
    return sum((lot.qty * (mark - lot.price) for lot in lots), ZERO)
