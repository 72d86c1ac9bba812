"""``kraken-tui soak``: the client against a faulty exchange for minutes, checked against the truth.

The embedded exchange runs in this process with faults switched on (corrupted checksums, dropped,
duplicated and delayed frames, disconnects, garbage frames), on five symbols. A real Feed fills a
real Store. Because the exchange is in-process its matching engine is the ground truth:

- every book the store calls verified (checksum matched, state ok) is compared, top 10 both sides,
  with the engine's own book. Frames are in flight between the two, so the store's book must equal
  a state the engine really had, no older than the last one it matched: a store that verified a
  wrong book, or went back in time, counts as a wrong verified line;
- orders are sent throughout (post-only buys far from the market), some with the private socket
  dropped just after the request left, so the reply is lost. Every order's reported outcome is
  compared with what the engine placed: an order reported placed that is not there, or reported
  not placed that is, is misreported; one placed twice is duplicated.

Everything listens on 127.0.0.1 only, and the run ends after the given time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from tui.config import Settings
from tui.exchange.events import Execution, LevelChanged
from tui.exchange.faults import parse_faults
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.client import Feed
from tui.feed.endpoints import Urls
from tui.feed.venue import Reply
from tui.kraken import requests as rq
from tui.store import Store

SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/EUR", "DOGE/USD"]
DEFAULT_FAULTS = (
    "corrupt=0.01,drop=0.01,dup=0.01,delay=1,disconnect_every=6,malformed=0.005,rate_limited=0.02"
)
DEPTH = 10
ORDER_EVERY = 0.25  # seconds between orders
LOSE_REPLY_EVERY = 6  # every sixth order has its private socket dropped right after sending
CANCEL_AFTER = 2.0  # seconds an acknowledged order rests before the soak cancels it
HISTORY_KEPT = 50_000  # engine book states kept per symbol ahead of the store's (bounds memory)
PLACED = ("acked", "lost-then-found")
NOT_PLACED = ("rejected", "lost-not-placed")
UNKNOWN = ("unknown", "lost", "timeout")  # the client says it cannot tell: honest, not wrong
LOST = ("lost-then-found", "lost-not-placed", "unknown", "lost")

Top = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to run (default 5)")
    parser.add_argument("--seconds", type=float, help="how long to run, in seconds (overrides --minutes)")
    parser.add_argument(
        "--rate", type=float, default=200.0, help="synthetic book actions/s, all symbols (default 200)"
    )
    parser.add_argument("--faults", default=DEFAULT_FAULTS, help=f"fault mix (default {DEFAULT_FAULTS})")
    parser.add_argument("--seed", type=int, default=7, help="seed of the market and the faults")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")


@dataclass
class SoakFigures:
    seconds: float = 0.0
    verified_lines_checked: int = 0
    wrong_verified_lines: int = 0
    verified_max_behind_ms: float = 0.0  # the oldest a verified book was: frames in flight, delays
    book_resyncs: int = 0
    orders_sent: int = 0
    orders_lost: int = 0  # replies lost to a disconnect, then reconciled from the executions snapshot
    orders_duplicated: int = 0
    orders_misreported: int = 0
    orders_unresolved: int = 0  # the client said it cannot tell (outcome unknown, lost or timeout)
    orders_not_sent: int = 0  # refused locally while the private socket was down
    orders_placed: int = 0
    exchange_max_request_stall_ms: float = 0.0
    loop_max_stall_ms: float = 0.0
    malformed_frames_counted: int = 0
    reconnects: int = 0
    errors_logged: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.wrong_verified_lines
            or self.orders_duplicated
            or self.orders_misreported
            or self.errors_logged
        )


class _ErrorCount(logging.Handler):
    """Counts errors logged anywhere (a handler that failed on the exchange is one), keeps a few."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.first) < 3:
            self.first.append(f"{record.name}: {record.getMessage()}"[:200])


def _top(bids: list[tuple[int, int]], asks: list[tuple[int, int]]) -> Top:
    return tuple(bids[:DEPTH]), tuple(asks[:DEPTH])


class _ExchangeWatch:
    """What the exchange really did, recorded as it happened.

    Hooks the engine's ``drain_events`` (called once per publish, when the engine's state is what
    the frames about to go out describe) and times the spot gateway's handling of each request with
    the publish that follows it.
    """

    def __init__(self, ex: RunningExchange, user: str = "demo") -> None:
        self.ex, self.user = ex, user
        # per symbol: (monotonic time it became the engine's book, top of book), oldest first
        self.history: dict[str, list[tuple[float, Top]]] = {
            s: [(time.monotonic(), self._engine_top(s))] for s in SYMBOLS
        }
        self.placed: dict[str, list[str]] = {}  # cl_ord_id -> engine order ids
        self.max_request_s = 0.0
        self._handled_s: float | None = None
        engine, ctx, gateway = ex.engine, ex.ctx, ex.spot
        drain, handle, publish = engine.drain_events, gateway.handle, ctx.publish

        def drain_events() -> list[Any]:
            events = drain()
            self._record(events)
            return events

        def timed_handle(conn: Any, text: str, time_in: str) -> None:
            t = time.perf_counter()
            try:
                handle(conn, text, time_in)
            finally:
                self._handled_s = time.perf_counter() - t

        def timed_publish() -> None:
            t = time.perf_counter()
            publish()
            if self._handled_s is not None:  # a request's handling and the publish that follows it
                self.max_request_s = max(self.max_request_s, self._handled_s + time.perf_counter() - t)
                self._handled_s = None

        # (installed before any client connects: each socket takes the gateway's handle on opening)
        engine.drain_events = drain_events  # type: ignore[method-assign]
        gateway.handle = timed_handle  # type: ignore[method-assign]
        ctx.publish = timed_publish  # type: ignore[method-assign]

    def _engine_top(self, symbol: str) -> Top:
        engine = self.ex.engine
        return _top(engine.levels(symbol, "bid", DEPTH), engine.levels(symbol, "ask", DEPTH))

    def _record(self, events: list[Any]) -> None:
        changed = {e.symbol for e in events if isinstance(e, LevelChanged)}
        for symbol in changed.intersection(self.history):
            states = self.history[symbol]
            top = self._engine_top(symbol)
            if top != states[-1][1]:
                states.append((time.monotonic(), top))
                if len(states) > HISTORY_KEPT:
                    del states[: len(states) - HISTORY_KEPT]
        for e in events:
            if (
                isinstance(e, Execution)
                and e.user == self.user
                and e.report.get("exec_type") == "pending_new"
            ):
                cid = e.report.get("cl_ord_id")
                if isinstance(cid, str):
                    self.placed.setdefault(cid, []).append(str(e.report.get("order_id")))


class _BookCheck:
    """Store listener: every verified book must be a state the engine had, in the engine's order."""

    def __init__(self, store: Store, watch: _ExchangeWatch, figures: SoakFigures) -> None:
        self.store, self.watch, self.figures = store, watch, figures
        self.version = 0
        store.add_listener(self.poll)

    def poll(self) -> None:
        ch = self.store.changes_since(self.version)
        self.version = ch.version
        for symbol in SYMBOLS:
            if "book" not in ch.symbol_parts(symbol):
                continue
            mk = self.store.markets.get(symbol)
            if mk is None or mk.book is None or mk.book_state != "ok" or not mk.book.last_ok:
                continue
            self._check(symbol, _top(mk.book.bids(DEPTH), mk.book.asks(DEPTH)))

    def _check(self, symbol: str, top: Top) -> None:
        states = self.watch.history[symbol]
        self.figures.verified_lines_checked += 1
        for i, (_, state) in enumerate(states):
            if state == top:
                del states[:i]  # the store can never go back to an older state
                if len(states) > 1:  # how long ago the engine's book moved on from this one
                    behind = (time.monotonic() - states[1][0]) * 1000
                    self.figures.verified_max_behind_ms = max(self.figures.verified_max_behind_ms, behind)
                return
        self.figures.wrong_verified_lines += 1
        if len(self.figures.examples) < 5:
            best = f"bid {top[0][:1]} ask {top[1][:1]}"
            self.figures.examples.append(f"{symbol}: verified {best} is no state the engine had since")


class _OrderFlow:
    """Sends far-off post-only buys through the feed's trading surface and keeps every reply."""

    def __init__(self, feed: Feed, store: Store, figures: SoakFigures) -> None:
        self.feed, self.store, self.figures = feed, store, figures
        self.replies: dict[str, Reply] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        n = 0
        while not stop.is_set():
            await asyncio.sleep(ORDER_EVERY)
            order = self._far_buy(SYMBOLS[n % len(SYMBOLS)])
            n += 1
            if order is None:
                continue
            task = asyncio.create_task(self._place(order, lose_reply=n % LOSE_REPLY_EVERY == 0))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def settle(self, timeout: float) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)

    def _far_buy(self, symbol: str) -> rq.OrderParams | None:
        inst = self.store.instruments.get(symbol)
        mk = self.store.markets.get(symbol)
        if inst is None or mk is None or mk.book is None or not mk.book.bids(1):
            return None
        best = mk.book.bids(1)[0][0]
        price_ticks = best * 9 // 10 // inst.price_increment * inst.price_increment
        price = Decimal(price_ticks).scaleb(-inst.price_precision)
        need = math.ceil(2 * inst.cost_min / price * 10**inst.qty_precision) if price else 0
        qty_ticks = max(inst.qty_min, need, 1)
        qty_ticks += -qty_ticks % inst.qty_increment
        return rq.OrderParams(
            order_type="limit",
            side="buy",
            order_qty=Decimal(qty_ticks).scaleb(-inst.qty_precision),
            symbol=symbol,
            limit_price=price,
            post_only=True,
            cl_ord_id=rq.new_cl_ord_id(),
        )

    async def _place(self, order: rq.OrderParams, *, lose_reply: bool) -> None:
        trading = self.feed.trading
        before = trading.sent_count
        pending = asyncio.create_task(trading.add_order(order))
        if lose_reply:
            await self._drop_private_once_sent(before)
        reply = await pending
        assert order.cl_ord_id is not None
        self.replies[order.cl_ord_id] = reply
        if reply.ok:
            await asyncio.sleep(CANCEL_AFTER)
            for _ in range(3):
                if (await trading.cancel_order(cl_ord_ids=[order.cl_ord_id])).ok:
                    break
                await asyncio.sleep(1.0)

    async def _drop_private_once_sent(self, before: int) -> None:
        """Close the private socket right after the request left: its reply is lost on the way."""
        for _ in range(200):
            if self.feed.trading.sent_count > before:
                break
            await asyncio.sleep(0)
        conn = self.feed.private
        if conn is not None and conn.ws is not None and not conn.ws.closed:
            await conn.ws.close()


def _tally(figures: SoakFigures, replies: dict[str, Reply], placed: dict[str, list[str]]) -> None:
    outcomes = Counter(r.outcome for r in replies.values())
    figures.orders_not_sent = outcomes["not-sent"]
    figures.orders_sent = len(replies) - figures.orders_not_sent
    figures.orders_lost = sum(outcomes[o] for o in LOST)
    figures.orders_unresolved = sum(outcomes[o] for o in UNKNOWN)
    figures.orders_placed = sum(1 for cid in replies if placed.get(cid))
    figures.orders_duplicated = sum(1 for ids in placed.values() if len(ids) > 1)
    for cid, reply in replies.items():
        ids = placed.get(cid, [])
        said_id = reply.result.get("order_id") if isinstance(reply.result, dict) else None
        if reply.outcome in PLACED and (not ids or (said_id is not None and said_id not in ids)):
            wrong = f"reported {reply.outcome} ({said_id}) but the engine placed {ids or 'nothing'}"
        elif (reply.outcome in NOT_PLACED or reply.outcome == "not-sent") and ids:
            wrong = f"reported {reply.outcome} but the engine placed {ids}"
        else:
            continue
        figures.orders_misreported += 1
        if len(figures.examples) < 10:
            figures.examples.append(f"order {cid}: {wrong}")


async def _loop_stall(stop: asyncio.Event, figures: SoakFigures, every: float = 0.005) -> None:
    """The longest the shared event loop was late for a short timer: any stall, client or exchange."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t = loop.time()
        await asyncio.sleep(every)
        figures.loop_max_stall_ms = max(figures.loop_max_stall_ms, (loop.time() - t - every) * 1000)


def _client_settings() -> Settings:
    return Settings(
        symbols=SYMBOLS,
        futures_symbols=[],
        book_depth=DEPTH,
        log_file=None,
        feed={
            "connection_stale_after": 3.0,
            "reconnect_min_delay": 0.05,
            "reconnect_max_delay": 0.5,
            "ping_interval": 1.0,
            "request_timeout": 3.0,
        },
    )


async def soak(seconds: float, rate: float, faults: str, seed: int) -> SoakFigures:
    figures = SoakFigures(seconds=seconds)
    errors = _ErrorCount()
    logging.getLogger().addHandler(errors)
    logging.getLogger("tui").addHandler(logging.NullHandler())  # warnings are counted, not printed
    cfg = ExchangeConfig(port=0, seed=seed, rate=rate, symbols=list(SYMBOLS), futures_symbols=[])
    cfg.rate_limits = False  # the soak is about faults; the rate counter would refuse most orders
    cfg.faults = replace(parse_faults(faults), seed=seed)
    ex = await start_exchange(cfg)
    watch = _ExchangeWatch(ex)
    store = Store("DEMO")
    urls = Urls(ex.url_public, ex.url_private, ex.url_l3, ex.url_rest, ex.api_key, ex.api_secret)
    feed = Feed(_client_settings(), store, urls=urls)
    _BookCheck(store, watch, figures)
    flow = _OrderFlow(feed, store, figures)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c) for c in (feed.run(), flow.run(stop), _loop_stall(stop, figures))]
    try:
        await asyncio.sleep(seconds)
        stop.set()
        await flow.settle(timeout=4 * feed.settings.feed.request_timeout + CANCEL_AFTER + 5)
    finally:
        stop.set()
        await feed.stop()
        for t in tasks:
            t.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.gather(*tasks, return_exceptions=True)
        await ex.stop()
        logging.getLogger().removeHandler(errors)
    _tally(figures, flow.replies, watch.placed)
    figures.book_resyncs = sum(store.market(s).checksum_mismatches for s in SYMBOLS)
    figures.malformed_frames_counted = sum(c.malformed for c in store.health.connections.values())
    figures.reconnects = sum(c.reconnects for c in store.health.connections.values())
    figures.exchange_max_request_stall_ms = round(watch.max_request_s * 1000, 2)
    figures.loop_max_stall_ms = round(figures.loop_max_stall_ms, 2)
    figures.verified_max_behind_ms = round(figures.verified_max_behind_ms, 2)
    figures.errors_logged = errors.count
    figures.examples.extend(errors.first)
    return figures


def _print(f: SoakFigures) -> None:
    print(f"soak: {f.seconds:g} s, {len(SYMBOLS)} symbols, every verified top-{DEPTH} book checked")
    print(f"verified lines checked: {f.verified_lines_checked}")
    print(f"wrong verified lines: {f.wrong_verified_lines}")
    print(f"verified lines at most behind the engine by: {f.verified_max_behind_ms} ms")
    print(f"book resyncs (checksum mismatches): {f.book_resyncs}")
    print(f"orders sent: {f.orders_sent} (placed {f.orders_placed}, not sent while down {f.orders_not_sent})")
    print(f"orders lost: {f.orders_lost} (replies lost to a disconnect; unresolved {f.orders_unresolved})")
    print(f"orders duplicated: {f.orders_duplicated}")
    print(f"orders misreported: {f.orders_misreported}")
    print(f"exchange max single-request stall: {f.exchange_max_request_stall_ms} ms")
    print(f"event loop max stall: {f.loop_max_stall_ms} ms")
    print(f"malformed frames counted: {f.malformed_frames_counted}")
    print(f"reconnects: {f.reconnects}")
    print(f"errors logged: {f.errors_logged}")
    for line in f.examples:
        print(f"  {line}")


def run(args: argparse.Namespace, settings: object) -> int:
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    if not 0 < seconds <= 24 * 3600:
        print("kraken-tui soak: the run must last more than 0 s and at most 24 h", file=sys.stderr)
        return 2
    try:
        parse_faults(args.faults)
    except ValueError as exc:
        print(f"kraken-tui soak: --faults: {exc}", file=sys.stderr)
        return 2
    figures = asyncio.run(soak(seconds, args.rate, args.faults, args.seed))
    if args.json:
        print(json.dumps(asdict(figures)))
    else:
        _print(figures)
    return 0 if figures.clean else 1
