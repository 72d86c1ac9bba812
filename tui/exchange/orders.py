"""Orders as the matching engine holds them, the request that places one, and the refusal.

Kept apart from the engine so the typed events (which carry an order copy) and the gateways that
build requests can use them without importing the matching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Conditional", "Order", "OrderError", "OrderRequest", "order_type_code"]


class OrderError(Exception):
    """A refused request; ``text`` is Kraken's exact error string."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True, slots=True)
class Conditional:
    """An add_order ``conditional`` (OTO) template: each fill of the primary places an opposite-side
    close order of the filled size with these terms. Prices stay as the wire's Decimal (a static
    price, or an offset for relative types and trailing orders) until a secondary is placed."""

    order_type: str
    limit_price: Decimal | None = None
    limit_price_type: str = "static"
    trigger_price: Decimal | None = None
    trigger_price_type: str = "static"


@dataclass(slots=True)
class OrderRequest:
    order_type: str
    side: str
    symbol: str
    qty: int
    limit_price: int | None = None
    limit_price_type: str = "static"
    limit_offset: Decimal | None = None  # trailing-stop-limit: offset from the trigger price
    trigger_price: Decimal | None = None
    trigger_price_type: str = "static"
    trigger_reference: str = "last"
    time_in_force: str = "gtc"
    expire_time: float | None = None
    deadline: float | None = None
    post_only: bool = False
    reduce_only: bool = False
    display_qty: int | None = None
    cl_ord_id: str | None = None
    order_userref: int | None = None
    cash_order_qty: Decimal | None = None
    validate: bool = False
    stp_type: str = "cancel_newest"
    conditional: Conditional | None = None
    ord_ref_id: str | None = None  # a secondary (OTO close) order: the primary that placed it
    effective_time: float | None = None  # scheduled start: held out of the book until then
    fee_preference: str = "quote"  # base | quote: the currency the spot fee is taken in


@dataclass(slots=True, eq=False)
class Order:
    order_id: str
    user: str
    symbol: str
    side: str
    order_type: str
    qty: int
    limit_price: int | None
    time_in_force: str
    created: float
    cl_ord_id: str | None = None
    order_userref: int | None = None
    post_only: bool = False
    reduce_only: bool = False
    display_qty: int | None = None
    expire_time: float | None = None
    trigger_price: int | None = None  # absolute, in price ticks, once known
    trigger_offset: Decimal | None = None  # trailing types: distance (quote units or pct)
    trigger_price_type: str = "static"
    trigger_reference: str = "last"
    limit_offset: Decimal | None = None
    limit_price_type: str = "static"
    triggered: bool = False
    peak: int | None = None
    filled: int = 0
    cum_cost: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    status: str = "pending_new"
    reserved: Decimal = Decimal(0)
    reserved_asset: str = ""
    updated: float = 0.0
    queued_at: float = 0.0
    cash_order_qty: Decimal | None = None
    conditional: Conditional | None = None
    ord_ref_id: str | None = None
    stp_type: str = "cancel_newest"
    effective_time: float | None = None
    fee_in_base: bool = False

    @property
    def fee_ccy_pref(self) -> str:
        """The executions ``fee_ccy_pref``: ``fcib`` (fee in base) or ``fciq`` (in quote)."""
        return "fcib" if self.fee_in_base else "fciq"

    @classmethod
    def unplaced(cls, user: str, req: OrderRequest, now: float, status: str = "pending_new") -> Order:
        """An order that never reaches the book: a pre-trade probe or a refused batch member."""
        return cls(
            order_id="",
            user=user,
            symbol=req.symbol,
            side=req.side,
            order_type=req.order_type,
            qty=req.qty,
            limit_price=req.limit_price,
            time_in_force=req.time_in_force,
            created=now,
            reduce_only=req.reduce_only,
            status=status,
        )

    @property
    def remaining(self) -> int:
        return self.qty - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in ("pending_new", "new", "partially_filled")

    @property
    def visible(self) -> int:
        """Quantity shown in the public book (an iceberg shows only its display part)."""
        if self.display_qty is not None:
            return min(self.display_qty, self.remaining)
        return self.remaining


def order_type_code(order_type: str, time_in_force: str, post_only: bool) -> str:
    """The REST ``orderType`` an engine order was placed as."""
    if order_type.startswith("stop-loss"):
        return "stp"
    if order_type.startswith("take-profit"):
        return "take_profit"
    if order_type == "market":
        return "mkt"
    if post_only:
        return "post"
    return "ioc" if time_in_force == "ioc" else "lmt"
