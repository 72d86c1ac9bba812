"""Instrument details: tick, lot, minimums and trading status."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.kraken.instrument import Instrument

__all__ = ["InstrumentInfo"]


class InstrumentInfo(Static):
    def show(self, inst: Instrument | None, symbol: str) -> None:
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
        t.append(f"min qty {inst.format_qty(inst.qty_min)}  min cost {inst.cost_min} {inst.quote}\n")
        t.append(f"precision {inst.price_precision}/{inst.qty_precision}")
        self.update(t, layout=False)
