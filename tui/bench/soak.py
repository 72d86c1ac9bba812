"""``kraken-tui soak``: the client against a faulty exchange for minutes, checked against the truth.

The embedded exchange runs in this process with faults switched on (corrupted checksums, dropped,
duplicated and delayed frames, disconnects, garbage frames), on five symbols. A real Feed fills a
real Store, recording every frame and logging at debug to temporary files. Because the exchange is
in-process its matching engine is the ground truth, and one run prints every figure of issue 18's
acceptance:

- books: the symbols are dealt out over the ``--depth`` values (10 and 25 by default). Every book
  the store calls verified (checksum matched, state ok) is compared, top 10 both sides, with the
  engine's own book. Frames are in flight between the two, so the store's book must equal a state
  the engine really had, no older than the last one it matched: a store that verified a wrong book,
  or went back in time, counts as a wrong verified line. Below the checksummed 10 levels a book can
  drift unseen (a dropped frame that touched only them): those levels are compared too, counted,
  must be marked unverified, and the longest drift episode shows what the deep-book refresh bounds;
- orders: ``--orders`` far-off post-only buys, ``--lost-replies`` of them with the private socket
  dropped just after the request left, and three probes whose replies the exchange loses while it
  makes the snapshot on reconnect unable to explain them (an order that filled and then 60 more
  fills, one cancelled on the engine, an expired IOC). Every reported outcome is compared with what
  the engine placed: reported placed and not there, or "not placed" and there, is misreported;
- freezes: the longest single request's handling on the exchange, and the longest stall of the
  shared event loop seen by a 10 ms ticker;
- internal errors: requests the exchange answered ``EGeneral:Internal error``, tracebacks it logged;
- a client that never reads (depth 1000, every symbol, asking again and again): whether the exchange
  dropped it as a slow consumer, the largest send queue it reached against the bound, RSS growth;
- credentials: the recording and the log searched for the API key and secret and every WS token
  the exchange issued.

Everything listens on 127.0.0.1 only, the market and the faults are seeded, and the run ends after
the given time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gzip
import json
import logging
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp

from tui.config import BOOK_DEPTHS, Settings
from tui.exchange.conn import SLOW_CONSUMER, Conn
from tui.exchange.events import Execution, LevelChanged
from tui.exchange.faults import parse_faults
from tui.exchange.orders import OrderRequest
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.client import Feed
from tui.feed.venue import Reply
from tui.kraken import requests as rq
from tui.kraken.instrument import Instrument
from tui.logs import FORMAT, RedactSecrets
from tui.modes import exchange_urls
from tui.store import Store

SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/EUR", "DOGE/USD"]
DEFAULT_FAULTS = (
    "corrupt=0.01,drop=0.01,dup=0.01,delay=1,disconnect_every=6,malformed=0.005,rate_limited=0.02"
)
DEFAULT_DEPTHS = (10, 25)
CHECKSUM_LEVELS = 10  # what a spot book's checksum covers: the levels below it are unverified
CANCEL_AFTER = 2.0  # seconds an acknowledged order rests before the soak cancels it
HISTORY_KEPT = 50_000  # engine book states kept per symbol ahead of the store's (bounds memory)
FREEZE_MS = 100.0  # a request or a loop stall longer than this is a freeze
EXTRA_FILLS = 60  # the filled probe: fills after it, more than the executions snapshot's 50
USER = "demo"
PLACED = ("acked", "lost-then-found")
NOT_PLACED = ("rejected", "lost-not-placed")
UNKNOWN = ("unknown", "lost", "timeout")  # the client says it cannot tell: honest, not wrong
LOST = ("lost-then-found", "lost-not-placed", "unknown", "lost")
PROBES = ("filled, then 60 more fills", "cancelled elsewhere", "expired IOC")
INTERNAL_ERROR = "EGeneral:Internal error"

Side = tuple[tuple[int, int], ...]
Top = tuple[Side, Side]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to run (default 5)")
    parser.add_argument("--seconds", type=float, help="how long to run, in seconds (overrides --minutes)")
    parser.add_argument(
        "--rate", type=float, default=200.0, help="synthetic book actions/s, all symbols (default 200)"
    )
    parser.add_argument("--faults", default=DEFAULT_FAULTS, help=f"fault mix (default {DEFAULT_FAULTS})")
    parser.add_argument("--seed", type=int, default=7, help="seed of the market and the faults")
    parser.add_argument(
        "--depth",
        action="append",
        type=int,
        help="book depth to subscribe, repeatable; the symbols are dealt out over them (default 10 and 25)",
    )
    parser.add_argument("--orders", type=int, default=200, help="orders sent over the run (default 200)")
    parser.add_argument(
        "--lost-replies", type=int, default=10, help="of those, how many lose their reply (default 10)"
    )
    parser.add_argument(
        "--freeze-ms",
        type=float,
        default=FREEZE_MS,
        help=f"a request or loop stall this long fails the run (default {FREEZE_MS:g}; the smoke test on a "
        "busy CI machine checks correctness and passes a larger value)",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable results")


@dataclass
class DepthFigures:
    """The book check for the symbols subscribed at one depth."""

    symbols: list[str] = field(default_factory=list)
    lines_checked: int = 0
    wrong_lines: int = 0  # verified top-10 lines that were no state the engine had
    deep_lines_checked: int = 0  # lines whose levels 11..depth were compared too
    deep_lines_drifted: int = 0  # of those, lines with a level 11..depth unlike the engine's
    deep_levels_wrong: int = 0  # how many levels 11..depth differed, over all those lines
    deep_drift_marked_verified: int = 0  # drifted lines the store did not mark unverified below 10
    deep_longest_drift_s: float = 0.0  # longest run of drifted checks of one symbol


@dataclass
class SoakFigures:
    seconds: float = 0.0
    depths: dict[int, DepthFigures] = field(default_factory=dict)
    deep_refresh_s: float = 0.0  # the client's refresh interval for books deeper than 10
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
    probes: dict[str, str] = field(default_factory=dict)  # probe -> "engine: x; client: y"
    probes_not_run: int = 0  # probes whose request never reached the exchange
    exchange_max_request_stall_ms: float = 0.0
    exchange_freezes: int = 0  # requests whose handling took over FREEZE_MS
    loop_max_stall_ms: float = 0.0
    freeze_ms: float = FREEZE_MS  # what counts against a clean run (--freeze-ms)
    internal_error_replies: int = 0
    exchange_tracebacks: int = 0
    slow_reader_dropped: bool = False
    slow_reader_close: str = ""
    slow_reader_dropped_after_s: float = 0.0  # from its connecting to the exchange closing it
    slow_reader_peak_queue_bytes: int = 0
    send_queue_bound_bytes: int = 0
    rss_start_mb: float = 0.0
    rss_growth_mb: float = 0.0
    rss_peak_growth_mb: float = 0.0
    credentials_searched: int = 0  # distinct key, secret and token values looked for
    tokens_issued: int = 0
    credentials_found: int = 0
    recorded_frames: int = 0
    log_lines: int = 0
    malformed_frames_counted: int = 0
    reconnects: int = 0
    errors_logged: int = 0
    examples: list[str] = field(default_factory=list)

    def depth(self, depth: int) -> DepthFigures:
        return self.depths.setdefault(depth, DepthFigures())

    @property
    def clean(self) -> bool:
        drift_marked = sum(d.deep_drift_marked_verified for d in self.depths.values())
        return not (
            self.wrong_verified_lines
            or drift_marked
            or self.orders_duplicated
            or self.orders_misreported
            or self.probes_not_run
            or self.exchange_max_request_stall_ms > self.freeze_ms
            or self.loop_max_stall_ms >= self.freeze_ms
            or self.internal_error_replies
            or self.exchange_tracebacks
            or self.slow_reader_peak_queue_bytes > self.send_queue_bound_bytes
            or self.credentials_found
            or self.errors_logged
        )


class _ErrorCount(logging.Handler):
    """Counts errors logged anywhere (a handler that failed on the exchange is one), keeps a few,
    and the exchange's tracebacks apart."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.tracebacks = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("tui.exchange") and (record.exc_info or record.exc_text):
            self.tracebacks += 1
        if record.levelno < logging.ERROR:
            return
        self.count += 1
        if len(self.first) < 3:
            self.first.append(f"{record.name}: {record.getMessage()}{_where(record)}"[:300])


def _where(record: logging.LogRecord) -> str:
    """The exception's type and innermost frame, so a failure seen once can be found; not its
    message, which may quote a request."""
    if not record.exc_info or record.exc_info[1] is None:
        return ""
    exc = record.exc_info[1]
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return f" ({type(exc).__name__})"
    code = tb.tb_frame.f_code
    return f" ({type(exc).__name__} in {code.co_name}, {Path(code.co_filename).name}:{tb.tb_lineno})"


def _cut(bids: list[tuple[int, int]], asks: list[tuple[int, int]], depth: int) -> tuple[Top, Top]:
    """(top 10, levels 11..depth) of both sides."""
    n = CHECKSUM_LEVELS
    return (tuple(bids[:n]), tuple(asks[:n])), (tuple(bids[n:depth]), tuple(asks[n:depth]))


def _levels_unlike(a: Top, b: Top) -> int:
    """Levels, position by position on both sides, where two books differ."""
    return sum(
        sum(1 for k in range(max(len(x), len(y))) if k >= len(x) or k >= len(y) or x[k] != y[k])
        for x, y in zip(a, b, strict=True)
    )


class _ExchangeWatch:
    """What the exchange really did, recorded as it happened.

    Hooks the engine's ``drain_events`` (called once per publish, when the engine's state is what
    the frames about to go out describe), times the spot gateway's handling of each request with
    the publish that follows it, counts requests that failed inside it, keeps every WS token issued,
    and loses the replies of the order probes (``lose_reply``).
    """

    def __init__(self, ex: RunningExchange, depth_of: dict[str, int]) -> None:
        self.ex, self.depth_of = ex, depth_of
        # per symbol: (monotonic time it became the engine's book, top 10, levels 11..depth)
        self.history: dict[str, list[tuple[float, Top, Top]]] = {
            s: [(time.monotonic(), *self._engine_book(s))] for s in depth_of
        }
        self.placed: dict[str, list[str]] = {}  # cl_ord_id -> engine order ids
        self.last_exec: dict[str, str] = {}  # cl_ord_id -> the engine's last exec_type for it
        self.tokens: list[str] = []
        # cl_ord_id -> what to do on the engine once its add_order is handled; then the reply is lost
        self.lose_reply: dict[str, Callable[[], None]] = {}
        self.max_request_s = 0.0
        self.freezes = 0
        self.internal_errors = 0
        self._handled_s: float | None = None
        self._install()

    def _install(self) -> None:
        engine, ctx, gateway, creds = self.ex.engine, self.ex.ctx, self.ex.spot, self.ex.credentials
        drain, handle, publish, issue = engine.drain_events, gateway.handle, ctx.publish, creds.issue_token

        def drain_events() -> list[Any]:
            events = drain()
            self._record(events)
            return events

        def timed_handle(conn: Conn, text: str, time_in: str) -> None:
            t = time.perf_counter()
            try:
                handle(conn, text, time_in)
            except Exception:  # answered with EGeneral:Internal error by the socket loop
                self.internal_errors += 1
                raise
            finally:
                self._handled_s = time.perf_counter() - t
            self._maybe_lose_reply(conn, text)

        def timed_publish() -> None:
            t = time.perf_counter()
            publish()
            if self._handled_s is not None:  # a request's handling and the publish that follows it
                took = self._handled_s + time.perf_counter() - t
                self.max_request_s = max(self.max_request_s, took)
                self.freezes += took * 1000 > FREEZE_MS
                self._handled_s = None

        def issue_token(user: str) -> str:
            token = issue(user)
            self.tokens.append(token)
            return token

        # (installed before any client connects: each socket takes the gateway's handle on opening)
        engine.drain_events = drain_events  # type: ignore[method-assign]
        gateway.handle = timed_handle  # type: ignore[method-assign]
        ctx.publish = timed_publish  # type: ignore[method-assign]
        creds.issue_token = issue_token  # type: ignore[method-assign]

    def _maybe_lose_reply(self, conn: Conn, text: str) -> None:
        for cid in self.lose_reply:
            if cid in text:
                self.lose_reply.pop(cid)()
                conn.kick(1001, "soak: this reply is lost")  # frees the queued reply unsent
                return

    def _engine_book(self, symbol: str) -> tuple[Top, Top]:
        engine, depth = self.ex.engine, self.depth_of[symbol]
        return _cut(engine.levels(symbol, "bid", depth), engine.levels(symbol, "ask", depth), depth)

    def _record(self, events: list[Any]) -> None:
        changed = {e.symbol for e in events if isinstance(e, LevelChanged)}
        for symbol in changed.intersection(self.history):
            states = self.history[symbol]
            top, deep = self._engine_book(symbol)
            if (top, deep) != states[-1][1:]:
                states.append((time.monotonic(), top, deep))
                if len(states) > HISTORY_KEPT:
                    del states[: len(states) - HISTORY_KEPT]
        for e in events:
            if isinstance(e, Execution) and e.user == USER:
                cid, kind = e.report.get("cl_ord_id"), e.report.get("exec_type")
                if not isinstance(cid, str):
                    continue
                self.last_exec[cid] = str(kind)
                if kind == "pending_new":
                    self.placed.setdefault(cid, []).append(str(e.report.get("order_id")))


class _BookCheck:
    """Store listener: every verified book must be a state the engine had, in the engine's order;
    below its checksummed levels it may drift, and must then be marked unverified."""

    def __init__(self, store: Store, watch: _ExchangeWatch, figures: SoakFigures) -> None:
        self.store, self.watch, self.figures = store, watch, figures
        self.version = 0
        self.drift_since: dict[str, float] = {}
        store.add_listener(self.poll)

    def poll(self) -> None:
        ch = self.store.changes_since(self.version)
        self.version = ch.version
        for symbol, depth in self.watch.depth_of.items():
            if "book" not in ch.symbol_parts(symbol):
                continue
            mk = self.store.markets.get(symbol)
            if mk is None or mk.book is None or mk.book_state != "ok" or not mk.book.last_ok:
                continue
            top, deep = _cut(mk.book.bids(depth), mk.book.asks(depth), depth)
            self._check(symbol, depth, top, deep, mk.verified_levels)

    def _check(self, symbol: str, depth: int, top: Top, deep: Top, verified_levels: int | None) -> None:
        states = self.watch.history[symbol]
        fig = self.figures.depth(depth)
        fig.lines_checked += 1
        for i, (_, state, _) in enumerate(states):
            if state == top:
                del states[:i]  # the store can never go back to an older state
                if len(states) > 1:  # how long ago the engine's book moved on from this one
                    behind = (time.monotonic() - states[1][0]) * 1000
                    self.figures.verified_max_behind_ms = max(self.figures.verified_max_behind_ms, behind)
                if depth > CHECKSUM_LEVELS:
                    self._check_deep(symbol, fig, top, deep, verified_levels)
                return
        fig.wrong_lines += 1
        if len(self.figures.examples) < 5:
            best = f"bid {top[0][:1]} ask {top[1][:1]}"
            self.figures.examples.append(f"{symbol}: verified {best} is no state the engine had since")

    def _check_deep(
        self, symbol: str, fig: DepthFigures, top: Top, deep: Top, verified_levels: int | None
    ) -> None:
        """Levels 11..depth against the engine's states that share this top 10 (the oldest first)."""
        fig.deep_lines_checked += 1
        unlike: int | None = None
        for _, state, state_deep in self.watch.history[symbol]:
            if state != top:
                break
            n = _levels_unlike(state_deep, deep)
            unlike = n if unlike is None else min(unlike, n)
            if not n:
                break
        now = time.monotonic()
        if unlike:
            fig.deep_lines_drifted += 1
            fig.deep_levels_wrong += unlike
            if verified_levels is None or verified_levels > CHECKSUM_LEVELS:
                fig.deep_drift_marked_verified += 1
            self.drift_since.setdefault(symbol, now)
            fig.deep_longest_drift_s = max(fig.deep_longest_drift_s, now - self.drift_since[symbol])
        else:
            start = self.drift_since.pop(symbol, None)
            if start is not None:  # the episode ran until this first check that matched again
                fig.deep_longest_drift_s = max(fig.deep_longest_drift_s, now - start)


def _qty_ticks(inst: Instrument, price: Decimal) -> int:
    """The smallest quantity the pair takes at ``price`` with twice its minimum cost, in ticks."""
    need = math.ceil(2 * inst.cost_min / price * 10**inst.qty_precision) if price else 0
    qty = max(inst.qty_min, need, 1)
    return qty + -qty % inst.qty_increment


class _OrderFlow:
    """Sends far-off post-only buys through the feed's trading surface and keeps every reply."""

    def __init__(self, feed: Feed, store: Store, every: float, lose_every: int) -> None:
        self.feed, self.store = feed, store
        self.every, self.lose_every = every, lose_every
        self.replies: dict[str, Reply] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event, count: int) -> None:
        for _ in range(100):  # the first private login takes a moment: orders before it go nowhere
            if self.store.account.authenticated:
                break
            await asyncio.sleep(0.05)
        n = 0
        while not stop.is_set() and n < count:
            await asyncio.sleep(self.every)
            order = self.far_buy(SYMBOLS[n % len(SYMBOLS)])
            if order is None:
                continue
            n += 1
            lose = self.lose_every > 0 and n % self.lose_every == 0
            task = asyncio.create_task(self._place(order, lose_reply=lose))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def settle(self, timeout: float) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)

    def far_buy(self, symbol: str, *, ioc: bool = False) -> rq.OrderParams | None:
        """A buy 10% under the best bid: post-only (it rests), or IOC (it expires at once)."""
        inst = self.store.instruments.get(symbol)
        mk = self.store.markets.get(symbol)
        if inst is None or mk is None or mk.book is None or not mk.book.bids(1):
            return None
        best = mk.book.bids(1)[0][0]
        price_ticks = best * 9 // 10 // inst.price_increment * inst.price_increment
        price = Decimal(price_ticks).scaleb(-inst.price_precision)
        return rq.OrderParams(
            order_type="limit",
            side="buy",
            order_qty=Decimal(_qty_ticks(inst, price)).scaleb(-inst.qty_precision),
            symbol=symbol,
            limit_price=price,
            post_only=not ioc,
            time_in_force="ioc" if ioc else None,
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


class _Probes:
    """Issue 18's three lost replies that the executions snapshot on reconnect cannot explain.

    Each probe's add_order is handled by the exchange, then, before the client can reconnect, the
    engine is made to do what puts the order beyond the snapshot (60 more fills; a cancel from
    elsewhere; nothing, for an IOC that expired), and the socket is dropped with the reply unsent.
    The client must say "outcome unknown" (or find it), never "not placed".
    """

    def __init__(self, flow: _OrderFlow, watch: _ExchangeWatch, figures: SoakFigures) -> None:
        self.flow, self.watch, self.figures = flow, watch, figures
        self.engine = watch.ex.engine

    async def run(self, start_after: float) -> None:
        await asyncio.sleep(start_after)
        for name in PROBES:
            self.figures.probes[name] = await self._probe(name)

    async def _probe(self, name: str) -> str:
        for _ in range(30):
            order = self._order(name)
            if order is None or not self.flow.feed.store.account.authenticated:
                await asyncio.sleep(0.2)
                continue
            cid = order.cl_ord_id
            assert cid is not None
            self.watch.lose_reply[cid] = functools.partial(self._elsewhere, name, order)
            reply = await self.flow.feed.trading.add_order(order)
            self.flow.replies[cid] = reply
            if self.watch.lose_reply.pop(cid, None) is None:  # it reached the exchange
                return f"engine: {self.watch.last_exec.get(cid, 'nothing')}; client: {reply.outcome}"
            await asyncio.sleep(0.2)
        self.figures.probes_not_run += 1
        return "never reached the exchange"

    def _order(self, name: str) -> rq.OrderParams | None:
        symbol = SYMBOLS[0]
        if name == PROBES[2]:
            return self.flow.far_buy(symbol, ioc=True)
        if name == PROBES[1]:
            return self.flow.far_buy(symbol)
        inst = self.watch.ex.pairs[symbol]
        ask = self.engine.best(symbol, "ask")
        if ask is None:
            return None
        qty = _qty_ticks(inst, Decimal(ask).scaleb(-inst.price_precision))
        return rq.OrderParams(
            order_type="market",
            side="buy",
            order_qty=Decimal(qty).scaleb(-inst.qty_precision),
            symbol=symbol,
            cl_ord_id=rq.new_cl_ord_id(),
        )

    def _elsewhere(self, name: str, order: rq.OrderParams) -> None:
        """What happens on the engine while the reply is lost."""
        if name == PROBES[1]:
            self.engine.cancel_orders(USER, cl_ord_ids=[order.cl_ord_id or ""], reason="cancelled elsewhere")
        elif name == PROBES[0]:
            self._fill_more(order)

    def _fill_more(self, probe: rq.OrderParams) -> None:
        inst = self.watch.ex.pairs[probe.symbol]
        for _ in range(3 * EXTRA_FILLS):
            fills = self.engine.fills(USER, 200)
            mine = [i for i, f in enumerate(fills) if f.get("cl_ord_id") == probe.cl_ord_id]
            if not mine or len(fills) - 1 - mine[-1] >= EXTRA_FILLS:
                return
            ask = self.engine.best(probe.symbol, "ask")
            if ask is None:
                return
            qty = _qty_ticks(inst, Decimal(ask).scaleb(-inst.price_precision))
            self.engine.add_order(USER, OrderRequest("market", "buy", probe.symbol, qty))


class _SlowReader:
    """A plain client that subscribes to every book at depth 1000, asks again and again, and never
    reads a frame: the exchange must drop it (close 1008) before its send queue passes the bound.

    It is spared the ``disconnect_every`` fault, which would otherwise end it before the bound
    could be reached, and it keeps sending, so it is never idle."""

    def __init__(self, ex: RunningExchange, figures: SoakFigures) -> None:
        self.ex, self.figures = ex, figures
        self.conn: Conn | None = None
        self.started = time.monotonic()

    async def run(self, stop: asyncio.Event) -> None:
        sub = {"method": "subscribe", "params": {"channel": "book", "symbol": SYMBOLS, "depth": 1000}}
        unsub = {"method": "unsubscribe", "params": {"channel": "book", "symbol": SYMBOLS, "depth": 1000}}
        self.started = time.monotonic()
        quick_close = aiohttp.ClientWSTimeout(ws_close=1.0)  # it never reads the server's close
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(self.ex.url_public, timeout=quick_close) as ws,
        ):
            await ws.send_json(sub)
            while not stop.is_set():
                self._watch()
                if self.conn is not None and self.conn.closed:
                    break
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await ws.send_json(unsub)
                    await ws.send_json(sub)
                await asyncio.sleep(0.25)

    def _watch(self) -> None:
        if self.conn is None:  # its socket on the exchange: the only one with a depth-1000 book
            new = [c for c in self.ex.conns if any(isinstance(k, tuple) and 1000 in k for k in c.subs)]
            if not new:
                return
            self.conn = new[0]
            self.conn.next_drop = 1e18  # spared the disconnect fault (see the class docstring)
        self.note()

    def note(self) -> None:
        c, f = self.conn, self.figures
        if c is None:
            return
        f.slow_reader_peak_queue_bytes = max(f.slow_reader_peak_queue_bytes, c.peak_queued_bytes)
        f.slow_reader_dropped = c.close_code == SLOW_CONSUMER
        if c.close_code is not None and not f.slow_reader_close:
            f.slow_reader_close = f"{c.close_code} {c.close_reason}"
            f.slow_reader_dropped_after_s = round(time.monotonic() - self.started, 1)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def _sample_rss(stop: asyncio.Event, figures: SoakFigures) -> None:
    figures.rss_start_mb = _rss_mb()
    while not stop.is_set():
        await asyncio.sleep(0.5)
        growth = _rss_mb() - figures.rss_start_mb
        figures.rss_peak_growth_mb = max(figures.rss_peak_growth_mb, growth)
        figures.rss_growth_mb = growth


async def _loop_stall(stop: asyncio.Event, figures: SoakFigures, every: float = 0.010) -> None:
    """The longest the shared event loop was late for a short timer: any stall, client or exchange."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t = loop.time()
        await asyncio.sleep(every)
        figures.loop_max_stall_ms = max(figures.loop_max_stall_ms, (loop.time() - t - every) * 1000)


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


def _credentials_found(figures: SoakFigures, files: list[Path], secrets: list[str]) -> None:
    """Every credential value, searched in every file the client wrote (a recording is gzip)."""
    wanted = sorted({s for s in secrets if s})
    figures.credentials_searched = len(wanted)
    for path in files:
        if not path.exists():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if path.suffix == ".gz":
                    figures.recorded_frames += 1
                else:
                    figures.log_lines += 1
                for s in wanted:
                    if s in line:
                        figures.credentials_found += 1
                        if len(figures.examples) < 10:
                            figures.examples.append(f"credential {s[:4]}... found in {path.name}")


def _deal_depths(depths: list[int]) -> dict[str, int]:
    """The symbols dealt out over the depths in turn: BTC at the first, ETH at the second, ..."""
    return {s: depths[i % len(depths)] for i, s in enumerate(SYMBOLS)}


def _client_settings() -> Settings:
    return Settings(
        symbols=SYMBOLS,
        futures_symbols=[],
        book_depth=CHECKSUM_LEVELS,
        log_file=None,
        feed={
            "connection_stale_after": 3.0,
            "reconnect_min_delay": 0.05,
            "reconnect_max_delay": 0.5,
            "ping_interval": 1.0,
            "request_timeout": 3.0,
        },
    )


@dataclass
class _Plan:
    seconds: float
    rate: float
    faults: str
    seed: int
    depths: list[int] = field(default_factory=lambda: list(DEFAULT_DEPTHS))
    orders: int = 200
    lost_replies: int = 10


class _Run:
    """One soak: the exchange, its watch, the client, the checks, and the files the client wrote."""

    def __init__(self, plan: _Plan, tmp: Path) -> None:
        self.plan, self.tmp = plan, tmp
        self.figures = SoakFigures(seconds=plan.seconds)
        self.errors = _ErrorCount()
        self.log_file = tmp / "soak.log"
        self.recording = tmp / "soak.ndjson.gz"
        self.log_handler = logging.FileHandler(self.log_file, encoding="utf-8")
        self.depth_of = _deal_depths(plan.depths)
        for s, d in self.depth_of.items():
            self.figures.depth(d).symbols.append(s)

    async def start(self) -> None:
        cfg = ExchangeConfig(port=0, seed=self.plan.seed, rate=self.plan.rate, symbols=list(SYMBOLS))
        cfg.futures_symbols = []
        cfg.rate_limits = False  # the soak is about faults; the rate counter would refuse most orders
        cfg.faults = replace(parse_faults(self.plan.faults), seed=self.plan.seed)
        self.figures.send_queue_bound_bytes = cfg.send_queue_bytes
        self.ex = await start_exchange(cfg)
        self.watch = _ExchangeWatch(self.ex, self.depth_of)
        self.store = Store("DEMO")
        ex = self.ex
        self.feed = Feed(_client_settings(), self.store, urls=exchange_urls(ex), record=self.recording)
        for s, d in self.depth_of.items():  # before it connects: the first subscribe asks these
            self.feed.spot.depth[s] = d
            self.store.market(s).book_depth = d
        self.figures.deep_refresh_s = self.feed.deep_refresh
        self._log_to_file([ex.api_key, ex.api_secret])
        _BookCheck(self.store, self.watch, self.figures)
        n = max(1, self.plan.orders)
        self.flow = _OrderFlow(
            self.feed,
            self.store,
            self.plan.seconds / n,
            n // self.plan.lost_replies if self.plan.lost_replies else 0,
        )
        self.reader = _SlowReader(ex, self.figures)

    def _log_to_file(self, secrets: list[str]) -> None:
        """Log as the app does (its redacting filter), at debug, to a file searched at the end."""
        self.log_handler.setFormatter(logging.Formatter(FORMAT))
        self.log_handler.addFilter(RedactSecrets(secrets))
        self.log_handler.setLevel(logging.DEBUG)
        root = logging.getLogger()
        self.old_level = root.level
        root.setLevel(logging.DEBUG)
        for noisy in ("asyncio", "aiohttp.access"):
            logging.getLogger(noisy).setLevel(logging.INFO)
        root.addHandler(self.log_handler)
        root.addHandler(self.errors)

    async def go(self) -> None:
        plan, f, stop = self.plan, self.figures, asyncio.Event()
        probes = _Probes(self.flow, self.watch, f)
        coros = (
            self.feed.run(),
            self.flow.run(stop, plan.orders),
            _loop_stall(stop, f),
            _sample_rss(stop, f),
            self.reader.run(stop),
        )
        tasks = [asyncio.create_task(c) for c in coros]
        probing = asyncio.create_task(probes.run(start_after=min(plan.seconds * 0.25, 30.0)))
        try:
            await asyncio.sleep(plan.seconds)
            stop.set()
            self.reader.note()
            grace = 4 * self.feed.settings.feed.request_timeout + CANCEL_AFTER + 5
            await asyncio.wait({probing}, timeout=grace)
            await self.flow.settle(timeout=grace)
        finally:
            stop.set()
            await self.feed.stop()
            for t in [*tasks, probing]:
                t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.gather(*tasks, probing, return_exceptions=True)
            await self.ex.stop()
            root = logging.getLogger()
            root.removeHandler(self.errors)
            root.removeHandler(self.log_handler)
            root.setLevel(self.old_level)
            self.log_handler.close()

    def finish(self) -> SoakFigures:
        f, store, ex = self.figures, self.store, self.ex
        for name in PROBES:
            f.probes.setdefault(name, "not run before the end")
        f.probes_not_run += sum(1 for v in f.probes.values() if v.startswith("not run"))
        _tally(f, self.flow.replies, self.watch.placed)
        f.verified_lines_checked = sum(d.lines_checked for d in f.depths.values())
        f.wrong_verified_lines = sum(d.wrong_lines for d in f.depths.values())
        for d in f.depths.values():
            d.deep_longest_drift_s = round(d.deep_longest_drift_s, 2)
        f.book_resyncs = sum(store.market(s).checksum_mismatches for s in SYMBOLS)
        f.malformed_frames_counted = sum(c.malformed for c in store.health.connections.values())
        f.reconnects = sum(c.reconnects for c in store.health.connections.values())
        f.exchange_max_request_stall_ms = round(self.watch.max_request_s * 1000, 2)
        f.exchange_freezes = self.watch.freezes
        f.internal_error_replies = self.watch.internal_errors
        f.exchange_tracebacks = self.errors.tracebacks
        f.loop_max_stall_ms = round(f.loop_max_stall_ms, 2)
        f.verified_max_behind_ms = round(f.verified_max_behind_ms, 2)
        f.rss_growth_mb, f.rss_peak_growth_mb = round(f.rss_growth_mb, 1), round(f.rss_peak_growth_mb, 1)
        f.rss_start_mb = round(f.rss_start_mb, 1)
        f.tokens_issued = len(self.watch.tokens)
        f.errors_logged = self.errors.count
        f.examples.extend(self.errors.first)
        _credentials_found(
            f, [self.recording, self.log_file], [ex.api_key, ex.api_secret, *self.watch.tokens]
        )
        return f


async def soak(
    seconds: float,
    rate: float,
    faults: str,
    seed: int,
    *,
    depths: list[int] | None = None,
    orders: int = 200,
    lost_replies: int = 10,
) -> SoakFigures:
    plan = _Plan(seconds, rate, faults, seed, list(depths or DEFAULT_DEPTHS), orders, lost_replies)
    with tempfile.TemporaryDirectory(prefix="kraken-tui-soak-") as tmp:
        run = _Run(plan, Path(tmp))
        await run.start()
        await run.go()
        return run.finish()


def _print_books(f: SoakFigures) -> None:
    for depth, d in sorted(f.depths.items()):
        print(f"depth {depth} ({', '.join(d.symbols)}) verified top-10 lines checked: {d.lines_checked}")
        print(f"depth {depth} wrong verified lines: {d.wrong_lines}")
        if depth > CHECKSUM_LEVELS:
            print(
                f"depth {depth} levels 11-{depth} drifted: {d.deep_levels_wrong} levels in "
                f"{d.deep_lines_drifted} of {d.deep_lines_checked} lines (marked unverified; "
                f"marked verified: {d.deep_drift_marked_verified})"
            )
            print(
                f"depth {depth} longest deep drift: {d.deep_longest_drift_s} s "
                f"(deep-book refresh every {f.deep_refresh_s:g} s, resnapshot on every reconnect)"
            )
    print(f"verified lines checked: {f.verified_lines_checked}")
    print(f"wrong verified lines: {f.wrong_verified_lines}")
    print(f"verified lines at most behind the engine by: {f.verified_max_behind_ms} ms")
    print(f"book resyncs (checksum mismatches): {f.book_resyncs}")


def _print(f: SoakFigures) -> None:
    print(f"soak: {f.seconds:g} s, {len(SYMBOLS)} symbols, every verified book checked against the engine")
    _print_books(f)
    print(f"orders sent: {f.orders_sent} (placed {f.orders_placed}, not sent while down {f.orders_not_sent})")
    print(f"orders lost: {f.orders_lost} (replies lost to a disconnect; unresolved {f.orders_unresolved})")
    for name in PROBES:
        print(f"probe {name}: {f.probes.get(name, 'not run')}")
    print(f"orders duplicated: {f.orders_duplicated}")
    print(f"orders misreported: {f.orders_misreported}")
    print(f"exchange max single-request stall: {f.exchange_max_request_stall_ms} ms")
    print(f"exchange freezes over {FREEZE_MS:g} ms: {f.exchange_freezes}")
    print(f"event loop max stall (10 ms ticker): {f.loop_max_stall_ms} ms")
    print(f"{INTERNAL_ERROR} replies: {f.internal_error_replies}")
    print(f"exchange tracebacks logged: {f.exchange_tracebacks}")
    if f.slow_reader_dropped:
        dropped = f"yes, after {f.slow_reader_dropped_after_s:g} s ({f.slow_reader_close})"
    else:
        dropped = f"no ({f.slow_reader_close or 'still open'})"
    print(f"non-reading client dropped as slow consumer: {dropped}")
    print(
        f"non-reading client's largest send queue: {f.slow_reader_peak_queue_bytes} bytes "
        f"(bound {f.send_queue_bound_bytes})"
    )
    print(f"process RSS growth: {f.rss_growth_mb} MB (peak {f.rss_peak_growth_mb}, from {f.rss_start_mb} MB)")
    print(
        f"credentials found in recording and log: {f.credentials_found} "
        f"(searched {f.credentials_searched} values: key, secret, {f.tokens_issued} WS tokens; "
        f"{f.recorded_frames} frames, {f.log_lines} log lines; futures off)"
    )
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
    depths = args.depth or list(DEFAULT_DEPTHS)
    if any(d not in BOOK_DEPTHS for d in depths):
        print(f"kraken-tui soak: --depth must be one of {', '.join(map(str, BOOK_DEPTHS))}", file=sys.stderr)
        return 2
    if args.orders < 0 or not 0 <= args.lost_replies <= args.orders:
        print("kraken-tui soak: --orders >= 0 and 0 <= --lost-replies <= --orders", file=sys.stderr)
        return 2
    figures = asyncio.run(
        soak(
            seconds,
            args.rate,
            args.faults,
            args.seed,
            depths=depths,
            orders=args.orders,
            lost_replies=args.lost_replies,
        )
    )
    figures.freeze_ms = args.freeze_ms
    if args.json:
        print(json.dumps(asdict(figures)))
    else:
        _print(figures)
    return 0 if figures.clean else 1
