"""The spot session: Kraken's public, private and level3 v2 sockets filling the store.

Everything the user sees is either verified or visibly flagged: the store's integrity machine
decides (a book is ``ok`` only after its checksum matched) and returns a resync request for one
symbol, which this session turns into an unsubscribe/subscribe of that book alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from typing import Any

import aiohttp

from tui.config import Settings
from tui.feed.connection import AuthFailure, Connection
from tui.feed.endpoints import Urls
from tui.feed.session import FrameSession, Recorder
from tui.feed.signed_rest import check_key
from tui.feed.tickers import TickerBatches
from tui.feed.token import TokenError, fetch_ws_token
from tui.feed.trading import Trading
from tui.kraken import requests as rq
from tui.kraken.auth import NonceSource
from tui.kraken.events import MethodResponse, Pong
from tui.kraken.futures import is_futures
from tui.kraken.spot import decode_events
from tui.kraken.vocab import L3_DEPTHS
from tui.store import AuthFailed, OrdersSeen, Outcome, RefreshBook, ResyncBook, ResyncL3, RetryBook, Store

log = logging.getLogger("tui.feed")

__all__ = ["AUTH_ERRORS", "PrivateSocket", "SpotSession"]

AUTH_ERRORS = ("EAPI:Invalid key", "EGeneral:Permission denied", "EAPI:Invalid signature", "EAccount:")
L3_DEPTH = 10  # the level3 depth for a book of 10 or 25 levels (see l3_depth_for)


def l3_depth_for(book_depth: int) -> int:
    """The L3 view follows the book depth (``d``): the deepest of Kraken's level3 depths (10, 100,
    1000) not above it, so 10/25 -> 10, 100/500 -> 100, 1000 -> 1000. Never deeper than the ladder
    shows, since a deeper level3 subscription costs more of the venue's per-second budget."""
    return max((d for d in L3_DEPTHS if d <= book_depth), default=L3_DEPTHS[0])


class PrivateSocket:
    """The narrow channel the spot venue is built with: the private socket, its token, req ids."""

    def __init__(self, req_ids: itertools.count[int]) -> None:
        self.conn: Connection | None = None
        self.token: str | None = None
        self._req_ids = req_ids

    @property
    def is_open(self) -> bool:
        return self.conn is not None and self.conn.is_open

    def next_req_id(self) -> int:
        return next(self._req_ids)

    async def send(self, text: str) -> None:
        if self.conn is None:
            raise ConnectionError("private socket is not connected")
        await self.conn.send(text)


class SpotSession(FrameSession):
    def __init__(
        self,
        settings: Settings,
        store: Store,
        urls: Urls,
        *,
        record: Recorder | None = None,
        l3: bool = False,
    ) -> None:
        super().__init__(store, record)
        self.settings = settings
        self.urls = urls
        # the watchlist as it is now (edited at run time before the feed started), else the config's
        self.symbols: list[str] = [s for s in store.markets if not is_futures(s)] or list(settings.symbols)
        self.depth: dict[str, int] = dict.fromkeys(self.symbols, settings.book_depth)
        self.interval: dict[str, int] = dict.fromkeys(self.symbols, settings.ohlc_interval)
        self.l3_symbols: set[str] = set(self.symbols[:1]) if l3 else set()
        self.session: aiohttp.ClientSession | None = None
        self.public: Connection | None = None
        self.level3: Connection | None = None
        self.nonce = NonceSource()
        self._req_ids = itertools.count(1)
        self.channel = PrivateSocket(self._req_ids)
        self._l3_task: asyncio.Task[None] | None = None
        self.trading = Trading(
            self.channel,
            timeout=settings.feed.request_timeout,
            log=store.log,
            publish_dms=self.publish_dms,
        )
        for s in self.symbols:
            mk = store.market(s)
            mk.book_depth = self.depth[s]
            mk.ohlc_interval = self.interval[s]
        # the screener's tickers for pairs beyond the watchlist (tui/feed/tickers.py)
        self.tickers = TickerBatches(self._subscribe_tickers, store.tickers.get)

    @property
    def has_credentials(self) -> bool:
        return bool(self.urls.api_key and self.urls.api_secret)

    @property
    def private(self) -> Connection | None:
        return self.channel.conn

    @property
    def token(self) -> str | None:
        return self.channel.token

    def next_req_id(self) -> int:
        return next(self._req_ids)

    # --- lifecycle --------------------------------------------------------------------------------
    def _connection(self, name: str, url: str, connected: Any, *, private: bool = False) -> Connection:
        assert self.session is not None
        return self.connection(
            name,
            url,
            self.session,
            self.settings.feed,
            connected,
            self._disconnected,
            prepare=self._fresh_token if private else None,
        )

    async def run(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.public = self._connection("public", self.urls.public, self._public_connected)
        tasks = [asyncio.create_task(self.public.run())]
        if self.has_credentials:  # what the key may do, asked before any token: no crossed nonces
            await self._check_key(tasks[0])
            self.channel.conn = self._connection(
                "private", self.urls.private, self._private_connected, private=True
            )
            tasks.append(asyncio.create_task(self.channel.conn.run()))
            self.level3 = self._connection("level3", self.urls.level3, self._l3_connected, private=True)
            if self.l3_symbols:
                self._l3_task = asyncio.create_task(self.level3.run())
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in [*tasks, self._l3_task]:
                if t is not None:
                    t.cancel()

    async def _check_key(self, public: asyncio.Task[None]) -> None:
        assert self.session is not None
        try:
            await check_key(
                self.session,
                self.urls.rest,
                self.urls.api_key or "",
                self.urls.api_secret or "",
                self.nonce,
                live=self.store.mode == "LIVE",
                log=self.store.log,
            )
        except asyncio.CancelledError:
            public.cancel()
            raise

    def stop(self) -> None:
        self.trading.stop()
        self.tickers.stop()
        if self._l3_task is not None:
            self._l3_task.cancel()

    async def _fresh_token(self) -> None:
        """A new token for every private (re)connection, as Kraken asks."""
        assert self.session is not None
        try:
            self.channel.token = await fetch_ws_token(
                self.session, self.urls.rest, self.urls.api_key or "", self.urls.api_secret or "", self.nonce
            )
        except TokenError as exc:
            text = str(exc)
            self.store.account.auth_error = text
            self.store.mark("account", "auth")
            if any(text.startswith(p) for p in AUTH_ERRORS):
                raise AuthFailure(f"authentication failed: {text}") from None
            raise aiohttp.ClientError(text) from None
        self.store.account.auth_error = None

    # --- subscriptions ------------------------------------------------------------------------------
    async def _send(self, conn: Connection | None, text: str) -> None:
        if conn is None:
            return
        with contextlib.suppress(ConnectionError, aiohttp.ClientError, RuntimeError):
            await conn.send(text)

    def _spawn(self, coro: Any) -> None:
        asyncio.get_running_loop().create_task(coro)

    @staticmethod
    def _grouped(values: dict[str, int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for s, v in values.items():
            out.setdefault(v, []).append(s)
        return out

    async def _public_connected(self, conn: Connection) -> None:
        self.store.integrity.reset(self.symbols)
        await self._send(conn, rq.subscribe("instrument", None, req_id=self.next_req_id()))
        for depth, syms in self._grouped(self.depth).items():
            await self._send(conn, rq.subscribe("book", syms, req_id=self.next_req_id(), depth=depth))
        await self._send(conn, rq.subscribe("ticker", self.symbols, req_id=self.next_req_id()))
        await self._send(conn, rq.subscribe("trade", self.symbols, req_id=self.next_req_id(), snapshot=True))
        for interval, syms in self._grouped(self.interval).items():
            await self._send(conn, rq.subscribe("ohlc", syms, req_id=self.next_req_id(), interval=interval))
        self.tickers.stop()
        self.tickers.start(sorted(self.tickers.wanted - set(self.symbols)))

    # --- the watchlist at run time and the screener's tickers --------------------------------------
    def watch(self, symbol: str) -> bool:
        """A pair joins the watchlist: its book, ticker, prints and candles are subscribed."""
        if symbol in self.symbols:
            return False
        self.symbols.append(symbol)
        depth = self.depth[symbol] = self.settings.book_depth
        interval = self.interval[symbol] = self.settings.ohlc_interval
        mk = self.store.market(symbol)
        mk.book_depth, mk.ohlc_interval, mk.book_state = depth, interval, "waiting"
        self.store.mark(symbol, "status")
        self._spawn(self._watch_channels(symbol, "subscribe", depth, interval))
        return True

    def unwatch(self, symbol: str) -> bool:
        """A pair leaves the watchlist: its channels are unsubscribed (the ticker stays while the
        screener wants it)."""
        if symbol not in self.symbols:
            return False
        self.symbols.remove(symbol)
        depth = self.depth.pop(symbol, self.settings.book_depth)
        interval = self.interval.pop(symbol, self.settings.ohlc_interval)
        if symbol in self.l3_symbols:
            self.set_l3(symbol, False)
        self._spawn(self._watch_channels(symbol, "unsubscribe", depth, interval))
        return True

    async def _watch_channels(self, symbol: str, method: str, depth: int, interval: int) -> None:
        build = rq.subscribe if method == "subscribe" else rq.unsubscribe
        conn, one = self.public, [symbol]
        await self._send(conn, build("book", one, req_id=self.next_req_id(), depth=depth))
        # a ticker the screener holds stays; subscribing it again is answered "Already subscribed"
        if method == "subscribe" or symbol not in self.tickers.wanted:
            await self._send(conn, build("ticker", one, req_id=self.next_req_id()))
        trade: dict[str, Any] = {"snapshot": True} if method == "subscribe" else {}
        await self._send(conn, build("trade", one, req_id=self.next_req_id(), **trade))
        await self._send(conn, build("ohlc", one, req_id=self.next_req_id(), interval=interval))

    def subscribe_tickers(self, symbols: list[str]) -> int:
        """Tickers for these pairs too (the screener), in paced batches; how many were new."""
        new = self.tickers.want(symbols, already=self.symbols)
        if self.public is not None and self.public.is_open:
            self.tickers.start(new)
        return len(new)

    async def _subscribe_tickers(self, symbols: list[str]) -> None:
        await self._send(self.public, rq.subscribe("ticker", symbols, req_id=self.next_req_id()))

    async def _private_connected(self, conn: Connection) -> None:
        self.store.account.authenticated = True
        token = self.channel.token
        await self._send(
            conn,
            rq.subscribe(
                "executions",
                None,
                req_id=self.next_req_id(),
                token=token,
                snap_orders=True,
                snap_trades=True,
                ratecounter=True,  # the trading rate counter streamed (the ladder shows it)
            ),
        )
        await self._send(conn, rq.subscribe("balances", None, req_id=self.next_req_id(), token=token))
        self.trading.on_connected()

    def _l3(self, method: str, symbols: list[str], depth: int) -> str:
        build = rq.subscribe if method == "subscribe" else rq.unsubscribe
        return build("level3", symbols, req_id=self.next_req_id(), token=self.channel.token, depth=depth)

    def _l3_depth(self, symbol: str) -> int:
        """The depth ``symbol``'s level3 is (to be) subscribed at; the store keeps its book at it."""
        mk = self.store.market(symbol)
        mk.l3_depth = l3_depth_for(self.depth.get(symbol, mk.book_depth))
        return mk.l3_depth

    async def _l3_connected(self, conn: Connection) -> None:
        by_depth: dict[int, list[str]] = {}
        for s in sorted(self.l3_symbols):
            by_depth.setdefault(self._l3_depth(s), []).append(s)
        for depth, syms in by_depth.items():
            await self._send(conn, self._l3("subscribe", syms, depth))

    def _l3_follow(self, symbol: str) -> None:
        """A new book depth on a symbol in the L3 view: level3 again at the depth that follows it
        (unsubscribed first: Kraken allows one level3 depth per symbol)."""
        mk = self.store.market(symbol)
        old = mk.l3_depth
        if symbol not in self.l3_symbols or old == self._l3_depth(symbol) or self.level3 is None:
            return
        if self.level3.is_open:  # else the next connect subscribes at the new depth

            async def swap() -> None:
                assert self.level3 is not None
                await self._send(self.level3, self._l3("unsubscribe", [symbol], old))
                await self._send(self.level3, self._l3("subscribe", [symbol], mk.l3_depth))

            self._spawn(swap())

    def _disconnected(self, conn: Connection) -> None:
        if conn is self.public:
            self.store.integrity.reset(self.symbols)
        elif conn is self.channel.conn:
            self.store.account.authenticated = False
            self.trading.on_disconnected()
        self.store.mark("health", "conn")
        self.store.flush()

    def set_book_depth(self, symbol: str, depth: int) -> None:
        old = self.depth.get(symbol)
        if old == depth:
            return
        self.depth[symbol] = depth
        mk = self.store.market(symbol)
        mk.book_depth = depth
        mk.book_state = "waiting"
        self.store.mark(symbol, "status")
        self._spawn(self._resubscribe_book(symbol, old, depth))
        self._l3_follow(symbol)

    async def _resubscribe_book(self, symbol: str, old: int | None, depth: int) -> None:
        if old is not None:
            await self._send(
                self.public, rq.unsubscribe("book", [symbol], req_id=self.next_req_id(), depth=old)
            )
        await self._send(self.public, rq.subscribe("book", [symbol], req_id=self.next_req_id(), depth=depth))

    def set_ohlc_interval(self, symbol: str, interval: int) -> None:
        old = self.interval.get(symbol)
        if old == interval:
            return
        self.interval[symbol] = interval
        mk = self.store.market(symbol)
        mk.ohlc_interval = interval
        mk.candles.pop(interval, None)
        self.store.mark(symbol, "candles")

        async def swap() -> None:
            if old is not None:
                await self._send(
                    self.public, rq.unsubscribe("ohlc", [symbol], req_id=self.next_req_id(), interval=old)
                )
            await self._send(
                self.public, rq.subscribe("ohlc", [symbol], req_id=self.next_req_id(), interval=interval)
            )

        self._spawn(swap())

    def set_l3(self, symbol: str, enabled: bool) -> None:
        if not self.has_credentials or self.level3 is None:
            return
        if enabled and symbol not in self.l3_symbols:
            self.l3_symbols.add(symbol)
            if self._l3_task is None or self._l3_task.done():
                self._l3_task = asyncio.get_running_loop().create_task(self.level3.run())
            elif self.level3.is_open:
                self._spawn(self._send(self.level3, self._l3("subscribe", [symbol], self._l3_depth(symbol))))
        elif not enabled and symbol in self.l3_symbols:
            self.l3_symbols.discard(symbol)
            mk = self.store.market(symbol)
            mk.l3 = None
            if self.l3_symbols:
                self._spawn(self._send(self.level3, self._l3("unsubscribe", [symbol], mk.l3_depth)))
            else:  # the last L3 view left: close the socket, or it streams on and later cries wolf
                self._spawn(self._close_l3())

    async def _close_l3(self) -> None:
        task, self._l3_task = self._l3_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._l3_task is None:  # not reopened meanwhile
            health = self.store.health.conn("level3")
            health.state, health.error = "idle", None
            self.store.mark("health", "conn")

    # --- frames -------------------------------------------------------------------------------------
    def _decode(self, text: str) -> list[Any]:
        return decode_events(text)

    def _control(self, event: Any, conn: str) -> None:
        if isinstance(event, Pong):
            if event.error:  # a refused ping is shown on the connection's health, not counted unknown
                log.warning("%s: ping refused: %s", conn, event.error)
                self.store.health.conn(conn).error = event.error
                self.store.mark("health", "conn")
            c = {"public": self.public, "private": self.channel.conn, "level3": self.level3}.get(conn)
            if c is not None:
                c.pong(event.req_id)
            self.store.mark("health", "rtt")
        elif isinstance(event, MethodResponse):
            self.trading.on_response(event)

    def act(self, outcome: Outcome, conn: str) -> None:
        if isinstance(outcome, ResyncBook | RefreshBook):
            depth = self.depth.get(outcome.symbol, self.store.market(outcome.symbol).book_depth)
            self._spawn(self._resubscribe_book(outcome.symbol, depth, depth))
        elif isinstance(outcome, OrdersSeen):
            self.trading.on_orders_seen(outcome)
        elif isinstance(outcome, RetryBook):
            asyncio.get_running_loop().call_later(outcome.delay, self._retry, outcome.symbol)
        elif isinstance(outcome, ResyncL3):
            self._spawn(self._resub_l3(outcome.symbol))
        elif isinstance(outcome, AuthFailed):
            # a refused token: a fresh one on a new connection
            c = self.channel.conn if conn == "private" else self.level3 if conn == "level3" else None
            if c is not None and c.ws is not None:
                self._spawn(c.ws.close())

    def _retry(self, symbol: str) -> None:
        req = self.store.resync(symbol, time.monotonic(), "subscription rate-limited")
        if req is not None:
            self.act(req, "public")

    async def _resub_l3(self, symbol: str) -> None:
        if self.level3 is not None and self.level3.is_open:
            depth = self.store.market(symbol).l3_depth
            await self._send(self.level3, self._l3("unsubscribe", [symbol], depth))
            await self._send(self.level3, self._l3("subscribe", [symbol], depth))
