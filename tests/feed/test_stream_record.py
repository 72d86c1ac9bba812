from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.feed.conftest import fast_settings, urls_of, wait_for
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.client import Feed
from tui.feed.record import read_recording
from tui.store import Store


async def test_record_then_replay_reproduces_verified_books(
    exchange: RunningExchange, tmp_path: Path
) -> None:
    path = tmp_path / "session.ndjson.gz"
    store = Store()
    f = Feed(fast_settings(), store, urls=urls_of(exchange), record=path)
    task = asyncio.create_task(f.run())
    await wait_for(lambda: store.market("BTC/USD").book_updates > 30)
    await f.stop()
    task.cancel()
    records = list(read_recording(path))
    assert any(r["dir"] == "out" and '"token":"***"' in r["raw"] for r in records)
    assert not any(f.token and f.token in r["raw"] for r in records)
    assert exchange.api_secret not in path.read_bytes().decode("latin-1")

    replay = await start_exchange(
        ExchangeConfig(
            port=0,
            source="replay",
            replay_file=str(path),
            replay_speed=0,
            symbols=["BTC/USD", "ETH/USD", "SOL/USD"],
        )
    )
    try:
        await asyncio.sleep(0.5)  # the whole recording plays as fast as possible
        store2 = Store("REPLAY")
        f2 = Feed(fast_settings(), store2, urls=urls_of(replay))
        t2 = asyncio.create_task(f2.run())
        await wait_for(lambda: store2.market("BTC/USD").book_state == "ok")
        book = store2.market("BTC/USD").book
        assert book is not None
        # the replayed market's top of book is the recorded one
        assert book.bids(5) == replay.engine.levels("BTC/USD", "bid", 5)
        assert book.best_bid() == store.market("BTC/USD").book.best_bid()  # type: ignore[union-attr]
        await f2.stop()
        t2.cancel()
    finally:
        await replay.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_exchange(port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "exchange", "--port", str(port), "--rate", "300"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("public: ws://127.0.0.1:")
    return proc


def test_stream_prints_verified_books_and_resumes_after_exchange_restart() -> None:
    port = _free_port()
    ex = _start_exchange(port)
    env = {
        **os.environ,
        "KRAKEN_TUI_WS_PUBLIC_URL": f"ws://127.0.0.1:{port}/v2",
        "KRAKEN_TUI_FEED__RECONNECT_MAX_DELAY": "0.5",
        "KRAKEN_TUI_FEED__CONNECTION_STALE_AFTER": "3",
    }
    env.pop("KRAKEN_API_KEY", None)
    stream = subprocess.Popen(
        [sys.executable, "-m", "tui", "stream", "book", "BTC/USD", "--depth", "5"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert stream.stdout is not None
    try:
        first = json.loads(stream.stdout.readline())
        assert first["type"] == "book" and first["symbol"] == "BTC/USD" and len(first["bids"]) == 5
        for _ in range(5):
            line = json.loads(stream.stdout.readline())
            assert line["checksum_ok"] is True
        ex.kill()
        ex.wait()
        killed = time.monotonic()
        ex = _start_exchange(port)
        while True:
            line = json.loads(stream.stdout.readline())
            if line["checksum_ok"] and time.monotonic() - killed > 0.2:
                break
        assert time.monotonic() - killed < 8
    finally:
        stream.kill()
        ex.kill()


def test_stream_with_record_saves_the_frames_it_verified(tmp_path: Path) -> None:
    """``kraken-tui --record FILE stream ...`` records like the dashboard does, and closes the
    file cleanly on Ctrl+C (a stream usually runs until interrupted)."""
    port = _free_port()
    ex = _start_exchange(port)
    path = tmp_path / "stream.ndjson.gz"
    env = {**os.environ, "KRAKEN_TUI_WS_PUBLIC_URL": f"ws://127.0.0.1:{port}/v2"}
    env.pop("KRAKEN_API_KEY", None)
    stream = subprocess.Popen(
        [sys.executable, "-m", "tui", "--record", str(path), "stream", "book", "BTC/USD", "--depth", "5"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert stream.stdout is not None
    try:
        printed = [json.loads(stream.stdout.readline()) for _ in range(4)]
        assert all(line["type"] == "book" for line in printed)
        stream.send_signal(signal.SIGINT)
        assert stream.wait(timeout=15) == 0
    finally:
        stream.kill()
        ex.kill()
    records = list(read_recording(path))
    sent = [r for r in records if r["dir"] == "out"]
    assert any('"method":"subscribe"' in r["raw"] and '"book"' in r["raw"] for r in sent)
    books = [r for r in records if r["dir"] == "in" and '"channel":"book"' in r["raw"]]
    assert len(books) >= len(printed)
    assert any('"type":"snapshot"' in r["raw"] and "BTC/USD" in r["raw"] for r in books)


def test_stream_count_stops_at_exactly_that_many_lines() -> None:
    """A trade snapshot arrives as one batch; ``--count`` must still cut it at the count."""
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k and "API_SECRET" not in k}
    out = subprocess.run(
        [sys.executable, "-m", "tui", "--demo", "stream", "trade", "BTC/USD", "--count", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1, lines
    assert all(json.loads(line)["type"] == "trade" for line in lines)
