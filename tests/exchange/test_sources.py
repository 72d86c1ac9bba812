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
