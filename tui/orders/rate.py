"""The exchange's per-pair trading rate counter, as the client can know it.

Kraken charges every add, amend and cancel to a counter per pair that decays each second and
refuses everything (``EOrder:Rate limit exceeded``) above the account tier's maximum. Amends and
cancels cost more the younger the order (protocol reference, "Trading rate limits"). The
exchange can stream the counter (``ratecounter: true``); between its reports, and when it does
not, the desk charges what it sends itself, so a warning can come before the refusal: the
estimate is the exchange's last report plus what was sent since, decayed at the tier's rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

__all__ = ["DECAY_PER_S", "Kind", "RateMeter", "RateReading", "cost", "rate_problem", "reading"]

Kind = Literal["add", "amend", "cancel"]

# Decay per second by tier, keyed by the tier's maximum (Starter, Intermediate, Pro).
DECAY_PER_S = {60: Decimal(1), 125: Decimal("2.34"), 180: Decimal("3.75")}
_AGES = (5, 10, 15, 45, 90, 300)
_EXTRA: dict[str, tuple[int, ...]] = {
    "add": (0, 0, 0, 0, 0, 0),
    "amend": (3, 2, 1, 0, 0, 0),
    "cancel": (8, 6, 5, 4, 2, 1),
}
_FIXED = {"add": 1, "amend": 1, "cancel": 0}


def cost(kind: Kind, age_s: float) -> Decimal:
    """What one request adds to the counter, for an order ``age_s`` seconds old."""
    extra = next((e for limit, e in zip(_AGES, _EXTRA[kind], strict=True) if age_s < limit), 0)
    return Decimal(_FIXED[kind] + extra)


def _decay(max_count: int | None) -> Decimal:
    # an unknown tier decays at the slowest rate: the estimate errs high, never low
    return DECAY_PER_S.get(max_count or 0, Decimal(1))


@dataclass
class RateMeter:
    """Local charges per pair: (value, monotonic time it was last brought up to date)."""

    charges: dict[str, tuple[Decimal, float]] = field(default_factory=dict)

    def value(
        self,
        symbol: str,
        now: float,
        max_count: int | None,
        reported: tuple[Decimal, float] | None = None,
    ) -> Decimal:
        """The counter now: the exchange's last report, plus what was charged here since it came
        (a report counts what the exchange charged, refusals included, so it replaces the charges
        made before it)."""
        d = _decay(max_count)
        local = self.charges.get(symbol)
        if reported is not None and (local is None or reported[1] >= local[1]):
            local = reported
        if local is None:
            return Decimal(0)
        return max(Decimal(0), local[0] - d * Decimal(str(round(now - local[1], 3))))

    def charge(
        self,
        symbol: str,
        amount: Decimal,
        now: float,
        max_count: int | None,
        reported: tuple[Decimal, float] | None = None,
    ) -> None:
        self.charges[symbol] = (self.value(symbol, now, max_count, reported) + amount, now)


@dataclass(frozen=True, slots=True)
class RateReading:
    """One pair's counter now: the estimate, the tier maximum (None: unknown), and whether the
    exchange reported it (False: charged here only)."""

    value: Decimal
    max_count: int | None
    reported: bool

    def text(self) -> str:
        top = str(self.max_count) if self.max_count is not None else "?"
        shown = f"{self.value.quantize(Decimal(1))}"
        return f"rate {shown}/{top}" if self.reported else f"rate ~{shown}/{top}"


def reading(
    meter: RateMeter,
    symbol: str,
    now: float,
    max_count: int | None,
    reported: tuple[Decimal, float] | None,
) -> RateReading:
    return RateReading(meter.value(symbol, now, max_count, reported), max_count, reported is not None)


def rate_problem(r: RateReading, amount: Decimal, what: str) -> tuple[str | None, bool]:
    """(message, would_trip): a warning at 80 % of the maximum, the refusal text above it."""
    if r.max_count is None:
        return None, False
    after = r.value + amount
    if after > r.max_count:
        return (
            f"{what} costs {amount} on a rate counter at {r.value.quantize(Decimal(1))}/{r.max_count}: "
            "the exchange would refuse it (EOrder:Rate limit exceeded)",
            True,
        )
    if after >= r.max_count * Decimal("0.8"):
        return f"rate counter {after.quantize(Decimal(1))}/{r.max_count} after {what}: near the limit", False
    return None, False
