"""External market sources: mirror a live v2 feed (paper trading) or replay a recording.

Both feed the same matching engine: each external price level becomes a resting order of the
``__mirror__`` account, and each external trade is replayed as an immediate-or-cancel order of the
``__mirror_taker__`` account at the trade's price and size. A user's resting order at or through
that price therefore fills in time priority behind the liquidity that was there before it, and a
user's marketable order walks the mirrored book. The tape, ticker and candles are the source's
own, forwarded by the ``ExternalSpotPublisher``; nothing is seeded or computed in their place.

The source says what it is doing in a ``SourceState`` (connecting, live, unreachable; playing,
paused, ended): a mirror that cannot reach Kraken clears its book rather than leave the last one
standing, so no one trades against a market that is not there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from decimal import Decimal
from typing import Any

import aiohttp

from tui.exchange.context import ExchangeContext
from tui.exchange.external_publish import ExternalSpotPublisher
from tui.exchange.orders import OrderError, OrderRequest
from tui.exchange.replay import ReplayPlayer, load_recording
from tui.exchange.replay_account import RecordedAccount
from tui.exchange.source_frames import channel_frame
from tui.exchange.source_state import SourceState
from tui.kraken.numbers import PrecisionError
from tui.kraken.reach import retry_plan, unreachable_reason
from tui.kraken.vocab import OHLC_INTERVALS

__all__ = ["MIRROR", "MIRROR_TAKER", "ExternalMarket", "ExternalSource"]

log = logging.getLogger("tui.exchange.sources")
MIRROR = "__mirror__"
MIRROR_TAKER = "__mirror_taker__"
HUGE = Decimal(10) ** 15


def _text(v: Any) -> str:
    return format(v, "f") if isinstance(v, Decimal) else str(v)


class ExternalMarket:
    def __init__(
        self, ctx: ExchangeContext, publisher: ExternalSpotPublisher, renumber: bool = False
    ) -> None:
        self.ctx = ctx
        self.engine = ctx.engine
        self.pairs = ctx.pairs
        self.publisher = publisher
        # a replay that seeks back plays trades again: new ids keep the client's tape in order
        self.renumber = renumber
        self._trade_id = 0
        assets: set[str] = set()
        for p in ctx.pairs.values():
            assets.update((p.base, p.quote))
        for user in (MIRROR, MIRROR_TAKER):
            self.engine.open_account(user, dict.fromkeys(assets, HUGE))
            self.engine.unlimited.add(user)
        self.levels: dict[tuple[str, str, int], str] = {}  # (symbol, side, price) -> mirror order id
        self.frames = 0
        self.books: set[str] = set()  # symbols with a book snapshot from the source

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

    def clear_all(self) -> None:
        """The source is gone (or seeks back): no mirrored depth stays to trade against."""
        for symbol in list(self.pairs):
            self._clear(symbol)
        self.books.clear()
        self.ctx.publish()

    def rewind(self) -> None:
        """A replay seeks back: no book, no tape, no ticker until the frames are applied again."""
        self.clear_all()
        self.publisher.reset()

    def settle(self) -> None:
        """After frames applied silently: the books go out, then the newest ticker and candles."""
        self.ctx.publish()
        self.publisher.flush()

    def handle(self, raw: str, send: bool = True) -> None:
        """One frame of the source; ``send=False`` applies it silently (a replay seeking)."""
        read = channel_frame(raw, ("book", "trade", "ticker", "ohlc"))
        if read is None:
            return
        channel, data, frame = read
        self.frames += 1
        trades: dict[str, list[dict[str, Any]]] = {}
        for entry in data:
            if not isinstance(entry, dict):
                continue
            symbol = entry.get("symbol")
            pair = self.pairs.get(symbol) if isinstance(symbol, str) else None
            if pair is None:
                continue
            try:
                if channel == "book":
                    self._book(pair.symbol, frame.get("type") == "snapshot", entry)
                elif channel == "trade":
                    self._trade(pair.symbol, entry, send)
                    trades.setdefault(pair.symbol, []).append(entry)
                elif channel == "ticker":
                    self.publisher.external_ticker(entry, send)
                else:
                    self.publisher.external_candle(entry, str(frame.get("timestamp", "")), send)
            except (KeyError, PrecisionError, ValueError, OrderError) as exc:
                log.debug("mirror: skipped %s entry: %s", channel, exc)
        for symbol, rows in trades.items():
            self.publisher.external_trades(symbol, rows, send)
        if send:
            self.ctx.publish()

    def _book(self, symbol: str, snapshot: bool, entry: dict[str, Any]) -> None:
        pair = self.pairs[symbol]
        if snapshot:
            self._clear(symbol)
            self.books.add(symbol)
        for side, name in (("buy", "bids"), ("sell", "asks")):
            for lvl in entry.get(name) or []:
                self._set(
                    symbol, side, pair.price_ticks(_text(lvl["price"])), pair.qty_ticks(_text(lvl["qty"]))
                )

    def _trade(self, symbol: str, entry: dict[str, Any], send: bool) -> None:
        if self.renumber:
            self._trade_id += 1
            entry["trade_id"] = self._trade_id
        side = str(entry.get("side"))
        if not send or side not in ("buy", "sell"):
            return  # a seek skips over time: nobody's order fills in it
        pair = self.pairs[symbol]
        qty = pair.qty_ticks(_text(entry["qty"]))
        if qty > 0:
            price = pair.price_ticks(_text(entry["price"]))
            self.engine.external_trade(symbol, MIRROR_TAKER, MIRROR, side, price, qty)

    def subscriptions(self) -> list[str]:
        symbols = list(self.pairs)
        subs: list[dict[str, Any]] = [
            {"channel": "book", "symbol": symbols, "depth": 100},
            {"channel": "trade", "symbol": symbols, "snapshot": True},
            {"channel": "ticker", "symbol": symbols},
            *({"channel": "ohlc", "symbol": symbols, "interval": i} for i in OHLC_INTERVALS),
        ]
        return [json.dumps({"method": "subscribe", "params": p}) for p in subs]


class ExternalSource:
    """The mirror or the replay of one exchange: its market, its state, its controls."""

    def __init__(self, ctx: ExchangeContext, publisher: ExternalSpotPublisher) -> None:
        cfg = ctx.config
        self.kind = "mirror" if cfg.source == "mirror" else "replay"
        self.state = SourceState(self.kind)
        self.market = ExternalMarket(ctx, publisher, renumber=self.kind == "replay")
        self.replay: ReplayPlayer | None = None
        if self.kind == "replay":
            frames = load_recording(cfg.replay_file) if cfg.replay_file else []
            publisher.account = account = RecordedAccount(ctx)
            self.replay = ReplayPlayer(frames, self.market, self.state, cfg.replay_speed, account)

    async def run(self) -> None:
        if self.replay is not None:
            await self.replay.run()
        else:
            await mirror(self.market.ctx.config.mirror_url, self.market, self.state)


async def mirror(
    url: str, market: ExternalMarket, state: SourceState, min_delay: float = 1.0, max_delay: float = 30.0
) -> None:
    """Follow ``url`` for ever; say so when it cannot be reached and when it is live again."""
    delay = min_delay
    attempt = 1
    state.set("connecting", f"mirror: connecting to {url}")
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.ws_connect(url, heartbeat=30) as ws:
                    state.set("connecting", f"mirror: connected to {url}, waiting for the book")
                    for text in market.subscriptions():
                        await ws.send_str(text)
                    async for msg in ws:
                        if msg.type == aiohttp.WSMsgType.TEXT:
                            market.handle(msg.data)
                            if market.books and not state.live:
                                delay, attempt = min_delay, 1
                                state.set("live", f"mirror: live from {url}")
                reason = f"mirror: {url} closed the connection"
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                reason = "mirror: " + unreachable_reason(exc, url, full=True)
            market.clear_all()
            attempt += 1
            wait = delay * random.uniform(0.75, 1.0)
            state.set("unreachable", f"{reason} — {retry_plan(attempt, wait)}")
            log.warning("%s", state.text)
            await asyncio.sleep(wait)
            delay = min(delay * 2, max_delay)
