"""What a frame means, venue-neutral: the typed events both decoders produce and the store applies.

A spot v2 frame and a futures v1 frame that say the same thing decode to the same event: a book
delta is a ``BookDelta`` whether a CRC32 (spot ``checksum``) or a sequence number (futures ``seq``)
vouches for it. Numbers are exact (Decimal from the wire text); book levels keep the wire text
itself, because the checksum is computed from it. The value objects (``Ticker``, ``Trade``...) are
what the store keeps, so applying an event never re-parses anything.

The book events are msgspec Structs decoded straight from the frame (the hot path: no copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import msgspec

from tui.kraken.instrument import Instrument

__all__ = [
    "Ack",
    "Alert",
    "BalancesUpdate",
    "BookDelta",
    "BookLevel",
    "BookSnapshot",
    "Candle",
    "CandleUpdate",
    "Challenge",
    "Control",
    "Derivatives",
    "Event",
    "Fill",
    "FillReport",
    "FuturesMargin",
    "Heartbeat",
    "InstrumentsUpdate",
    "Level3Update",
    "MarginUpdate",
    "MethodResponse",
    "OrderReport",
    "OrderUpdate",
    "Pong",
    "Position",
    "PositionsUpdate",
    "RateCounter",
    "Subscribed",
    "SystemStatus",
    "Ticker",
    "TickerUpdate",
    "Trade",
    "TradePrints",
    "Unknown",
    "Venue",
]

Venue = Literal["spot", "futures"]


# --- the book (hot path) ---------------------------------------------------------------------


class BookLevel(msgspec.Struct, frozen=True, gc=False):
    """One price level: ``price``/``qty`` as exact wire text (spot) or Decimal (futures)."""

    price: Any
    qty: Any


class BookDelta(msgspec.Struct, frozen=True):
    """Changed levels of one book (qty 0 deletes). Spot carries ``checksum``, futures ``seq``."""

    symbol: str
    bids: list[BookLevel] = []
    asks: list[BookLevel] = []
    checksum: int | None = None
    timestamp: str | None = None
    seq: int | None = None
    time_ms: int | None = None  # futures: the exchange's time of the frame


class BookSnapshot(msgspec.Struct, frozen=True):
    """A whole book that replaces whatever was there (spot: checksummed; futures: ``seq`` start)."""

    symbol: str
    bids: list[BookLevel] = []
    asks: list[BookLevel] = []
    checksum: int | None = None
    timestamp: str | None = None
    seq: int | None = None
    time_ms: int | None = None  # futures: the exchange's time of the frame


# --- market values -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ticker:
    bid: Decimal
    bid_qty: Decimal
    ask: Decimal
    ask_qty: Decimal
    last: Decimal
    volume: Decimal
    vwap: Decimal
    low: Decimal
    high: Decimal
    change: Decimal
    change_pct: Decimal
    timestamp: str | None


@dataclass(frozen=True, slots=True)
class Derivatives:
    """What a futures ticker adds to the spot one: the prices margin and funding are based on."""

    mark_price: Decimal | None
    index_price: Decimal | None
    funding_rate: Decimal | None  # absolute, per period, as Kraken reports it
    relative_funding_rate: Decimal | None  # the rate as a fraction of the position value
    next_funding_at: float | None  # unix seconds
    open_interest: Decimal | None


@dataclass(frozen=True, slots=True)
class Trade:
    price: Decimal
    qty: Decimal
    side: str
    ord_type: str
    trade_id: int
    timestamp: str


@dataclass(frozen=True, slots=True)
class Candle:
    interval_begin: str
    interval: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    vwap: Decimal
    volume: Decimal
    trades: int


# --- account values ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fill:
    order_id: str
    exec_id: str
    trade_id: int | None
    symbol: str
    side: str
    qty: Decimal
    price: Decimal
    cost: Decimal
    fee: Decimal
    fee_asset: str
    liquidity: str
    timestamp: str
    cl_ord_id: str | None = None  # the client's id of the order, where the venue reports it


@dataclass(frozen=True, slots=True)
class Position:
    """A futures position as the exchange reports it; ``size`` is signed (short < 0)."""

    symbol: str
    size: Decimal
    entry_price: Decimal
    mark_price: Decimal | None
    pnl: Decimal | None  # unrealised, in the collateral currency
    liquidation_price: Decimal | None
    initial_margin: Decimal | None
    effective_leverage: Decimal | None

    @property
    def side(self) -> str:
        return "long" if self.size > 0 else "short"


@dataclass(frozen=True, slots=True)
class FuturesMargin:
    """The futures (flex) margin account: separate money from the spot wallet."""

    currency: str
    collateral: Decimal
    margin_equity: Decimal
    available_margin: Decimal
    initial_margin: Decimal
    maintenance_margin: Decimal
    unrealised_pnl: Decimal


@dataclass(frozen=True, slots=True)
class OrderReport:
    """What one execution report says about one order; ``None`` means "not in this report".

    Reports are sparse (Kraken sends only what changed), so the store merges them by order id.
    ``if_known``: a closure notice about an order we may never have seen (futures sends only
    the id); it updates a known order and is dropped otherwise.
    """

    order_id: str
    symbol: str | None = None
    side: str | None = None
    order_type: str | None = None
    status: str | None = None
    qty: Decimal | None = None
    filled: Decimal | None = None
    limit_price: Decimal | None = None
    trigger_price: Decimal | None = None
    avg_price: Decimal | None = None
    cl_ord_id: str | None = None
    time_in_force: str | None = None
    post_only: bool | None = None
    reduce_only: bool | None = None
    display_qty: Decimal | None = None
    exec_type: str | None = None
    reason: str | None = None
    timestamp: str | None = None  # when the exchange says the order began (age counts from it)
    if_known: bool = False
    ord_ref_id: str | None = None  # an OTO close: the order whose fill placed it (pending_new only)


# --- events ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TickerUpdate:
    symbol: str
    ticker: Ticker
    derivatives: Derivatives | None = None  # futures only


@dataclass(frozen=True, slots=True)
class TradePrints:
    """Prints of one symbol, oldest first (a snapshot may overlap what the store has)."""

    symbol: str
    trades: tuple[Trade, ...]


@dataclass(frozen=True, slots=True)
class CandleUpdate:
    """Candles of one symbol and interval, oldest first; the newest one may still be open."""

    symbol: str
    interval: int
    candles: tuple[Candle, ...]


@dataclass(frozen=True, slots=True)
class Level3Update:
    """Individual orders of one symbol (spot level3); rows as the L3 book reads them."""

    symbol: str
    snapshot: bool
    bids: list[dict[str, Any]]
    asks: list[dict[str, Any]]
    checksum: int | None


@dataclass(frozen=True, slots=True)
class InstrumentsUpdate:
    instruments: tuple[Instrument, ...]
    # asset -> decimals the venue displays it with (the instrument channel's precision_display)
    asset_display: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """Order reports of one venue; a ``snapshot`` replaces all that venue's open orders."""

    venue: Venue
    snapshot: bool
    reports: tuple[OrderReport, ...]


@dataclass(frozen=True, slots=True)
class FillReport:
    venue: Venue
    snapshot: bool
    fills: tuple[Fill, ...]


@dataclass(frozen=True, slots=True)
class BalancesUpdate:
    """Spot totals by asset (only the assets named change), and balances by wallet.

    ``wallets`` maps asset -> ``"type:id"`` -> balance: a snapshot row's ``wallets[]`` split, or the one
    wallet a ledger update names (its ``balance`` is that wallet's, not the asset's total)."""

    totals: dict[str, Decimal]
    snapshot: bool = False
    wallets: dict[str, dict[str, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PositionsUpdate:
    """Every open futures position (the feed always sends the whole list)."""

    positions: tuple[Position, ...]


@dataclass(frozen=True, slots=True)
class MarginUpdate:
    margin: FuturesMargin


# --- control ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SystemStatus:
    system: str
    version: str | None = None
    connection_id: int | None = None


@dataclass(frozen=True, slots=True)
class Heartbeat:
    time_ms: int | None = None  # futures heartbeats carry the exchange's time; spot ones nothing


@dataclass(frozen=True, slots=True)
class Ack:
    """A subscription answer (spot v2 ``subscribe``/``unsubscribe``, one per symbol)."""

    method: str
    success: bool
    error: str | None = None
    symbol: str | None = None
    channel: str | None = None
    req_id: int | None = None
    status: str | None = None  # the top-level ``status`` ("error" on a refused session), kept


@dataclass(frozen=True, slots=True)
class Subscribed:
    """Futures v1 ``subscribed``/``unsubscribed``; ``private`` for the authenticated feeds."""

    feed: str
    private: bool
    subscribed: bool = True


@dataclass(frozen=True, slots=True)
class Alert:
    """Futures v1 ``alert``/``error``/``info``: something to tell the user."""

    event: str
    message: str


@dataclass(frozen=True, slots=True)
class Challenge:
    """The futures challenge to sign (answered by the session, not the store)."""

    message: str


@dataclass(frozen=True, slots=True)
class Pong:
    req_id: int | None
    time_in: str | None
    time_out: str | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class MethodResponse:
    """The reply to a trading method; ``result`` is a dict, a list (batch_add) or None."""

    method: str
    success: bool
    req_id: int | None
    result: Any
    error: str | None
    time_in: str | None
    time_out: str | None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int | None:
        """Cancelled-order count of cancel_all/batch_cancel, in either documented shape."""
        if isinstance(self.result, dict) and isinstance(self.result.get("count"), int):
            return int(self.result["count"])
        n = self.raw.get("orders_cancelled")
        return n if isinstance(n, int) else None


@dataclass(frozen=True, slots=True)
class Unknown:
    """A well-formed frame of a kind we do not know: counted, never fatal."""

    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RateCounter:
    """The trading rate counter (spot executions channel, ``ratecounter: true``).

    ``max_count`` alone (no symbol): the tier's maximum, from the executions subscribe ack's
    ``maxratecount``; ``symbol`` and ``count``: the pair's counter as the exchange reported it.
    """

    symbol: str | None = None
    count: Decimal | None = None
    max_count: int | None = None


# What the store applies (state) ...
Event = (
    BookSnapshot
    | BookDelta
    | TickerUpdate
    | TradePrints
    | CandleUpdate
    | Level3Update
    | InstrumentsUpdate
    | OrderUpdate
    | FillReport
    | BalancesUpdate
    | PositionsUpdate
    | MarginUpdate
    | SystemStatus
    | Heartbeat
    | Ack
    | Subscribed
    | Alert
    | RateCounter
    | Unknown
)
# ... and what the session answers itself (replies to its own requests).
Control = Pong | MethodResponse | Challenge
