"""Issue 12 points 1-3: PAPER, REPLAY and bad files tell the truth, driven as a user would.

The app runs its own embedded exchange here (as ``kraken-tui --paper`` / ``--replay`` do), so
the mirror state travels the real path: exchange source -> modes.attach_exchange -> store -> bar.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from tests.app.conftest import app_settings, screen_text, until, urls_of
from tests.exchange.test_sources import write_recording
from tui.app import KrakenApp
from tui.exchange.server import ExchangeConfig, start_exchange
from tui.feed.client import Feed
from tui.feed.record import read_recording
from tui.kraken.requests import OrderParams
from tui.modes import check_files
from tui.orders import Reviewed
from tui.screens.market import MarketScreen
from tui.store import Store
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


# --- issue 12 point 2: REPLAY shows the recorded account ---------------------------------------------


async def _until(pred: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


async def _record_an_account(path: Path) -> dict[str, Any]:
    """A short DEMO session recorded through the real Feed: a resting bid, then a market buy that
    fills. Returns what the recording's account did, read back from the recording itself."""
    settings = app_settings(symbols=["BTC/USD"])
    ex = await start_exchange(ExchangeConfig(port=0, rate=60, seed=7, symbols=["BTC/USD"]))
    store = Store("DEMO")
    feed = Feed(settings, store, urls=urls_of(ex), record=path)
    task = asyncio.create_task(feed.run())
    try:
        await _until(lambda: store.market("BTC/USD").book is not None and bool(store.account.totals))
        await asyncio.sleep(0.6)  # the recorded account is empty of orders for a while
        book = store.market("BTC/USD").book
        mid = book.mid() if book is not None else None
        assert mid is not None
        bid = OrderParams(
            "limit", "buy", Decimal("0.01"), "BTC/USD", limit_price=mid.quantize(Decimal(1)) - 40
        )
        assert (await feed.trading.add_order(bid)).ok
        await asyncio.sleep(0.5)
        assert (await feed.trading.add_order(OrderParams("market", "buy", Decimal("0.005"), "BTC/USD"))).ok
        await _until(lambda: len(store.account.fills) == 1)
        await asyncio.sleep(0.3)
        totals = dict(store.account.totals)
    finally:
        await feed.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await ex.stop()
    lines = list(read_recording(path))
    t0 = lines[0]["t"]
    new = [
        (rec["t"] - t0, row)
        for rec in lines
        if rec["conn"] == "private" and '"exec_type":"new"' in rec["raw"]
        for row in json.loads(rec["raw"], parse_float=Decimal)["data"]
    ]
    fills = [
        (rec["t"] - t0, row)
        for rec in lines
        if rec["conn"] == "private" and '"exec_type":"trade"' in rec["raw"]
        for row in json.loads(rec["raw"], parse_float=Decimal)["data"]
    ]
    assert len(new) == 2 and len(fills) == 1
    first_balances = next(
        json.loads(rec["raw"], parse_float=Decimal)["data"]
        for rec in lines
        if rec["conn"] == "private" and '"channel":"balances","type":"snapshot"' in rec["raw"]
    )
    return {
        "bid_at": new[0][0],
        "bid_id": new[0][1]["order_id"],
        "fill_at": fills[0][0],
        "fill": fills[0][1],
        "totals": totals,
        "first_totals": {r["asset"]: r["balance"] for r in first_balances},
        "bid_price": bid.limit_price,
    }


async def test_replay_serves_the_recorded_account_in_its_time_and_takes_no_orders(tmp_path: Path) -> None:
    path = tmp_path / "acct.ndjson.gz"
    rec = await _record_an_account(path)
    ex = await start_exchange(
        ExchangeConfig(port=0, source="replay", replay_file=str(path), symbols=["BTC/USD"], seed=99)
    )
    store = Store("REPLAY")
    feed = Feed(app_settings(symbols=["BTC/USD"]), store, urls=urls_of(ex))
    task = asyncio.create_task(feed.run())
    try:
        assert ex.source is not None and ex.source.replay is not None
        player = ex.source.replay
        acct = store.account
        # the recorded order appears when the recording received it, not before
        await _until(lambda: rec["bid_id"] in acct.orders)
        assert player.position >= rec["bid_at"] - 0.05
        bid = acct.orders[rec["bid_id"]]
        assert (bid.side, bid.qty, bid.limit_price, bid.status) == (
            "buy",
            Decimal("0.01"),
            rec["bid_price"],
            "new",
        )
        assert not acct.fills
        await _until(lambda: bool(acct.fills))
        assert player.position >= rec["fill_at"] - 0.05
        fill = acct.fills[0]
        recorded = rec["fill"]
        assert (fill.order_id, fill.exec_id, fill.price, fill.qty) == (
            recorded["order_id"],
            recorded["exec_id"],
            recorded["last_price"],
            recorded["last_qty"],
        )
        await _until(lambda: acct.totals == rec["totals"])
        assert rec["totals"] != rec["first_totals"]  # the fill moved the balances
        # read-only: the store refuses, and so does the exchange for any other client
        assert store.order_refusal("BTC/USD") == "REPLAY is read-only: orders are not sent"
        reply = await feed.trading.add_order(
            OrderParams("limit", "buy", Decimal("0.01"), "BTC/USD", limit_price=Decimal(1000))
        )
        assert not reply.ok and reply.error == "EGeneral:Permission denied"
        assert ex.requests_received == []
        # back to the start: a fresh snapshot of the account as it was then
        player.restart()
        await _until(lambda: rec["bid_id"] not in acct.orders and acct.totals == rec["first_totals"])
        assert not acct.fills  # the fill is in the future again
        await _until(lambda: rec["bid_id"] in acct.orders)  # and it plays again
        await _until(lambda: bool(acct.fills))
        assert [f.exec_id for f in acct.fills] == [recorded["exec_id"]]
    finally:
        await feed.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await ex.stop()


async def test_replay_orders_panel_shows_the_recorded_order_and_refuses_entry(tmp_path: Path) -> None:
    path = tmp_path / "acct.ndjson.gz"
    rec = await _record_an_account(path)
    app = KrakenApp(app_settings(symbols=["BTC/USD"]), "REPLAY", replay=path, speed=4.0)
    notices: list[str] = []
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: rec["bid_id"] in app.store.account.orders)
        # the Orders panel's row: the recorded id (whole: 160 columns have room), price and quantity
        price = format(rec["bid_price"].quantize(Decimal("0.1")), "f")
        row = f"{rec['bid_id']}  BTC/USD  buy   limit  {price}  0.01000000  0.00000000  new"
        await until(pilot, lambda: row in screen_text(app))
        app.desk.notify = lambda message, **kw: notices.append(message)
        assert app.desk.place(_order("BTC/USD")) is False
        assert notices == ["REPLAY is read-only: orders are not sent"]
        # the recorded order cannot be cancelled or amended either: stopped here, not sent
        sent = len(app.desk.request_log)
        app.desk.cancel([rec["bid_id"]])
        amend = app.desk.check_amend(rec["bid_id"], price=rec["bid_price"] - 1)
        assert amend is not None and app.desk.amend(amend) is False
        app.desk.cancel_all("BTC/USD")
        await pilot.pause(0.3)
        assert len(app.desk.request_log) == sent
        assert sum("REPLAY is read-only" in n for n in notices) == 4
        assert rec["bid_id"] in app.store.account.orders
