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
from tui.feed.token import TokenError, fetch_ws_token
from tui.feed.trading import Trading
from tui.kraken import requests as rq
from tui.kraken.auth import NonceSource
from tui.kraken.events import MethodResponse, Pong
from tui.kraken.spot import decode_events
from tui.store import AuthFailed, OrdersSeen, Outcome, RefreshBook, ResyncBook, ResyncL3, RetryBook, Store

log = logging.getLogger("tui.feed")

__all__ = ["AUTH_ERRORS", "PrivateSocket", "SpotSession"]

AUTH_ERRORS = ("EAPI:Invalid key", "EGeneral:Permission denied", "EAPI:Invalid signature", "EAccount:")
L3_DEPTH = 10


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
        self.symbols: list[str] = list(settings.symbols)
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
        if self.has_credentials:
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

    def stop(self) -> None:
        self.trading.stop()
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

    def _l3(self, method: str, symbols: list[str]) -> str:
        build = rq.subscribe if method == "subscribe" else rq.unsubscribe
        return build("level3", symbols, req_id=self.next_req_id(), token=self.channel.token, depth=L3_DEPTH)

    async def _l3_connected(self, conn: Connection) -> None:
        if self.l3_symbols:
            await self._send(conn, self._l3("subscribe", sorted(self.l3_symbols)))

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
                self._spawn(self._send(self.level3, self._l3("subscribe", [symbol])))
        elif not enabled and symbol in self.l3_symbols:
            self.l3_symbols.discard(symbol)
            self.store.market(symbol).l3 = None
            if self.l3_symbols:
                self._spawn(self._send(self.level3, self._l3("unsubscribe", [symbol])))
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
            await self._send(self.level3, self._l3("unsubscribe", [symbol]))
            await self._send(self.level3, self._l3("subscribe", [symbol]))
