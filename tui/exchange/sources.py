"""External market sources: mirror a live v2 feed (paper trading) or replay a recording.

Both feed the same matching engine: each external price level becomes a resting order of the
``__mirror__`` account, and each external trade is replayed as an immediate-or-cancel order of the
``__mirror_taker__`` account at the trade's price and size. A user's resting order at or through
that price therefore fills in time priority behind the liquidity that was there before it, and a
user's marketable order walks the mirrored book.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import time
from decimal import Decimal
from typing import Any

import aiohttp
import msgspec

from tui.exchange.context import ExchangeContext
from tui.exchange.orders import OrderError, OrderRequest
from tui.kraken.numbers import PrecisionError

__all__ = ["MIRROR", "MIRROR_TAKER", "ExternalMarket", "run_source"]

log = logging.getLogger("tui.exchange.sources")
MIRROR = "__mirror__"
MIRROR_TAKER = "__mirror_taker__"
HUGE = Decimal(10) ** 15
_decoder = msgspec.json.Decoder(float_hook=str)


class ExternalMarket:
    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self.engine = ctx.engine
        self.pairs = ctx.pairs
        assets: set[str] = set()
        for p in ctx.pairs.values():
            assets.update((p.base, p.quote))
        for user in (MIRROR, MIRROR_TAKER):
            self.engine.open_account(user, dict.fromkeys(assets, HUGE))
            self.engine.unlimited.add(user)
        self.levels: dict[tuple[str, str, int], str] = {}  # (symbol, side, price) -> mirror order id
        self.frames = 0

    def _set(self, symbol: str, side: str, price: int, qty: int) -> None:
        key = (symbol, side, price)
        oid = self.levels.pop(key, None)
        if oid is not None and self.engine.order(oid) is not None:
            self.engine.cancel_orders(MIRROR, [oid], reason="Mirror level changed")
        if qty > 0:
            try:
                o = self.engine.add_order(MIRROR, OrderRequest("limit", side, symbol, qty, price))
            except OrderError:
                return
            if o.is_open:
                self.levels[key] = o.order_id

    def _clear(self, symbol: str) -> None:
        for key in [k for k in self.levels if k[0] == symbol]:
            oid = self.levels.pop(key)
            if self.engine.order(oid) is not None:
                self.engine.cancel_orders(MIRROR, [oid], reason="Mirror snapshot")

    def handle(self, raw: str) -> None:
        try:
            frame = _decoder.decode(raw)
        except msgspec.DecodeError:
            return
        if not isinstance(frame, dict):
            return
        channel = frame.get("channel")
        data = frame.get("data")
        if channel not in ("book", "trade") or not isinstance(data, list):
            return
        self.frames += 1
        for entry in data:
            if not isinstance(entry, dict):
                continue
            symbol = entry.get("symbol")
            pair = self.pairs.get(symbol) if isinstance(symbol, str) else None
            if pair is None:
                continue
            try:
                if channel == "book":
                    if frame.get("type") == "snapshot":
                        self._clear(pair.symbol)
                    for side, name in (("buy", "bids"), ("sell", "asks")):
                        for lvl in entry.get(name) or []:
                            self._set(
                                pair.symbol,
                                side,
                                pair.price_ticks(str(lvl["price"])),
                                pair.qty_ticks(str(lvl["qty"])),
                            )
                elif frame.get("type") == "update":
                    side = str(entry.get("side"))
                    if side in ("buy", "sell"):
                        price = pair.price_ticks(str(entry["price"]))
                        qty = pair.qty_ticks(str(entry["qty"]))
                        if qty > 0:
                            self.engine.external_trade(pair.symbol, MIRROR_TAKER, MIRROR, side, price, qty)
            except (KeyError, PrecisionError, ValueError, OrderError) as exc:
                log.debug("mirror: skipped %s entry: %s", channel, exc)
        self.ctx.publish()

    def subscriptions(self) -> list[str]:
        symbols = list(self.pairs)
        return [
            json.dumps(
                {"method": "subscribe", "params": {"channel": "book", "symbol": symbols, "depth": 100}}
            ),
            json.dumps({"method": "subscribe", "params": {"channel": "trade", "symbol": symbols}}),
        ]


async def run_source(ctx: ExchangeContext) -> None:
    market = ExternalMarket(ctx)
    if ctx.config.source == "mirror":
        await _mirror(ctx.config.mirror_url, market)
    else:
        await _replay(ctx.config.replay_file, ctx.config.replay_speed, market)


async def _mirror(url: str, market: ExternalMarket) -> None:
    delay = 0.5
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.ws_connect(url, heartbeat=30) as ws:
                    delay = 0.5
                    for text in market.subscriptions():
                        await ws.send_str(text)
                    async for msg in ws:
                        if msg.type == aiohttp.WSMsgType.TEXT:
                            market.handle(msg.data)
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                log.warning("mirror %s: %s", url, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)


async def _replay(path: str | None, speed: float, market: ExternalMarket) -> None:
    if not path:
        return
    first_t: float | None = None
    start = time.monotonic()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            try:
                rec: dict[str, Any] = json.loads(line)
            except ValueError:
                continue
            if rec.get("conn") != "public" or rec.get("dir", "in") != "in":
                continue
            t = float(rec.get("t", 0))
            if first_t is None:
                first_t = t
            if speed > 0:
                due = start + (t - first_t) / speed
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            elif n % 200 == 0:
                await asyncio.sleep(0)
            market.handle(str(rec.get("raw", "")))
