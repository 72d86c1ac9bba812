"""Risk sizing for a bracketed entry: how much to buy so that the stop loses a chosen amount.

Pure ``Decimal`` arithmetic (no store, no book) so the form, the review and the tests compute
one figure the same way. A trade stopped out pays three things per unit: the distance from
entry to stop, the fee on the way in (maker when the entry rests, taker when it takes) and the
taker fee of the stop's market order on the way out. The size is the risk divided by that, cut
down (never up) to the lot, so the loss at the stop stays at or below the risk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Outcome", "bracket_outcome", "portfolio_equity", "risk_amount", "risk_quantity"]

ZERO = Decimal(0)


def risk_quantity(
    risk: Decimal, entry: Decimal, stop: Decimal, entry_fee: Decimal, exit_fee: Decimal
) -> Decimal:
    """The (unrounded) quantity that loses ``risk`` at the stop, fees included.

    ``entry_fee`` / ``exit_fee`` are rates (0.0025 for 0.25 %). Raises ValueError when the stop
    is the entry price (no distance: any size is unbounded risk per the formula) or the risk is
    not positive.
    """
    if risk <= 0:
        raise ValueError("the risk must be above zero")
    if stop == entry:
        raise ValueError("the stop is at the entry price: no distance to size from")
    per_unit = abs(entry - stop) + entry * entry_fee + stop * exit_fee
    return risk / per_unit


def risk_amount(value: Decimal, unit: str, equity: Decimal | None) -> Decimal:
    """The risk in the quote currency: typed as an amount (``quote``) or a % of equity (``pct``)."""
    if unit == "quote":
        return value
    if equity is None:
        raise ValueError("equity unknown: no price for every asset held in this quote currency")
    if not 0 < value <= 100:
        raise ValueError("a % of equity between 0 and 100")
    return equity * value / 100


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a bracket does in money, quote currency, fees included (both signs positive)."""

    loss_at_stop: Decimal | None
    reward_at_target: Decimal | None

    @property
    def reward_risk(self) -> Decimal | None:
        if self.loss_at_stop is None or self.reward_at_target is None or self.loss_at_stop <= 0:
            return None
        return self.reward_at_target / self.loss_at_stop


def bracket_outcome(
    side: str,
    qty: Decimal,
    entry: Decimal,
    stop: Decimal | None,
    target: Decimal | None,
    *,
    entry_fee: Decimal,
    stop_fee: Decimal,
    target_fee: Decimal,
) -> Outcome:
    """Loss if the stop is hit and gain if the target is, for ``qty`` entered at ``entry``."""
    sign = 1 if side == "buy" else -1
    fee_in = qty * entry * entry_fee
    loss = None
    if stop is not None:
        loss = sign * qty * (entry - stop) + fee_in + qty * stop * stop_fee
    reward = None
    if target is not None:
        reward = sign * qty * (target - entry) - fee_in - qty * target * target_fee
    return Outcome(loss, reward)


def portfolio_equity(
    balances: Mapping[str, Decimal], prices: Mapping[str, Decimal], quote: str
) -> Decimal | None:
    """What the balances are worth in ``quote`` (``prices``: asset -> price in ``quote``).

    None when any asset held has no price: a partial sum would understate the equity and size
    every %-of-equity risk too small without saying so.
    """
    total = ZERO
    for asset, qty in balances.items():
        if not qty:
            continue
        if asset == quote:
            total += qty
            continue
        px = prices.get(asset)
        if px is None:
            return None
        total += qty * px
    return total
