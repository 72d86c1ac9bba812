"""``kraken-tui stream``: verified market and account data as NDJSON, one event a line.

The output comes from the store, not the raw socket: a book line is only printed after its
checksum verified (``checksum_ok``), and it carries the integrity state, so a consumer can trust
it or see at once that it should not. ``--record FILE`` (a global flag) saves the raw frames behind
the lines, exactly as the dashboard records them, for ``--replay``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from tui.book.l2 import L2Book
from tui.config import Settings
from tui.feed.client import Feed, Urls
from tui.feed.problems import ProblemReporter
from tui.kraken.numbers import format_ticks
from tui.store import MarketState, Store

CHANNELS = ("book", "ticker", "trade", "ohlc", "executions", "balances", "health")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("channel", choices=CHANNELS, help="what to print")
    parser.add_argument(
        "symbols", nargs="*", metavar="SYMBOL", help="symbols (default: the configured watchlist)"
    )
    parser.add_argument("--depth", type=int, default=10, help="book levels per side to print (default 10)")
    parser.add_argument(
        "--count", type=int, default=0, help="stop after this many lines (default: run forever)"
    )


def _j(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _j(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_j(v) for v in value]
    return value


class Printer:
    def __init__(self, store: Store, channel: str, symbols: list[str], depth: int, count: int) -> None:
        self.store = store
        self.channel = channel
        self.symbols = symbols
        self.depth = depth
        self.count = count
        self.printed = 0
        self.version = 0
        self.seen_trades: dict[str, int] = {}
        self.seen_fills = 0
        self.done = asyncio.Event()

    def emit(self, obj: dict[str, Any]) -> None:
        if self.done.is_set():  # one poll can hold many events (a trade snapshot): stop at the count
            return
        try:
            sys.stdout.write(json.dumps(_j(obj), separators=(",", ":")) + "\n")
        except BrokenPipeError:  # `| head` has read enough: stop, quietly, as a Unix tool does
            _stdout_gone()
            self.done.set()
            return
        self.printed += 1
        if self.count and self.printed >= self.count:
            self.done.set()

    def poll(self) -> None:
        if self.done.is_set():
            return
        ch = self.store.changes_since(self.version)
        self.version = ch.version
        now = time.time()
        for s in self.symbols:
            mk = self.store.markets.get(s)
            if mk is not None:
                self._market(s, mk, ch.symbol_parts(s), now)
        if self.channel == "executions":
            self._executions(ch.account)
        elif self.channel == "balances" and "balances" in ch.account:
            self._balances(now)
        elif self.channel == "health" and ch.health:
            self._health(now)

    def _market(self, s: str, mk: MarketState, parts: frozenset[str], now: float) -> None:
        if self.channel == "book" and ("book" in parts or "status" in parts) and mk.book is not None:
            self._book(s, mk, mk.book, now)
        elif self.channel == "ticker" and "ticker" in parts and mk.ticker is not None:
            self.emit({"type": "ticker", "symbol": s, "time": now, **_ticker_row(mk.ticker)})
        elif self.channel == "trade" and "trades" in parts:
            self._trades(s, mk)
        elif self.channel == "ohlc" and "candles" in parts:
            self._ohlc(s, mk)

    def _book(self, s: str, mk: MarketState, b: L2Book, now: float) -> None:
        pp, qp = b.price_precision, b.qty_precision
        self.emit(
            {
                "type": "book",
                "symbol": s,
                "time": now,
                "state": mk.book_state,
                "checksum_ok": bool(b.last_ok) and mk.book_state == "ok",
                "checksum": b.last_checksum,
                "bids": [[format_ticks(p, pp), format_ticks(q, qp)] for p, q in b.bids(self.depth)],
                "asks": [[format_ticks(p, pp), format_ticks(q, qp)] for p, q in b.asks(self.depth)],
            }
        )

    def _trades(self, s: str, mk: MarketState) -> None:
        last = self.seen_trades.get(s, -1)
        for t in list(mk.trades):
            if t.trade_id > last:
                self.emit(
                    {
                        "type": "trade",
                        "symbol": s,
                        "price": t.price,
                        "qty": t.qty,
                        "side": t.side,
                        "ord_type": t.ord_type,
                        "trade_id": t.trade_id,
                        "timestamp": t.timestamp,
                    }
                )
                last = t.trade_id
        self.seen_trades[s] = last

    def _ohlc(self, s: str, mk: MarketState) -> None:
        candles = mk.candles.get(mk.ohlc_interval) or []
        if not candles:
            return
        c = candles[-1]
        self.emit(
            {
                "type": "ohlc",
                "symbol": s,
                "interval": c.interval,
                "interval_begin": c.interval_begin,
                "open": c.open,
                "high": c.high,
                "low": c.low,
                "close": c.close,
                "volume": c.volume,
                "trades": c.trades,
            }
        )

    def _executions(self, account: frozenset[str]) -> None:
        if "orders" in account:
            for o in self.store.account.orders.values():
                self.emit({"type": "order", **o.fields})
        if "fills" in account:
            fills = list(self.store.account.fills)
            for f in fills[self.seen_fills :]:
                self.emit({"type": "fill", **{k: getattr(f, k) for k in f.__slots__}})
            self.seen_fills = len(fills)

    def _balances(self, now: float) -> None:
        bal = self.store.account.balances(self.store.instruments)
        self.emit(
            {
                "type": "balances",
                "time": now,
                "balances": {
                    a: {"total": b.total, "reserved": b.reserved, "available": b.available}
                    for a, b in bal.items()
                },
            }
        )

    def _health(self, now: float) -> None:
        self.emit(
            {
                "type": "health",
                "time": now,
                "connections": {
                    n: {
                        "state": c.state,
                        "rtt_ms": c.rtt_ms,
                        "frames": c.frames,
                        "reconnects": c.reconnects,
                        "malformed": c.malformed,
                        "error": c.error,
                    }
                    for n, c in self.store.health.connections.items()
                },
            }
        )


def _ticker_row(t: Any) -> dict[str, Any]:
    return {k: getattr(t, k) for k in t.__slots__}


async def stream(
    settings: Settings,
    channel: str,
    symbols: list[str],
    depth: int,
    count: int,
    urls: Urls | None = None,
    record: Path | None = None,
) -> int:
    store = Store()
    book_depth = next(d for d in (10, 25, 100, 500, 1000) if d >= min(depth, 1000))
    settings = settings.model_copy(
        update={
            "symbols": symbols,
            "book_depth": max(book_depth, settings.book_depth) if channel == "book" else settings.book_depth,
        }
    )
    feed = Feed(settings, store, urls=urls, record=record)
    printer = Printer(store, channel, symbols, depth, count)
    store.add_listener(printer.poll)
    task = asyncio.create_task(feed.run())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    problems = asyncio.create_task(ProblemReporter(store).run())  # stderr; 2 for a refused symbol
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(printer.done.wait()), task, problems]
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    await feed.stop()
    for w in waiters:
        w.cancel()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone()
    return 2 if problems.done() and not problems.cancelled() else 0


def _stdout_gone() -> None:
    """The reader left: point stdout at /dev/null so the interpreter's final flush cannot complain."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def run(args: argparse.Namespace, settings: Settings) -> int:
    symbols = args.symbols or list(settings.symbols)

    async def main() -> int:
        from tui.modes import mode_of, start_mode

        ex, urls = await start_mode(settings, mode_of(args), replay=args.replay, speed=args.speed)
        try:
            return await stream(settings, args.channel, symbols, args.depth, args.count, urls, args.record)
        finally:
            if ex is not None:
                await ex.stop()

    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(main())
    return 0
