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
import socket
import statistics
import subprocess
import sys
import time
from typing import Any


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
    parser.add_argument("--json", action="store_true")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def measure(rate: float, seconds: float, orders: int) -> dict[str, Any]:
    from tui.app import KrakenApp
    from tui.config import Settings
    from tui.feed.endpoints import Urls
    from tui.screens.market import MarketScreen
    from tui.screens.order_form import OrderForm, ReviewScreen

    port = _free_port()
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
            "--pairs",
            "BTC/USD",
            "--no-rate-limits",
            "--no-futures",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    banner = [proc.stdout.readline() for _ in range(6)]
    key, secret = banner[4].split(": ", 1)[1].strip(), banner[5].split(": ", 1)[1].strip()
    base = f"127.0.0.1:{port}"
    urls = Urls(
        f"ws://{base}/v2", f"ws://{base}/auth/v2", f"ws://{base}/l3/v2", f"http://{base}", key, secret
    )
    settings = Settings(
        symbols=["BTC/USD"],
        futures_symbols=[],
        book_depth=25,
        log_file=None,
        guards={"max_notional": 10**9, "max_distance_pct": 50},
    )
    app = KrakenApp(settings, "DEMO", urls=urls)
    result: dict[str, Any] = {"rate": rate}
    full_gc_ms: list[float] = []
    gc_started = 0.0

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        nonlocal gc_started
        if info.get("generation") != 2:
            return
        if phase == "start":
            gc_started = time.perf_counter()
        else:
            full_gc_ms.append((time.perf_counter() - gc_started) * 1000)

    gc.callbacks.append(on_gc)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and app.store.market("BTC/USD").book_state != "ok":
                await pilot.pause(0.05)
            await pilot.pause(1.0)
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
            cpu0, t0 = _cpu(), time.monotonic()
            await asyncio.sleep(seconds)
            dt = time.monotonic() - t0
            result["book_msgs_per_s"] = round((mk.book_updates - updates0) / dt)
            result["repaints_per_s"] = round(repaints["n"] / dt, 1)
            result["app_cpu_pct"] = round((_cpu() - cpu0) / dt * 100, 1)

            # A key as the terminal driver delivers it (posted to the app), timed until the screen
            # has acted on it: the grouping changed and the ladder was rebuilt. (Pilot.press would
            # also wait for every queued message to drain, which under load is not what a user sees.)
            from textual import events

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
            result["key_ms_median"] = round(statistics.median(keys), 1)
            result["key_ms_p99"] = round(_pct(keys, 0.99), 1)

            if orders:
                assert app.feed is not None
                trading = app.feed.trading
                sent_marks: list[float] = []
                original_send = trading._request

                async def timed_request(method: str, build: Any, **kw: Any) -> Any:
                    conn = app.feed.private if app.feed else None
                    if conn is not None and conn.ws is not None:
                        real_send = conn.ws.send_str

                        async def mark(text: str, *a: Any, **k: Any) -> None:
                            sent_marks.append(time.perf_counter())
                            await real_send(text, *a, **k)

                        conn.ws.send_str = mark  # type: ignore[method-assign,assignment]
                        try:
                            return await original_send(method, build, **kw)
                        finally:
                            conn.ws.send_str = real_send  # type: ignore[method-assign]
                    return await original_send(method, build, **kw)

                trading._request = timed_request  # type: ignore[method-assign]
                key_to_sent, sent_to_ack = [], []
                for _ in range(orders):
                    await pilot.press("b")
                    while not isinstance(app.screen, OrderForm):
                        await pilot.pause(0.01)
                    await pilot.press(*"0.0001", "tab", "tab", "ctrl+u", *"-3%", "enter")
                    while not isinstance(app.screen, ReviewScreen):
                        await pilot.pause(0.01)
                    n_before = len(app.request_log)
                    sent_before = len(sent_marks)
                    await pilot.press("enter")
                    t_deadline = time.monotonic() + 5
                    while len(app.request_log) == n_before and time.monotonic() < t_deadline:  # noqa: ASYNC110
                        await asyncio.sleep(0.001)
                    if len(app.request_log) == n_before or len(sent_marks) == sent_before:
                        continue
                    _label, pressed, reply = app.request_log[-1]
                    key_to_sent.append((sent_marks[sent_before] - pressed) * 1000)
                    sent_to_ack.append(reply.latency_ms)
                    while not isinstance(app.screen, MarketScreen):
                        await pilot.pause(0.01)
                result["orders_acked"] = len(sent_to_ack)
                result["key_to_sent_ms_median"] = (
                    round(statistics.median(key_to_sent), 2) if key_to_sent else None
                )
                result["key_to_sent_ms_p99"] = round(_pct(key_to_sent, 0.99), 2)
                result["sent_to_ack_ms_median"] = (
                    round(statistics.median(sent_to_ack), 2) if sent_to_ack else None
                )
                result["sent_to_ack_ms_p99"] = round(_pct(sent_to_ack, 0.99), 2)
    finally:
        gc.callbacks.remove(on_gc)
        proc.terminate()
        with contextlib.suppress(Exception):
            proc.communicate(timeout=10)
    result["full_gc_count"] = len(full_gc_ms)
    result["full_gc_ms_max"] = round(max(full_gc_ms, default=0.0), 1)
    return result


def run(args: argparse.Namespace, settings: object) -> int:
    results = []
    for i, rate in enumerate(args.rate or [2500.0, 60.0]):
        results.append(asyncio.run(measure(rate, args.seconds, args.orders if i == 0 else 0)))
        if not args.json:
            for k, v in results[-1].items():
                print(f"{k:>24}: {v}")
            print()
    if args.json:
        print(json.dumps(results))
    return 0
