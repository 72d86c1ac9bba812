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
import resource
import socket
import subprocess
import sys
import time
from typing import Any

from tui.config import Settings
from tui.feed.client import Feed, Urls
from tui.store import Store
from tui.store.state import parse_rfc3339

SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/EUR", "DOGE/USD"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rate", type=float, default=7500, help="exchange actions/s (default 7500 ≈ 5,000 book msgs/s)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window (default 10)")
    parser.add_argument("--depth", type=int, default=10, help="book depth subscribed (default 10)")
    parser.add_argument("--json", action="store_true")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def measure(rate: float, seconds: float, depth: int) -> dict[str, Any]:
    port = _free_port()
    stats_every = max(1.0, seconds / 2)
    proc = subprocess.Popen(  # noqa: ASYNC220 - one exchange process per benchmark run
        [
            sys.executable,
            "-m",
            "tui",
            "exchange",
            "--port",
            str(port),
            "--rate",
            str(rate),
            "--stats",
            str(stats_every),
            "--pairs",
            *SYMBOLS,
            "--no-futures",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    banner = [proc.stdout.readline() for _ in range(6)]
    key = banner[4].split(": ", 1)[1].strip()
    secret = banner[5].split(": ", 1)[1].strip()
    base = f"127.0.0.1:{port}"
    urls = Urls(
        f"ws://{base}/v2", f"ws://{base}/auth/v2", f"ws://{base}/l3/v2", f"http://{base}", key, secret
    )
    store = Store("DEMO")
    settings = Settings(symbols=SYMBOLS, futures_symbols=[], book_depth=depth, log_file=None)
    feed = Feed(settings, store, urls=urls)
    lags: list[tuple[float, float]] = []
    original = feed._book

    def timed(entry: Any, snapshot: bool, now: float) -> None:
        original(entry, snapshot, now)
        if entry.timestamp:
            sent = parse_rfc3339(entry.timestamp)
            if sent is not None:
                lags.append((time.time(), time.time() - sent))

    feed._book = timed  # type: ignore[method-assign]
    task = asyncio.create_task(feed.run())
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(  # noqa: ASYNC110
            store.market(s).book_state == "ok" for s in SYMBOLS
        ):
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        updates0 = sum(store.market(s).book_updates for s in SYMBOLS)
        lags.clear()
        cpu0, t0 = _cpu(), time.monotonic()
        await asyncio.sleep(seconds)
        dt = time.monotonic() - t0
        cpu = (_cpu() - cpu0) / dt * 100
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
    half = len(lags) // 2
    first = sorted(v for _, v in lags[:half]) or [0.0]
    second = sorted(v for _, v in lags[half:]) or [0.0]

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(len(values) * p))] * 1000

    return {
        "rate": rate,
        "depth": depth,
        "book_msgs_per_s": round(updates / dt),
        "client_cpu_pct": round(cpu, 1),
        "exchange_cpu_pct": ex_cpu[-1] if ex_cpu else None,
        "exchange_frames_per_s": ex_fps[-1] if ex_fps else None,
        "lag_ms_p50_first_half": round(pct(first, 0.5), 2),
        "lag_ms_p50_second_half": round(pct(second, 0.5), 2),
        "lag_ms_p99": round(pct(sorted(first + second), 0.99), 2),
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
