"""Spot v2 publishing: the engine's events become book, level3, trade, ticker, ohlc and private frames."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.exchange.events import Event, Execution, L3Changed, Ledger, LevelChanged, PublicTrade, RateCount
from tui.exchange.feeds import BookFeed, L3Feed, book_checksum_of, l3_checksum_of
from tui.exchange.spot.replies import now_iso
from tui.exchange.spot.rows import balance_rows, ticker_row, trade_rows
from tui.exchange.stats import MarketStats
from tui.kraken.rfc3339 import format_rfc3339

__all__ = ["RATECOUNTER", "SpotPublisher", "rate_row"]

# held in a socket's subscriptions when its executions subscription asked for ``ratecounter: true``
RATECOUNTER = ("executions", "ratecounter")


def rate_row(symbol: str, value: Decimal, at: float) -> dict[str, Any]:
    """One pair's rate counter as an executions row (this exchange's shape: the docs name none;
    see the README's exchange section)."""
    return {"symbol": symbol, "ratecount": value, "timestamp": format_rfc3339(at)}


class SpotPublisher:
    """Holds what spot subscribers hold (book and level3 windows, candles) and sends the updates."""

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self.engine = ctx.engine
        self.pairs = ctx.pairs
        self.stats = {s: MarketStats(p) for s, p in ctx.pairs.items()}
        self.book_feeds: dict[tuple[str, int], BookFeed] = {}
        self.l3_feeds: dict[tuple[str, int], L3Feed] = {}
        self._last_bbo: dict[str, tuple[Any, Any]] = {}

    def route(self, events: list[Event]) -> list[Event]:
        """Publish the spot events (the futures publisher has taken its own); nothing is left."""
        levels: dict[str, dict[str, list[int]]] = {}
        l3: dict[str, list[L3Changed]] = {}
        trades: dict[str, list[PublicTrade]] = {}
        for e in events:
            if isinstance(e, LevelChanged):
                levels.setdefault(e.symbol, {"bid": [], "ask": []})[e.side].append(e.price)
            elif isinstance(e, L3Changed):
                l3.setdefault(e.symbol, []).append(e)
            elif isinstance(e, PublicTrade):
                trades.setdefault(e.symbol, []).append(e)
            elif isinstance(e, Execution):
                self._private(e.user, "executions", [e.report])
            elif isinstance(e, Ledger):
                self._private(e.user, "balances", [e.entry])
            elif isinstance(e, RateCount):
                self._private(e.user, "executions", [rate_row(e.symbol, e.value, e.timestamp)], RATECOUNTER)
        for symbol, changes in levels.items():
            self._book(symbol, changes)
            self._bbo_ticker(symbol)
        for symbol, evs in l3.items():
            self._level3(symbol, evs)
        for symbol, ts in trades.items():
            self._trades(symbol, ts)
        return []

    def drop(self, conn: Conn) -> None:
        feeds: list[BookFeed | L3Feed] = [*self.book_feeds.values(), *self.l3_feeds.values()]
        for feed in feeds:
            feed.subscribers.discard(conn)

    def on_clock(self, heartbeat: bool) -> None:
        if not heartbeat:
            return
        for c in list(self.ctx.conns):
            if c.subs and c.kind != "futures":
                c.send('{"channel":"heartbeat"}')

    def send_book(self, c: Conn, kind: str, entry: dict[str, Any]) -> None:
        f = self.ctx.faults
        if f.chance(f.corrupt_checksum):
            entry = {**entry, "checksum": (entry["checksum"] + 1) % 2**32}
        c.send({"channel": "book", "type": kind, "data": [entry]}, data=True)

    def send_book_snapshot(self, c: Conn, feed: BookFeed) -> None:
        checksum = book_checksum_of(self.engine, feed.pair.symbol)
        f = self.ctx.faults
        if f.chance(f.corrupt_checksum):
            checksum = (checksum + 1) % 2**32
        c.send(
            '{"channel":"book","type":"snapshot","data":[' + feed.snapshot_text(checksum) + "]}", data=True
        )

    def ticker_row(self, symbol: str) -> dict[str, Any]:
        return ticker_row(self.engine, self.stats[symbol], symbol, now_iso())

    def public_snapshot(self, channel: str, symbol: str, interval: int = 1) -> list[dict[str, Any]]:
        """The rows of a ticker, trade or ohlc snapshot (an external source serves its own)."""
        if channel == "ticker":
            return [self.ticker_row(symbol)]
        if channel == "trade":
            return trade_rows(self.pairs[symbol], self.engine.trades(symbol, 50))
        st = self.stats[symbol]
        return [st.candle_wire(c) for c in list(st.candles[interval])[-120:]]

    def private_snapshot(
        self, conn: Conn, user: str, channel: str, snap_orders: bool = True, snap_trades: bool = False
    ) -> list[dict[str, Any]]:
        """The rows of an executions or balances snapshot (a replay serves the recorded account's)."""
        if channel == "balances":
            return balance_rows(self.engine, user)
        data: list[dict[str, Any]] = []
        if snap_orders:
            data.extend(
                self.engine.order_fields(o) | {"exec_type": "new"}
                for o in self.engine.open_orders(user)
                if o.symbol in self.pairs
            )
        if snap_trades:
            data.extend(self.engine.fills(user, 50))
        return data

    def _book(self, symbol: str, changes: dict[str, list[int]]) -> None:
        checksum = None
        for (sym, _depth), feed in self.book_feeds.items():
            if sym != symbol or not feed.subscribers:
                continue
            if checksum is None:
                checksum = book_checksum_of(self.engine, symbol)
            upd = feed.update(changes, checksum)
            if upd is not None:
                for c in list(feed.subscribers):
                    self.send_book(c, "update", upd)

    def _level3(self, symbol: str, evs: list[L3Changed]) -> None:
        checksum = None
        for (sym, _depth), l3feed in self.l3_feeds.items():
            if sym != symbol or not l3feed.subscribers:
                continue
            if checksum is None:
                checksum = l3_checksum_of(self.engine, symbol)
            upd = l3feed.update(evs, checksum)
            if upd is not None:
                frame = {"channel": "level3", "type": "update", "data": [upd]}
                for c in list(l3feed.subscribers):
                    c.send(frame, data=True)

    def _trades(self, symbol: str, ts: list[PublicTrade]) -> None:
        st = self.stats[symbol]
        candles = {}
        for t in ts:
            for candle in st.on_trade(t.timestamp, t.price, t.qty):
                candles[candle.interval] = candle
        rows = trade_rows(self.pairs[symbol], ts)
        ticker = None
        for c in list(self.ctx.conns):
            if ("trade", symbol) in c.subs:
                c.send({"channel": "trade", "type": "update", "data": rows}, data=True)
            if ("ticker", symbol, "trades") in c.subs:
                ticker = ticker or self.ticker_row(symbol)
                c.send({"channel": "ticker", "type": "update", "data": [ticker]}, data=True)
            for interval, candle in candles.items():
                if ("ohlc", symbol, interval) in c.subs:
                    c.send(
                        {
                            "channel": "ohlc",
                            "type": "update",
                            "timestamp": format_rfc3339(time.time(), 9),
                            "data": [st.candle_wire(candle)],
                        },
                        data=True,
                    )

    def _bbo_ticker(self, symbol: str) -> None:
        subs = [c for c in self.ctx.conns if ("ticker", symbol, "bbo") in c.subs]
        if not subs:
            return
        bid = self.engine.levels(symbol, "bid", 1)
        ask = self.engine.levels(symbol, "ask", 1)
        bbo = (bid[0] if bid else None, ask[0] if ask else None)
        if self._last_bbo.get(symbol) == bbo:
            return
        self._last_bbo[symbol] = bbo
        row = self.ticker_row(symbol)
        for c in subs:
            c.send({"channel": "ticker", "type": "update", "data": [row]}, data=True)

    def _private(
        self, user: str, channel: str, data: list[dict[str, Any]], flag: tuple[str, ...] | None = None
    ) -> None:
        """To the user's sockets subscribed to ``channel`` (and holding ``flag`` when one is given)."""
        for c in list(self.ctx.conns):
            if c.user == user and (channel,) in c.subs and (flag is None or flag in c.subs):
                c.seq[channel] = c.seq.get(channel, 0) + 1
                c.send({"channel": channel, "type": "update", "data": data, "sequence": c.seq[channel]})
