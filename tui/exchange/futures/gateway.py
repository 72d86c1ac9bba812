"""The futures venue put together: shared state, the WebSocket, the publisher and REST."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from tui.exchange.context import ExchangeContext
from tui.exchange.events import Event
from tui.exchange.futures.publish import FuturesPublisher
from tui.exchange.futures.rest import FuturesRest
from tui.exchange.futures.state import FuturesVenue
from tui.exchange.futures.ws import FuturesWs
from tui.exchange.pairs import START_PRICES

__all__ = ["FuturesGateway"]


class FuturesGateway:
    def __init__(self, ctx: ExchangeContext) -> None:
        self.venue = FuturesVenue(ctx)
        self.products = self.venue.products
        self.stats = self.venue.stats
        self.ws = FuturesWs(self.venue)
        self.publisher = FuturesPublisher(self.venue)
        self.rest = FuturesRest(self.venue)

    @property
    def new_challenge(self) -> Callable[[], str]:
        """Makes the challenge string of each ``challenge`` request (tests pin it to a vector)."""
        return self.venue.new_challenge

    @new_challenge.setter
    def new_challenge(self, make: Callable[[], str]) -> None:
        self.venue.new_challenge = make

    def seed(self, now: float, seed: int) -> None:
        for i, (s, st) in enumerate(self.stats.items()):
            # a history of its own, not a copy of the spot pair's seeded walk
            st.seed_history(
                now, self.products[s].round_price(START_PRICES[s], up=False), seed + 7919 * (i + 1)
            )

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/ws/v1", self.ws.serve)
        self.rest.add_routes(app)

    def route(self, events: list[Event]) -> list[Event]:
        return self.publisher.route(events)

    def on_clock(self, heartbeat: bool) -> None:
        self.publisher.on_clock(heartbeat)
