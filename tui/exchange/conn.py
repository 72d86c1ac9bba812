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

__all__ = ["GARBAGE", "Conn", "Traffic"]

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

    def __init__(self, ws: web.WebSocketResponse, kind: str, faults: FaultConfig, traffic: Traffic) -> None:
        self.ws = ws
        self.kind = kind
        self.faults = faults
        self.traffic = traffic
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
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
                self.queue.put_nowait(f.rng.choice(GARBAGE))
            if f.chance(f.drop_frames):
                return
            self.queue.put_nowait(text)
            if f.chance(f.duplicate_frames):
                self.queue.put_nowait(text)
        else:
            self.queue.put_nowait(text)

    async def writer(self) -> None:
        f = self.faults
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            if f.delay_ms > 0:
                await asyncio.sleep(f.delay_ms / 1000)
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
            with contextlib.suppress(Exception):
                await self.ws.close()
