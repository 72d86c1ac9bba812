"""One self-healing WebSocket: connect, read, watch, ping, reconnect with jittered backoff.

It never gives up (a trader's terminal must heal after a laptop sleep, and an exception from our
own frame handling restarts the session with backoff instead of ending it), but a budget caps the
attempts per ten minutes well under Cloudflare's ban threshold (~150 per 10 min per IP). The
reader hands each frame to a synchronous callback and never awaits a consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp

from tui.kraken.reach import retry_plan, unreachable_reason
from tui.store import ConnectionHealth

__all__ = ["AuthFailure", "Connection"]

log = logging.getLogger("tui.feed")

ATTEMPTS_PER_10_MIN = 100


class AuthFailure(Exception):
    """Credentials were refused: retrying fast would not help, so the backoff goes long."""


class Connection:
    def __init__(
        self,
        name: str,
        url: str,
        session: aiohttp.ClientSession,
        health: ConnectionHealth,
        on_frame: Callable[[Connection, str, float], None],
        on_connected: Callable[[Connection], Awaitable[None]],
        on_disconnected: Callable[[Connection], None],
        *,
        stale_after: float = 10.0,
        ping_interval: float = 15.0,
        min_delay: float = 0.5,
        max_delay: float = 30.0,
        prepare: Callable[[], Awaitable[None]] | None = None,
        app_ping: bool = True,
        on_problem: Callable[[str, str], None] | None = None,
    ) -> None:
        self.name = name
        self.url = url
        self.session = session
        self.health = health
        health.url = url
        self.on_frame = on_frame
        self.on_connected = on_connected
        self.on_disconnected = on_disconnected
        self.prepare = prepare
        # (level, text) for the Activity log: a failure when its reason changes, and the recovery
        self.on_problem = on_problem
        self._problem: str | None = None
        # v2 has an application ping that measures RTT; futures v1 has none, so a WebSocket
        # ping frame keeps the socket alive there (the heartbeat feed keeps frames flowing).
        self.app_ping = app_ping
        self.stale_after = stale_after
        self.ping_interval = ping_interval
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._attempts: deque[float] = deque()
        self._ping_sent: dict[int, float] = {}
        self._ping_id = 1_000_000
        self.connected = asyncio.Event()
        self.generation = 0  # bumps on every successful connect
        self.sent: Callable[[str], None] | None = None  # recorder hook

    @property
    def is_open(self) -> bool:
        return self.ws is not None and not self.ws.closed

    async def send(self, text: str) -> None:
        if self.ws is None or self.ws.closed:
            raise ConnectionError(f"{self.name} socket is not connected")
        if self.sent is not None:
            self.sent(text)
        await self.ws.send_str(text)

    def pong(self, req_id: int | None) -> bool:
        """Called by the frame handler for a pong; True if it was our RTT ping."""
        if req_id is None or req_id not in self._ping_sent:
            return False
        self.health.rtt_ms = (time.monotonic() - self._ping_sent.pop(req_id)) * 1000
        return True

    async def run(self) -> None:
        delay = self.min_delay
        while True:
            await self._respect_budget()
            self.health.state = "connecting" if self.generation == 0 else "reconnecting"
            try:
                if self.prepare is not None:
                    await self.prepare()
                self.ws = await self.session.ws_connect(self.url, autoping=True, max_msg_size=16 << 20)
            except AuthFailure as exc:
                self.health.state = "auth-error"
                self.health.error = str(exc)
                log.warning("%s: auth-error: %s", self.name, exc)
                await asyncio.sleep(max(self.max_delay, 30.0))
                continue
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                wait = self._jitter(delay)
                self._unreachable(exc, wait)
                await asyncio.sleep(wait)
                delay = min(delay * 2, self.max_delay)
                continue
            except Exception as exc:  # our bug in prepare (token, instruments): try again later
                self._internal_error(exc)
                await asyncio.sleep(self._jitter(delay))
                delay = min(delay * 2, self.max_delay)
                continue
            self.generation += 1
            if self.generation > 1:
                self.health.reconnects += 1
            self.health.state = "connected"
            log.info("%s: connected to %s (connection %d)", self.name, self.url, self.generation)
            self.health.error = None
            self._failures = 0
            if self._problem is not None:
                self._problem = None
                self._report("info", f"{self.name}: connected to {urlsplit(self.url).hostname}")
            self.health.last_frame_at = time.monotonic()
            started = time.monotonic()
            crashed = False
            try:
                await self._session_loop()
            except Exception as exc:  # our own bug: restart this session, never end it
                crashed = True
                self._internal_error(exc)
            finally:
                self.connected.clear()
                ws, self.ws = self.ws, None
                if ws is not None:
                    with contextlib.suppress(Exception):
                        await ws.close()
                self.on_disconnected(self)
                if self.health.state == "connected":
                    self.health.state = "reconnecting"
                log.info("%s: disconnected (%s)", self.name, self.health.error or "closed")
            # a connection that lived a while resets the backoff: the next drop is a fresh incident
            # (a crash always backs off: a bug that fires on every frame must not spin)
            lived = time.monotonic() - started > 10 and not crashed
            delay = self.min_delay if lived else min(delay * 2, self.max_delay)
            await asyncio.sleep(self._jitter(delay))

    _failures = 0

    def _unreachable(self, exc: BaseException, wait: float) -> None:
        """``cannot reach ws.kraken.com (DNS) — retry 4 in 16 s``: on the bar, in the log, and in
        the Activity log when the reason changes (not once per retry)."""
        self._failures += 1
        reason = unreachable_reason(exc, self.url)
        self.health.error = f"{reason} — {retry_plan(self._failures + 1, wait)}"
        # the first failure of a kind is a warning, its retries are routine (the log file has them)
        log.log(
            logging.INFO if reason == self._problem else logging.WARNING,
            "%s: %s",
            self.name,
            self.health.error,
        )
        log.debug("%s: %s: %s", self.name, type(exc).__name__, exc)
        if reason != self._problem:
            self._problem = reason
            self._report("warning", f"{self.name}: {self.health.error}")

    def _report(self, level: str, text: str) -> None:
        if self.on_problem is not None:
            self.on_problem(level, text)

    def _internal_error(self, exc: Exception) -> None:
        self.health.internal_errors += 1
        self.health.error = f"internal error: {type(exc).__name__}: {exc}"[:200]
        log.error("%s: internal error, restarting the session: %s: %s", self.name, type(exc).__name__, exc)

    def _jitter(self, delay: float) -> float:
        return delay * random.uniform(0.5, 1.0)

    async def _respect_budget(self) -> None:
        now = time.monotonic()
        while self._attempts and self._attempts[0] < now - 600:
            self._attempts.popleft()
        if len(self._attempts) >= ATTEMPTS_PER_10_MIN:
            await asyncio.sleep(self._attempts[0] + 600 - now)
        self._attempts.append(time.monotonic())

    async def _session_loop(self) -> None:
        assert self.ws is not None
        ws = self.ws
        watchdog = asyncio.create_task(self._watch(ws))
        try:
            connected: asyncio.Future[None] = asyncio.ensure_future(self.on_connected(self))
            self.connected.set()
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    now = time.monotonic()
                    self.health.on_frame(now)
                    self.on_frame(self, msg.data, now)
                elif msg.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSED):
                    break
            if not connected.done():
                connected.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await connected
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def _watch(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Staleness watchdog and RTT pings. No frame for ``stale_after`` seconds: reconnect."""
        last_ping = time.monotonic() - self.ping_interval  # measure RTT right away
        first = True
        while not ws.closed:
            if not first:
                await asyncio.sleep(min(1.0, self.stale_after / 4, self.ping_interval))
            first = False
            now = time.monotonic()
            if now - self.health.last_frame_at > self.stale_after:
                self.health.error = f"no frame for {self.stale_after:.0f}s"
                log.warning("%s: stale, reconnecting", self.name)
                await ws.close()
                return
            if now - last_ping >= self.ping_interval:
                last_ping = now
                if not self.app_ping:
                    with contextlib.suppress(Exception):
                        await ws.ping()
                    continue
                self._ping_id += 1
                self._ping_sent = {k: v for k, v in self._ping_sent.items() if now - v < 60}
                self._ping_sent[self._ping_id] = now
                with contextlib.suppress(Exception):
                    await ws.send_str(f'{{"method":"ping","req_id":{self._ping_id}}}')
