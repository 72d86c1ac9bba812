"""Issue 12 points 1-3: PAPER, REPLAY and bad files tell the truth, driven as a user would.

The app runs its own embedded exchange here (as ``kraken-tui --paper`` / ``--replay`` do), so
the mirror state travels the real path: exchange source -> modes.attach_exchange -> store -> bar.
"""

from __future__ import annotations

import argparse
import socket
import time
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from tests.app.conftest import app_settings, screen_text, until
from tests.exchange.test_sources import write_recording
from tui.app import KrakenApp
from tui.exchange.server import ExchangeConfig, start_exchange
from tui.modes import check_files
from tui.orders import Reviewed
from tui.screens.market import MarketScreen
from tui.widgets.ladder import BookLadder
from tui.widgets.statusbar import StatusBar

SEEDED = ("97250", "97626.3", "96488.1")  # the synthetic market's seeded numbers (BTC/USD)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _order(symbol: str) -> Reviewed:
    # what desk.place reads of a confirmed order before it sends: the symbol and the label
    return cast(
        Reviewed, SimpleNamespace(params=SimpleNamespace(symbol=symbol), label="buy", confirmed_at=0.0)
    )


async def test_paper_offline_shows_the_mirror_state_and_no_made_up_market() -> None:
    url = f"ws://127.0.0.1:{_closed_port()}/v2"
    app = KrakenApp(app_settings(symbols=["BTC/USD"], paper={"mirror_url": url}), "PAPER")
    notices: list[str] = []
    async with app.run_test(size=(160, 45)) as pilot:
        store = app.store
        await until(
            pilot, lambda: store.health.source is not None and store.health.source.state == "unreachable"
        )
        await until(pilot, lambda: store.market("BTC/USD").book is not None)
        await until(pilot, lambda: store.market("BTC/USD").book_state == "empty")
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        bar = screen.query_one(StatusBar)
        await until(
            pilot, lambda: f"mirror ○ offline cannot reach {url} (refused) — retry" in str(bar.render())
        )
        assert any(f"mirror: cannot reach {url} (refused) — retry" in e.text for e in store.activity)
        assert "BTC∅" in str(bar.render())  # the empty book is marked, not ✓
        ladder = screen.query_one("#book", BookLadder)
        assert "verified" not in str(ladder.border_subtitle)
        mk = store.market("BTC/USD")
        assert mk.ticker is None and not mk.trades and not any(mk.candles.values())
        text = screen_text(app)
        assert not [n for n in SEEDED if n in text], text
        # an order cannot go out against a book that is not there
        app.desk.notify = lambda message, **kw: notices.append(message)
        assert app.desk.place(_order("BTC/USD")) is False
        assert notices and notices[-1].startswith(f"No live book: mirror: cannot reach {url}")
        assert app.exchange is not None and app.exchange.requests_received == []


async def test_paper_with_a_live_mirror_trades_and_says_live() -> None:
    real = await start_exchange(ExchangeConfig(port=0, rate=200, seed=4, symbols=["BTC/USD"]))
    try:
        app = KrakenApp(app_settings(symbols=["BTC/USD"], paper={"mirror_url": real.url_public}), "PAPER")
        async with app.run_test(size=(160, 45)) as pilot:
            store = app.store
            await until(
                pilot, lambda: store.market("BTC/USD").book_state == "ok" and bool(store.account.totals)
            )
            await until(pilot, lambda: store.market("BTC/USD").ticker is not None)
            assert store.health.source is not None and store.health.source.state == "live"
            assert store.order_refusal("BTC/USD") is None
            screen = app.market_screen
            assert isinstance(screen, MarketScreen)
            await until(pilot, lambda: "mirror ● live" in str(screen.query_one(StatusBar).render()))
            assert any(e.text == f"mirror: live from {real.url_public}" for e in store.activity)
    finally:
        await real.stop()


async def test_replay_shows_the_recorded_tape_and_header_and_ends(tmp_path: Path) -> None:
    rec = write_recording(tmp_path / "s.ndjson.gz")
    app = KrakenApp(app_settings(symbols=["BTC/USD"]), "REPLAY", replay=rec, speed=1.0)
    async with app.run_test(size=(160, 45)) as pilot:
        store = app.store
        mk = store.market("BTC/USD")
        await until(pilot, lambda: bool(mk.trades))
        assert (str(mk.trades[-1].price), str(mk.trades[-1].qty)) == ("61000.5", "0.25")
        await until(pilot, lambda: mk.ticker is not None)
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        await until(pilot, lambda: "last 61000.5" in screen_text(app) and "high 61234.5" in screen_text(app))
        bar = screen.query_one(StatusBar)
        assert "REPLAY  00:0" in str(bar.render()) and "/ 00:03 ×1" in str(bar.render())
        # space pauses, `>` doubles the speed, space resumes
        await pilot.press("space")
        await until(pilot, lambda: store.health.source is not None and store.health.source.state == "paused")
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: "×2 ⏸ paused" in str(bar.render()))
        await pilot.press("space")
        await until(pilot, lambda: "end of recording" in str(bar.render()), timeout=6)
        assert any(e.text == "end of recording" for e in store.activity)
        # a finished recording is not a stale market, however long it stays on screen
        store.tick(time.monotonic() + 3600, 60.0, ["BTC/USD"])
        assert mk.book_state == "ok"
        # R starts it over: the tape plays again
        trades_before = len(mk.trades)
        await pilot.press("R")
        await until(pilot, lambda: len(mk.trades) > trades_before, timeout=4)


@pytest.mark.parametrize("kind", ["missing", "truncated", "not-a-recording", "unwritable"])
def test_bad_files_fail_fast_with_one_line(tmp_path: Path, kind: str) -> None:
    rec = write_recording(tmp_path / "good.gz")
    path = tmp_path / kind
    if kind == "truncated":
        path.write_bytes(rec.read_bytes()[:200])
    elif kind == "not-a-recording":
        path.write_text("hello\n")
    args = argparse.Namespace(replay=None if kind == "unwritable" else path, record=None)
    if kind == "unwritable":
        args.record = tmp_path / "no-such-dir" / "out.gz"
    problem = check_files(args)
    assert problem is not None and "\n" not in problem
    assert str(args.record or args.replay) in problem
    reason = {
        "missing": "no such file",
        "truncated": "truncated",
        "not-a-recording": "not a gzip recording",
        "unwritable": "cannot be written",
    }[kind]
    assert reason in problem
    assert check_files(argparse.Namespace(replay=rec, record=tmp_path / "ok.gz")) is None


def test_the_command_line_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli.entry import main

    assert main(["--replay", "/nonexistent"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["kraken-tui: --replay /nonexistent: no such file"]
