"""Instrument details: tick, lot, minimums and trading status."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.kraken.instrument import Instrument
from tui.store import Derivatives

__all__ = ["InstrumentInfo"]


class InstrumentInfo(Static):
    def show(self, inst: Instrument | None, symbol: str, deriv: Derivatives | None = None) -> None:
        if inst is None:
            self.update(Text(f"{symbol}: waiting for reference data", style="dim"), layout=False)
            return
        t = Text()
        status_style = "green" if inst.status == "online" else "bold yellow"
        t.append(f"{inst.symbol} ", style="bold")
        t.append(f"{inst.status}\n", style=status_style)
        t.append(
            f"tick {inst.format_price(inst.price_increment)}  lot {inst.format_qty(inst.qty_increment)}\n"
        )
        if deriv is None and not inst.marginable:
            t.append(f"min qty {inst.format_qty(inst.qty_min)}  min cost {inst.cost_min} {inst.quote}\n")
            t.append(f"precision {inst.price_precision}/{inst.qty_precision}")
        else:
            d = deriv
            t.append(f"mark {_p(d.mark_price if d else None)}  index {_p(d.index_price if d else None)}\n")
            rate = d.relative_funding_rate if d else None
            t.append("funding ")
            t.append(
                f"{rate * 100:+.4f}%" if rate is not None else "–",
                style="green" if rate is not None and rate >= 0 else "red",
            )
            t.append(f"  OI {_p(d.open_interest if d else None)}")
        self.update(t, layout=False)


def _p(v: object) -> str:
    return "–" if v is None else format(v, "f")
