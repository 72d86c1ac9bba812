"""One client socket: a send queue drained by a writer task, with the configured faults applied.

It is handed the fault settings and a shared frame counter, never the exchange: a connection
knows how to deliver frames, not what they mean.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tui.exchange.faults import FaultConfig
from tui.kraken.jsontext import dumps

__all__ = ["DEFAULT_SEND_QUEUE_BYTES", "GARBAGE", "SLOW_CONSUMER", "Conn", "Traffic"]

# What a socket may have waiting to be written before it is dropped as a slow consumer: many
# depth-1000 book snapshots, far more than a client that reads ever has in flight.
DEFAULT_SEND_QUEUE_BYTES = 4 << 20
SLOW_CONSUMER = 1008  # WebSocket close code "policy violation"

# What the ``malformed`` fault sends: cut JSON, wrong types, an unknown channel, not an object.
GARBAGE = (
    '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":',
    '{"channel":"ticker","type":"update","data":"not-a-list"}',
    '{"channel":"futures_magic","type":"update","data":[]}',
    "[1,2,3]",
)


@dataclass
class Traffic:
    """Frames written to every socket together (benchmarks and tests read it)."""

    frames_sent: int = 0


class Conn:
    """One client socket: a send queue drained by a writer task, with faults applied on the way."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        kind: str,
        faults: FaultConfig,
        traffic: Traffic,
        *,
        queue_limit: int = DEFAULT_SEND_QUEUE_BYTES,
        transport: asyncio.Transport | None = None,
    ) -> None:
        self.ws = ws
        self.transport = transport  # to cut a peer that takes no close frame
        self.kind = kind
        self.faults = faults
        self.traffic = traffic
        # (due time, text): a frame leaves no earlier than its due time (the ``delay`` fault)
        self.queue: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()
        self.queue_limit = queue_limit
        self.queued_bytes = 0  # characters waiting in ``queue`` (JSON text: bytes, near enough)
        self.peak_queued_bytes = 0
        self.close_code: int | None = None  # why the exchange closed it, if it did
        self.close_reason = ""
        self._kicking: asyncio.Task[None] | None = None
        self.frames = 0
        self.user: str | None = None
        self.subs: set[tuple[Any, ...]] = set()
        self.seq: dict[str, int] = {}
        self.last_rx = time.monotonic()
        self.last_tx = 0.0
        self.closed = False
        self.next_drop = self._next_disconnect()

    def drop_due(self, now: float) -> bool:
        """Forced-disconnect fault: follows run-time changes of ``disconnect_every``."""
        if self.faults.disconnect_every <= 0:
            self.next_drop = float("inf")
            return False
        if self.next_drop == float("inf"):
            self.next_drop = self._next_disconnect()
        return now >= self.next_drop

    def _next_disconnect(self) -> float:
        f = self.faults
        if f.disconnect_every > 0:
            # uniform around the mean, not exponential: "every N seconds" must not leave a socket
            # untouched for 3N now and then (a hardening run, or a test, would then prove nothing)
            return time.monotonic() + f.rng.uniform(0.5, 1.5) * f.disconnect_every
        return float("inf")

    def send(self, frame: dict[str, Any] | str, *, data: bool = False) -> None:
        if self.closed:
            return
        text = frame if isinstance(frame, str) else dumps(frame)
        f = self.faults
        if data:
            if f.chance(f.malformed):
                self._put(f.rng.choice(GARBAGE))
            if f.chance(f.drop_frames):
                return
            self._put(text)
            if f.chance(f.duplicate_frames):
                self._put(text)
        else:
            self._put(text)

    def _put(self, text: str) -> None:
        """Queue a frame, or drop the connection when the client has stopped reading."""
        if self.closed:
            return
        if self.queued_bytes + len(text) > self.queue_limit:
            self.kick(SLOW_CONSUMER, f"slow consumer: more than {self.queue_limit} bytes waiting")
            return
        self.queued_bytes += len(text)
        self.peak_queued_bytes = max(self.peak_queued_bytes, self.queued_bytes)
        # each frame is late by the delay from when it was queued: in parallel, order kept
        self.queue.put_nowait((time.monotonic() + self.faults.delay_ms / 1000, text))

    def kick(self, code: int, reason: str) -> None:
        """Drop the connection as a venue does: free what waits, close with a code and reason."""
        if self.closed:
            return
        self.close_code, self.close_reason = code, reason
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queued_bytes = 0
        self.queue.put_nowait(None)
        self._kicking = asyncio.get_running_loop().create_task(self._close_ws(code, reason))

    async def _close_ws(self, code: int = 1000, reason: str = "") -> None:
        """Close with a close frame; a client that does not read cannot take that either, so
        after a second a socket with unsent bytes is cut (a plain transport close would wait for
        them to drain, which never happens; cancelling the close does not stop that wait)."""
        closing = asyncio.ensure_future(self.ws.close(code=code, message=reason.encode()))
        await asyncio.wait({closing}, timeout=1.0)
        t = self.transport
        if t is not None and (not closing.done() or t.get_write_buffer_size()):
            t.abort()
        with contextlib.suppress(Exception):
            await closing

    async def writer(self) -> None:
        f = self.faults
        while True:
            item = await self.queue.get()
            if item is None or self.ws.closed:
                return
            due, text = item
            self.queued_bytes -= len(text)
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return
            self.frames += 1
            self.last_tx = time.monotonic()
            self.traffic.frames_sent += 1
            if (f.drop_after and self.frames >= f.drop_after) or self.drop_due(time.monotonic()):
                await self.close()
                return

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)
            await self._close_ws()
