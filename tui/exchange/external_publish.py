"""Spot publishing for PAPER and REPLAY: the tape, ticker and candles are the external market's.

The synthetic exchange computes ticker and candles from its own trades and seeds a past so a
chart is not empty. With a mirror or a recording that would be a lie: a made-up 24 h high next to
Kraken's book. Here the ticker, trade and ohlc channels carry only what the source delivered
(rows kept for snapshots, forwarded to subscribers as they come), nothing before the first one,
and the engine's own prints (a paper order filled against mirrored depth) stay off the public
tape, which is Kraken's. Books are published as usual; the private channels too, except in a
replay, whose account is the recorded one (``RecordedAccount``).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.exchange.events import PublicTrade
from tui.exchange.replay_account import RecordedAccount
from tui.exchange.spot.publish import SpotPublisher

__all__ = ["ExternalSpotPublisher"]

TRADES_KEPT = 50
CANDLES_KEPT = 720


class ExternalSpotPublisher(SpotPublisher):
    def __init__(self, ctx: ExchangeContext) -> None:
        super().__init__(ctx)
        self.tickers: dict[str, dict[str, Any]] = {}
        self.tape: dict[str, deque[dict[str, Any]]] = {}
        self.candles: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}  # by interval_begin
        self.account: RecordedAccount | None = None  # a replay's: what its private channels serve

    def reset(self) -> None:
        """A replay seeks back: what was delivered so far is no longer the past."""
        self.tickers.clear()
        self.tape.clear()
        self.candles.clear()

    # --- what the source delivers ----------------------------------------------------------------
    def external_ticker(self, row: dict[str, Any], send: bool = True) -> None:
        symbol = str(row.get("symbol"))
        self.tickers[symbol] = row
        if send:
            self._send_ticker(symbol)

    def external_trades(self, symbol: str, rows: list[dict[str, Any]], send: bool = True) -> None:
        self.tape.setdefault(symbol, deque(maxlen=TRADES_KEPT)).extend(rows)
        if not send:
            return
        frame = {"channel": "trade", "type": "update", "data": rows}
        for c in list(self.ctx.conns):
            if ("trade", symbol) in c.subs:
                c.send(frame, data=True)

    def external_candle(self, row: dict[str, Any], timestamp: str, send: bool = True) -> None:
        symbol, interval = str(row.get("symbol")), row.get("interval")
        if not isinstance(interval, int):
            return
        series = self.candles.setdefault((symbol, interval), {})
        series[str(row.get("interval_begin"))] = row
        while len(series) > CANDLES_KEPT:
            del series[next(iter(series))]
        if send:
            frame = {"channel": "ohlc", "type": "update", "timestamp": timestamp, "data": [row]}
            for c in list(self.ctx.conns):
                if ("ohlc", symbol, interval) in c.subs:
                    c.send(frame, data=True)

    def flush(self) -> None:
        """After a silent seek: every subscriber gets the newest ticker and candle there is."""
        for symbol in self.tickers:
            self._send_ticker(symbol)
        for (symbol, interval), series in self.candles.items():
            if not series:
                continue
            row = series[next(reversed(series))]
            frame = {"channel": "ohlc", "type": "update", "timestamp": row.get("timestamp"), "data": [row]}
            for c in list(self.ctx.conns):
                if ("ohlc", symbol, interval) in c.subs:
                    c.send(frame, data=True)

    def _send_ticker(self, symbol: str) -> None:
        row = self.tickers.get(symbol)
        if row is None:
            return
        frame = {"channel": "ticker", "type": "update", "data": [row]}
        for c in list(self.ctx.conns):
            if ("ticker", symbol, "trades") in c.subs or ("ticker", symbol, "bbo") in c.subs:
                c.send(frame, data=True)

    # --- what the synthetic publisher would have made up -----------------------------------------
    def public_snapshot(self, channel: str, symbol: str, interval: int = 1) -> list[dict[str, Any]]:
        if channel == "ticker":
            row = self.tickers.get(symbol)
            return [row] if row is not None else []
        if channel == "trade":
            return list(self.tape.get(symbol, ()))
        return list(self.candles.get((symbol, interval), {}).values())

    def private_snapshot(
        self, conn: Conn, user: str, channel: str, snap_orders: bool = True, snap_trades: bool = False
    ) -> list[dict[str, Any]]:
        """In a replay, whoever logs in sees the recorded account (their own token, its frames)."""
        if self.account is None:
            return super().private_snapshot(conn, user, channel, snap_orders, snap_trades)
        return self.account.subscribed(conn, channel, snap_orders, snap_trades)

    def _trades(self, symbol: str, ts: list[PublicTrade]) -> None:
        """A paper fill against mirrored depth did not happen on Kraken: not on the public tape."""

    def _bbo_ticker(self, symbol: str) -> None:
        """The external ticker carries the best bid and offer; none is computed here."""
