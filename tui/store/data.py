"""The store's state and its change marks, apart from the code that applies events to it.

``apply``, the integrity machine and the lag meter are handed this (the state they write), not
the ``Store`` that owns them, so no part of the store imports its owner.
"""

from __future__ import annotations

import time
from collections import deque

from tui.kraken.events import Ticker
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument
from tui.store.model import AccountState, ActivityEntry, Health, MarketState
from tui.store.parts import Part

__all__ = ["StoreData"]


class StoreData:
    def __init__(self, mode: str = "LIVE") -> None:
        self.mode = mode
        self.version = 0
        self.markets: dict[str, MarketState] = {}
        self.instruments: dict[str, Instrument] = {}
        self.asset_display: dict[str, int] = {}  # asset -> decimals the venue shows it with
        self.account = AccountState()
        self.health = Health()
        self.recording: str | None = None  # the file frames are being recorded to (the REC mark)
        self.activity: deque[ActivityEntry] = deque(maxlen=1000)
        self._marks: dict[tuple[str, str], int] = {}  # (scope, part) -> version of last change
        self._pending = False
        # The screener's view of the whole market: the last ticker of every pair that sends one,
        # watched or not, and a count that moves on each (no per-symbol marks: 683 pairs would
        # make every changes_since walk them all).
        self.tickers: dict[str, Ticker] = {}
        self.tickers_version = 0

    def market(self, symbol: str) -> MarketState:
        m = self.markets.get(symbol)
        if m is None:
            m = self.markets[symbol] = MarketState(symbol)
        return m

    # --- the watchlist (the markets shown, in the user's order) -----------------------------------
    def watch(self, symbol: str) -> MarketState:
        """A pair joins the watchlist (at the end): its market exists from now on."""
        mk = self.markets.get(symbol)
        if mk is None:
            mk = self.market(symbol)
            mk.instrument = self.instruments.get(symbol)
            self.mark(symbol, "status")
        return mk

    def unwatch(self, symbol: str) -> bool:
        """A pair leaves the watchlist: its book, prints and candles go (its ticker stays)."""
        if self.markets.pop(symbol, None) is None:
            return False
        for key in [k for k in self._marks if k[0] == symbol]:
            del self._marks[key]
        self.mark("health", "feed")
        return True

    def reorder(self, symbols: list[str]) -> None:
        """The markets in this order (the same dict object: readers may hold it)."""
        if sorted(symbols) != sorted(self.markets):
            raise ValueError("a reorder must name every watched market once")
        ordered = [(s, self.markets[s]) for s in symbols]
        self.markets.clear()
        self.markets.update(ordered)
        self.mark("health", "feed")

    def spot_pairs(self) -> list[Instrument]:
        """Every spot pair the ``instrument`` channel listed, by symbol (futures products excluded)."""
        return sorted(
            (i for i in self.instruments.values() if not is_futures(i.symbol)), key=lambda i: i.symbol
        )

    def mark(self, scope: str, part: Part) -> None:
        """scope: a symbol, "account" or "health"."""
        self.version += 1
        self._marks[(scope, part)] = self.version
        self._pending = True

    def log(self, level: str, text: str) -> None:
        self.activity.append(ActivityEntry(time.time(), level, text))
        self.mark("account", "activity")
