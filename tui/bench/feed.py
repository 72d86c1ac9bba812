"""``kraken-tui bench-feed``: socket to store, end to end, against the embedded exchange.

The exchange runs in its own process (``kraken-tui exchange --stats``) so the two CPU figures are
separate. The client is the real Feed filling the real Store. "Keeps up" is measured, not
assumed: every book frame carries the exchange's send time, and the lag between that and the
moment the store applied it must not grow over the run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
from collections.abc import Sequence
from typing import Any

from tui.bench.process import cpu_seconds, free_port, start_exchange_process
from tui.config import Settings
from tui.feed.client import Feed
from tui.kraken.events import BookDelta, BookSnapshot
from tui.kraken.rfc3339 import parse_rfc3339
from tui.store import Outcome, Store

SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/EUR", "DOGE/USD"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rate", type=float, default=7500, help="exchange actions/s (default 7500 ≈ 5,000 book msgs/s)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window (default 10)")
    parser.add_argument("--depth", type=int, default=10, help="book depth subscribed (default 10)")
    parser.add_argument("--json", action="store_true")


async def _wait_until_books_ok(store: Store, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(  # noqa: ASYNC110 - polling the store
        store.market(s).book_state == "ok" for s in SYMBOLS
    ):
        await asyncio.sleep(0.05)


def _pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def _lag_figures(lags: list[float]) -> dict[str, float]:
    """Median lag of each half of the run (it must not grow) and the p99 over all of it, in ms."""
    half = len(lags) // 2
    first = sorted(lags[:half]) or [0.0]
    second = sorted(lags[half:]) or [0.0]
    return {
        "lag_ms_p50_first_half": round(_pct(first, 0.5), 2),
        "lag_ms_p50_second_half": round(_pct(second, 0.5), 2),
        "lag_ms_p99": round(_pct(sorted(first + second), 0.99), 2),
    }


async def measure(rate: float, seconds: float, depth: int) -> dict[str, Any]:
    stats_every = max(1.0, seconds / 2)
    proc, urls = start_exchange_process(  # one exchange process per benchmark run
        free_port(), "--rate", str(rate), "--stats", str(stats_every), "--pairs", *SYMBOLS, "--no-futures"
    )
    store = Store("DEMO")
    settings = Settings(symbols=SYMBOLS, futures_symbols=[], book_depth=depth, log_file=None)
    feed = Feed(settings, store, urls=urls)
    lags: list[float] = []
    apply = store.apply

    def timed(event: Any, now: float, conn: str = "") -> Sequence[Outcome]:
        """The store's one apply path, timed for book events: exchange send time to applied."""
        outcomes = apply(event, now, conn)
        if isinstance(event, BookDelta | BookSnapshot) and event.timestamp:
            sent = parse_rfc3339(event.timestamp)
            if sent is not None:
                lags.append(time.time() - sent)
        return outcomes

    store.apply = timed  # type: ignore[method-assign]
    task = asyncio.create_task(feed.run())
    try:
        await _wait_until_books_ok(store, 10)
        await asyncio.sleep(1.0)
        updates0 = sum(store.market(s).book_updates for s in SYMBOLS)
        lags.clear()
        cpu0, t0 = cpu_seconds(), time.monotonic()
        await asyncio.sleep(seconds)
        dt = time.monotonic() - t0
        cpu = (cpu_seconds() - cpu0) / dt * 100
        updates = sum(store.market(s).book_updates for s in SYMBOLS) - updates0
        mismatches = sum(store.market(s).checksum_mismatches for s in SYMBOLS)
    finally:
        await feed.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    ex_cpu = [float(m) for m in re.findall(r"cpu (\d+)%", out)]
    ex_fps = [float(m) for m in re.findall(r"frames/s (\d+)", out)]
    return {
        "rate": rate,
        "depth": depth,
        "book_msgs_per_s": round(updates / dt),
        "client_cpu_pct": round(cpu, 1),
        "exchange_cpu_pct": ex_cpu[-1] if ex_cpu else None,
        "exchange_frames_per_s": ex_fps[-1] if ex_fps else None,
        **_lag_figures(lags),
        "checksum_mismatches": mismatches,
    }


def run(args: argparse.Namespace, settings: object) -> int:
    result = asyncio.run(measure(args.rate, args.seconds, args.depth))
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>26}: {v}")
    return 0
