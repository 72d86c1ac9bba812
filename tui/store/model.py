"""What the screens read: market, account and health state, as plain typed values.

Written only by ``apply`` (one path for both venues), read by the UI on its timer. Orders are
typed views merged from sparse execution reports, never wire dicts.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tui.book.l2 import L2Book
from tui.book.l3 import L3Book
from tui.kraken.events import (
    Candle,
    Derivatives,
    Fill,
    FuturesMargin,
    OrderReport,
    Position,
    Ticker,
    Trade,
    Venue,
)
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument
from tui.kraken.rfc3339 import parse_rfc3339
from tui.store.parts import BookState

__all__ = [
    "TERMINAL",
    "AccountState",
    "ActivityEntry",
    "Balance",
    "ConnectionHealth",
    "Health",
    "MarketState",
    "OrderView",
    "SourceHealth",
]

TERMINAL = frozenset({"filled", "canceled", "expired"})
_ZERO = Decimal(0)
# wire names the screens and the stream command still ask for, mapped to the typed fields
_WIRE_NAMES = {"order_status": "status", "order_qty": "qty", "cum_qty": "filled"}
_TYPED_NAMES = {v: k for k, v in _WIRE_NAMES.items()}
_MERGED = (
    "symbol",
    "side",
    "order_type",
    "status",
    "qty",
    "filled",
    "limit_price",
    "trigger_price",
    "avg_price",
    "cl_ord_id",
    "time_in_force",
    "post_only",
    "reduce_only",
    "display_qty",
    "exec_type",
    "reason",
    "ord_ref_id",
)


@dataclass
class MarketState:
    symbol: str
    instrument: Instrument | None = None
    book: L2Book | None = None
    l3: L3Book | None = None
    l3_depth: int = 10  # the level3 subscription's depth (10, 100, 1000): the L3 book keeps that many levels
    book_depth: int = 25
    book_state: BookState = "waiting"
    checksum_checks: int = 0
    checksum_mismatches: int = 0
    resyncs: int = 0
    crossed: int = 0
    ticker: Ticker | None = None
    trades: deque[Trade] = field(default_factory=lambda: deque(maxlen=500))
    candles: dict[int, list[Candle]] = field(default_factory=dict)
    ohlc_interval: int = 1
    last_update: float = 0.0
    book_updates: int = 0
    derivatives: Derivatives | None = None
    sequence_gaps: int = 0
    # How many levels per side the last check vouched for: a spot CRC32 covers the top 10 only
    # (deeper levels are shown but unverified); None when every level is (a futures sequence).
    verified_levels: int | None = None
    snapshot_at: float = 0.0  # when the current book's snapshot was applied (monotonic)
    # How far behind the exchange the book is: our wall clock at receipt minus the frame's own
    # timestamp (sampled); ``lagging`` once that exceeds the connection's best case by LAG_LIMIT.
    lag_s: float | None = None
    lagging: bool = False
    lag_at: float = 0.0  # wall time of the last sample
    # The venue's words when it refused the symbol (not listed there: a pair saved in another
    # mode's watchlist); every number of this market then stays unknown
    refused: str | None = None

    def add_trade(self, trade: Trade) -> bool:
        """Append a print unless it is not newer than the last one (a repeated frame, or a
        snapshot overlapping what is already here); False if it was skipped."""
        if self.trades and trade.trade_id and trade.trade_id <= self.trades[-1].trade_id:
            return False
        self.trades.append(trade)
        return True

    @property
    def has_two_sides(self) -> bool:
        """An empty or one-sided book verifies trivially and proves nothing about a market."""
        b = self.book
        return b is not None and b.best_bid() is not None and b.best_ask() is not None

    @property
    def trusted(self) -> bool:
        """The book may be shown as live: verified, fresh and not behind the exchange."""
        return self.book_state == "ok" and self.book is not None and not self.lagging


@dataclass(frozen=True, slots=True)
class Balance:
    asset: str
    total: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.total - self.reserved


@dataclass
class OrderView:
    """One order as merged from sparse execution reports (numbers exact, fields typed)."""

    order_id: str
    venue: Venue = "spot"
    symbol: str = ""
    side: str = ""
    order_type: str = ""
    status: str = ""
    qty: Decimal = _ZERO
    filled: Decimal = _ZERO
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
    ord_ref_id: str | None = None  # an OTO close: its primary's order id
    first_seen: float = field(default_factory=time.time)

    def merge(self, report: OrderReport) -> None:
        """Take every field the report carries; what it leaves out stays as it was."""
        for name in _MERGED:
            value = getattr(report, name)
            if value is not None:
                setattr(self, name, value)

    def seen_at(self, timestamp: str | None) -> None:
        """Age counts from the exchange's own timestamp of the order, when it gives one."""
        if timestamp:
            parsed = parse_rfc3339(timestamp)
            if parsed is not None:
                self.first_seen = parsed

    def get(self, key: str, default: Any = None) -> Any:
        """A field by its wire name (``order_type``, ``order_status``...), for generic readers."""
        value = getattr(self, _WIRE_NAMES.get(key, key), None)
        return default if value is None else value

    @property
    def fields(self) -> dict[str, Any]:
        """The known fields under their wire names (what ``kraken-tui stream`` prints)."""
        out: dict[str, Any] = {"order_id": self.order_id}
        for name in _MERGED:
            value = getattr(self, name)
            if value is not None and value != "":
                out[_TYPED_NAMES.get(name, name)] = value
        return out

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in ("pending_new", "new", "partially_filled")


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    at: float
    level: str  # info | warning | error
    text: str


@dataclass
class AccountState:
    totals: dict[str, Decimal] = field(default_factory=dict)
    # asset -> "type:id" -> balance, where the venue split it by wallet (spot, earn ...)
    wallets: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    orders: dict[str, OrderView] = field(default_factory=dict)
    history: deque[OrderView] = field(default_factory=lambda: deque(maxlen=500))
    fills: deque[Fill] = field(default_factory=lambda: deque(maxlen=500))
    authenticated: bool = False
    auth_error: str | None = None
    dms_trigger_at: float | None = None  # wall time the exchange will cancel everything
    dms_armed: bool = False
    positions: dict[str, Position] = field(default_factory=dict)
    futures_margin: FuturesMargin | None = None
    futures_authenticated: bool = False
    # the trading rate counter: the tier's maximum, and per pair (count, monotonic time received)
    rate_max: int | None = None
    rate_counters: dict[str, tuple[Decimal, float]] = field(default_factory=dict)

    def reserved(
        self, instruments: dict[str, Instrument], fee: Decimal = Decimal("0.004")
    ) -> dict[str, Decimal]:
        """Funds held by open orders: base for sells, quote (with fee) for priced buys."""
        out: dict[str, Decimal] = {}
        for o in self.orders.values():
            inst = instruments.get(o.symbol)
            if inst is None or not o.is_open or is_futures(o.symbol):
                continue  # futures orders hold margin, reported by the exchange, not wallet funds
            if o.side == "sell":
                out[inst.base] = out.get(inst.base, Decimal(0)) + o.remaining
            elif o.limit_price is not None:
                out[inst.quote] = out.get(inst.quote, Decimal(0)) + o.remaining * o.limit_price * (1 + fee)
        return out

    def balances(self, instruments: dict[str, Instrument]) -> dict[str, Balance]:
        reserved = self.reserved(instruments)
        assets = sorted(set(self.totals) | set(reserved))
        return {
            a: Balance(
                a,
                self.totals.get(a, Decimal(0)),
                min(reserved.get(a, Decimal(0)), self.totals.get(a, Decimal(0))),
            )
            for a in assets
        }


@dataclass
class ConnectionHealth:
    name: str
    url: str = ""
    state: str = "idle"  # idle | connecting | connected | reconnecting | auth-error | disconnected
    rtt_ms: float | None = None
    frames: int = 0
    frames_per_s: float = 0.0
    last_frame_at: float = 0.0
    reconnects: int = 0
    error: str | None = None
    malformed: int = 0  # frames dropped because of what they contained
    last_malformed: str | None = None
    internal_errors: int = 0  # our own bugs met while handling a frame (the session restarted)
    lag_s: float | None = None  # wall clock at receipt minus the newest frame timestamp (sampled)
    lag_floor: float | None = None  # the smallest lag seen: network latency plus clock skew
    unknown: int = 0
    _window: deque[float] = field(default_factory=lambda: deque(maxlen=4096))

    def on_frame(self, now: float) -> None:
        self.frames += 1
        self.last_frame_at = now
        self._window.append(now)

    def rate(self, now: float) -> float:
        w = self._window
        while w and w[0] < now - 2.0:
            w.popleft()
        self.frames_per_s = len(w) / 2.0
        return self.frames_per_s

    @property
    def age(self) -> float | None:
        return None if not self.last_frame_at else time.monotonic() - self.last_frame_at


@dataclass
class SourceHealth:
    """Where the embedded exchange's market comes from in PAPER (a mirror of Kraken) or REPLAY (a
    recording), and whether it is there: a client socket can be green while the mirror behind it
    cannot reach Kraken, so this is shown beside the sockets, never folded into them."""

    kind: str  # mirror | replay
    state: str = "connecting"  # connecting | live | unreachable | playing | paused | ended
    text: str = ""
    position: float = 0.0  # replay: seconds into the recording
    duration: float = 0.0
    speed: float = 1.0

    @property
    def live(self) -> bool:
        """The source feeds a book that may be traded against."""
        return self.state in ("live", "playing", "paused")

    @property
    def frozen(self) -> bool:
        """Paused or over: a book that does not move is not stale."""
        return self.state in ("paused", "ended")


@dataclass
class Health:
    connections: dict[str, ConnectionHealth] = field(default_factory=dict)
    system_status: str = "unknown"
    source: SourceHealth | None = None  # PAPER / REPLAY only

    def conn(self, name: str) -> ConnectionHealth:
        c = self.connections.get(name)
        if c is None:
            c = self.connections[name] = ConnectionHealth(name)
        return c
