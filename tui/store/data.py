"""The store's state and its change marks, apart from the code that applies events to it.

``apply``, the integrity machine and the lag meter are handed this (the state they write), not
the ``Store`` that owns them, so no part of the store imports its owner.
"""

from __future__ import annotations

import time
from collections import deque

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

    def market(self, symbol: str) -> MarketState:
        m = self.markets.get(symbol)
        if m is None:
            m = self.markets[symbol] = MarketState(symbol)
        return m

    def mark(self, scope: str, part: Part) -> None:
        """scope: a symbol, "account" or "health"."""
        self.version += 1
        self._marks[(scope, part)] = self.version
        self._pending = True

    def log(self, level: str, text: str) -> None:
        self.activity.append(ActivityEntry(time.time(), level, text))
        self.mark("account", "activity")
