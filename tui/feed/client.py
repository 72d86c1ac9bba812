"""The Feed: one spot session and one futures session over one HTTP client, filling one store.

A small composition object for the App, the stream command and the benchmarks: it starts and
stops the sessions, routes intent by instrument (``venue_for``), replays recorded frames
(``ingest``) and runs the once-a-second integrity tick for every book. Frames never pass through
here: each session decodes, applies and acts on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

import aiohttp

from tui.config import Settings
from tui.feed.connection import Connection
from tui.feed.dms import DeadMansSwitch
from tui.feed.endpoints import Urls
from tui.feed.futures import FuturesFeed
from tui.feed.record import Recorder
from tui.feed.spot import SpotSession
from tui.feed.trading import Trading
from tui.feed.venue import OrderVenue
from tui.kraken.futures import is_futures
from tui.kraken.vocab import interval_label
from tui.store import Store

__all__ = ["DEEP_BOOK_REFRESH", "Feed", "Urls"]

DEEP_BOOK_REFRESH = 60.0
log = logging.getLogger("tui.feed")


class Feed:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        urls: Urls | None = None,
        record: Path | None = None,
        l3: bool = False,
    ) -> None:
        self.settings = settings
        self.store = store
        self.urls = urls or Urls(
            settings.ws_public_url,
            settings.ws_private_url,
            settings.ws_l3_url,
            settings.rest_url,
            settings.api_key.get_secret_value() if settings.api_key else None,
            settings.api_secret.get_secret_value() if settings.api_secret else None,
            settings.ws_futures_url,
            settings.futures_rest_url,
            settings.futures_api_key.get_secret_value() if settings.futures_api_key else None,
            settings.futures_api_secret.get_secret_value() if settings.futures_api_secret else None,
        )
        self.recorder = Recorder(record) if record else None
        store.recording = str(record) if record else None  # the REC mark on the top line
        rec = self._record if self.recorder is not None else None
        self.spot = SpotSession(settings, store, self.urls, record=rec, l3=l3)
        self.futures: FuturesFeed | None = None
        if self.urls.futures and self.urls.futures_rest and settings.futures_symbols:
            self.futures = FuturesFeed(
                settings,
                store,
                url=self.urls.futures,
                rest_url=self.urls.futures_rest,
                api_key=self.urls.futures_api_key,
                api_secret=self.urls.futures_api_secret,
                record=rec,
            )
        self.session: aiohttp.ClientSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # Seconds between fresh snapshots of spot books deeper than the checksummed 10 levels
        # (bounds how long a drifted deep level can be shown); ``feed.deep_book_refresh``.
        self.deep_refresh: float = getattr(settings.feed, "deep_book_refresh", DEEP_BOOK_REFRESH)

    # --- what the App and commands use ----------------------------------------------------------------
    @property
    def trading(self) -> Trading:
        """The spot venue (order entry over the private socket)."""
        return self.spot.trading

    @property
    def has_credentials(self) -> bool:
        return self.spot.has_credentials

    @property
    def public(self) -> Connection | None:
        return self.spot.public

    @property
    def private(self) -> Connection | None:
        return self.spot.private

    @property
    def token(self) -> str | None:
        return self.spot.token

    @property
    def symbols(self) -> list[str]:
        return self.spot.symbols

    def venue_for(self, symbol: str) -> OrderVenue | None:
        """The venue that trades ``symbol``: futures REST for futures products, else the spot socket."""
        if is_futures(symbol):
            return self.futures.trading if self.futures is not None else None
        return self.spot.trading

    def dead_mans_switches(self) -> list[DeadMansSwitch]:
        """Every venue's switch that can be armed with the credentials at hand (spot first)."""
        out = [self.spot.trading.dead_mans_switch] if self.has_credentials else []
        if self.futures is not None and self.futures.has_credentials:
            out.append(self.futures.trading.dead_mans_switch)
        return out

    def set_book_depth(self, symbol: str, depth: int) -> None:
        if not is_futures(symbol):  # futures books are full depth
            self.spot.set_book_depth(symbol, depth)

    def set_ohlc_interval(self, symbol: str, interval: int) -> None:
        if not is_futures(symbol):
            self.spot.set_ohlc_interval(symbol, interval)
        elif self.futures is not None and not self.futures.set_ohlc_interval(symbol, interval):
            self.store.log("warning", f"{symbol}: futures have no {interval_label(interval)} candles")

    def set_l3(self, symbol: str, enabled: bool) -> None:
        if not is_futures(symbol):  # futures have no level 3
            self.spot.set_l3(symbol, enabled)

    def watch(self, symbol: str) -> bool:
        """A spot pair joins the watchlist at run time (futures products come from the config)."""
        return not is_futures(symbol) and self.spot.watch(symbol)

    def unwatch(self, symbol: str) -> bool:
        return not is_futures(symbol) and self.spot.unwatch(symbol)

    def subscribe_tickers(self, symbols: list[str]) -> int:
        return self.spot.subscribe_tickers([s for s in symbols if not is_futures(s)])

    def ingest(self, conn_name: str, text: str, now: float | None = None) -> None:
        """Apply one recorded frame as if it had arrived on ``conn_name`` (recordings, snapshot tests)."""
        at = time.monotonic() if now is None else now
        if conn_name == "futures":
            if self.futures is not None:
                self.futures.frame(conn_name, text, at)
            return
        self.spot.frame(conn_name, text, at)

    # --- lifecycle --------------------------------------------------------------------------------
    async def run(self) -> None:
        self.session = aiohttp.ClientSession()
        try:
            self._tasks.append(asyncio.create_task(self.spot.run(self.session)))
            if self.futures is not None:
                self._tasks.append(asyncio.create_task(self.futures.run(self.session)))
            self._tasks.append(asyncio.create_task(self._watch()))
            await asyncio.gather(*self._tasks)
        finally:
            await self._close()

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await self._close()

    async def _close(self) -> None:
        self.spot.stop()
        if self.futures is not None:
            self.futures.stop()
        if self.recorder is not None:
            self.recorder.close()
        if self.session is not None and not self.session.closed:
            await self.session.close()

    def _record(self, conn: str, direction: str, text: str) -> None:
        if self.recorder is not None:
            self.recorder.write(conn, direction, text)

    async def _watch(self) -> None:
        """Once a second: stale books flagged, stuck resyncs asked again, frame rates updated."""
        after = self.settings.feed.symbol_stale_after
        futures = self.futures.symbols if self.futures is not None else []
        while True:
            await asyncio.sleep(1.0)
            try:
                self._tick(time.monotonic(), after, [*self.spot.symbols, *futures])
            except Exception as exc:  # a bug here must not end the feed: count it, tick again
                health = self.store.health.conn("public")
                health.internal_errors += 1
                health.error = f"internal error (tick): {type(exc).__name__}: {exc}"[:200]
                log.error("integrity tick failed: %s: %s", type(exc).__name__, exc)
            self.store.flush()

    def _tick(self, now: float, after: float, symbols: list[str]) -> None:
        for req in self.store.tick(now, after, symbols, self.deep_refresh):
            if is_futures(req.symbol):
                if self.futures is not None:
                    self.futures.act(req, "futures")
            else:
                self.spot.act(req, "public")
