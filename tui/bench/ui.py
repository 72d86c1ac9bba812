"""``kraken-tui bench-ui``: the dashboard under load, measured the way a user would feel it.

Runs the real app (headless Textual driver, real rendering) against the embedded exchange in a
separate process, then reports repaints per second, key-press latency, CPU of the app process,
and for orders: key press to request sent, and request sent to acknowledgement. Full garbage
collections are counted and timed over the whole run, because a pause of the event loop is what
a trader feels as a late acknowledgement (see ``tui/gc_pacer.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.app import KrakenApp
from tui.bench.process import cpu_seconds, free_port, start_exchange_process
from tui.config import Settings
from tui.screens.market import MarketScreen
from tui.screens.order_form import ReviewScreen
from tui.widgets.ladder import BookLadder

if TYPE_CHECKING:
    from textual.pilot import Pilot


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rate",
        type=float,
        action="append",
        help="exchange actions/s on the displayed symbol (repeatable; default 2500 and 60)",
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="measurement window per rate (default 8)")
    parser.add_argument(
        "--orders", type=int, default=30, help="orders placed for the latency figures (default 30)"
    )
    parser.add_argument(
        "--ladder",
        choices=("levels", "grid"),
        help="price cursor on, this ladder mode; adds cursor-key and one-key-order latency (default: off)",
    )
    parser.add_argument("--depth", type=int, default=25, help="book depth subscribed (default 25)")
    parser.add_argument(
        "--journal",
        action="store_true",
        help="journal every order (with the book at submit) to a temporary database, as the app does",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--pairs",
        choices=("all",),
        help="the whole market: the exchange lists Kraken's 683 recorded pairs, the app takes tickers "
        "for every pair and 5 books at depth 100; repaints/s, key latency (market screen and "
        "screener), app CPU, peak RSS, full-GC pauses while keys are pressed",
    )


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def _median(values: list[float], digits: int) -> float | None:
    return round(statistics.median(values), digits) if values else None


class _FullGcWatch:
    """Times every full (generation 2) collection while installed: a pause the trader feels."""

    def __init__(self) -> None:
        self.pauses_ms: list[float] = []
        self._started = 0.0

    def __enter__(self) -> _FullGcWatch:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses_ms.append((time.perf_counter() - self._started) * 1000)


async def _repaints(app: KrakenApp, seconds: float) -> dict[str, Any]:
    """Book messages, repaints and app CPU per second while the market runs at its rate."""
    screen = app.market_screen
    assert isinstance(screen, MarketScreen)
    repaints = {"n": 0}
    original = screen.refresh_from_store

    def counting(force: bool = False) -> None:
        before = screen.seen
        original(force)
        if screen.seen != before:
            repaints["n"] += 1

    screen.refresh_from_store = counting  # type: ignore[method-assign]
    mk = app.store.market("BTC/USD")
    updates0 = mk.book_updates
    cpu0, t0 = cpu_seconds(), time.monotonic()
    await asyncio.sleep(seconds)
    dt = time.monotonic() - t0
    return {
        "book_msgs_per_s": round((mk.book_updates - updates0) / dt),
        "repaints_per_s": round(repaints["n"] / dt, 1),
        "app_cpu_pct": round((cpu_seconds() - cpu0) / dt * 100, 1),
    }


async def _key_latency(app: KrakenApp) -> dict[str, Any]:
    """A key as the terminal driver delivers it (posted to the app), timed until the screen acted.

    Acted means the grouping changed and the ladder was rebuilt. (Pilot.press would also wait for
    every queued message to drain, which under load is not what a user sees.)
    """
    from textual import events

    screen = app.market_screen
    assert isinstance(screen, MarketScreen)
    keys = []
    for i in range(20):
        key, char = ("plus", "+") if i % 2 == 0 else ("minus", "-")
        before = screen.group
        t = time.perf_counter()
        app.post_message(events.Key(key, char))
        while screen.group == before and time.perf_counter() - t < 5:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        keys.append((time.perf_counter() - t) * 1000)
        await asyncio.sleep(0.05)
    return {"key_ms_median": round(statistics.median(keys), 1), "key_ms_p99": round(_pct(keys, 0.99), 1)}


def _mark_sends(app: KrakenApp, sent_marks: list[float]) -> None:
    """Note the moment each trading request leaves on the private socket."""
    assert app.feed is not None
    channel = app.feed.trading.channel
    send = channel.send

    async def marking(text: str) -> None:
        sent_marks.append(time.perf_counter())
        await send(text)

    channel.send = marking  # type: ignore[method-assign]


async def _order_latency(app: KrakenApp, pilot: Pilot[Any], orders: int) -> dict[str, Any]:
    """Key press to request sent, and request sent to acknowledgement, for limit buys off the book."""
    sent_marks: list[float] = []
    _mark_sends(app, sent_marks)
    key_to_sent, sent_to_ack = [], []
    for _ in range(orders):
        await pilot.press("b")
        while app.market_screen is None or app.market_screen.order_panel is None:
            await pilot.pause(0.01)
        await pilot.press(*"0.0001", "tab", "tab", "ctrl+u", *"-3%", "enter")
        while not isinstance(app.screen, ReviewScreen):
            await pilot.pause(0.01)
        n_before = len(app.desk.request_log)
        sent_before = len(sent_marks)
        await pilot.press("enter")
        t_deadline = time.monotonic() + 5
        while len(app.desk.request_log) == n_before and time.monotonic() < t_deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        if len(app.desk.request_log) == n_before or len(sent_marks) == sent_before:
            continue
        _label, pressed, reply = app.desk.request_log[-1]
        key_to_sent.append((sent_marks[sent_before] - pressed) * 1000)
        sent_to_ack.append(reply.latency_ms)
        while not isinstance(app.screen, MarketScreen) or app.screen.order_panel is not None:
            await pilot.pause(0.01)
    return {
        "orders_acked": len(sent_to_ack),
        "key_to_sent_ms_median": _median(key_to_sent, 2),
        "key_to_sent_ms_p99": round(_pct(key_to_sent, 0.99), 2),
        "sent_to_ack_ms_median": _median(sent_to_ack, 2),
        "sent_to_ack_ms_p99": round(_pct(sent_to_ack, 0.99), 2),
    }


async def _cursor_latency(app: KrakenApp) -> dict[str, Any]:
    """↓/↑ on the ladder as the driver delivers them, timed until the cursor stood on a new price."""
    from textual import events

    screen = app.market_screen
    assert isinstance(screen, MarketScreen)
    ladder = screen.query_one("#book", BookLadder)
    keys = []
    for key in ["down"] * 20 + ["up"] * 20:  # a walk away from the spread and back
        before = ladder.cursor
        t = time.perf_counter()
        app.post_message(events.Key(key, None))
        while ladder.cursor == before and time.perf_counter() - t < 5:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        keys.append((time.perf_counter() - t) * 1000)
        await asyncio.sleep(0.05)
    return {
        "cursor_key_ms_median": round(statistics.median(keys), 1),
        "cursor_key_ms_p99": round(_pct(keys, 0.99), 1),
    }


async def _one_key_latency(app: KrakenApp, orders: int) -> dict[str, Any]:
    """Armed: ``y`` (buy at the cursor) as the driver delivers it, to the request leaving the socket."""
    from textual import events

    screen = app.market_screen
    assert isinstance(screen, MarketScreen)
    sent_marks: list[float] = []
    _mark_sends(app, sent_marks)
    app.desk.arm()
    handled, posted = [], []
    for _ in range(orders):
        before, logged = len(sent_marks), len(app.desk.request_log)
        t = time.perf_counter()
        app.post_message(events.Key("y", "y"))
        while len(app.desk.request_log) == logged and time.perf_counter() - t < 5:  # noqa: ASYNC110
            await asyncio.sleep(0.0005)
        if len(sent_marks) > before and len(app.desk.request_log) > logged:
            # from the key's handler (as key_to_sent), and from the key's delivery (queueing included)
            handled.append((sent_marks[before] - app.desk.request_log[logged].pressed) * 1000)
            posted.append((sent_marks[before] - t) * 1000)
        await asyncio.sleep(0.1)
    app.desk.disarm("benchmark done")
    return {
        "one_key_sent": len(handled),
        "cursor_key_to_sent_ms_median": _median(handled, 2),
        "cursor_key_to_sent_ms_p99": round(_pct(handled, 0.99), 2),
        "cursor_key_posted_to_sent_ms_median": _median(posted, 2),
    }


async def measure(
    rate: float,
    seconds: float,
    orders: int,
    ladder: str | None = None,
    depth: int = 25,
    journal: Path | None = None,
) -> dict[str, Any]:
    proc, urls = start_exchange_process(  # one exchange process per benchmark run
        free_port(), "--rate", str(rate), "--pairs", "BTC/USD", "--no-rate-limits", "--no-futures"
    )
    settings = Settings(
        symbols=["BTC/USD"],
        futures_symbols=[],
        book_depth=depth,
        log_file=None,
        guards={"max_notional": 10**9, "max_distance_pct": 50},
        ladder={"mode": ladder or "levels"},
    )
    app = KrakenApp(settings, "DEMO", urls=urls, journal=journal)
    result: dict[str, Any] = {"rate": rate, "depth": depth, "ladder": ladder or "off"}
    try:
        with _FullGcWatch() as full_gc:
            async with app.run_test(size=(160, 45)) as pilot:
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline and app.store.market("BTC/USD").book_state != "ok":
                    await pilot.pause(0.05)
                await pilot.pause(1.0)
                if ladder:
                    await pilot.press("l", "down", "down", "down")  # the cursor on, below the touch
                result |= await _repaints(app, seconds)
                result |= await _key_latency(app)
                if ladder:
                    result |= await _cursor_latency(app)
                if orders:
                    result |= await _order_latency(app, pilot, orders)
                if orders and ladder:
                    result |= await _one_key_latency(app, orders)
    finally:
        proc.terminate()
        with contextlib.suppress(Exception):
            proc.communicate(timeout=10)
    result["full_gc_count"] = len(full_gc.pauses_ms)
    result["full_gc_ms_max"] = round(max(full_gc.pauses_ms, default=0.0), 1)
    return result


# --- the whole market (issue 16): 683 pairs, a ticker each, 5 books at depth 100 ----------------------
MARKET_BOOKS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/EUR", "DOGE/USD"]


async def _until(pilot: Pilot[Any], pred: Any, timeout: float) -> float:
    """Seconds until ``pred()`` held (or the timeout passed)."""
    t0 = time.monotonic()
    while not pred() and time.monotonic() - t0 < timeout:
        await pilot.pause(0.05)
    return round(time.monotonic() - t0, 2)


async def _screener_keys(app: KrakenApp, pilot: Pilot[Any]) -> dict[str, Any]:
    """The screener over every pair: cursor keys as the driver delivers them, and its repaints."""
    from textual import events

    from tui.screens.screener import ScreenerScreen
    from tui.widgets.screener_table import ScreenerTable

    await pilot.press("S")
    await _until(pilot, lambda: isinstance(app.screen, ScreenerScreen), 5)
    screen = app.screen
    assert isinstance(screen, ScreenerScreen)
    await pilot.pause(1.0)
    table = screen.query_one(ScreenerTable)
    keys = []
    for i in range(40):
        before = table.cursor
        key = "down" if i < 30 else "up"
        t = time.perf_counter()
        app.post_message(events.Key(key, None))
        while table.cursor == before and time.perf_counter() - t < 5:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        keys.append((time.perf_counter() - t) * 1000)
        await asyncio.sleep(0.05)
    sort = []
    for key in "4321564":
        before_rebuilds = table.rebuilds
        t = time.perf_counter()
        app.post_message(events.Key(key, key))
        while table.rebuilds == before_rebuilds and time.perf_counter() - t < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        sort.append((time.perf_counter() - t) * 1000)
        await asyncio.sleep(0.1)
    paint_ms = []  # the 4 Hz repaint as its timer runs it: fresh visible lines, a re-sort each second
    for _ in range(20):
        await asyncio.sleep(0.25)
        t = time.perf_counter()
        screen.repaint()
        paint_ms.append((time.perf_counter() - t) * 1000)
    await pilot.press("escape")
    return {
        "screener_rows": len(table.rows),
        "screener_key_ms_median": round(statistics.median(keys), 1),
        "screener_key_ms_p99": round(_pct(keys, 0.99), 1),
        "screener_sort_ms_median": round(statistics.median(sort), 1),
        "screener_repaint_ms_median": _median(paint_ms, 1),
        "screener_repaint_ms_max": round(max(paint_ms, default=0.0), 1),
    }


async def measure_market(seconds: float, rate: float | None) -> dict[str, Any]:
    """The dashboard against the exchange serving all 683 recorded pairs."""
    flags = ["--pairs", "all", "--no-rate-limits", "--no-futures"]
    proc, urls = start_exchange_process(free_port(), *flags, *(["--rate", str(rate)] if rate else []))
    settings = Settings(
        symbols=MARKET_BOOKS,
        futures_symbols=[],
        book_depth=100,
        log_file=None,
        guards={"max_notional": 10**9, "max_distance_pct": 50},
    )
    app = KrakenApp(settings, "DEMO", urls=urls)
    store = app.store
    result: dict[str, Any] = {"pairs": 0, "exchange_rate": rate or "default"}
    try:
        with _FullGcWatch() as full_gc:
            async with app.run_test(size=(160, 45)) as pilot:
                books_ok = lambda: all(store.market(s).book_state == "ok" for s in MARKET_BOOKS)  # noqa: E731
                result["books_ok_s"] = await _until(pilot, books_ok, 30)
                pairs = [p.symbol for p in store.spot_pairs()]
                result["pairs"] = len(pairs)
                app.desk.subscribe_tickers(pairs)
                result["tickers_s"] = await _until(pilot, lambda: len(store.tickers) >= len(pairs), 60)
                result["tickers"] = len(store.tickers)
                assert app.feed is not None
                result["ticker_requests"] = app.feed.spot.tickers.requests
                await pilot.pause(1.0)
                result |= await _repaints(app, seconds)
                result["public_frames_per_s"] = round(store.health.conn("public").frames_per_s)
                with _FullGcWatch() as keys_gc:
                    result |= await _key_latency(app)
                    result |= await _screener_keys(app, pilot)
                result["full_gc_ms_max_while_keys"] = round(max(keys_gc.pauses_ms, default=0.0), 1)
    finally:
        proc.terminate()
        with contextlib.suppress(Exception):
            proc.communicate(timeout=10)
    result["full_gc_count"] = len(full_gc.pauses_ms)
    result["full_gc_ms_max"] = round(max(full_gc.pauses_ms, default=0.0), 1)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def _journaled(path: Path) -> int:
    """Orders the journal holds after the run (they are written by its own thread)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        return int(db.execute("SELECT count(*) FROM orders").fetchone()[0])


def run(args: argparse.Namespace, settings: object) -> int:
    if getattr(args, "pairs", None) == "all":
        rate = args.rate[0] if args.rate else None
        result = asyncio.run(measure_market(args.seconds, rate))
        print(json.dumps(result) if args.json else "\n".join(f"{k:>28}: {v}" for k, v in result.items()))
        return 0
    results = []
    for i, rate in enumerate(args.rate or [2500.0, 60.0]):
        orders = args.orders if i == 0 else 0
        with tempfile.TemporaryDirectory() as tmp:
            journal = Path(tmp) / "journal.sqlite" if args.journal else None
            results.append(asyncio.run(measure(rate, args.seconds, orders, args.ladder, args.depth, journal)))
            if journal is not None:
                results[-1]["journal_orders"] = _journaled(journal)
        if not args.json:
            for k, v in results[-1].items():
                print(f"{k:>24}: {v}")
            print()
    if args.json:
        print(json.dumps(results))
    return 0
