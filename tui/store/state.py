"""The reactive store: everything the screens show, mutated by the feed, read by the UI on a timer.

Mutations are synchronous and cheap: the socket reader marks what changed and never waits for a
reader. Readers ask ``changes_since(version)`` and repaint only those parts; listeners get at most
one coalesced ping per ``flush()`` (the feed flushes once per batch of frames), not one per frame.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tui.book.l2 import L2Book
from tui.book.l3 import L3Book
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument

__all__ = [
    "AccountState",
    "ActivityEntry",
    "Balance",
    "Candle",
    "Changes",
    "ConnectionHealth",
    "Derivatives",
    "Fill",
    "FuturesMargin",
    "Health",
    "MarketState",
    "OrderView",
    "Position",
    "Store",
    "Ticker",
    "Trade",
]


def parse_rfc3339(text: str) -> float | None:
    """Kraken timestamps (micro- or nanosecond fractions, ``Z``) to unix seconds."""
    from datetime import datetime

    body = text.rstrip("Z")
    if "." in body:
        head, frac = body.split(".", 1)
        body = f"{head}.{frac[:6]}"
    try:
        return datetime.fromisoformat(body + "+00:00").timestamp()
    except ValueError:
        return None


MARKET_PARTS = frozenset({"book", "l3", "ticker", "trades", "candles", "instrument", "status"})


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


@dataclass(frozen=True, slots=True)
class Derivatives:
    """What a futures ticker adds to the spot one: the prices margin and funding are based on."""

    mark_price: Decimal | None
    index_price: Decimal | None
    funding_rate: Decimal | None  # absolute, per period, as Kraken reports it
    relative_funding_rate: Decimal | None  # the rate as a fraction of the position value
    next_funding_at: float | None  # unix seconds
    open_interest: Decimal | None


@dataclass
class MarketState:
    symbol: str
    instrument: Instrument | None = None
    book: L2Book | None = None
    l3: L3Book | None = None
    book_depth: int = 25
    book_state: str = "waiting"  # waiting | ok | resyncing | stale
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

    def add_trade(self, trade: Trade) -> bool:
        """Append a print unless it is not newer than the last one (a repeated frame, or a
        snapshot overlapping what is already here); False if it was skipped."""
        if self.trades and trade.trade_id and trade.trade_id <= self.trades[-1].trade_id:
            return False
        self.trades.append(trade)
        return True

    @property
    def trusted(self) -> bool:
        """The book may be shown as live: verified and fresh."""
        return self.book_state == "ok" and self.book is not None


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
    """An order as merged from sparse execution reports (numbers as exact Decimal)."""

    order_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    first_seen: float = field(default_factory=time.time)

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    def seen_at(self, timestamp: Any) -> None:
        """Age counts from the exchange's own timestamp of the order, when it gives one."""
        if isinstance(timestamp, str):
            parsed = parse_rfc3339(timestamp)
            if parsed is not None:
                self.first_seen = parsed

    @property
    def symbol(self) -> str:
        return str(self.fields.get("symbol", ""))

    @property
    def side(self) -> str:
        return str(self.fields.get("side", ""))

    @property
    def status(self) -> str:
        return str(self.fields.get("order_status", ""))

    @property
    def cl_ord_id(self) -> str | None:
        v = self.fields.get("cl_ord_id")
        return v if isinstance(v, str) else None

    def dec(self, key: str) -> Decimal | None:
        v = self.fields.get(key)
        if v is None:
            return None
        return v if isinstance(v, Decimal) else Decimal(str(v))

    @property
    def qty(self) -> Decimal:
        return self.dec("order_qty") or Decimal(0)

    @property
    def filled(self) -> Decimal:
        return self.dec("cum_qty") or Decimal(0)

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.filled

    @property
    def limit_price(self) -> Decimal | None:
        return self.dec("limit_price")

    @property
    def is_open(self) -> bool:
        return self.status in ("pending_new", "new", "partially_filled")


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
class ActivityEntry:
    at: float
    level: str  # info | warning | error
    text: str


@dataclass
class AccountState:
    totals: dict[str, Decimal] = field(default_factory=dict)
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
    malformed: int = 0
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
class Health:
    connections: dict[str, ConnectionHealth] = field(default_factory=dict)
    system_status: str = "unknown"

    def conn(self, name: str) -> ConnectionHealth:
        c = self.connections.get(name)
        if c is None:
            c = self.connections[name] = ConnectionHealth(name)
        return c


@dataclass(frozen=True, slots=True)
class Changes:
    version: int
    symbols: frozenset[str]
    parts: dict[str, frozenset[str]]
    account: frozenset[str]
    health: bool

    def symbol_parts(self, symbol: str) -> frozenset[str]:
        return self.parts.get(symbol, frozenset())

    def __bool__(self) -> bool:
        return bool(self.symbols or self.account or self.health)


class Store:
    def __init__(self, mode: str = "LIVE") -> None:
        self.mode = mode
        self.version = 0
        self.markets: dict[str, MarketState] = {}
        self.instruments: dict[str, Instrument] = {}
        self.account = AccountState()
        self.health = Health()
        self.activity: deque[ActivityEntry] = deque(maxlen=1000)
        self._marks: dict[tuple[str, str], int] = {}  # (scope, part) -> version of last change
        self._listeners: list[Callable[[], None]] = []
        self._pending = False

    # --- writing (feed side) ----------------------------------------------------------------
    def market(self, symbol: str) -> MarketState:
        m = self.markets.get(symbol)
        if m is None:
            m = self.markets[symbol] = MarketState(symbol)
        return m

    def mark(self, scope: str, part: str) -> None:
        """scope: a symbol, "account" or "health"."""
        self.version += 1
        self._marks[(scope, part)] = self.version
        self._pending = True

    def log(self, level: str, text: str) -> None:
        self.activity.append(ActivityEntry(time.time(), level, text))
        self.mark("account", "activity")

    def add_listener(self, fn: Callable[[], None]) -> None:
        self._listeners.append(fn)

    def flush(self) -> None:
        if self._pending:
            self._pending = False
            for fn in self._listeners:
                fn()

    # --- reading (UI side) ------------------------------------------------------------------
    def changes_since(self, version: int) -> Changes:
        symbols: set[str] = set()
        parts: dict[str, set[str]] = {}
        account: set[str] = set()
        health = False
        for (scope, part), v in self._marks.items():
            if v <= version:
                continue
            if scope == "account":
                account.add(part)
            elif scope == "health":
                health = True
            else:
                symbols.add(scope)
                parts.setdefault(scope, set()).add(part)
        return Changes(
            self.version,
            frozenset(symbols),
            {k: frozenset(v) for k, v in parts.items()},
            frozenset(account),
            health,
        )
