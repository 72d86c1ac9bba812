"""Paper trading's mirror source, tested by mirroring a second embedded exchange."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import aiohttp

from tests.exchange.conftest import connect, get_token
from tui.exchange.server import ExchangeConfig, start_exchange


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
