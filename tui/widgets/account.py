"""Orders, fills, balances and the activity log: low-rate tables, keyed rows, cell-level updates."""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from functools import partial

from rich.text import Text
from textual.binding import Binding
from textual.widgets import RichLog

from tui.kraken.instrument import Instrument
from tui.orders.pnl_report import Portfolio
from tui.store import ActivityEntry, Balance, Fill, FuturesMargin, OrderView, Position
from tui.widgets.lean_table import LeanTable

__all__ = ["ActivityLog", "BalancesTable", "FillsTable", "OrdersTable", "PositionsTable", "asset_amount"]


def _f(v: Decimal | None) -> str:
    return "" if v is None else format(v, "f")


class _Table(LeanTable):
    COLUMNS: tuple[str, ...] = ()
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "scroll_top", "Top", show=False, id="list.top"),
        Binding("G,end", "scroll_bottom", "Bottom", show=False, id="list.bottom"),
    ]

    id_width: int | None = 13  # order ids cut to this many characters (None: whole, when there is room)

    def on_mount(self) -> None:
        self.cursor_type = "row"
        for c in self.COLUMNS:
            self.add_column(c, key=c)
        self._values: dict[str, tuple[str, ...]] = {}

    def sync(self, rows: Mapping[str, tuple[Text, ...]]) -> None:
        """Keyed rows: add new, remove gone, update only the cells that changed."""
        with self.app.batch_update():
            for key in [k for k in self._values if k not in rows]:
                self.remove_row(key)
                del self._values[key]
            for key, cells in rows.items():
                plain = tuple(c.plain + str(c.style) for c in cells)
                old = self._values.get(key)
                if old is None:
                    self.add_row(*cells, key=key)
                elif old != plain:
                    for col, cell, a, b in zip(self.COLUMNS, cells, old, plain, strict=True):
                        if a != b:
                            self.update_cell(key, col, cell, update_width=True)
                self._values[key] = plain

    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except Exception:
            return None


class OrdersTable(_Table):
    """Open orders; an OTO close (``ord_ref_id``) sits right under the order whose fill placed
    it, marked ``↳`` with its primary's id, so a bracket reads as one position's orders."""

    COLUMNS = ("Order", "Symbol", "Side", "Type", "Price", "Qty", "Filled", "Status", "Age")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.marked: set[str] = set()
        self.clock = time.time
        self._order: list[str] = []

    @staticmethod
    def linked_order(orders: Mapping[str, OrderView]) -> list[str]:
        """Primaries in arrival order, each followed by the closes its fills placed."""
        children: dict[str, list[str]] = {}
        for oid, o in orders.items():
            if o.ord_ref_id is not None and o.ord_ref_id in orders:
                children.setdefault(o.ord_ref_id, []).append(oid)
        out: list[str] = []
        for oid, o in orders.items():
            if o.ord_ref_id is None or o.ord_ref_id not in orders:
                out.append(oid)
                out += children.get(oid, [])
        return out

    def show(self, orders: dict[str, OrderView], now: float | None = None) -> None:
        now = now or self.clock()
        rows = {}
        for oid in self.linked_order(orders):
            o = orders[oid]
            side_style = "green" if o.side == "buy" else "red"
            age = int(now - o.first_seen)
            mark = "● " if oid in self.marked else ""
            kind = str(o.get("order_type", ""))
            price = o.limit_price if o.limit_price is not None else o.trigger_price
            if o.ord_ref_id is not None:
                mark = "↳ " + mark
                kind = f"{kind} of {o.ord_ref_id[:6]}"
            rows[oid] = (
                Text(mark + oid[: self.id_width]),
                Text(o.symbol),
                Text(o.side, style=side_style),
                Text(kind),
                Text(_f(price), justify="right"),
                Text(_f(o.qty), justify="right"),
                Text(_f(o.filled.quantize(o.qty) if o.qty else o.filled), justify="right"),
                Text(o.status),
                Text(f"{age}s", justify="right"),
            )
        order = list(rows)
        kept = [k for k in self._order if k in rows]
        if order[: len(kept)] != kept:
            # a close placed under its primary, not at the end: rebuild in order (orders are few)
            keep = self.selected_key
            self.clear()
            self._values.clear()
            self.sync(rows)
            if keep in rows:
                self.move_cursor(row=order.index(keep), animate=False)
        else:
            self.sync(rows)
        self._order = order


class FillsTable(_Table):
    """Newest fill first; ``p`` groups the partial fills of each order into one row at their
    average price (``Liq`` then counts the fills)."""

    COLUMNS = ("Time", "Symbol", "Side", "Price", "Qty", "Fee", "Liq", "Order")
    BINDINGS = [
        Binding(
            "p",
            "toggle_per_order",
            "Per order",
            tooltip="Group fills per order (average price)",
            id="fills.per-order",
        )
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.per_order = False
        self._fills: list[Fill] = []
        self._order: list[str] = []

    def show(self, fills: list[Fill]) -> None:
        self._fills = fills[-200:]
        w = self.id_width
        rows = self._grouped(self._fills, w) if self.per_order else self._each(self._fills, w)
        order = list(rows)
        if order != self._order:
            # a new fill goes on top: rebuild in order (fills are few), keeping the cursor's row
            keep = self.selected_key
            self.clear()
            self._values.clear()
            self.sync(rows)
            if keep in rows:
                self.move_cursor(row=order.index(keep), animate=False)
        else:
            self.sync(rows)
        self._order = order

    def action_toggle_per_order(self) -> None:
        self.per_order = not self.per_order
        self._order = []
        self.clear()
        self._values.clear()
        self.show(self._fills)
        self.border_title = "Fills per order (average price)" if self.per_order else None

    @staticmethod
    def _each(fills: list[Fill], width: int | None = 13) -> dict[str, tuple[Text, ...]]:
        rows: dict[str, tuple[Text, ...]] = {}
        for f in reversed(fills):
            rows[f.exec_id or f"{f.order_id}-{f.trade_id}"] = (
                Text(f.timestamp[11:19]),
                Text(f.symbol),
                Text(f.side, style="green" if f.side == "buy" else "red"),
                Text(_f(f.price), justify="right"),
                Text(_f(f.qty), justify="right"),
                Text(f"{_f(f.fee)} {f.fee_asset}", justify="right"),
                Text(f.liquidity),
                Text(f.order_id[:width]),
            )
        return rows

    @staticmethod
    def _grouped(fills: list[Fill], width: int | None = 13) -> dict[str, tuple[Text, ...]]:
        groups: dict[str, list[Fill]] = {}
        for f in reversed(fills):
            groups.setdefault(f.order_id, []).append(f)
        rows: dict[str, tuple[Text, ...]] = {}
        for oid, fs in groups.items():
            qty = sum((f.qty for f in fs), Decimal(0))
            cost = sum((f.qty * f.price for f in fs), Decimal(0))
            avg = cost / qty if qty else Decimal(0)
            digits = max(-f.price.as_tuple().exponent for f in fs) + 2  # type: ignore[operator]
            last = fs[0]
            rows[f"order-{oid}"] = (
                Text(last.timestamp[11:19]),
                Text(last.symbol),
                Text(last.side, style="green" if last.side == "buy" else "red"),
                Text(_f(avg.quantize(Decimal(1).scaleb(-digits))), justify="right"),
                Text(_f(qty), justify="right"),
                Text(f"{_f(sum((f.fee for f in fs), Decimal(0)))} {last.fee_asset}", justify="right"),
                Text(f"×{len(fs)}"),
                Text(oid[:width]),
            )
        return rows


class BalancesTable(_Table):
    """Every balance in the asset's own display precision (the venue's ``precision_display``),
    the same in each column; the portfolio row names what it could not value instead of leaving
    it out."""

    COLUMNS = ("Asset", "Total", "Available", "Reserved", "Value")

    def show(self, balances: dict[str, Balance], portfolio: Portfolio, digits: Mapping[str, int]) -> Decimal:
        rows = {}
        values = dict(portfolio.valued)
        why = {a: reason for a, _, reason in portfolio.not_valued}
        quote = portfolio.quote
        for asset, b in balances.items():
            shown = partial(asset_amount, digits=digits.get(asset))
            value = values.get(asset)
            rows[asset] = (
                Text(asset, style="bold"),
                Text(shown(b.total), justify="right"),
                Text(shown(b.available), justify="right"),
                Text(shown(b.reserved), justify="right"),
                Text(f"{value:,.2f} {quote}", justify="right")
                if value is not None
                else Text(f"– {why.get(asset, '')}".rstrip(), style="dim", justify="right"),
            )
        missing = ", ".join(a for a, _, _ in portfolio.not_valued)
        rows["__total__"] = (
            Text("Portfolio", style="bold"),
            Text(""),
            Text(""),
            Text(f"without {missing}" if missing else "", style="yellow", justify="right"),
            Text(f"{portfolio.value:,.2f} {quote}", style="bold", justify="right"),
        )
        self.sync(rows)
        return portfolio.value


def asset_amount(value: Decimal, digits: int | None) -> str:
    """An amount with the asset's display decimals, cut toward zero (never shows more than is
    there); as the venue gave it when the asset's precision is not known."""
    if digits is None:
        return _f(value)
    return format(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN), f",.{digits}f")


class PositionsTable(_Table):
    """Futures positions with unrealised P&L at the mark, and the margin account beneath."""

    COLUMNS = ("Symbol", "Side", "Size", "Entry", "Mark", "uPnL", "Liq", "Margin")

    def show(
        self,
        positions: Mapping[str, Position],
        margin: FuturesMargin | None,
        instruments: Mapping[str, Instrument],
    ) -> None:
        rows = {}
        for sym, p in sorted(positions.items()):
            inst = instruments.get(sym)
            entry = p.entry_price
            if inst is not None:
                entry = entry.quantize(Decimal(1).scaleb(-inst.price_precision))
            pnl_style = "green" if (p.pnl or 0) >= 0 else "red"
            rows[sym] = (
                Text(sym, style="bold"),
                Text(p.side, style="green" if p.size > 0 else "red"),
                Text(_f(abs(p.size)), justify="right"),
                Text(_f(entry), justify="right"),
                Text(_f(p.mark_price), justify="right"),
                Text(f"{p.pnl:+,.2f}" if p.pnl is not None else "–", style=pnl_style, justify="right"),
                Text(_f(p.liquidation_price) if p.liquidation_price else "–", justify="right"),
                Text(f"{p.initial_margin:,.2f}" if p.initial_margin is not None else "–", justify="right"),
            )
        if margin is not None:
            rows["__margin__"] = (
                Text(f"Margin {margin.currency}", style="bold"),
                Text(""),
                Text(""),
                Text(f"equity {margin.margin_equity:,.2f}", justify="right"),
                Text(f"avail {margin.available_margin:,.2f}", justify="right"),
                Text(
                    f"{margin.unrealised_pnl:+,.2f}",
                    style="green" if margin.unrealised_pnl >= 0 else "red",
                    justify="right",
                ),
                Text(""),
                Text(f"{margin.initial_margin:,.2f}", justify="right"),
            )
        self.sync(rows)


class ActivityLog(RichLog):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_lines=1000, wrap=False, markup=False, **kwargs)  # type: ignore[arg-type]
        self.shown = 0

    def show(self, entries: list[ActivityEntry]) -> None:
        for e in entries[self.shown :]:
            style = {"error": "red", "warning": "yellow"}.get(e.level, "")
            self.write(Text(time.strftime("%H:%M:%S ", time.localtime(e.at)) + e.text, style=style))
        self.shown = len(entries)


def instrument_for(instruments: dict[str, Instrument], symbol: str) -> Instrument | None:
    return instruments.get(symbol)
