"""Paper trading's mirror source, tested by mirroring a second embedded exchange."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.exchange.conftest import WS, connect, get_token
from tui.exchange.replay import RecordingError, load_recording
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.kraken.jsontext import dumps


async def test_mirror_follows_the_real_book_and_fills_paper_orders() -> None:
    real = await start_exchange(ExchangeConfig(port=0, rate=400, seed=9, symbols=["BTC/USD"]))
    paper = await start_exchange(
        ExchangeConfig(port=0, source="mirror", mirror_url=real.url_public, symbols=["BTC/USD"])
    )
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not paper.engine.levels("BTC/USD", "bid", 1):
            await asyncio.sleep(0.05)
        real.config.rate = 0
        await asyncio.sleep(0.3)
        assert paper.engine.levels("BTC/USD", "bid", 10) == real.engine.levels("BTC/USD", "bid", 10)
        assert paper.engine.levels("BTC/USD", "ask", 10) == real.engine.levels("BTC/USD", "ask", 10)

        async with aiohttp.ClientSession() as session:
            token = await get_token(session, paper)
            ws = await connect(session, paper.url_private)
            best_ask = real.engine.levels("BTC/USD", "ask", 1)[0][0]
            # a marketable paper order takes the mirrored liquidity at the real price
            await ws.send(
                {
                    "method": "add_order",
                    "req_id": 1,
                    "params": {
                        "order_type": "limit",
                        "side": "buy",
                        "order_qty": Decimal("0.0001"),
                        "limit_price": Decimal(best_ask).scaleb(-1),
                        "symbol": "BTC/USD",
                        "token": token,
                    },
                }
            )
            assert (await ws.until(lambda m: m.get("req_id") == 1))["success"]
            assert paper.engine.fills("demo")[-1]["last_price"] == Decimal(best_ask).scaleb(-1)
            # a resting paper bid above the real best bid fills when the real market sells through it
            best_bid = real.engine.levels("BTC/USD", "bid", 1)[0][0]
            await ws.send(
                {
                    "method": "add_order",
                    "req_id": 2,
                    "params": {
                        "order_type": "limit",
                        "side": "buy",
                        "order_qty": Decimal("0.0001"),
                        "limit_price": Decimal(best_bid + 1).scaleb(-1),
                        "symbol": "BTC/USD",
                        "token": token,
                        "cl_ord_id": "paper-rest",
                    },
                }
            )
            assert (await ws.until(lambda m: m.get("req_id") == 2))["success"]
            assert [o.cl_ord_id for o in paper.engine.open_orders("demo")] == ["paper-rest"]
            from tui.exchange.market import TAKER
            from tui.exchange.orders import OrderRequest

            real.engine.add_order(TAKER, OrderRequest("market", "sell", "BTC/USD", 2_000_000))
            real.publish()
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and paper.engine.open_orders("demo"):
                await asyncio.sleep(0.05)
            assert paper.engine.open_orders("demo") == []
            assert paper.engine.fills("demo")[-1]["cl_ord_id"] == "paper-rest"
    finally:
        await paper.stop()
        await real.stop()


# --- issue 12.1 / 12.2: PAPER and REPLAY serve only what the source delivered ------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _public(session: aiohttp.ClientSession, ex: RunningExchange) -> WS:
    return await connect(session, ex.url_public)


async def _snapshots(ws: WS, channels: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    """Subscribe to each channel; what each snapshot carried (an absent one as [])."""
    out: dict[str, list[dict[str, object]]] = {}
    for n, params in enumerate(channels, 1):
        await ws.send({"method": "subscribe", "params": {**params, "symbol": ["BTC/USD"]}, "req_id": n})
        ack = await ws.until(lambda m, n=n: m.get("req_id") == n)
        assert ack["success"], ack
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        try:
            msg = await ws.recv(max(0.01, deadline - time.monotonic()))
        except (TimeoutError, AssertionError):
            break
        if msg.get("type") == "snapshot":
            out[str(msg["channel"])] = list(msg["data"])
    return out


async def test_paper_with_the_mirror_unreachable_serves_no_made_up_market() -> None:
    url = f"ws://127.0.0.1:{_closed_port()}/v2"
    paper = await start_exchange(ExchangeConfig(port=0, source="mirror", mirror_url=url, symbols=["BTC/USD"]))
    try:
        assert paper.source is not None
        seen: list[str] = []
        paper.source.state.listeners.append(lambda s: seen.append(s.text))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and paper.source.state.state != "unreachable":
            await asyncio.sleep(0.05)
        st = paper.source.state
        assert st.state == "unreachable" and not st.live
        assert st.text.startswith(f"mirror: cannot reach {url} (refused) — retry 2 in ")
        async with aiohttp.ClientSession() as session:
            ws = await _public(session, paper)
            snaps = await _snapshots(
                ws,
                [
                    {"channel": "ticker"},
                    {"channel": "ohlc", "interval": 1},
                    {"channel": "trade", "snapshot": True},
                    {"channel": "book", "depth": 10},
                ],
            )
        assert "ticker" not in snaps  # no seeded ticker (last 97250.0 ... high 97626.3 on main)
        assert snaps["ohlc"] == [] and snaps["trade"] == []  # no seeded candles, no history
        book = snaps["book"][0]
        assert isinstance(book, dict) and book["bids"] == [] and book["asks"] == []
    finally:
        await paper.stop()


async def test_paper_mirrors_kraken_ticker_tape_and_candles() -> None:
    real = await start_exchange(ExchangeConfig(port=0, rate=400, seed=9, symbols=["BTC/USD"]))
    paper = await start_exchange(
        ExchangeConfig(port=0, source="mirror", mirror_url=real.url_public, symbols=["BTC/USD"])
    )
    try:
        assert paper.source is not None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (
            paper.source.state.live and paper.spot_publisher.public_snapshot("trade", "BTC/USD")
        ):
            await asyncio.sleep(0.05)
        assert paper.source.state.state == "live"
        assert paper.source.state.text == f"mirror: live from {real.url_public}"
        real.config.rate = 0
        await asyncio.sleep(0.3)
        async with aiohttp.ClientSession() as session:
            ws = await _public(session, paper)
            snaps = await _snapshots(ws, [{"channel": "ticker"}, {"channel": "ohlc", "interval": 5}])
        ticker = snaps["ticker"][0]
        assert isinstance(ticker, dict)
        real_row = real.spot_publisher.ticker_row("BTC/USD")
        assert (ticker["last"], ticker["high"], ticker["low"]) == (
            real_row["last"],
            real_row["high"],
            real_row["low"],
        )
        ohlc = (snaps["ohlc"][-1], real.spot_publisher.public_snapshot("ohlc", "BTC/USD", 5)[-1])
        assert [[c[k] for k in ("open", "high", "low", "close")] for c in ohlc] == [
            [ohlc[1][k] for k in ("open", "high", "low", "close")]
        ] * 2
    finally:
        await paper.stop()
        await real.stop()


def write_recording(path: Path, t0: float = 1_700_000_000.0) -> Path:
    """A small recording as ``--record`` writes it: book, trade, ticker and ohlc, 3 s long."""
    book = {
        "channel": "book",
        "type": "snapshot",
        "data": [
            {
                "symbol": "BTC/USD",
                "bids": [{"price": 61000.0, "qty": 1.5}],
                "asks": [{"price": 61000.5, "qty": 2.0}],
                "checksum": 0,
            }
        ],
    }
    trade = {
        "channel": "trade",
        "type": "update",
        "data": [
            {
                "symbol": "BTC/USD",
                "side": "buy",
                "price": 61000.5,
                "qty": 0.25,
                "ord_type": "market",
                "trade_id": 555,
                "timestamp": "2023-11-14T22:13:21.000000Z",
            }
        ],
    }
    ticker = {
        "channel": "ticker",
        "type": "update",
        "data": [{"symbol": "BTC/USD", "last": 61000.5, "high": 61234.5, "low": 60111.0, "bid": 61000.0}],
    }
    ohlc = {
        "channel": "ohlc",
        "type": "update",
        "timestamp": "2023-11-14T22:13:22.000000Z",
        "data": [
            {
                "symbol": "BTC/USD",
                "open": 60999.0,
                "high": 61000.5,
                "low": 60999.0,
                "close": 61000.5,
                "trades": 3,
                "volume": 0.5,
                "vwap": 61000.1,
                "interval_begin": "2023-11-14T22:13:00.000000000Z",
                "interval": 1,
                "timestamp": "2023-11-14T22:14:00.000000Z",
            }
        ],
    }
    lines = [
        {"t": t0, "conn": "public", "dir": "out", "raw": '{"method":"subscribe"}'},
        {"t": t0 + 0.1, "conn": "public", "dir": "in", "raw": json.dumps(book)},
        {"t": t0 + 1.0, "conn": "public", "dir": "in", "raw": json.dumps(trade)},
        {"t": t0 + 1.5, "conn": "public", "dir": "in", "raw": json.dumps(ticker)},
        {"t": t0 + 3.1, "conn": "public", "dir": "in", "raw": json.dumps(ohlc)},
    ]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for rec in lines:
            fh.write(json.dumps(rec) + "\n")
    return path


async def test_replay_plays_every_recorded_channel_in_its_time_and_ends(tmp_path: Path) -> None:
    rec = write_recording(tmp_path / "s.ndjson.gz")
    ex = await start_exchange(
        ExchangeConfig(port=0, source="replay", replay_file=str(rec), replay_speed=2.0, symbols=["BTC/USD"])
    )
    try:
        assert ex.source is not None and ex.source.replay is not None
        assert ex.source.state.duration == pytest.approx(3.0)
        # held at its start while the client connects and subscribes: on a loaded machine the
        # exchange's own start-up and the setup took longer than the first recorded gap, and the
        # timing below measured them
        replay = ex.source.replay
        replay.toggle_pause()
        replay.restart()
        async with aiohttp.ClientSession() as session:
            ws = await _public(session, ex)
            subs: list[dict[str, Any]] = [
                {"channel": "trade"},
                {"channel": "ticker"},
                {"channel": "ohlc", "interval": 1},
            ]
            for n, params in enumerate(subs, 1):
                await ws.send(
                    {"method": "subscribe", "params": {**params, "symbol": ["BTC/USD"]}, "req_id": n}
                )
            held = time.monotonic() + 5
            while (ex.source.state.state != "paused" or replay.position != 0.0) and time.monotonic() < held:
                await asyncio.sleep(0.01)
            replay.toggle_pause()
            start = time.monotonic()
            trade = await ws.until(lambda m: m.get("channel") == "trade" and m.get("type") == "update")
            t_trade = time.monotonic() - start
            ticker = await ws.until(lambda m: m.get("channel") == "ticker" and m.get("type") == "update")
            ohlc = await ws.until(lambda m: m.get("channel") == "ohlc" and m.get("type") == "update")
            t_ohlc = time.monotonic() - start
        assert trade["data"][0]["price"] == Decimal("61000.5") and trade["data"][0]["qty"] == Decimal("0.25")
        assert (ticker["data"][0]["last"], ticker["data"][0]["high"]) == (
            Decimal("61000.5"),
            Decimal("61234.5"),
        )
        assert ohlc["data"][0]["close"] == Decimal("61000.5")
        assert 0.2 < t_trade < 1.0 and 1.2 < t_ohlc < 2.2  # recorded gaps divided by the speed (×2)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and ex.source.state.state != "ended":
            await asyncio.sleep(0.05)
        assert (ex.source.state.state, ex.source.state.text) == ("ended", "end of recording")
    finally:
        await ex.stop()


async def test_replay_pauses_changes_speed_and_seeks(tmp_path: Path) -> None:
    rec = write_recording(tmp_path / "s.ndjson.gz")
    ex = await start_exchange(
        ExchangeConfig(port=0, source="replay", replay_file=str(rec), replay_speed=1.0, symbols=["BTC/USD"])
    )
    try:
        assert ex.source is not None and ex.source.replay is not None
        player, state = ex.source.replay, ex.source.state
        await asyncio.sleep(0.3)
        player.toggle_pause()
        await asyncio.sleep(0.05)
        assert state.state == "paused"
        held = player.position
        await asyncio.sleep(0.4)
        assert player.position == held  # paused: time does not move
        player.faster()
        assert state.speed == 2.0
        player.faster(up=False)
        player.faster(up=False)
        assert state.speed == 0.5
        player.seek(10)  # past the end: clamps to it
        await asyncio.sleep(0.1)
        assert state.position == pytest.approx(3.0) and player.i == len(player.frames)
        assert ex.spot_publisher.public_snapshot("ticker", "BTC/USD")[0]["high"] == Decimal("61234.5")
        player.restart()
        await asyncio.sleep(0.1)
        assert state.position == 0.0 and ex.spot_publisher.public_snapshot("ticker", "BTC/USD") == []
        assert ex.spot_publisher.public_snapshot("trade", "BTC/USD") == []  # from the start again
        assert ex.engine.levels("BTC/USD", "bid", 1) == [(610000, 150000000)]  # frame 1: the book
        assert state.state == "paused"  # a seek does not resume
        player.toggle_pause()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not ex.spot_publisher.public_snapshot("trade", "BTC/USD"):
            await asyncio.sleep(0.05)
        assert ex.spot_publisher.public_snapshot("trade", "BTC/USD")[0]["price"] == Decimal("61000.5")
    finally:
        await ex.stop()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        (b"plain text, not gzip\n", "not a gzip recording"),
        ("truncated", "truncated"),
        (gzip.compress(b'{"hello": 1}\n', mtime=0), "line 1 is not a recorded frame"),
        (gzip.compress(b"", mtime=0), "holds no received public frame"),
    ],
    ids=["missing", "not-gzip", "truncated", "not-a-recording", "empty"],
)
def test_a_bad_recording_is_refused_with_the_reason(tmp_path: Path, content: object, reason: str) -> None:
    path = tmp_path / "r.ndjson.gz"
    if content == "truncated":
        whole = write_recording(tmp_path / "whole.gz").read_bytes()
        path.write_bytes(whole[: len(whole) // 2])
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(RecordingError, match=reason):
        load_recording(path)


def _order_row(oid: str, side: str, price: str, qty: str, **kw: Any) -> dict[str, Any]:
    return {
        "order_id": oid,
        "symbol": "BTC/USD",
        "side": side,
        "order_type": "limit",
        "order_qty": Decimal(qty),
        "limit_price": Decimal(price),
        "time_in_force": "GTC",
        "cum_qty": Decimal(0),
        "timestamp": "2023-11-14T22:13:20.000000Z",
        **kw,
    }


def write_account_recording(path: Path, t0: float = 1_700_000_000.0) -> Path:
    """``write_recording`` plus the recorded account's private frames: a snapshot with an open
    sell A and an old fill, a buy B placed at 1.2 s and filled at 2.0 s, A cancelled at 2.5 s."""
    write_recording(path, t0)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh]
    old_fill = {
        "order_id": "OZZZZZ-OLD",
        "exec_type": "trade",
        "exec_id": "EOLD",
        "symbol": "BTC/USD",
        "side": "sell",
        "last_qty": Decimal("0.5"),
        "last_price": Decimal("60000"),
        "order_status": "filled",
        "timestamp": "2023-11-14T22:00:00.000000Z",
    }
    a = _order_row("OAAAAA-A", "sell", "62000", "0.2", order_status="new", exec_type="new")
    b = _order_row("OBBBBB-B", "buy", "61000", "0.1", order_status="pending_new", exec_type="pending_new")
    fill = {
        "order_id": "OBBBBB-B",
        "exec_type": "trade",
        "exec_id": "EFILL-B",
        "symbol": "BTC/USD",
        "side": "buy",
        "last_qty": Decimal("0.1"),
        "last_price": Decimal("61000"),
        "cum_qty": Decimal("0.1"),
        "avg_price": Decimal("61000"),
        "order_status": "filled",
        "timestamp": "2023-11-14T22:13:22.000000Z",
    }

    def bal(asset: str, amount: str) -> dict[str, Any]:
        v = Decimal(amount)
        return {
            "asset": asset,
            "asset_class": "currency",
            "balance": v,
            "wallets": [{"type": "spot", "id": "main", "balance": v}],
        }

    def ledger(asset: str, amount: str, balance: str) -> dict[str, Any]:
        return {
            "asset": asset,
            "type": "trade",
            "wallet_type": "spot",
            "wallet_id": "main",
            "amount": Decimal(amount),
            "balance": Decimal(balance),
        }

    def frame(channel: str, kind: str, data: list[dict[str, Any]], seq: int) -> str:
        return dumps({"channel": channel, "type": kind, "data": data, "sequence": seq})

    private = [
        (0.15, "out", '{"method":"subscribe","params":{"channel":"executions","token":"***"}}'),
        (0.2, "in", frame("executions", "snapshot", [a, old_fill], 1)),
        (0.2, "in", frame("balances", "snapshot", [bal("BTC", "1.0"), bal("USD", "10000")], 1)),
        (0.5, "in", '{"channel":"heartbeat"}'),
        (1.2, "in", frame("executions", "update", [b], 2)),
        (
            1.2,
            "in",
            frame(
                "executions",
                "update",
                [{"order_id": "OBBBBB-B", "exec_type": "new", "order_status": "new"}],
                3,
            ),
        ),
        (2.0, "in", frame("executions", "update", [fill], 4)),
        (2.0, "in", frame("balances", "update", [ledger("BTC", "0.1", "1.1")], 2)),
        (2.0, "in", frame("balances", "update", [ledger("USD", "-6100", "3900")], 3)),
        (
            2.0,
            "in",
            frame(
                "executions",
                "update",
                [{"order_id": "OBBBBB-B", "exec_type": "filled", "order_status": "filled"}],
                5,
            ),
        ),
        (
            2.5,
            "in",
            frame(
                "executions",
                "update",
                [{"order_id": "OAAAAA-A", "exec_type": "canceled", "order_status": "canceled"}],
                6,
            ),
        ),
    ]
    lines += [{"t": t0 + dt, "conn": "private", "dir": d, "raw": raw} for dt, d, raw in private]
    lines.sort(key=lambda r: r["t"])
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for rec in lines:
            fh.write(json.dumps(rec) + "\n")
    return path


async def _private_snapshots(ws: WS) -> tuple[dict[str, Any], dict[str, Any]]:
    ex = await ws.until(lambda m: m.get("channel") == "executions" and m.get("type") == "snapshot")
    bal = await ws.until(lambda m: m.get("channel") == "balances" and m.get("type") == "snapshot")
    return ex, bal


def _orders(snap: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        r["order_id"]: (r["exec_type"], r["order_status"]) for r in snap["data"] if r["exec_type"] != "trade"
    }


def _totals(snap: dict[str, Any]) -> dict[str, Decimal]:
    return {r["asset"]: r["balance"] for r in snap["data"]}


async def test_replay_serves_the_recorded_account_and_a_seek_sends_its_state_then(tmp_path: Path) -> None:
    rec = write_account_recording(tmp_path / "a.ndjson.gz")
    ex = await start_exchange(
        ExchangeConfig(port=0, source="replay", replay_file=str(rec), replay_speed=1.0, symbols=["BTC/USD"])
    )
    try:
        assert ex.source is not None and ex.source.replay is not None
        player = ex.source.replay
        player.toggle_pause()
        async with aiohttp.ClientSession() as session:
            token = await get_token(session, ex)  # a fresh token: the recording's were scrubbed
            ws = await connect(session, ex.url_private)
            await ws.send(
                {
                    "method": "subscribe",
                    "params": {"channel": "executions", "token": token, "snap_trades": True},
                }
            )
            await ws.send({"method": "subscribe", "params": {"channel": "balances", "token": token}})
            await _private_snapshots(ws)
            # into the middle: A open and B acknowledged, the old fill, the first balances
            player.restart()  # at 0 s: the recording's account has not been heard of yet
            execs, bal = await _private_snapshots(ws)
            assert execs["data"] == [] and bal["data"] == []
            player.seek(1.5)
            execs, bal = await _private_snapshots(ws)
            assert _orders(execs) == {"OAAAAA-A": ("new", "new"), "OBBBBB-B": ("new", "new")}
            b = next(r for r in execs["data"] if r["order_id"] == "OBBBBB-B")
            assert (b["limit_price"], b["order_qty"], b["side"]) == (Decimal("61000"), Decimal("0.1"), "buy")
            assert [r["exec_id"] for r in execs["data"] if r["exec_type"] == "trade"] == ["EOLD"]
            assert _totals(bal) == {"BTC": Decimal("1.0"), "USD": Decimal("10000")}
            # past the fill and the cancel: nothing open, both fills, the balances after
            player.seek(1.2)
            execs, bal = await _private_snapshots(ws)
            assert _orders(execs) == {}
            assert [r["exec_id"] for r in execs["data"]] == ["EOLD", "EFILL-B"]
            assert _totals(bal) == {"BTC": Decimal("1.1"), "USD": Decimal("3900")}
            # back before the fill: B open again, its fill not yet there
            player.seek(-1.0)
            execs, bal = await _private_snapshots(ws)
            assert set(_orders(execs)) == {"OAAAAA-A", "OBBBBB-B"}
            assert _totals(bal)["BTC"] == Decimal("1.0")
            # playing: the recorded updates arrive at their time, re-sequenced for this socket
            player.toggle_pause()
            start = time.monotonic()
            upd = await ws.until(lambda m: m.get("channel") == "executions" and m.get("type") == "update")
            assert upd["data"][0]["exec_id"] == "EFILL-B" and upd["sequence"] == 2
            assert 0.15 < time.monotonic() - start < 1.0  # recorded at 2.0 s, played from 1.7 s
            # read-only: the socket takes no order, whatever the token
            await ws.send(
                {
                    "method": "add_order",
                    "req_id": 9,
                    "params": {
                        "order_type": "market",
                        "side": "buy",
                        "order_qty": Decimal("0.1"),
                        "symbol": "BTC/USD",
                        "token": token,
                    },
                }
            )
            refused = await ws.until(lambda m: m.get("method") == "add_order")
            assert (refused["success"], refused["error"]) == (False, "EGeneral:Permission denied")
    finally:
        await ex.stop()
