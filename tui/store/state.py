"""The reactive store: everything the screens show, written by ``apply``, read by the UI on a timer.

Mutations are synchronous and cheap: ``apply`` marks what changed and never waits for a reader.
Readers ask ``changes_since(version)`` and repaint only those parts; listeners get at most one
coalesced ping per ``flush()`` (the session flushes once per frame batch), not one per event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tui.kraken.events import (
    Candle,
    Derivatives,
    Fill,
    FillReport,
    FuturesMargin,
    Position,
    Ticker,
    Trade,
)
from tui.store.apply import Applier
from tui.store.data import StoreData
from tui.store.integrity import Integrity
from tui.store.lag import LagMeter
from tui.store.model import (
    AccountState,
    ActivityEntry,
    Balance,
    ConnectionHealth,
    Health,
    MarketState,
    OrderView,
    SourceHealth,
)
from tui.store.outcomes import Outcome, RefreshBook, ResyncBook
from tui.store.parts import MARKET_PARTS

__all__ = [
    "MARKET_PARTS",
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


class Store(StoreData):
    def __init__(self, mode: str = "LIVE") -> None:
        super().__init__(mode)
        self.integrity = Integrity(self)
        # live sessions hand each event to the lag meter first, with its wall-clock receive time
        # (replays do not)
        self.lag = LagMeter(self)
        self._applier = Applier(self, self.integrity, self.lag)
        self._handlers = self._applier.handlers  # dispatched here: one call less per frame
        if mode == "REPLAY":  # a seek's snapshot is the recorded account then: no fills from later
            fills = self._handlers[FillReport]

            def replay_fills(e: FillReport, now: float, conn: str) -> Sequence[Outcome]:
                if e.snapshot:  # REPLAY is spot only: the snapshot holds the fills there are
                    self.account.fills.clear()
                return fills(e, now, conn)

            self._handlers[FillReport] = replay_fills
        self._listeners: list[Callable[[], None]] = []

    # --- writing (session side) ---------------------------------------------------------------
    def apply(self, event: Any, now: float, conn: str = "") -> Sequence[Outcome]:
        """Apply one decoded event (either venue); returns what the session must act on."""
        handler = self._handlers.get(type(event))
        if handler is None:
            return self._applier.unknown(conn)
        return handler(event, now, conn)

    def resync(self, symbol: str, now: float, reason: str) -> ResyncBook | None:
        """Ask for a fresh book of one symbol (None while an earlier request is still fresh)."""
        mk = self.markets.get(symbol)
        return None if mk is None else self.integrity.resync(mk, now, reason)

    def tick(
        self, now: float, stale_after: float, symbols: Sequence[str], deep_refresh: float | None = None
    ) -> list[ResyncBook | RefreshBook]:
        """Once a second: staleness, stuck resyncs, deep-book refreshes, frame rates."""
        for c in self.health.connections.values():
            c.rate(now)
        self.mark("health", "tick")
        return self.integrity.tick(symbols, now, stale_after, deep_refresh)

    def set_source(
        self,
        kind: str,
        state: str,
        text: str,
        position: float = 0.0,
        duration: float = 0.0,
        speed: float = 1.0,
    ) -> None:
        """The PAPER mirror's or the REPLAY file's state (called by whoever runs the exchange);
        a change of state or wording goes to the Activity log, a replay's position does not."""
        src = self.health.source
        if src is None:
            src = self.health.source = SourceHealth(kind)
        elif (src.state, src.text) == (state, text) and (src.position, src.speed) == (position, speed):
            return
        # the Activity log hears of a new state or reason, not of every retry's countdown
        if (src.state, src.text.split(" — ")[0]) != (state, text.split(" — ")[0]) and text:
            self.log("warning" if state == "unreachable" else "info", text)
        src.state, src.text, src.position, src.duration, src.speed = state, text, position, duration, speed
        self.mark("health", "source")

    def order_refusal(self, symbol: str) -> str | None:
        """Why an order for ``symbol`` must not be sent now, or None: in PAPER and REPLAY the
        orders match against the source's book, which may not be there; a REPLAY shows the
        recorded account and takes no orders at all."""
        if self.mode == "REPLAY":
            return "REPLAY is read-only: orders are not sent"
        src = self.health.source
        if src is not None and not src.live:
            return f"No live book: {src.text or src.state}. Nothing was sent."
        mk = self.markets.get(symbol)
        if src is not None and (mk is None or not mk.has_two_sides or mk.book_state not in ("ok", "stale")):
            return f"No live book for {symbol} from the {src.kind} yet. Nothing was sent."
        return None

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
