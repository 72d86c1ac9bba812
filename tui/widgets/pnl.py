"""The P&L panel: spot by average cost, futures by FIFO lots, the portfolio in one currency.

It paints a ``PnlReport`` (``tui.orders.pnl_report``) and computes nothing itself. Every figure
says where it comes from: the method in the title, "unknown" where the verified mid is not there,
"partial" where older fills are not known, "estimate" on the liquidation price, and the assets
the portfolio line could not value, by name and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

from rich.text import Text

from tui.kraken.instrument import Instrument
from tui.orders.pnl_report import FuturesLine, PnlReport, SpotLine
from tui.widgets.account import _Table, asset_amount

__all__ = ["PnlTable", "money"]

PER_SYMBOL = 5  # the last sells / closed lots listed under each symbol


def money(value: Decimal | None, digits: int = 2, sign: bool = True) -> str:
    """P&L in the quote currency's display decimals, signed; "unknown" for None."""
    if value is None:
        return "unknown"
    q = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    return format(q, f"{'+' if sign else ''},.{digits}f")


def _price(value: Decimal | None, inst: Instrument | None) -> str:
    if value is None:
        return "unknown"
    if inst is None:
        return format(value, "f")
    return format(value.quantize(Decimal(1).scaleb(-inst.price_precision)), "f")


def _qty(value: Decimal, inst: Instrument | None) -> str:
    return format(value if inst is None else value.quantize(Decimal(1).scaleb(-inst.qty_precision)), "f")


def _style(value: Decimal | None) -> str:
    return "" if value is None or not value else "green" if value > 0 else "red"


class PnlTable(_Table):
    COLUMNS = ("Symbol", "Held", "Avg cost", "Mid / mark", "Unrealised", "Realised", "Note")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._order: list[str] = []

    def show(
        self,
        report: PnlReport,
        instruments: Mapping[str, Instrument],
        digits: Mapping[str, int],
    ) -> None:
        title = f"P&L · {report.method} (fees included) · {report.history}"
        if self.border_title != title:
            self.border_title = title
        rows: dict[str, tuple[Text, ...]] = {
            "__method__": (
                Text("Method", style="bold"),
                *(Text("") for _ in range(5)),
                Text(
                    f"spot: {report.method}, fees included · futures: FIFO lots · {report.history}",
                    style="dim",
                ),
            )
        }
        for line in report.spot:
            rows.update(self._spot(line, instruments.get(line.symbol), digits))
        for fline in report.futures:
            rows.update(self._futures(fline, instruments.get(fline.symbol), digits))
        rows.update(self._portfolio(report, digits))
        if list(rows) != self._order:
            self.clear()  # a symbol came or went: rebuild in order (rows are few)
            self._values.clear()
            self._order = list(rows)
        self.sync(rows)

    @staticmethod
    def _spot(
        line: SpotLine,
        inst: Instrument | None,
        digits: Mapping[str, int],
    ) -> dict[str, tuple[Text, ...]]:
        q = digits.get(line.quote, 2)
        pos = line.position
        unreal = line.unrealised
        mid_text = f"unknown ({line.why_no_mid})" if line.mid is None else _price(line.mid, inst)
        notes = []
        if line.partial:
            held = asset_amount(line.held, digits.get(line.base)) if line.held is not None else "?"
            notes.append(f"partial: {held} {line.base} held, older fills not known")
        if pos.unvalued_fees:
            notes.append(f"fees in a third currency not counted: {format(pos.unvalued_fees, 'f')}")
        rows: dict[str, tuple[Text, ...]] = {
            f"spot:{line.symbol}": (
                Text(line.symbol, style="bold"),
                Text(asset_amount(pos.qty, digits.get(line.base)), justify="right"),
                Text(_price(pos.avg_cost, inst) if pos.avg_cost is not None else "–", justify="right"),
                Text(mid_text, justify="right"),
                Text(
                    money(unreal, q) if pos.qty > 0 else "–",
                    style=_style(unreal),
                    justify="right",
                ),
                Text(money(pos.realised, q), style=_style(pos.realised), justify="right"),
                Text("; ".join(notes) or f"{line.fills} fills", style="yellow" if notes else "dim"),
            )
        }
        for n, (at, qty, price, realised) in enumerate(line.sells[-PER_SYMBOL:]):
            rows[f"spot:{line.symbol}:sell:{n}"] = (
                Text(f"  sell {at[11:19]}", style="dim"),
                Text(asset_amount(qty, digits.get(line.base)), justify="right"),
                Text(""),
                Text(f"@ {_price(price, inst)}", justify="right"),
                Text(""),
                Text(money(realised, q), style=_style(realised), justify="right"),
                Text("" if realised is not None else "basis unknown: older buys not known", style="yellow"),
            )
        return rows

    @staticmethod
    def _futures(
        line: FuturesLine, inst: Instrument | None, digits: Mapping[str, int]
    ) -> dict[str, tuple[Text, ...]]:
        book = line.book
        size = book.size
        open_qty = sum((abs(lot.qty) for lot in book.lots), Decimal(0))
        entry = (
            sum((abs(lot.qty) * lot.price for lot in book.lots), Decimal(0)) / open_qty if open_qty else None
        )
        unreal = line.unrealised if book.lots else None
        liq = (
            f"liq ≈ {_price(line.liquidation, inst)} ({line.liquidation_note})"
            if line.liquidation is not None
            else f"liq – ({line.liquidation_note})"
            if line.liquidation_note
            else ""
        )
        venue = line.position
        mismatch = venue is not None and venue.size != size
        notes = [n for n in (liq, f"session {money(line.session_realised)}") if n]
        if mismatch and venue is not None:
            notes.append(f"partial: venue holds {_qty(venue.size, inst)}, older fills not known")
        rows: dict[str, tuple[Text, ...]] = {
            f"fut:{line.symbol}": (
                Text(line.symbol, style="bold"),
                Text(
                    _qty(size, inst),
                    style="green" if size > 0 else "red" if size < 0 else "",
                    justify="right",
                ),
                Text(_price(entry, inst) if entry is not None else "–", justify="right"),
                Text(_price(line.mark, inst) if line.mark is not None else "unknown", justify="right"),
                Text(money(unreal) if book.lots else "–", style=_style(unreal), justify="right"),
                Text(money(book.realised), style=_style(book.realised), justify="right"),
                Text(" · ".join(notes), style="yellow" if mismatch else ""),
            )
        }
        for n, c in enumerate(book.closed[-PER_SYMBOL:]):
            rows[f"fut:{line.symbol}:lot:{n}"] = (
                Text("  closed lot (FIFO)", style="dim"),
                Text(_qty(c.qty, inst), justify="right"),
                Text(_price(c.entry, inst), justify="right"),
                Text(f"→ {_price(c.exit, inst)}", justify="right"),
                Text(""),
                Text(money(c.realised), style=_style(c.realised), justify="right"),
                Text(""),
            )
        if book.fees:
            rows[f"fut:{line.symbol}:fees"] = (
                Text("  fees", style="dim"),
                *(Text("") for _ in range(4)),
                Text(money(-book.fees), style=_style(-book.fees), justify="right"),
                Text("charged on the fills, not in the lots' P&L", style="dim"),
            )
        return rows

    @staticmethod
    def _portfolio(report: PnlReport, digits: Mapping[str, int]) -> dict[str, tuple[Text, ...]]:
        pf = report.portfolio
        q = digits.get(pf.quote, 2)
        missing = "; ".join(
            f"{asset} {asset_amount(total, digits.get(asset))} not valued: {why}"
            for asset, total, why in pf.not_valued
        )
        rows: dict[str, tuple[Text, ...]] = {
            "__portfolio__": (
                Text("Portfolio", style="bold"),
                Text(""),
                Text(""),
                Text("at verified mids", style="dim", justify="right"),
                Text(f"{money(pf.value, q, sign=False)} {pf.quote}", style="bold", justify="right"),
                Text(""),
                Text(missing or "every balance valued", style="yellow" if missing else "dim"),
            )
        }
        return rows
