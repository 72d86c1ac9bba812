"""Where a chart's axis labels go: price ticks at round values, time ticks at calendar boundaries.

Pure arithmetic, no Textual, so the choices can be tested one by one. Every label is exact: a
price tick is a multiple of a step that is itself a multiple of the pair's tick, a last price is
the candle's own text at the pair's precision. Floats are used only to place things on cells.

Times are UTC: Kraken opens its candles on UTC boundaries (a daily candle at 00:00 UTC), so only
in UTC does a ``00:00`` or ``01 Dec`` label sit on the first candle of that period; the tape's
clock is the prints' own UTC timestamps too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

__all__ = [
    "TimeStep",
    "compact_amount",
    "decimals_of",
    "fixed",
    "price_ticks",
    "time_labels",
    "time_step",
]

_MANTISSAS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


def decimals_of(values: list[Decimal]) -> int:
    """The most decimals any of ``values`` was written with (the precision when no instrument is known)."""
    most = 0
    for v in values:
        exp = v.as_tuple().exponent
        if isinstance(exp, int):
            most = max(most, -exp)
    return most


def fixed(value: Decimal, decimals: int) -> str:
    """``value`` with exactly ``decimals`` decimals; rounds (half-even) only what has more."""
    return format(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN), "f")


def price_ticks(lo: Decimal, hi: Decimal, slots: int, decimals: int) -> list[Decimal]:
    """Round prices inside [lo, hi], at most ``slots`` of them, on a 1/2/2.5/5 × 10ⁿ step.

    The step is never finer than the pair's tick (10^-decimals), so each tick is a price the
    market can trade at and its label needs no rounding.
    """
    if slots < 1 or hi < lo:
        return []
    span = hi - lo
    unit = Decimal(1).scaleb(-decimals)
    exp = (span / slots).adjusted() if span > 0 else -decimals
    step = unit
    candidates = (m.scaleb(e) for e in range(max(exp - 1, -decimals), exp + 3) for m in _MANTISSAS)
    for found in candidates:
        if found * slots >= span and found >= unit and found % unit == 0:
            step = found
            break
    first = (lo / step).to_integral_value(rounding="ROUND_CEILING") * step
    out: list[Decimal] = []
    v = first
    while v <= hi and len(out) <= slots:
        out.append(v)
        v += step
    return out


@dataclass(frozen=True, slots=True)
class TimeStep:
    """A labelling period: which period a time falls in, and the label of its first candle."""

    name: str
    seconds: int  # nominal length, for spacing
    period: Callable[[datetime], object]
    label: Callable[[datetime], str]


def _every(seconds: int) -> Callable[[datetime], object]:
    return lambda d: int(d.timestamp()) // seconds


def _clock(d: datetime) -> str:
    return d.strftime("%H:%M")


_STEPS = [
    *(
        TimeStep(f"{m}m", m * 60, _every(m * 60), _clock)
        for m in (5, 10, 15, 30, 60, 120, 180, 240, 360, 720)
    ),
    TimeStep("1d", 86400, _every(86400), lambda d: d.strftime("%d %b")),
    TimeStep("month", 30 * 86400, lambda d: (d.year, d.month), lambda d: d.strftime("%b")),
    TimeStep("quarter", 91 * 86400, lambda d: (d.year, (d.month - 1) // 3), lambda d: d.strftime("%b")),
    TimeStep("year", 365 * 86400, lambda d: d.year, lambda d: d.strftime("%Y")),
]


def time_step(interval_min: int, cols_per_candle: int) -> TimeStep | None:
    """The finest period longer than one candle whose labels do not run into each other."""
    for step in _STEPS:
        if step.seconds <= interval_min * 60:
            continue
        width = len(step.label(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)))
        if step.seconds / (interval_min * 60) * cols_per_candle >= width + 1:
            return step
    return None


def time_labels(newest: float, slots: int, interval_min: int, cols_per_candle: int) -> list[tuple[int, str]]:
    """(slot, label) for each slot that opens a new period; slot ``slots - 1`` opens at ``newest``."""
    step = time_step(interval_min, cols_per_candle)
    if step is None or slots < 2:
        return []
    seconds = interval_min * 60
    out = []
    prev = step.period(datetime.fromtimestamp(newest - slots * seconds, tz=UTC))
    for slot in range(slots):
        at = datetime.fromtimestamp(newest - (slots - 1 - slot) * seconds, tz=UTC)
        period = step.period(at)
        if period != prev:
            out.append((slot, step.label(at)))
        prev = period
    return out


def compact_amount(value: Decimal, width: int) -> str:
    """A size in at most ``width`` characters: as many decimals as fit, then k/M/G."""
    for decimals in range(max(0, decimals_of([value])), -1, -1):
        text = fixed(value, decimals)
        if len(text) <= width:
            return text
    for suffix, scale in (("k", 3), ("M", 6), ("G", 9)):
        scaled = value.scaleb(-scale)
        for decimals in (1, 0):
            text = fixed(scaled, decimals) + suffix
            if len(text) <= width:
                return text
    return fixed(value, 0)
