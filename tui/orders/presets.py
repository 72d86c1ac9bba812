"""Working sizes for the ladder's one-key orders: the ``[ladder.presets]`` text as exact amounts.

A preset is a base quantity (``"0.01"``) or an amount of a named asset (``"500 USD"``); it goes
into the order as the form's quantity and unit, so the guards convert and judge it exactly as
if it had been typed. Where none is configured the sizes are multiples of the instrument's own
minimum: a known, always-valid starting point rather than a guess at what the user trades.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tui.kraken.instrument import Instrument

__all__ = ["DEFAULT_MULTIPLES", "WorkingSize", "presets_for"]

DEFAULT_MULTIPLES = (1, 2, 5, 10, 50)


@dataclass(frozen=True, slots=True)
class WorkingSize:
    amount: Decimal
    asset: str  # the instrument's base or quote

    def form_fields(self, inst: Instrument) -> tuple[str, str]:
        """The form's quantity text and unit ("base" or "quote")."""
        return format(self.amount, "f"), "quote" if self.asset == inst.quote else "base"

    @property
    def label(self) -> str:
        return f"{format(self.amount, 'f')} {self.asset}"


def _read(text: str, inst: Instrument) -> WorkingSize | None:
    parts = text.split()
    asset = parts[1] if len(parts) > 1 else inst.base
    if asset not in (inst.base, inst.quote):
        return None  # "500 EUR" on a USD pair: not this pair's size
    return WorkingSize(Decimal(parts[0]), asset)


def presets_for(presets: Mapping[str, Sequence[str]], inst: Instrument) -> list[WorkingSize]:
    """The symbol's presets, else its base asset's, else multiples of the minimum order size."""
    texts = presets.get(inst.symbol) or presets.get(inst.base)
    if texts:
        found = [w for t in texts if (w := _read(t, inst)) is not None]
        if found:
            return found
    least = max(inst.qty_min, 1)
    return [WorkingSize(inst.qty_decimal(least * k), inst.base) for k in DEFAULT_MULTIPLES]
