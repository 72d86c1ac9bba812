"""The shape every venue's session shares: frame -> decode -> store.apply -> act on the outcomes.

Replies to the session's own requests (pongs, trading-method answers, the futures challenge) are
correlated here, in the transport layer; everything else is state and goes to the store, whose
answers (resync this book, drop that token, these orders exist) the venue's session acts on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from tui.config import FeedSettings
from tui.feed.connection import Connection
from tui.kraken.events import Challenge, MethodResponse, Pong
from tui.store import Outcome, Store

__all__ = ["REFUSED", "FrameSession", "Recorder"]

log = logging.getLogger("tui.feed")

Recorder = Callable[[str, str, str], None]  # (connection, "in" | "out", text)
CONTROL = (Pong, MethodResponse, Challenge)
# What a frame that decoded can still make the book or the store refuse (a negative price, more
# decimals than the pair has): the frame is dropped. Any other exception there is our own bug.
REFUSED = (ValueError, ArithmeticError)


class FrameSession:
    def __init__(self, store: Store, record: Recorder | None) -> None:
        self.store = store
        self.record = record

    def connection(
        self,
        name: str,
        url: str,
        session: aiohttp.ClientSession,
        settings: FeedSettings,
        connected: Callable[[Connection], Awaitable[None]],
        disconnected: Callable[[Connection], None],
        *,
        prepare: Callable[[], Awaitable[None]] | None = None,
        app_ping: bool = True,
    ) -> Connection:
        """A socket of this session: its frames come here, what it sends is recorded."""
        conn = Connection(
            name,
            url,
            session,
            self.store.health.conn(name),
            lambda c, text, now: self.frame(c.name, text, now, time.time()),
            connected,
            disconnected,
            stale_after=settings.connection_stale_after,
            ping_interval=settings.ping_interval,
            min_delay=settings.reconnect_min_delay,
            max_delay=settings.reconnect_max_delay,
            on_problem=self.store.log,
            prepare=prepare,
            app_ping=app_ping,
        )
        record = self.record
        if record is not None:
            conn.sent = lambda text: record(name, "out", text)
        return conn

    def publish_dms(self, armed: bool, trigger_at: float | None) -> None:
        """Either venue's dead-man's switch: the status bar shows one countdown."""
        acct = self.store.account
        acct.dms_armed, acct.dms_trigger_at = armed, trigger_at
        self.store.mark("account", "dms")

    def _decode(self, text: str) -> list[Any]:
        raise NotImplementedError

    def _control(self, event: Any, conn: str) -> None:
        raise NotImplementedError

    def act(self, outcome: Outcome, conn: str) -> None:
        raise NotImplementedError

    def frame(self, conn: str, text: str, now: float, wall: float | None = None) -> None:
        """One received frame, end to end. Hostile input is counted, logged and dropped; an
        exception that is not about the input is our bug and propagates (the connection restarts
        with backoff and counts it). ``wall``: receive time of a live frame (lag is measured)."""
        if self.record is not None:
            self.record(conn, "in", text)
        store = self.store
        try:
            events = self._decode(text)
        except Exception as exc:  # whatever hostile text makes decoding raise
            self._malformed(conn, exc, text)
        else:
            try:
                for event in events:
                    if isinstance(event, CONTROL):
                        self._control(event, conn)
                        continue
                    if wall is not None:
                        store.lag.observe(event, conn, wall)
                    for outcome in store.apply(event, now, conn):
                        self.act(outcome, conn)
            except REFUSED as exc:
                self._malformed(conn, exc, text)
        store.flush()

    def _malformed(self, conn: str, exc: BaseException, text: str) -> None:
        health = self.store.health.conn(conn)
        health.malformed += 1
        health.last_malformed = f"{type(exc).__name__}: {str(exc)[:120]}"
        log.warning("%s: malformed frame dropped (%s): %.200s", conn, health.last_malformed, text)
        self.store.mark("health", "malformed")
