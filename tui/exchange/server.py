"""The embedded Kraken exchange: the composition root that builds the venues and serves them.

Paths follow the project convention (protocol reference, top): ``/v2`` public, ``/auth/v2``
private and trading, ``/l3/v2`` level3, REST under ``/0/``; Kraken Futures at ``/ws/v1`` and
REST v3 under ``/derivatives/api/v3/``. Frames, field names, number formatting and error strings
follow the reference, so a third-party v2 client works unchanged. The venues get an
``ExchangeContext``; only this module knows them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from tui.exchange.clock import run_clock, run_market
from tui.exchange.config import DEMO_KEY, DEMO_SECRET, ExchangeConfig
from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.exchange.control import FaultControl
from tui.exchange.credentials import Credentials
from tui.exchange.engine import Engine
from tui.exchange.external_publish import ExternalSpotPublisher
from tui.exchange.futures.gateway import FuturesGateway
from tui.exchange.market import SyntheticMarket
from tui.exchange.pairs import FUTURES_PRODUCTS, START_PRICES
from tui.exchange.sources import ExternalSource
from tui.exchange.spot.publish import SpotPublisher
from tui.exchange.spot.rest import SpotRest
from tui.exchange.spot.ws import SpotGateway
from tui.exchange.stats import MarketStats
from tui.exchange.universe import WIDE, listed_pairs, long_tail, start_prices
from tui.kraken.instrument import Instrument

__all__ = ["DEMO_KEY", "DEMO_SECRET", "ExchangeConfig", "RunningExchange", "start_exchange"]


class RunningExchange:
    """The started exchange: URLs, demo credentials, the engine, faults, and ``stop()``."""

    def __init__(self, config: ExchangeConfig) -> None:
        self.config = config
        self.faults = config.faults
        # the default demo's pairs, any of Kraken's recorded ones, or all of them (``all_pairs``)
        self.pairs: dict[str, Instrument] = listed_pairs(config.symbols, config.all_pairs)
        self.wide = len(self.pairs) > WIDE  # long-tail activity, candle series made on demand
        self.starts = start_prices(self.pairs, config.seed)
        self.futures_pairs: dict[str, Instrument] = {s: FUTURES_PRODUCTS[s] for s in config.futures_symbols}
        self.engine = Engine(
            self.pairs,
            seed=config.seed,
            rate_limits=config.rate_limits,
            maker_fee=config.maker_fee,
            taker_fee=config.taker_fee,
            futures=self.futures_pairs,
        )
        self.credentials = Credentials(config.token_ttl)
        self.ctx = ExchangeContext(
            config, self.engine, self.pairs, self.futures_pairs, self.faults, self.credentials
        )
        # PAPER / REPLAY: the mirror or the recording, its state (listeners) and replay controls
        self.source: ExternalSource | None = None
        self.spot_publisher = SpotPublisher(self.ctx)
        if config.source in ("mirror", "replay"):
            external = ExternalSpotPublisher(self.ctx)
            self.spot_publisher, self.source = external, ExternalSource(self.ctx, external)
        self.spot = SpotGateway(self.ctx, self.spot_publisher)
        self.spot_rest = SpotRest(self.ctx)
        self.futures = FuturesGateway(self.ctx) if self.futures_pairs else None
        if self.futures is not None:
            self.ctx.routers.append(self.futures.route)
        self.ctx.routers.append(self.spot_publisher.route)
        # what ``/_control/faults`` requires in its X-Control-Token header
        self.control_token = config.control_token or secrets.token_urlsafe(24)
        self.market: SyntheticMarket | None = None
        self.futures_market: SyntheticMarket | None = None
        self.host = config.host
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.add_user(config.api_key, config.api_secret, "demo", config.balances, config.futures_collateral)

    # --- setup ------------------------------------------------------------------------------------
    def add_user(
        self,
        api_key: str,
        api_secret: str,
        user: str,
        balances: dict[str, Decimal],
        futures_collateral: Decimal = Decimal(0),
    ) -> None:
        self.credentials.add(api_key, api_secret, user)
        self.engine.open_account(user, balances)
        self.engine.open_futures_account(user, futures_collateral)

    # --- what tests, benchmarks and the cli read --------------------------------------------------
    @property
    def conns(self) -> set[Conn]:
        return self.ctx.conns

    @property
    def frames_sent(self) -> int:
        return self.ctx.traffic.frames_sent

    @property
    def stats(self) -> dict[str, MarketStats]:
        return self.spot_publisher.stats

    @property
    def requests_received(self) -> list[dict[str, Any]]:
        """Private requests, newest last (the last ``REQUESTS_KEPT`` at most), tokens removed."""
        return self.spot.requests_received

    def publish(self) -> None:
        self.ctx.publish()

    @property
    def url_public(self) -> str:
        return f"ws://{self.host}:{self.port}/v2"

    @property
    def url_private(self) -> str:
        return f"ws://{self.host}:{self.port}/auth/v2"

    @property
    def url_l3(self) -> str:
        return f"ws://{self.host}:{self.port}/l3/v2"

    @property
    def url_rest(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url_futures(self) -> str:
        return f"ws://{self.host}:{self.port}/ws/v1"

    @property
    def url_futures_rest(self) -> str:
        return f"http://{self.host}:{self.port}/derivatives"

    @property
    def api_key(self) -> str:
        return self.config.api_key

    @property
    def api_secret(self) -> str:
        return self.config.api_secret

    def banner(self) -> str:
        return "\n".join(
            [
                f"public: {self.url_public}",
                f"private: {self.url_private}",
                f"level3: {self.url_l3}",
                f"rest: {self.url_rest}",
                f"api key: {self.api_key}",
                f"api secret: {self.api_secret}",
            ]
            + (
                [f"futures: {self.url_futures}", f"futures rest: {self.url_futures_rest}"]
                if self.futures is not None
                else []
            )
        )

    # --- life cycle -------------------------------------------------------------------------------
    def _app(self) -> web.Application:
        app = web.Application()
        self.spot.add_routes(app)
        self.spot_rest.add_routes(app)
        FaultControl(self.faults, self.control_token, allow_remote=self.config.control_remote).add_routes(app)
        if self.futures is not None:
            self.futures.add_routes(app)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._seed_history()
        self._start_markets()

    def _seed_history(self) -> None:
        now = time.time()
        for s, st in self.stats.items() if self.source is None else ():  # no made-up past
            seed = st.seed_lazily if self.wide else st.seed_history
            seed(now, self.pairs[s].round_price(self.starts[s], up=False), self.config.seed)
        if self.futures is not None:
            self.futures.seed(now, self.config.seed)

    def _start_markets(self) -> None:
        source = self.config.source
        if source != "none" and self.futures_pairs:
            # futures books always run on synthetic participants (own seed: spot runs unchanged)
            self.futures_market = SyntheticMarket(
                self.engine, list(self.futures_pairs), START_PRICES, self.config.seed + 1
            )
            self.engine.drain_events()
        if source == "synthetic":
            activity = long_tail(self.pairs, self.config.seed) if self.wide else None
            self.market = SyntheticMarket(
                self.engine, list(self.pairs), self.starts, self.config.seed, activity=activity
            )
            self.engine.drain_events()
        if self.source is not None:
            self._tasks.append(asyncio.create_task(self.source.run()))
        if self.market is not None or self.futures_market is not None:
            self._tasks.append(asyncio.create_task(run_market(self.ctx, self.market, self.futures_market)))
        ticks: list[Callable[[bool], None]] = [self.spot_publisher.on_clock]
        if self.futures is not None:
            ticks.append(self.futures.on_clock)
        self._tasks.append(asyncio.create_task(run_clock(self.ctx, ticks)))

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        for c in list(self.conns):
            await c.close()
        if self._runner is not None:
            await self._runner.cleanup()


async def start_exchange(config: ExchangeConfig | None = None) -> RunningExchange:
    ex = RunningExchange(config or ExchangeConfig())
    await ex.start()
    return ex
