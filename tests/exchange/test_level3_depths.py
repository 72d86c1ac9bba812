"""level3 at depth 10, 100 and 1000: the exchange serves each window, the client's L3 book keeps
it and verifies every frame, and the L3 view follows the book depth (``d``), as a user sees it."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.app.conftest import app_settings, until, urls_of
from tests.exchange.conftest import get_token
from tui.app import KrakenApp
from tui.book.l3 import L3Book
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.spot import l3_depth_for
from tui.kraken.events import Level3Update
from tui.kraken.jsontext import dumps
from tui.kraken.spot import decode_events


@pytest.fixture
async def busy() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(ExchangeConfig(port=0, rate=600, seed=9, futures_symbols=[]))
    yield ex
    await ex.stop()


@pytest.mark.parametrize("depth", [10, 100, 1000])
async def test_level3_window_at_each_depth_verifies(busy: RunningExchange, depth: int) -> None:
    p = busy.pairs["BTC/USD"]
    book = L3Book("BTC/USD", p.price_precision, p.qty_precision, depth)
    frames = 0
    async with aiohttp.ClientSession() as s:
        token = await get_token(s, busy, time.time_ns() // 1000)
        async with s.ws_connect(busy.url_l3, max_msg_size=16 << 20) as ws:
            await ws.receive_str(timeout=3)  # status
            params = {"channel": "level3", "symbol": ["BTC/USD"], "depth": depth, "token": token}
            await ws.send_str(dumps({"method": "subscribe", "params": params}))
            ack = json.loads(await ws.receive_str(timeout=3))
            assert ack["success"] is True and "depth" not in ack["result"]  # recorded: no depth echoed
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                try:
                    text = await ws.receive_str(timeout=max(0.05, deadline - time.monotonic()))
                except TimeoutError:
                    break
                for e in decode_events(text):
                    if not isinstance(e, Level3Update):
                        continue
                    if e.snapshot:
                        book.apply_snapshot(e.bids, e.asks)
                        snap_levels = (len(book.levels("bids", 2000)), len(book.levels("asks", 2000)))
                    else:
                        book.apply_update(e.bids, e.asks)
                    assert book.verify(e.checksum), f"depth {depth}: frame {frames} checksum"
                    frames += 1
    assert frames > 20
    # BTC/USD rests about 200 levels a side: the window is the depth asked for, or all of them
    expect = {10: range(10, 11), 100: range(100, 101), 1000: range(101, 1001)}[depth]
    assert snap_levels[0] in expect and snap_levels[1] in expect, snap_levels
    assert len(book.levels("bids", 2000)) <= depth  # the client truncates to the window


def test_the_l3_depth_follows_the_book_depth() -> None:
    assert [l3_depth_for(d) for d in (10, 25, 100, 500, 1000)] == [10, 10, 100, 100, 1000]


async def test_the_l3_view_follows_d_to_100_and_1000(busy: RunningExchange) -> None:
    app = KrakenApp(app_settings(symbols=["BTC/USD"], book_depth=25), "DEMO", urls=urls_of(busy))

    def subscribed() -> set[int]:
        return {k[2] for c in busy.conns for k in c.subs if k[:2] == ("level3", "BTC/USD")}

    async with app.run_test(size=(160, 45)) as pilot:
        mk = app.store.market("BTC/USD")
        await until(pilot, lambda: mk.book is not None and app.store.account.authenticated)
        await pilot.press("L")  # the L3 view
        await until(pilot, lambda: mk.l3 is not None and mk.l3.last_ok is True)
        assert mk.l3 is not None and mk.l3.depth == 10 and subscribed() == {10}
        for book_depth, l3_depth in ((100, 100), (500, 100), (1000, 1000), (10, 10)):
            await pilot.press("d")
            await until(pilot, lambda d=l3_depth: mk.l3 is not None and mk.l3.depth == d, timeout=8)  # type: ignore[misc]
            await until(pilot, lambda d=l3_depth: subscribed() == {d})  # type: ignore[misc]
            await until(pilot, lambda: mk.l3 is not None and mk.l3.last_ok is True)
            assert mk.book_depth == book_depth

            def title() -> str:
                return str(app.screen.query_one("#book").border_title)

            # the title follows at the next repaint (a loaded machine may be a tick behind the store)
            want = (f"depth {book_depth}", f"L3 {l3_depth}")
            await until(pilot, lambda w=want: all(part in title() for part in w))  # type: ignore[misc]
            assert all(part in title() for part in want), title()
