"""How far behind the exchange we are, from the frames' own timestamps, per connection and symbol.

A book can verify perfectly and still be seconds old: the exchange, the network or our own loop
fell behind. Kraken stamps spot book, ticker and candle frames (RFC 3339) and futures book, ticker
and heartbeat frames (milliseconds); the lag is our wall clock at receipt minus that stamp. Clock
skew and network latency make up a constant part, so a book is ``lagging`` only when its lag
exceeds the smallest lag seen on its connection by ``LAG_LIMIT``. Sampled (``LAG_SAMPLE``) so the
hot path does not parse a timestamp per frame.
"""

from __future__ import annotations

from typing import Any

from tui.kraken import events as ev
from tui.kraken.rfc3339 import parse_rfc3339
from tui.store.data import StoreData

__all__ = ["LAG_LIMIT", "LAG_SAMPLE", "LagMeter"]

LAG_LIMIT = 2.0
LAG_SAMPLE = 0.25


def _sent(event: Any) -> tuple[str | None, float | None]:
    """(symbol or None, the exchange's send time in unix seconds) of an event that carries one."""
    if isinstance(event, ev.BookDelta | ev.BookSnapshot):
        if event.time_ms is not None:
            return event.symbol, event.time_ms / 1000
        return event.symbol, parse_rfc3339(event.timestamp) if event.timestamp else None
    if isinstance(event, ev.TickerUpdate) and event.ticker.timestamp:
        return None, parse_rfc3339(event.ticker.timestamp)
    if isinstance(event, ev.Heartbeat) and event.time_ms is not None:
        return None, event.time_ms / 1000
    return None, None


class LagMeter:
    def __init__(self, store: StoreData) -> None:
        self.store = store
        self._conn_at: dict[str, float] = {}

    def observe(self, event: Any, conn: str, wall: float) -> None:
        kind = type(event)
        if kind is ev.BookDelta or kind is ev.BookSnapshot:
            mk = self.store.markets.get(event.symbol)
            if mk is None or wall - mk.lag_at < LAG_SAMPLE:
                return  # the cheap test first: most book frames are not sampled
            mk.lag_at = wall
        elif wall - self._conn_at.get(conn, 0.0) < LAG_SAMPLE:
            return
        symbol, sent = _sent(event)
        if sent is None:
            return
        self._conn_at[conn] = wall
        lag = wall - sent
        health = self.store.health.conn(conn)
        health.lag_s = lag
        if health.lag_floor is None or lag < health.lag_floor:
            health.lag_floor = lag
        self.store.mark("health", "lag")
        if symbol is not None:
            mk = self.store.market(symbol)
            mk.lag_s = lag
            lagging = lag - health.lag_floor > LAG_LIMIT
            if lagging != mk.lagging:
                mk.lagging = lagging
                self.store.mark(symbol, "status")
