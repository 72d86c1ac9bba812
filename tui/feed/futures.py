"""The futures session: Kraken Futures WS v1 filling the same store, through the same apply.

Books are trusted by sequence number (the store's integrity machine checks each ``BookDelta``'s
``seq``); a gap resubscribes that product's book alone. Private feeds authenticate with a
challenge signed by the futures secret; every (re)connection asks for a new challenge, because
Kraken refuses a challenge from an earlier connection. Tick sizes come from REST first: the book
snapshot carries no precision.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp

from tui.config import Settings
from tui.feed.connection import Connection
from tui.feed.futures_trading import FuturesTrading
from tui.feed.session import FrameSession, Recorder
from tui.feed.signed_rest import SignedRest
from tui.kraken import futures as fx
from tui.kraken.auth import sign_futures_challenge
from tui.kraken.events import Challenge, InstrumentsUpdate
from tui.kraken.futures_frames import decode_events, instruments_event
from tui.kraken.vocab import FUTURES_CANDLE_FEEDS
from tui.store import OrdersSeen, Outcome, ResyncBook, Store

__all__ = ["CHALLENGE_TIMEOUT", "FuturesFeed"]

CHALLENGE_TIMEOUT = 5.0
CONN = "futures"


class FuturesFeed(FrameSession):
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        url: str,
        rest_url: str,
        api_key: str | None = None,
        api_secret: str | None = None,
        record: Recorder | None = None,
    ) -> None:
        super().__init__(store, record)
        self.settings = settings
        self.url = url
        self.rest_url = rest_url.rstrip("/")
        self._api_key = api_key
        self._api_secret = api_secret
        self.symbols = list(settings.futures_symbols)
        self.session: aiohttp.ClientSession | None = None
        self.conn: Connection | None = None
        self.auth: fx.SignedChallenge | None = None
        self._challenge: asyncio.Future[str] | None = None
        self.rest = SignedRest(
            lambda: self.session, self.rest_url, api_key, api_secret, settings.feed.request_timeout
        )
        self.trading = FuturesTrading(self.rest, log=store.log, publish_dms=self.publish_dms)
        for s in self.symbols:
            store.market(s)

    def __repr__(self) -> str:  # never print credentials, even in a traceback
        return f"FuturesFeed({self.url!r})"

    @property
    def has_credentials(self) -> bool:
        return self.rest.has_credentials

    # --- lifecycle --------------------------------------------------------------------------------
    async def run(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.conn = self.connection(
            CONN,
            self.url,
            session,
            self.settings.feed,
            self._connected,
            self._disconnected,
            prepare=self._load_instruments,
            app_ping=False,
        )
        await self.conn.run()

    def stop(self) -> None:
        self.trading.stop()

    def _rec(self, direction: str, text: str) -> None:
        if self.record is not None:
            self.record(CONN, direction, text)

    async def _load_instruments(self) -> None:
        """Tick sizes and size precision come from REST: the book snapshot carries no precision."""
        if all(s in self.store.instruments for s in self.symbols):
            return
        assert self.session is not None
        timeout = aiohttp.ClientTimeout(total=self.settings.feed.request_timeout * 2)
        async with self.session.get(f"{self.rest_url}/api/v3/instruments", timeout=timeout) as resp:
            text = await resp.text()
        self._rec("in", text)  # a replay needs the precisions too
        try:
            body = fx.decode(text)
        except fx.FrameError as exc:  # e.g. an HTML error page from a proxy: retry with backoff
            raise aiohttp.ClientError(f"futures instruments: {exc}") from None
        if body.get("result") != "success":
            raise aiohttp.ClientError(f"futures instruments: {body.get('error')}")
        self._instruments(instruments_event(body))
        self.store.flush()

    def _instruments(self, event: InstrumentsUpdate) -> None:
        """Only the products we follow; a product the exchange does not list is dropped, loudly."""
        ours = tuple(i for i in event.instruments if i.symbol in self.symbols)
        self.store.apply(InstrumentsUpdate(ours), 0.0, CONN)
        missing = [s for s in self.symbols if s not in self.store.instruments]
        if missing:
            self.store.log("warning", f"futures: unknown products {', '.join(missing)}")
            self.symbols = [s for s in self.symbols if s not in missing]

    async def _send(self, text: str) -> None:
        if self.conn is None:
            return
        with contextlib.suppress(ConnectionError, aiohttp.ClientError, RuntimeError):
            await self.conn.send(text)

    async def _connected(self, conn: Connection) -> None:
        self.store.integrity.reset(self.symbols)
        await self._send(fx.subscribe("heartbeat"))
        if self.symbols:
            for feed in ("book", "ticker", "trade"):
                await self._send(fx.subscribe(feed, self.symbols))
            by_interval: dict[int, list[str]] = {}
            for s in self.symbols:
                by_interval.setdefault(self._interval(s), []).append(s)
            for interval, syms in by_interval.items():
                await self._send(fx.subscribe(f"candles_trade_{FUTURES_CANDLE_FEEDS[interval]}", syms))
        if self.has_credentials:
            await self._authenticate()

    async def _authenticate(self) -> None:
        assert self._api_key and self._api_secret
        self.auth = None
        self._challenge = asyncio.get_running_loop().create_future()
        await self._send(fx.request_challenge(self._api_key))
        try:
            challenge = await asyncio.wait_for(self._challenge, CHALLENGE_TIMEOUT)
        except TimeoutError:
            self._auth_error("futures: no challenge from the server")
            return
        try:
            signed = sign_futures_challenge(challenge, self._api_secret)
        except (ValueError, TypeError):
            self._auth_error("futures: the API secret is not valid base64")
            return
        self.auth = fx.SignedChallenge(self._api_key, challenge, signed)
        for feed in fx.PRIVATE_FEEDS:
            await self._send(fx.subscribe(feed, auth=self.auth))

    def _auth_error(self, text: str) -> None:
        self.store.account.auth_error = text
        self.store.mark("account", "auth")

    def _disconnected(self, conn: Connection) -> None:
        self.store.integrity.reset(self.symbols)
        self.auth = None
        self.store.account.futures_authenticated = False
        self.store.mark("health", "conn")
        self.store.flush()

    def _interval(self, symbol: str) -> int:
        interval = self.store.market(symbol).ohlc_interval
        return interval if interval in FUTURES_CANDLE_FEEDS else 1

    def set_ohlc_interval(self, symbol: str, interval: int) -> bool:
        """Swap one product's candle feed; False if futures have no such interval."""
        if interval not in FUTURES_CANDLE_FEEDS:
            return False
        mk = self.store.market(symbol)
        old = self._interval(symbol)
        mk.ohlc_interval = interval
        self.store.mark(symbol, "candles")
        if self.conn is not None and self.conn.is_open and old != interval:

            async def swap() -> None:
                await self._send(fx.unsubscribe(f"candles_trade_{FUTURES_CANDLE_FEEDS[old]}", [symbol]))
                await self._send(fx.subscribe(f"candles_trade_{FUTURES_CANDLE_FEEDS[interval]}", [symbol]))

            asyncio.get_running_loop().create_task(swap())
        return True

    def resync(self, symbol: str) -> None:
        """Resubscribe one product's book: unsubscribe, then subscribe (a repeat subscribe is refused)."""
        if self.conn is None or not self.conn.is_open or symbol not in self.symbols:
            return

        async def go() -> None:
            await self._send(fx.unsubscribe("book", [symbol]))
            await self._send(fx.subscribe("book", [symbol]))

        asyncio.get_running_loop().create_task(go())

    # --- frames -------------------------------------------------------------------------------------
    def ingest(self, text: str, now: float | None = None) -> None:
        """Apply a recorded frame as if it had arrived (recordings, snapshot tests)."""
        self.frame(CONN, text, time.monotonic() if now is None else now)

    def _decode(self, text: str) -> list[Any]:
        events = decode_events(text)
        # a replayed /instruments answer: only the products we follow, as when it came over REST
        return [
            InstrumentsUpdate(tuple(i for i in e.instruments if i.symbol in self.symbols))
            if isinstance(e, InstrumentsUpdate)
            else e
            for e in events
        ]

    def _control(self, event: Any, conn: str) -> None:
        if isinstance(event, Challenge):
            if self._challenge is not None and not self._challenge.done():
                self._challenge.set_result(event.message)

    def act(self, outcome: Outcome, conn: str) -> None:
        if isinstance(outcome, ResyncBook):
            self.resync(outcome.symbol)
        elif isinstance(outcome, OrdersSeen):
            self.trading.on_orders_seen(outcome)
