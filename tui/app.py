"""The Textual application: owns the feed worker, the store, the desk and the refresh timer.

The socket reader runs as an App-level worker (workers die with the node that started them, and
the App outlives every screen). One timer ticks the visible screen at ``refresh_hz``; screens
ask the store what changed and repaint only that. Screens are handed the store, the desk (the
one door to the venues, which the App attaches to the feed once the worker has built it) and
the settings; nothing below the App imports it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

import rich
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui import strip_cycles, truecolor_lines
from tui.alerts import AlertBook, alerts_path
from tui.config import Settings
from tui.desk import Desk
from tui.feed.client import Feed, Urls
from tui.gc_pacer import GcPacer
from tui.journal import Journal, journal_path
from tui.modes import attach_exchange, mode_of, start_mode
from tui.orders.away import AwayCheck, saved_orders
from tui.paths import paths
from tui.screens.confirm import Confirm
from tui.screens.market import MarketScreen
from tui.screens.notify import desktop_notification
from tui.store import Store
from tui.watchlist import WatchlistFile, watchlist_path

__all__ = ["KrakenApp", "run_app"]

log = logging.getLogger("tui.app")

_MODE_HELP = {
    "DEMO": "Embedded exchange with a synthetic market and a demo account",
    "PAPER": "Live Kraken public data mirrored locally; orders match against it with a paper account",
    "LIVE": "Real Kraken: public data, and trading if credentials are configured",
}


class KrakenApp(App[None]):
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    TITLE = "kraken-tui"
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
        journal: Path | None = None,
        alerts: Path | None = None,
        watchlist: Path | None = None,
    ) -> None:
        super().__init__()
        # the watchlist the user edited (tui/watchlist.py); REPLAY shows the recording's pairs
        self.watchlist_file = (
            WatchlistFile(watchlist, settings.symbols) if watchlist and mode != "REPLAY" else None
        )
        if self.watchlist_file is not None:
            settings = settings.model_copy(update={"symbols": self.watchlist_file.load()})
        self.settings = settings
        self.mode = mode
        self.replay = replay
        self.speed = speed
        self.record = record
        self.urls = urls
        self.start_feed = start_feed
        self.feed: Feed | None = None
        self.exchange: Any = None
        self.keymap_config = dict(settings.keymap)
        self._feed_worker: Worker[None] | None = None
        self._modal_ticks = 0
        self._key_screen: Screen[Any] | None = None
        self.terminal_focused = True  # AppFocus / AppBlur: desktop notifications only while away
        self._announce_ticks = 0
        self.gc_pacer = GcPacer()
        self.journal = _open_journal(journal, mode)
        self.alerts = AlertBook(alerts)  # None: in memory only (tests); run_app gives the state file
        self.store, self.desk = self._new_desk(mode)

    def _new_desk(self, mode: str) -> tuple[Store, Desk]:
        """A fresh store and the desk over it: a mode switch starts both from nothing."""
        if (saved := self.watchlist_file) is not None:  # with the watchlist as last edited
            self.settings = self.settings.model_copy(update={"symbols": saved.load()})
        store = Store(mode)
        for s in self.watch_symbols:
            store.market(s)
        if self.journal is not None:
            self.journal.mode = mode
        desk = Desk(
            store,
            self.settings,
            self.notify,
            can_trade=self.has_credentials,
            journal=self.journal,
            alerts=self.alerts,
        )
        for problem in self.alerts.problems:
            store.log("warning", problem)
        if (wl := self.watchlist_file) is not None:
            desk.watchlist_file = wl
            if wl.problem:
                store.log("warning", wl.problem)
        return store, desk

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
        self.push_screen(MarketScreen(self.store, self.desk, self.settings))
        self._load_away()
        if self.settings.permission_warning:
            self.notify(self.settings.permission_warning, severity="warning", timeout=15)
            self.store.log("warning", f"config: {self.settings.permission_warning}")
        if self.start_feed:
            self._start_feed()
        self.set_interval(1 / self.settings.refresh_hz, self._tick)
        strip_cycles.install()  # lines freed when no longer shown, not at the paced collection
        truecolor_lines.install()  # lines in true colour are not copied by the ANSI filter
        self.gc_pacer.install()
        self.set_interval(1.0, self._pace_gc)

    def _top_screen(self) -> Screen[object] | None:
        """The screen on top, or None while Textual tears the app down (its screens are gone
        before its timers stop, and ``self.screen`` raises then)."""
        stack = self.screen_stack
        return stack[-1] if stack else None

    def _pace_gc(self) -> None:
        top = self._top_screen()
        if top is None:
            return
        busy = self.desk.requests_in_flight > 0 or not isinstance(top, MarketScreen)
        busy = busy or (isinstance(top, MarketScreen) and top.order_panel is not None)  # typing
        self.gc_pacer.tick(busy=busy)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.gc_pacer.touch()
            self._key_screen = self.screen
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        """A key that bubbles back here is matched against the bindings of the screen on top *now*.
        If the dialog it was pressed in has closed meanwhile (its answer was this very key), the
        screen behind would take it too (``s`` answering "only this symbol" and also opening a
        SELL form): a key belongs to the screen it was pressed on, or to nothing."""
        # (Textual calls each class's handler in turn: prevent_default skips App's own, which
        # would check the bindings; not calling super() keeps it from running twice.)
        if self._key_screen is not None and self.screen is not self._key_screen:
            event.stop()
            event.prevent_default()

    def _start_feed(self) -> None:
        self._feed_worker = self.run_worker(self._run_feed(), name="feed", exit_on_error=False, group="feed")

    async def _run_feed(self) -> None:
        urls = self.urls
        if urls is None and self.mode != "LIVE":
            self.exchange, urls = await start_mode(
                self.settings, self.mode, replay=self.replay, speed=self.speed
            )
            attach_exchange(self.exchange, self.desk)  # mirror / replay state, replay keys
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
        self.desk.attach(self.feed)
        await self.feed.run()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where worker failures become health state (never a crash)."""
        ended = event.state in (WorkerState.ERROR, WorkerState.CANCELLED, WorkerState.SUCCESS)
        if ended and event.worker is self._feed_worker:
            self.desk.detach()  # nothing more goes to a feed that stopped (an old mode's worker is not ours)
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
        if self.journal is not None:  # what is queued is committed before the process ends
            await asyncio.to_thread(self.journal.close)

    async def _stop_feed(self) -> None:
        self.desk.detach()
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
        self.store, self.desk = self._new_desk(mode)
        screen = self.market_screen
        symbol = screen.symbol if screen else None
        await self.switch_screen(MarketScreen(self.store, self.desk, self.settings, symbol))
        self._start_feed()
        self.notify(f"Switched to {mode} mode", timeout=4)

    def _tick(self) -> None:
        self._announce_ticks += 1
        if self._announce_ticks % max(1, int(self.settings.refresh_hz / 4)) == 0:
            self._announce()  # 4 times a second is prompt for a fill and cheap when nothing happened
        screen = self.market_screen
        top = self._top_screen()
        if screen is None or not screen.is_mounted or top is None:
            return
        if top is not screen:
            # A translucent modal on top makes every repaint beneath a full-screen one: keep the
            # market moving behind it, at a calmer 2 Hz.
            self._modal_ticks += 1
            if self._modal_ticks % max(1, int(self.settings.refresh_hz / 2)):
                return
        # NoMatches: the screen is being composed or torn down; the next tick catches up
        with contextlib.suppress(NoMatches):
            screen.refresh_from_store()

    # --- outcomes: fills, DMS firings, connections ---------------------------------------------
    def _announce(self) -> None:
        for a in self.desk.announce():
            if a.kind in ("fill", "alert"):
                self._ring(a.text, alert=a.kind == "alert")

    def _ring(self, text: str, *, alert: bool = False) -> None:
        """The optional bell, and a desktop notification only while the terminal is elsewhere."""
        cfg = self.settings.alerts if alert else self.settings.notify
        if cfg.bell:
            self.bell()
        if cfg.desktop and not self.terminal_focused:
            self.terminal_write(desktop_notification("kraken-tui", text, tmux=bool(os.environ.get("TMUX"))))

    def terminal_write(self, data: str) -> None:
        driver = self._driver
        if driver is not None:
            driver.write(data)
            driver.flush()

    def on_app_blur(self, event: events.AppBlur) -> None:
        self.terminal_focused = False

    def on_app_focus(self, event: events.AppFocus) -> None:
        self.terminal_focused = True

    def _fatal_error(self) -> None:
        """Textual's crash report, without the locals of every frame (Textual 8.2.8 shows them).

        Locals of the frames a crash passes through hold balances, orders and the settings; the
        report is printed to the terminal, which may be shared or recorded. The frames, their
        code and the exception stay, so the report is still worth filing.
        """
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    # --- risky switches: LIVE, and quitting with orders open -------------------------------------
    def confirm_switch_mode(self, mode: str) -> None:
        """LIVE is real money on Kraken: asked first. DEMO and PAPER switch at once."""
        if mode != "LIVE":
            self.run_worker(self.switch_mode_to(mode), group="mode")
            return

        def answer(choice: str | None) -> None:
            if choice == "live":
                self.run_worker(self.switch_mode_to("LIVE"), group="mode")

        trading = "with trading on your account" if self.settings.has_credentials else "public data only"
        self.push_screen(
            Confirm(
                f"Switch to LIVE: real Kraken, {trading}? Orders from here on are real money.",
                {"y": ("live", "Yes, switch to LIVE")},
            ),
            answer,
        )

    async def action_quit(self) -> None:
        n = self.desk.open_orders()
        if n == 0:
            self._save_away()
            self.exit()
            return
        where = "Kraken" if self.store.mode == "LIVE" else f"the {self.store.mode.lower()} exchange"
        dms = (
            "armed: they are cancelled when it runs out"
            if self.desk.dead_mans_switch_armed()
            else "not armed: they stay open"
        )
        noun = "order" if n == 1 else "orders"

        def answer(choice: str | None) -> None:
            if choice == "quit":
                self._save_away()
                self.exit()

        self.push_screen(
            Confirm(
                f"{n} {noun} open on {where}. Quit anyway? The dead-man's switch is {dms}.",
                {"y": ("quit", "Yes, quit")},
            ),
            answer,
        )

    def _away_path(self) -> Path | None:
        """Only a venue that outlives the app (Kraken, or an exchange started on its own) keeps
        orders across a restart; the in-process exchange of --demo/--paper dies with the app."""
        if self.exchange is not None or (self.urls is None and self.mode != "LIVE"):
            return None
        return paths().state_dir / f"open-orders-{self.mode.lower()}.json"

    def _account_key(self) -> str:
        return self.urls.private if self.urls is not None else self.settings.ws_private_url

    def _save_away(self) -> None:
        path = self._away_path()
        if path is None:
            return
        saved = saved_orders(self.store, self._account_key())
        with contextlib.suppress(OSError):
            if saved is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(saved))

    def _load_away(self) -> None:
        path = self._away_path()
        if path is None or not path.exists():
            return
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            self.store.log("warning", f"could not read {path}: {exc}")
            return
        with contextlib.suppress(OSError):
            path.unlink()  # reported once, whatever happens next
        if isinstance(saved, dict) and saved.get("account") == self._account_key():
            self.desk.away = AwayCheck(saved, self.store.version)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own entries, and the one app-wide entry of ours: switching mode."""
        yield from super().get_system_commands(screen)
        for mode in ("DEMO", "PAPER", "LIVE"):
            if mode != self.store.mode:
                yield SystemCommand(
                    f"Mode: switch to {mode}", _MODE_HELP[mode], partial(self.confirm_switch_mode, mode)
                )


def _open_journal(path: Path | None, mode: str) -> Journal | None:
    """The trade journal, or None (logged) when its file cannot be opened: trading goes on."""
    if path is None:
        return None
    try:
        return Journal(path, mode)
    except (OSError, sqlite3.Error) as exc:
        log.error("trade journal %s not opened: %s", path, exc)
        return None


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
    app = KrakenApp(
        settings,
        mode,
        replay=args.replay,
        speed=args.speed,
        record=args.record,
        journal=journal_path(),
        alerts=alerts_path(),
        watchlist=None if args.symbols else watchlist_path(),  # --symbols: this run's list only
    )
    app.run()
    return 0
