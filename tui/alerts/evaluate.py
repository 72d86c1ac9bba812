"""Whether an alert's condition holds now, judged on verified data only.

Pure over one symbol's ``MarketState`` (no clock, no I/O). The rule for prices: a book that is
resyncing, stale, waiting or lagging proves nothing, so nothing is judged on it; a level crossed
while the book was unverified fires once the book verifies, if it is still crossed (the level
test is on the current price, so a move through and back while unverified does not fire). Last
trade alerts follow the same rule (a print is shown beside the book it moved and is trusted with
it). The STALE alert is the one about integrity itself: it fires when the book is STALE.
"""

from __future__ import annotations

from decimal import Decimal

from tui.alerts.model import Alert
from tui.store import MarketState

__all__ = ["current", "triggered"]


def current(kind: str, mk: MarketState) -> Decimal | None:
    """The figure an alert of ``kind`` watches, where it may be trusted (None otherwise)."""
    if kind == "stale":
        return None
    if not mk.trusted or not mk.has_two_sides:
        return None
    book = mk.book
    assert book is not None
    if kind == "mid":
        return book.mid()
    if kind == "last":
        return mk.trades[-1].price if mk.trades else None
    spread = book.spread_ticks()
    step = mk.instrument.price_increment if mk.instrument is not None else 1
    return None if spread is None else Decimal(spread // step)


def triggered(alert: Alert, mk: MarketState) -> str | None:
    """What to say when the condition holds now; None when it does not (or cannot be judged)."""
    if not alert.active:
        return None
    if alert.kind == "stale":
        return f"{alert.symbol} book is STALE" if mk.book_state == "stale" else None
    value = current(alert.kind, mk)
    if value is None:
        return None
    if alert.kind == "spread":
        assert alert.ticks is not None
        return f"{alert.symbol} spread {value} ticks (> {alert.ticks})" if value > alert.ticks else None
    assert alert.level is not None
    crossed = value >= alert.level if alert.direction == "up" else value <= alert.level
    if not crossed:
        return None
    what = "last trade" if alert.kind == "last" else "mid"
    return f"{alert.symbol} {what} {format(value, 'f')} crossed {format(alert.level, 'f')}"
