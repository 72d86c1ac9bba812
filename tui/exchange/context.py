"""What a venue gateway is given: the engine, the listed instruments, faults, sockets, publishing.

The gateways (spot v2, futures v1) get this and nothing else, never the whole server, so none of
them can reach into another or back into the composition root.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from tui.exchange.config import ExchangeConfig
from tui.exchange.conn import Conn, Traffic
from tui.exchange.credentials import Credentials
from tui.exchange.engine import Engine
from tui.exchange.events import Event
from tui.exchange.faults import FaultConfig
from tui.kraken.instrument import Instrument

__all__ = ["ExchangeContext", "Router"]

# A venue's publisher: takes the engine's events, sends what is its own, returns the rest.
Router = Callable[[list[Event]], list[Event]]


@dataclass(eq=False)
class ExchangeContext:
    config: ExchangeConfig
    engine: Engine
    pairs: dict[str, Instrument]  # spot
    futures_pairs: dict[str, Instrument]
    faults: FaultConfig
    credentials: Credentials
    traffic: Traffic = field(default_factory=Traffic)
    conns: set[Conn] = field(default_factory=set)
    routers: list[Router] = field(default_factory=list)

    def publish(self) -> None:
        """Drain the engine's events through every venue's publisher, futures first."""
        events = self.engine.drain_events()
        if not events:
            return
        for route in self.routers:
            events = route(events)

    def open_conn(
        self, ws: web.WebSocketResponse, kind: str, transport: asyncio.Transport | None = None
    ) -> Conn:
        conn = Conn(
            ws, kind, self.faults, self.traffic, queue_limit=self.config.send_queue_bytes, transport=transport
        )
        self.conns.add(conn)
        return conn

    def refusing(self) -> bool:
        """The ``refuse_for`` fault: new connections get HTTP 503 until then."""
        return time.time() < self.faults.refuse_until
