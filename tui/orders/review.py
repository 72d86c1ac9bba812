"""Step five of the guards: the numbers the user confirms, computed from the local book.

Notional, fee, distance from mid and, for a marketable order, the walk through the book: the
average fill, the slippage from the touch, what cannot fill now, and how many of the levels it
took are covered by the book's checksum. What the review shows is what the desk will send.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tui.book.l2 import L2Book
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument
from tui.kraken.vocab import (
    FUTURES_MAKER_FEE,
    FUTURES_TAKER_FEE,
    LIMIT_PRICED_TYPES,
    SPOT_MAKER_FEE,
    SPOT_TAKER_FEE,
)
from tui.orders.model import Review, Walk
from tui.orders.parse import Parsed

__all__ = ["Numbers", "fees_for", "review_numbers", "to_review", "walk_book"]


@dataclass(frozen=True, slots=True)
class Numbers:
    """Unrounded review numbers: the funds and fat-finger steps judge these, the review shows them rounded."""

    notional: Decimal
    fee: Decimal
    distance_pct: Decimal | None  # to 0.01 %, as the fat-finger limit compares and shows it
    avg_fill: Decimal | None = None
    slippage_pct: Decimal | None = None
    walk: Walk | None = None


def fees_for(symbol: str) -> tuple[Decimal, Decimal]:
    """(maker, taker) at the venue's published entry tier."""
    return (FUTURES_MAKER_FEE, FUTURES_TAKER_FEE) if is_futures(symbol) else (SPOT_MAKER_FEE, SPOT_TAKER_FEE)


def walk_book(
    book: L2Book, side: str, qty_ticks: int, limit: int | None, verified_levels: int | None = None
) -> Walk:
    """Take ``qty_ticks`` from the opposite side, best level first, not past ``limit``.

    ``verified_levels``: how many levels per side the book's checksum covers (None: all of them).
    """
    levels = book.asks(10_000) if side == "buy" else book.bids(10_000)
    need = qty_ticks
    cost = Decimal(0)
    used = 0
    for price, qty in levels:
        if need == 0 or (limit is not None and (price > limit if side == "buy" else price < limit)):
            break
        take = min(need, qty)
        cost += Decimal(take).scaleb(-book.qty_precision) * Decimal(price).scaleb(-book.price_precision)
        need -= take
        used += 1
    return Walk(qty_ticks - need, cost, need, used, verified_levels)


def review_numbers(
    order_type: str,
    side: str,
    inst: Instrument,
    book: L2Book,
    parsed: Parsed,
    marketable: bool,
    verified_levels: int | None = None,
) -> Numbers:
    """Needs a parsed quantity (the guards call this only once every field was read)."""
    assert parsed.qty_ticks is not None
    maker_fee, taker_fee = fees_for(inst.symbol)
    price_ticks = parsed.price_ticks
    price = inst.price_decimal(price_ticks) if price_ticks is not None else None
    mid = book.mid()
    distance = None
    ref = price if price is not None else parsed.trigger
    if mid and ref is not None:
        distance = ((ref - mid) / mid * 100).quantize(Decimal("0.01"))
    if not marketable:
        px = price_ticks if price_ticks is not None else parsed.ref_price
        notional = inst.notional(parsed.qty_ticks, px) if px is not None else Decimal(0)
        fee = notional * (maker_fee if order_type in LIMIT_PRICED_TYPES else taker_fee)
        return Numbers(notional, fee, distance)
    limit = price_ticks if order_type != "market" else None
    walk = walk_book(book, side, parsed.qty_ticks, limit, verified_levels)
    avg = walk.cost / inst.qty_decimal(walk.filled_ticks) if walk.filled_ticks else None
    touch = book.best_ask() if side == "buy" else book.best_bid()
    slippage = None
    if avg is not None and touch:
        best = inst.price_decimal(touch[0])
        slippage = (avg - best) / best * 100 * (1 if side == "buy" else -1)
    notional = walk.cost
    if price_ticks is not None and walk.unfilled_ticks:
        notional += inst.notional(walk.unfilled_ticks, price_ticks)  # the rest rests at the limit
    return Numbers(notional, notional * taker_fee, distance, avg, slippage, walk)


def to_review(
    order_type: str, side: str, inst: Instrument, parsed: Parsed, numbers: Numbers, reasons: list[str]
) -> Review:
    """The review as shown: notional to the cent, fee to 0.0001, average fill two digits finer than a tick."""
    assert parsed.qty_ticks is not None
    n = numbers
    walk = n.walk
    return Review(
        side,
        inst.symbol,
        order_type,
        inst.qty_decimal(parsed.qty_ticks),
        inst.price_decimal(parsed.price_ticks) if parsed.price_ticks is not None else None,
        n.notional.quantize(Decimal("0.01")),
        n.fee.quantize(Decimal("0.0001")),
        inst.quote,
        n.distance_pct,
        walk is not None,
        n.avg_fill.quantize(Decimal(1).scaleb(-inst.price_precision - 2)) if n.avg_fill is not None else None,
        n.slippage_pct.quantize(Decimal("0.001")) if n.slippage_pct is not None else None,
        inst.qty_decimal(walk.unfilled_ticks) if walk is not None else Decimal(0),
        reasons,
        walk.describe() if walk is not None else None,
    )
