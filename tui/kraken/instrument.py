"""Instrument reference data and the order checks that depend on it.

Validation mirrors Kraken's own error texts where one exists, so the user sees in the form what
the exchange would have answered, before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from tui.kraken.numbers import decimal_to_ticks, format_ticks, ticks_to_decimal, to_ticks

__all__ = ["Instrument", "OrderCheck"]

TRADING_STATUSES = frozenset({"online", "post_only", "limit_only", "reduce_only", "cancel_only"})


@dataclass(frozen=True, slots=True)
class OrderCheck:
    """One refused field: which field and the message to show next to it."""

    field: str
    message: str


def _dec(value: Any) -> Decimal:
    return Decimal(value if isinstance(value, str | int) else str(value))


@dataclass(frozen=True, slots=True)
class Instrument:
    symbol: str
    base: str
    quote: str
    status: str
    price_precision: int
    qty_precision: int
    cost_precision: int
    price_increment: int  # in price ticks
    qty_increment: int  # in qty ticks
    qty_min: int  # in qty ticks
    cost_min: Decimal
    marginable: bool = False
    has_index: bool = False

    @classmethod
    def from_wire(cls, pair: dict[str, Any]) -> Instrument:
        """From an instrument-channel pair (numbers as wire text, exponent notation allowed)."""
        pp = int(pair["price_precision"])
        qp = int(pair["qty_precision"])
        inc = pair.get("price_increment", pair.get("tick_size"))
        return cls(
            symbol=str(pair["symbol"]),
            base=str(pair["base"]),
            quote=str(pair["quote"]),
            status=str(pair.get("status", "online")),
            price_precision=pp,
            qty_precision=qp,
            cost_precision=int(pair.get("cost_precision", pp)),
            price_increment=decimal_to_ticks(_dec(inc), pp) if inc is not None else 1,
            qty_increment=decimal_to_ticks(_dec(pair.get("qty_increment", "0")), qp) or 1,
            qty_min=decimal_to_ticks(_dec(pair.get("qty_min", "0")), qp),
            cost_min=_dec(pair.get("cost_min", "0")),
            marginable=bool(pair.get("marginable", False)),
            has_index=bool(pair.get("has_index", False)),
        )

    # conversions -------------------------------------------------------------------------
    def price_ticks(self, value: str | Decimal) -> int:
        return to_ticks(value, self.price_precision)

    def qty_ticks(self, value: str | Decimal) -> int:
        return to_ticks(value, self.qty_precision)

    def price_decimal(self, ticks: int) -> Decimal:
        return ticks_to_decimal(ticks, self.price_precision)

    def qty_decimal(self, ticks: int) -> Decimal:
        return ticks_to_decimal(ticks, self.qty_precision)

    def format_price(self, ticks: int) -> str:
        return format_ticks(ticks, self.price_precision)

    def format_qty(self, ticks: int) -> str:
        return format_ticks(ticks, self.qty_precision)

    def notional(self, qty_ticks: int, price_ticks: int) -> Decimal:
        return self.qty_decimal(qty_ticks) * self.price_decimal(price_ticks)

    # rounding ----------------------------------------------------------------------------
    def round_price(self, value: Decimal, *, up: bool) -> int:
        """Nearest valid price in the safe direction (a buy rounds down, a sell up)."""
        step = self.price_increment
        raw = (value.scaleb(self.price_precision) / step).to_integral_value(
            ROUND_CEILING if up else ROUND_FLOOR
        )
        return int(raw) * step

    def round_qty(self, value: Decimal) -> int:
        step = self.qty_increment
        return int((value.scaleb(self.qty_precision) / step).to_integral_value(ROUND_FLOOR)) * step

    # validation --------------------------------------------------------------------------
    @property
    def can_trade(self) -> bool:
        return self.status in TRADING_STATUSES

    def check_price(self, ticks: int) -> OrderCheck | None:
        if ticks <= 0:
            return OrderCheck("price", "EOrder:Invalid price: must be above zero")
        if ticks % self.price_increment:
            inc = self.format_price(self.price_increment)
            return OrderCheck("price", f"EOrder:Tick size check failed: price must be a multiple of {inc}")
        return None

    def check_qty(self, ticks: int) -> OrderCheck | None:
        if ticks <= 0:
            return OrderCheck("qty", "EGeneral:Invalid arguments: quantity must be above zero")
        if ticks % self.qty_increment:
            inc = self.format_qty(self.qty_increment)
            return OrderCheck("qty", f"EGeneral:Invalid arguments: quantity must be a multiple of {inc}")
        if ticks < self.qty_min:
            return OrderCheck(
                "qty", f"EOrder:Order minimum not met: minimum is {self.format_qty(self.qty_min)}"
            )
        return None

    def check_order(
        self, *, order_type: str, qty_ticks: int, price_ticks: int | None, post_only: bool
    ) -> list[OrderCheck]:
        """Every instrument-level reason to refuse an order, field by field."""
        out: list[OrderCheck] = []
        if self.status == "cancel_only" or not self.can_trade:
            out.append(OrderCheck("symbol", f"EService:Market in {self.status} mode"))
        elif self.status == "post_only" and not (order_type == "limit" and post_only):
            out.append(OrderCheck("type", "EService:Market in post_only mode: only post-only limit orders"))
        elif self.status == "limit_only" and order_type != "limit":
            out.append(OrderCheck("type", "EService:Market in limit_only mode"))
        q = self.check_qty(qty_ticks)
        if q:
            out.append(q)
        if price_ticks is not None:
            p = self.check_price(price_ticks)
            if p:
                out.append(p)
            elif q is None and self.notional(qty_ticks, price_ticks) < self.cost_min:
                out.append(
                    OrderCheck("qty", f"EOrder:Cost minimum not met: minimum is {self.cost_min} {self.quote}")
                )
        return out
