"""``--pairs all``: Kraken's whole recorded spot market on the embedded exchange, over loopback.

The instrument frame is held to the recording token for token; every book of all 683 pairs is
kept with the client's own book code and must verify on every frame.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest

from tui.book.l2 import L2Book
from tui.exchange.events import LevelChanged
from tui.exchange.pairs import DEFAULT_PAIRS
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.exchange.spot.assetpairs import wsname
from tui.exchange.universe import listed_pairs, long_tail, recorded, start_prices
from tui.kraken.events import BookDelta, BookSnapshot, InstrumentsUpdate
from tui.kraken.jsontext import dumps
from tui.kraken.spot import decode_events


def _shared_recording() -> Path | None:
    """``shared/recorded/kraken-data-recorder.json`` beside the checkout (or any folder above it)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "recorded" / "kraken-data-recorder.json"
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture
async def wide() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(ExchangeConfig(port=0, all_pairs=True, rate=0, futures_symbols=[]))
    yield ex
    await ex.stop()


def test_packaged_snapshot_is_the_recorded_one() -> None:
    """The package data is the recording with only whitespace outside strings removed."""
    path = _shared_recording()
    if path is None:
        pytest.skip("shared/recorded is not beside this checkout")
    raw = json.loads(path.read_text())["frames"][0]["raw"]
    assert recorded().frame_text == "".join(tok for tok in _tokens(raw) if not tok.isspace()), (
        "the packaged snapshot differs from ../shared/recorded"
    )
    data = json.loads(raw)["data"]
    assert len(data["pairs"]) == 683 and len(data["assets"]) == 296


def _tokens(text: str) -> list[str]:
    import re

    return re.findall(r'"(?:[^"\\]|\\.)*"|[^\s"]+|\s+', text)


async def test_instrument_channel_lists_all_683_pairs_as_recorded(wide: RunningExchange) -> None:
    async with aiohttp.ClientSession() as s, s.ws_connect(wide.url_public, max_msg_size=16 << 20) as ws:
        await ws.receive_str(timeout=3)  # status
        await ws.send_str(dumps({"method": "subscribe", "params": {"channel": "instrument"}}))
        ack = json.loads(await ws.receive_str(timeout=3))
        assert ack["success"] is True
        text = await ws.receive_str(timeout=5)
    assert text == recorded().frame_text  # the venue's frame, token for token (1E-8, 0.025000, ...)
    (update,) = [e for e in decode_events(text) if isinstance(e, InstrumentsUpdate)]
    got = {i.symbol: i for i in update.instruments}
    assert len(got) == 683 == len(wide.pairs)
    assert got == wide.pairs  # the client reads exactly what the exchange trades
    assert len(json.loads(text)["data"]["assets"]) == 296


async def test_asset_pairs_serves_every_pair_and_the_filter_by_any_name(wide: RunningExchange) -> None:
    async with aiohttp.ClientSession() as s:
        async with s.get(wide.url_rest + "/0/public/AssetPairs") as r:
            everything = json.loads(await r.text(), parse_float=Decimal)["result"]
        names = [wsname(sym) for sym in wide.pairs]
        t0 = time.perf_counter()
        async with s.get(wide.url_rest + "/0/public/AssetPairs", params={"pair": ",".join(names)}) as r:
            asked = json.loads(await r.text(), parse_float=Decimal)
        took = time.perf_counter() - t0
    assert len(everything) == 683
    assert asked["error"] == [] and list(asked["result"]) == names  # keyed by the names asked
    for sym, p in wide.pairs.items():
        row = asked["result"][wsname(sym)]
        assert (row["pair_decimals"], row["lot_decimals"]) == (p.price_precision, p.qty_precision)
        assert Decimal(row["ordermin"]) == p.qty_decimal(p.qty_min)
    assert took < 2.0, f"683 names took {took:.2f} s"  # one scan per name took ~1.5 s before


async def _books(
    ex: RunningExchange, depth: int, batch: int, symbols: list[str], seconds: float
) -> Counter[str]:
    """Subscribe ``symbols`` in batches, keep each book with the client's L2Book and verify every
    frame's checksum; the counts of verified snapshots and updates."""
    books: dict[str, L2Book] = {}
    seen: Counter[str] = Counter()
    async with aiohttp.ClientSession() as s, s.ws_connect(ex.url_public, max_msg_size=16 << 20) as ws:
        await ws.receive_str(timeout=3)
        for i in range(0, len(symbols), batch):
            chunk = symbols[i : i + batch]
            params = {"channel": "book", "symbol": chunk, "depth": depth}
            await ws.send_str(dumps({"method": "subscribe", "params": params, "req_id": i}))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                msg = await ws.receive(timeout=max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                break
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            _apply(msg.data, books, ex, depth, seen)
    return seen


def _apply(text: str, books: dict[str, L2Book], ex: RunningExchange, depth: int, seen: Counter[str]) -> None:
    for e in decode_events(text):
        if isinstance(e, BookSnapshot):
            p = ex.pairs[e.symbol]
            book = books[e.symbol] = L2Book(e.symbol, p.price_precision, p.qty_precision, depth)
            book.apply_snapshot(e.bids, e.asks)
            assert book.verify(e.checksum), f"{e.symbol} snapshot checksum"
            seen["snapshot"] += 1
        elif isinstance(e, BookDelta):
            book = books[e.symbol]
            book.apply_update(e.bids, e.asks)
            assert book.verify(e.checksum), f"{e.symbol} update checksum"
            seen["update"] += 1
            seen[e.symbol] += 1
        elif getattr(e, "success", True) is False:
            raise AssertionError(f"refused: {e}")


async def test_every_book_of_all_683_pairs_verifies(wide: RunningExchange) -> None:
    wide.config.rate = 3000.0  # a busy minute's worth of changes in a few seconds
    task = asyncio.create_task(_run_market(wide, seconds=4.0))
    seen = await _books(wide, 10, 100, list(wide.pairs), seconds=4.0)
    await task
    assert seen["snapshot"] == 683
    assert seen["update"] > 2000, seen.most_common(3)


async def test_deep_books_verify_on_the_busy_pairs(wide: RunningExchange) -> None:
    wide.config.rate = 3000.0
    busy = ["BTC/USD", "ETH/USD", "SOL/USD", "LTC/USD", "ETH/BTC"]
    task = asyncio.create_task(_run_market(wide, seconds=2.0))
    for depth in (100, 1000):
        seen = await _books(wide, depth, 5, busy, seconds=1.0)
        assert seen["snapshot"] == len(busy) and seen["update"] > 50, (depth, seen.most_common(3))
    await task


async def _run_market(ex: RunningExchange, seconds: float) -> None:
    """The market at the configured rate (the exchange's own ticker runs at ``rate=0`` here)."""
    assert ex.market is not None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ex.market.tick(ex.config.rate * 0.02, ex.publish)
        await asyncio.sleep(0.02)


async def test_activity_is_a_long_tail(wide: RunningExchange) -> None:
    """Most pairs quiet, a few busy: the top ten make most of the book changes."""
    assert wide.market is not None
    wide.engine.drain_events()
    per_symbol: Counter[str] = Counter()

    def count() -> None:  # one action's events (the engine folds repeats until drained)
        per_symbol.update({e.symbol for e in wide.engine.drain_events() if isinstance(e, LevelChanged)})

    wide.market.tick(30000, count)
    ranked = [n for _, n in per_symbol.most_common()]
    total = sum(ranked)
    assert per_symbol.most_common(1)[0][0] == "BTC/USD"
    assert sum(ranked[:10]) > total / 2
    quiet = sum(1 for s in wide.pairs if per_symbol[s] < total / 683)  # below an even share
    assert quiet > 683 * 0.8, quiet


def test_mids_are_seeded_at_each_pairs_precision_and_cross_consistently() -> None:
    pairs = listed_pairs([], all_pairs=True)
    a, b = start_prices(pairs, 7), start_prices(pairs, 7)
    assert a == b  # deterministic from the seed
    other = start_prices(pairs, 8)
    assert other["BTC/USD"] == a["BTC/USD"] == Decimal("97250.0")  # the demo's reference price
    assert sum(other[s] != a[s] for s in pairs) > 400  # the rest are seeded
    for s, p in pairs.items():
        assert a[s] > 0 and -a[s].as_tuple().exponent == p.price_precision, s  # type: ignore[operator]
    eth_btc = a["ETH/USD"] / a["BTC/USD"]
    assert abs(a["ETH/BTC"] - eth_btc) / eth_btc < Decimal("0.001")  # the crosses agree
    assert Decimal("0.5") < a["EUR/USD"] < Decimal(2)
    shape = long_tail(pairs, 7)
    assert shape["BTC/USD"].weight > 50 * min(x.weight for x in shape.values())


def test_the_default_demo_is_unchanged() -> None:
    """Without ``all_pairs`` the six default pairs, with their own definitions, nothing loaded."""
    cfg = ExchangeConfig()
    assert listed_pairs(cfg.symbols, cfg.all_pairs) == DEFAULT_PAIRS
    assert listed_pairs(["LTC/USD"], False)["LTC/USD"] == recorded().pairs["LTC/USD"]


async def test_startup_of_all_pairs_is_fast() -> None:
    t0 = time.perf_counter()
    ex = await start_exchange(ExchangeConfig(port=0, all_pairs=True, rate=0, futures_symbols=[]))
    took = time.perf_counter() - t0
    try:
        empty = [s for s in ex.pairs if not ex.engine.levels(s, "bid", 1)]
        # the two cancel_only pairs of the recording take no new orders, so nothing rests there
        assert sorted(empty) == sorted(s for s, p in ex.pairs.items() if p.status == "cancel_only")
        # no candle series is made before someone asks: 683 x 9 series up front took ~10 s, 300 MB
        assert sum(len(st.candles) for st in ex.stats.values()) == 0
        assert all(len(st.window) == 24 for st in ex.stats.values())  # each has its seeded day
        series = ex.stats["LTC/USD"].candles[60]  # made on demand, ending at the last price
        assert len(series) == 120 and series[-1].close == ex.stats["LTC/USD"].last
    finally:
        await ex.stop()
    assert took < 20.0, f"start took {took:.1f} s"  # ~1.2 s on an idle 2-core machine
