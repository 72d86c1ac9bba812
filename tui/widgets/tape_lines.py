"""What the tape shows: prints folded into sweeps, and which lines are big.

One taker order that walks the book comes back as several prints with one timestamp and one
side (Kraken's trade channel labels each print with the taker's side); a trader reads that as one
sweep, so consecutive prints sharing both are one line with the total size, the count, and the
volume-weighted average price. The sums are exact Decimals; the average is rounded only for
display, and marked ``~`` when rounding changed it. Pure, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from tui.store import Trade
from tui.widgets.chart_axes import decimals_of

__all__ = ["TapeLine", "aggregate", "avg_text", "fold"]


@dataclass(frozen=True, slots=True)
class TapeLine:
    timestamp: str
    side: str
    qty: Decimal  # total size, exact
    notional: Decimal  # Σ price × qty, exact
    count: int
    price: Decimal  # the print's price; for a sweep the last (worst) one
    newest_id: int

    @property
    def avg(self) -> Decimal:
        """The volume-weighted average price (to 28 significant digits, Decimal's context)."""
        return self.price if self.count == 1 or not self.qty else self.notional / self.qty

    def is_big(self, threshold: Decimal | None) -> bool:
        return threshold is not None and self.qty >= threshold


def aggregate(trades: Iterable[Trade]) -> list[TapeLine]:
    """Oldest first in, oldest first out; a run of prints with one timestamp and side is one line."""
    return fold([], trades)


def fold(out: list[TapeLine], trades: Iterable[Trade]) -> list[TapeLine]:
    """``out`` (lines so far, oldest first) with newer ``trades`` folded onto its end, in place:
    a sweep whose prints came in two frames is still one line."""
    for t in trades:
        prev = out[-1] if out else None
        if prev is not None and prev.timestamp == t.timestamp and prev.side == t.side:
            out[-1] = TapeLine(
                t.timestamp,
                t.side,
                prev.qty + t.qty,
                prev.notional + t.price * t.qty,
                prev.count + 1,
                t.price,
                t.trade_id,
            )
        else:
            out.append(TapeLine(t.timestamp, t.side, t.qty, t.price * t.qty, 1, t.price, t.trade_id))
    return out


def avg_text(line: TapeLine, decimals: int | None) -> str:
    """A print's own price; a sweep's average at the pair's precision when it is exact there, else
    with one more digit, ``~`` in front when even that is rounded."""
    if line.count == 1:
        return format(line.price, "f")
    if decimals is None:
        decimals = decimals_of([line.price])
    exact = line.avg
    for places in (decimals, decimals + 1):
        shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        if shown == exact:
            return format(shown, "f")
    return "~" + format(shown, "f")
