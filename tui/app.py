"""The Textual application: owns the feed worker, the store, the refresh timer and user intent.

The socket reader runs as an App-level worker (workers die with the node that started them, and
the App outlives every screen). One timer ticks the visible screen at ``refresh_hz``; screens
ask the store what changed and repaint only that.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.config import Settings
from tui.feed.client import Feed, Urls
from tui.feed.futures_trading import FuturesTrading
from tui.feed.trading import Trading
from tui.feed.venue import Reply
from tui.gc_pacer import GcPacer
from tui.kraken.futures import is_futures
from tui.modes import mode_of, start_mode
from tui.screens.market import DEPTHS, GROUPS, INTERVALS, MarketScreen
from tui.store import Store

__all__ = ["KrakenApp", "run_app"]

log = logging.getLogger("tui.app")


class MarketCommands(Provider):
    """Context-aware palette entries: only what makes sense on the market screen right now."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        assert isinstance(app, KrakenApp)
        screen = app.market_screen
        if screen is None:
            return []
        out: list[tuple[str, str, Callable[[], Any]]] = []
        for s in app.store.markets:
            out.append((f"Symbol: {s}", f"Show {s}", partial(screen.select_symbol, s)))
        for d in DEPTHS:
            out.append(
                (f"Book depth: {d}", f"Subscribe {screen.symbol} at depth {d}", partial(screen.set_depth, d))
            )
        for i in INTERVALS:
            label = f"{i}m" if i < 60 else f"{i // 60}h" if i < 1440 else f"{i // 1440}d"
            out.append(
                (
                    f"Candle interval: {label}",
                    f"{screen.symbol} candles every {label}",
                    partial(screen.set_candle_interval, i),
                )
            )
        for g in GROUPS:
            out.append(
                (f"Group levels: ×{g}", f"Aggregate {g} ticks per row", partial(_set_group, screen, g))
            )
        for mode in ("DEMO", "PAPER", "LIVE"):
            if mode != app.store.mode:
                out.append((f"Mode: switch to {mode}", _MODE_HELP[mode], partial(app.switch_mode_to, mode)))
        out.append(("Book: toggle level 3 view", "Per-order queue at each level", screen.action_toggle_l3))
        out.append(
            ("Dead-man's switch: toggle", "cancel_all_orders_after kept armed", app.toggle_dead_mans_switch)
        )
        return out

    async def discover(self) -> Hits:
        for name, help_text, cb in self._commands():
            yield DiscoveryHit(name, cb, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, cb in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), cb, help=help_text)


_MODE_HELP = {
    "DEMO": "Embedded exchange with a synthetic market and a demo account",
    "PAPER": "Live Kraken public data mirrored locally; orders match against it with a paper account",
    "LIVE": "Real Kraken: public data, and trading if credentials are configured",
}


def _set_group(screen: MarketScreen, group: int) -> None:
    screen.group = group
    screen.refresh_from_store(force=True)


class KrakenApp(App[None]):
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    TITLE = "kraken-tui"
    COMMANDS = App.COMMANDS | {MarketCommands}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", tooltip="Quit kraken-tui", id="app.quit", show=False)]

    def __init__(
        self,
        settings: Settings,
        mode: str = "LIVE",
        *,
        urls: Urls | None = None,
        replay: Path | None = None,
        speed: float = 1.0,
        record: Path | None = None,
        start_feed: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.mode = mode
        self.replay = replay
        self.speed = speed
        self.record = record
        self.urls = urls
        self.start_feed = start_feed
        self.store = Store(mode)
        self.feed: Feed | None = None
        self.exchange: Any = None
        self.keymap_config = dict(settings.keymap)
        self._feed_worker: Worker[None] | None = None
        self.request_log: list[tuple[str, float, Reply]] = []
        self._modal_ticks = 0
        self.requests_in_flight = 0
        self.gc_pacer = GcPacer()
        for s in self.watch_symbols:
            self.store.market(s)

    # --- lifecycle ------------------------------------------------------------------------------
    @property
    def watch_symbols(self) -> list[str]:
        """Futures are live on Kraken or synthetic in DEMO; PAPER and REPLAY have spot only."""
        return self.settings.all_symbols if self.mode in ("LIVE", "DEMO") else list(self.settings.symbols)

    @property
    def has_credentials(self) -> bool:
        if self.urls is not None:
            return bool(self.urls.api_key and self.urls.api_secret)
        return self.mode != "LIVE" or self.settings.has_credentials

    @property
    def market_screen(self) -> MarketScreen | None:
        for s in reversed(self.screen_stack):
            if isinstance(s, MarketScreen):
                return s
        return None

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.keymap_config:
            self.set_keymap(self.keymap_config)
        self.push_screen(MarketScreen(self.store, self.settings.symbols[0]))
        if self.settings.permission_warning:
            self.notify(self.settings.permission_warning, severity="warning", timeout=15)
        if self.start_feed:
            self._start_feed()
        self.set_interval(1 / self.settings.refresh_hz, self._tick)
        self.gc_pacer.install()
        self.set_interval(1.0, self._pace_gc)

    def _pace_gc(self) -> None:
        busy = self.requests_in_flight > 0 or not isinstance(self.screen, MarketScreen)
        self.gc_pacer.tick(busy=busy)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.gc_pacer.touch()
        await super().on_event(event)

    def _start_feed(self) -> None:
        self._feed_worker = self.run_worker(self._run_feed(), name="feed", exit_on_error=False, group="feed")

    async def _run_feed(self) -> None:
        urls = self.urls
        if urls is None and self.mode != "LIVE":
            self.exchange, urls = await start_mode(
                self.settings, self.mode, replay=self.replay, speed=self.speed
            )
        if self.mode == "LIVE" and not self.settings.has_credentials:
            urls = urls or Urls(
                self.settings.ws_public_url,
                self.settings.ws_private_url,
                self.settings.ws_l3_url,
                self.settings.rest_url,
                futures=self.settings.ws_futures_url,
                futures_rest=self.settings.futures_rest_url,
            )
        self.feed = Feed(self.settings, self.store, urls=urls, record=self.record)
        await self.feed.run()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where worker failures become health state (never a crash)."""
        if event.worker.group == "feed" and event.state == WorkerState.ERROR:
            err = event.worker.error
            log.error("feed stopped: %r", err)
            self.store.health.conn("public").state = "disconnected"
            self.store.health.conn("public").error = f"feed stopped: {type(err).__name__}: {err}"
            self.store.mark("health", "feed")
            self.notify(f"Connection layer stopped: {err}", severity="error")

    async def on_unmount(self) -> None:
        self.gc_pacer.uninstall()
        await self._stop_feed()

    async def _stop_feed(self) -> None:
        if self.feed is not None:
            await self.feed.stop()
        if self._feed_worker is not None:
            self._feed_worker.cancel()
        if self.exchange is not None:
            with contextlib.suppress(Exception):
                await self.exchange.stop()
            self.exchange = None

    async def switch_mode_to(self, mode: str) -> None:
        await self._stop_feed()
        self.mode = mode
        self.urls = None
        self.store = Store(mode)
        for s in self.watch_symbols:
            self.store.market(s)
        screen = self.market_screen
        symbol = screen.symbol if screen else self.settings.symbols[0]
        await self.switch_screen(MarketScreen(self.store, symbol))
        self._start_feed()
        self.notify(f"Switched to {mode} mode", timeout=4)

    def _tick(self) -> None:
        screen = self.market_screen
        if screen is None or not screen.is_mounted:
            return
        if self.screen is not screen:
            # A translucent modal on top makes every repaint beneath a full-screen one: keep the
            # market moving behind it, at a calmer 2 Hz.
            self._modal_ticks += 1
            if self._modal_ticks % max(1, int(self.settings.refresh_hz / 2)):
                return
        # NoMatches: the screen is being composed or torn down; the next tick catches up
        with contextlib.suppress(NoMatches):
            screen.refresh_from_store()

    # --- user intent ---------------------------------------------------------------------------------
    def feed_call(self, fn: Callable[[Feed], None]) -> None:
        if self.feed is not None:
            fn(self.feed)

    def run_request(
        self,
        label: str,
        fn: Callable[[Any], Awaitable[Reply]],
        record_latency: bool = False,
        symbol: str | None = None,
    ) -> None:
        """Send one request in the background and report its outcome (notification + activity log).

        ``symbol`` picks the venue: futures products go to the futures REST gateway, which has
        the same method names as the spot socket's ``Trading``.
        """
        if self.feed is None:
            self.notify("Not connected yet: nothing was sent.", severity="error")
            return
        trading: Trading | FuturesTrading = self.feed.trading
        if symbol is not None and is_futures(symbol):
            if self.feed.futures is None:
                self.notify("Futures are not connected: nothing was sent.", severity="error")
                return
            trading = self.feed.futures.trading
        pressed = time.perf_counter()

        async def go() -> None:
            self.requests_in_flight += 1
            try:
                reply = await fn(trading)
            finally:
                self.requests_in_flight -= 1
            self.request_log.append((label, pressed, reply))
            if reply.ok:
                self.notify(f"{label}: {reply.outcome} in {reply.latency_ms:.1f} ms", timeout=4)
            else:
                self.notify(f"{label}: {reply.error}", severity="error", timeout=8)

        self.run_worker(go(), group="requests", exit_on_error=False)

    def toggle_dead_mans_switch(self) -> None:
        if self.feed is None or not self.has_credentials:
            self.notify("The dead-man's switch needs a private connection.", severity="warning")
            return
        dms = self.feed.trading.dead_mans_switch
        futures = self.feed.futures
        fdms = futures.trading.dead_mans_switch if futures is not None and futures.has_credentials else None
        if dms.armed:
            self.run_worker(dms.disable(), group="requests", exit_on_error=False)
            if fdms is not None and fdms.armed:
                self.run_worker(fdms.disable(), group="requests", exit_on_error=False)
            self.notify("Dead-man's switch disarmed")
        else:
            cfg = self.settings.dead_mans_switch
            dms.enable(cfg.timeout, cfg.refresh_every)
            if fdms is not None:
                fdms.enable(cfg.timeout, cfg.refresh_every)
            self.notify(
                f"Dead-man's switch armed: orders are cancelled {cfg.timeout}s after this app stops "
                f"refreshing it"
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)


def run_app(args: argparse.Namespace, settings: Settings) -> int:
    if args.symbols:
        settings = settings.model_copy(update={"symbols": args.symbols})
    if settings.log_file is not None:
        with contextlib.suppress(OSError):
            settings.log_file.parent.mkdir(parents=True, exist_ok=True)
            logging.basicConfig(
                filename=settings.log_file,
                level=logging.INFO,
                format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            )
    mode = mode_of(args)
    app = KrakenApp(settings, mode, replay=args.replay, speed=args.speed, record=args.record)
    app.run()
    return 0
