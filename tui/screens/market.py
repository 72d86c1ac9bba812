"""The market screen: watchlist, verified book, trades, candles, depth, account panels, health.

It owns every binding it offers (shown in the footer, remappable by id through ``keymap`` in the
config). The App ticks it at the configured refresh rate; it asks the store what changed since
its last look and hands each widget only the values it needs. What the user asks for (a depth,
an interval, an order) goes to the desk it was handed; it never reaches for the App.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, TabbedContent, TabPane

from tui.config import Settings
from tui.desk import Desk
from tui.kraken.futures import is_futures
from tui.kraken.vocab import BOOK_DEPTHS, OHLC_INTERVALS, interval_label
from tui.screens.alert_keys import AlertKeys
from tui.screens.book_view import GROUPS, lag_text
from tui.screens.commands import PaletteEntry, ScreenCommands
from tui.screens.crop_compositor import CropCompositor
from tui.screens.help import HelpScreen
from tui.screens.journal_keys import JournalKeys
from tui.screens.ladder_keys import LadderKeys
from tui.screens.pnl_keys import PnlKeys
from tui.screens.position_keys import PositionKeys
from tui.screens.repaint_guard import RepaintGuard
from tui.screens.replay_keys import ReplayKeys
from tui.screens.tape_keys import TapeKeys
from tui.screens.trading import TradingScreen
from tui.screens.watch_keys import WatchlistKeys
from tui.store import Changes, MarketState, Store
from tui.widgets.account import ActivityLog, BalancesTable, FillsTable, OrdersTable, PositionsTable
from tui.widgets.charts import CandleChart, DepthChart
from tui.widgets.footer import KeyFooter
from tui.widgets.instrument import InstrumentInfo
from tui.widgets.ladder import BookLadder, LadderRow
from tui.widgets.pnl import PnlTable
from tui.widgets.statusbar import ModeBanner, StatusBar, frame_failures
from tui.widgets.tape import TradesTape
from tui.widgets.watchlist import Watchlist

__all__ = ["MarketScreen"]

# Book frames per tick below which a market counts as quiet (see MarketScreen._can_wait).
QUIET_UPDATES = 8


class MarketScreen(
    AlertKeys,
    JournalKeys,
    LadderKeys,
    PnlKeys,
    PositionKeys,
    WatchlistKeys,
    ReplayKeys,
    TapeKeys,
    TradingScreen,
):
    COMMANDS: ClassVar[set[type[Provider] | Any]] = {ScreenCommands}
    BINDINGS = [
        Binding(  # priority: "/sol" typed fast lands in the search box (tui/screens/search.py)
            "slash",
            "search",
            "Symbol",
            tooltip="Jump to a symbol by fuzzy name",
            id="market.search",
            priority=True,
        ),
        Binding(
            "d", "cycle_depth", "Depth", tooltip="Cycle book depth 10/25/100/500/1000", id="book.depth-cycle"
        ),
        Binding(
            "plus,equals_sign",
            "group(1)",
            "Group+",
            tooltip="Group price levels coarser",
            id="book.group-more",
        ),
        Binding("minus", "group(-1)", "Group-", tooltip="Group price levels finer", id="book.group-less"),
        Binding(
            "i", "cycle_interval", "Interval", tooltip="Cycle candle interval", id="chart.interval-cycle"
        ),
        Binding("L", "toggle_l3", "L3", tooltip="Per-order (level 3) view of the book", id="book.l3-toggle"),
        Binding(
            "c", "center", "Center", show=False, tooltip="Center the book on the spread", id="book.center"
        ),
        Binding("b", "order('buy')", "Buy", tooltip="Open a buy order form", id="order.buy"),
        Binding("s", "order('sell')", "Sell", tooltip="Open a sell order form", id="order.sell"),
        Binding("x", "cancel_selected", "Cancel", tooltip="Cancel the selected order(s)", id="order.cancel"),
        Binding(
            "X", "cancel_all", "Cancel all", tooltip="Cancel all orders (confirmed)", id="order.cancel-all"
        ),
        Binding(
            "left_square_bracket",
            "nudge(-1)",
            "Price-",
            show=False,
            tooltip="Amend price one tick down",
            id="order.nudge-down",
        ),
        Binding(
            "right_square_bracket",
            "nudge(1)",
            "Price+",
            show=False,
            tooltip="Amend price one tick up",
            id="order.nudge-up",
        ),
        Binding(
            "a",
            "amend_qty",
            "Amend",
            show=False,
            tooltip="Amend the selected order's quantity",
            id="order.amend",
        ),
        Binding(
            "space", "mark", "Mark", show=False, tooltip="Mark an order for batch cancel", id="order.mark"
        ),
        Binding("D", "toggle_dms", "DMS", tooltip="Arm/disarm the dead-man's switch", id="order.dms"),
        Binding("o", "focus_panel('orders')", "Orders", show=False, id="panel.orders"),
        Binding("f", "focus_panel('fills')", "Fills", show=False, id="panel.fills"),
        Binding("B", "focus_panel('balances')", "Balances", show=False, id="panel.balances"),
        Binding("P", "focus_panel('positions')", "Positions", show=False, id="panel.positions"),
        Binding("A", "focus_panel('activity')", "Log", show=False, id="panel.activity"),
        Binding("w", "focus_watchlist", "Watchlist", show=False, id="panel.watchlist"),
        Binding("question_mark", "help", "Help", tooltip="All key bindings", id="app.help"),
    ]

    def __init__(self, store: Store, desk: Desk, settings: Settings, symbol: str | None = None) -> None:
        super().__init__()
        self._compositor = CropCompositor()  # partial updates skip widgets outside them
        self.store = store
        self.desk = desk
        self.settings = settings
        self.symbol = symbol or settings.symbols[0]
        self.group = 1
        self.l3_view = False
        self.seen = -1
        self.last_rows: tuple[LadderRow, ...] = ()
        self._slow: set[str] = set()
        self._slow_symbols: set[str] = set()
        self._health_seen: tuple[object, ...] = ()
        self._painted_at = 0.0
        self._updates_painted = 0
        self._slow_at = 0.0
        self.repaint = RepaintGuard(store, self.notify)

    def compose(self) -> ComposeResult:
        yield ModeBanner(id="banner")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield Watchlist(id="watchlist")
                yield InstrumentInfo(id="instrument")
            yield BookLadder(id="book")
            with Vertical(id="right"):
                yield TradesTape(id="tape")
                yield CandleChart(id="candles")
                yield DepthChart(id="depth")
        with TabbedContent(id="account", initial="tab-orders"):
            with TabPane("Orders", id="tab-orders"):
                yield OrdersTable(id="orders")
            with TabPane("Fills", id="tab-fills"):
                yield FillsTable(id="fills")
            with TabPane("Balances", id="tab-balances"):
                yield BalancesTable(id="balances")
            with TabPane("Positions", id="tab-positions"):
                yield PositionsTable(id="positions")
            with TabPane("Activity", id="tab-activity"):
                yield ActivityLog(id="activity")
            with TabPane("P&L", id="tab-pnl"):
                yield PnlTable(id="pnl")
        yield StatusBar(self.store, id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        wl = self.query_one(Watchlist)
        wl.ensure_rows(list(self.store.markets))
        self.query_one("#book", BookLadder).border_title = self.symbol
        self.query_one("#tape", TradesTape).border_title = "Trades"
        self.query_one("#depth", DepthChart).border_title = "Depth"
        self.query_one("#account", TabbedContent).border_title = "Account"
        self._layout_for(self.size.width, self.size.height)
        self.set_focus(self.query_one("#book", BookLadder))
        self.refresh_from_store(force=True)

    def on_resize(self, event: object) -> None:
        self._layout_for(self.size.width, self.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        """Small terminals keep book, tape and status; bigger ones get charts and panels."""
        self.set_class(110 <= width < 150, "-medium")
        self.set_class(width < 110, "-narrow")
        self.set_class(height < 30, "-short")
        self.set_class(30 <= height < 40, "-compact")
        self.layout_uses_terminal(width, height)  # wide and tall terminals (watch_keys.py)

    # --- repaint -----------------------------------------------------------------------------------
    def refresh_from_store(self, force: bool = False) -> None:
        """Repaint what changed; a failure anywhere is counted and logged, never raised to the timer."""
        self.repaint.run("screen", self._refresh, force)

    def _refresh(self, force: bool) -> None:
        """Repaint what changed since the last look. The book and tape follow every tick (every
        other tick on a quiet market, see ``_can_wait``); the watchlist, charts, balances and the
        top and bottom bars at most 4 times a second unless integrity changed (nobody reads them
        faster, and every repaint costs CPU on a slow SSH link)."""
        store = self.store
        ch = store.changes_since(self.seen if not force else -1)
        sym = self.symbol
        mk = store.markets.get(sym)
        if not force and self._can_wait(ch, mk):
            return
        self.seen = ch.version
        self._painted_at = time.monotonic()
        self._updates_painted = mk.book_updates if mk is not None else 0
        parts = ch.symbol_parts(sym)
        for s in ch.symbols:
            if {"ticker", "book", "status", "instrument"} & ch.symbol_parts(s):
                self._slow_symbols.add(s)
        if parts & {"book", "status"}:
            self._slow.add("depth")
        if "candles" in parts:
            self._slow.add("candles")
        if ch.account & {"balances", "orders", "positions", "fills"} or parts & {"ticker", "book", "status"}:
            self._slow.add("balances")
        now = time.monotonic()
        slow_due = force or now - self._slow_at >= 0.25
        paint = self.repaint.run
        if mk is not None:
            if force or parts & {"book", "status", "l3", "instrument"} or "orders" in ch.account:
                paint("book", self._paint_book, mk)
            if force or "trades" in parts:
                paint("trades", self.paint_tape, mk)
            if (
                force
                or (parts & {"instrument", "ticker"} and mk.derivatives is not None)
                or "instrument" in parts
            ):
                paint("instrument", self.query_one(InstrumentInfo).show, mk.instrument, sym, mk.derivatives)
        acct = store.account
        if force or "orders" in ch.account:
            paint("orders", self.query_one(OrdersTable).show, acct.orders)
        if force or "fills" in ch.account:
            paint("fills", self.query_one(FillsTable).show, list(acct.fills))
        if force or "activity" in ch.account:
            paint("activity", self.query_one(ActivityLog).show, list(store.activity))
        if slow_due:
            self._refresh_slow(force)
            self._slow_at = now
        # The top and bottom lines follow at the slow rate unless integrity changed: a line at each
        # edge of the screen that changed on every tick would make the compositor re-render every
        # panel between them (it repaints the rectangle around all changed regions).
        health = self._health_key()
        urgent = (
            force or health != self._health_seen or any("status" in ch.symbol_parts(s) for s in ch.symbols)
        )
        if slow_due or urgent:
            self._health_seen = health
            paint("status bar", self.query_one(StatusBar).refresh_status, list(store.markets))
            paint("banner", self._paint_banner, mk)

    def _paint_book(self, mk: MarketState) -> None:
        sym = self.symbol
        view = self.ladder_view()
        ladder = self.query_one("#book", BookLadder)
        ladder.set_class(mk.book_state == "stale", "-stale")
        ladder.set_class(mk.book_state in ("resyncing", "waiting"), "-resyncing")
        title = (
            (f"{sym}  full book" if is_futures(sym) else f"{sym}  depth {mk.book_depth}")
            + (f"  ×{self.group}" if self.group > 1 else "")
            + (f"  L3 {mk.l3_depth}" if self.l3_view else "")
        )
        if ladder.border_title != title:
            ladder.border_title = title
        subtitle = {
            "ok": "in sequence ✓" if is_futures(sym) else "verified ✓",
            "resyncing": "RESYNCING",
            "stale": "STALE",
            "waiting": "waiting for snapshot",
        }.get(mk.book_state, mk.book_state)
        if mk.refused:
            subtitle = "not listed by this venue"
        lag = lag_text(mk)
        if lag:
            subtitle += f"  {lag}"
        if ladder.border_subtitle != subtitle:
            ladder.border_subtitle = subtitle
        if view is not None:
            ladder.update_view(view)
            self.last_rows = view.rows
            self.ladder_painted(ladder)

    def _paint_banner(self, mk: MarketState | None) -> None:
        self.query_one(ModeBanner).set_mode(
            self.store.mode,
            self.symbol,
            self.arm_banner() + self._banner_text(mk),
            recording=self.store.recording is not None,
        )

    def _can_wait(self, ch: Changes, mk: MarketState | None) -> bool:
        """A quiet market's routine changes may wait one tick (half rate), saving a repaint.

        Only market data of a market that is barely moving waits: anything the user did (keys
        repaint directly), orders, fills, balances, a book changing integrity state, or a busy
        book (``QUIET_UPDATES`` or more frames since the last repaint) is shown on this tick.
        """
        if not ch or ch.account or any("status" in ch.symbol_parts(s) for s in ch.symbols):
            return False
        if mk is not None and mk.book_updates - self._updates_painted >= QUIET_UPDATES:
            return False
        return time.monotonic() - self._painted_at < 1.5 / self.settings.refresh_hz

    def _health_key(self) -> tuple[object, ...]:
        h = self.store.health
        return (
            h.system_status,
            *((c.name, c.state, c.error, frame_failures(c)) for c in h.connections.values()),
        )

    @staticmethod
    def _banner_text(mk: MarketState | None) -> str:
        if mk is None or mk.ticker is None:
            return ""
        t = mk.ticker
        d = mk.derivatives
        if d is None:
            return (
                f"last {format(t.last, 'f')}  24h {t.change_pct:+.2f}%  "
                f"high {format(t.high, 'f')}  low {format(t.low, 'f')}"
            )
        extra = f"last {format(t.last, 'f')}  24h {t.change_pct:+.2f}%"
        if d.mark_price is not None:
            extra += f"  mark {format(d.mark_price, 'f')}"
        if d.relative_funding_rate is not None:
            extra += f"  funding {d.relative_funding_rate * 100:+.4f}%"
        if d.open_interest is not None:
            extra += f"  OI {format(d.open_interest, 'f')}"
        return extra

    def _refresh_slow(self, force: bool) -> None:
        store = self.store
        paint = self.repaint.run
        mk = store.markets.get(self.symbol)
        self.sync_watchlist()  # run-time edits (tui/screens/watch_keys.py)
        wl = self.query_one(Watchlist)
        for s in list(store.markets) if force else self._slow_symbols:
            m = store.markets.get(s)
            if m is not None:
                paint("watchlist", wl.update_market, m)
        self._slow_symbols.clear()
        if mk is not None and (force or "depth" in self._slow) and mk.book is not None:
            paint("depth chart", self._paint_depth, mk)
        if mk is not None and (force or "candles" in self._slow):
            paint("candles", self._paint_candles, mk)
        # ages tick by the second even when no order changed (only changed cells are redrawn)
        paint("orders", self.query_one(OrdersTable).show, store.account.orders)
        paint("staged alerts", self.open_staged_alerts)
        if force or "balances" in self._slow:
            paint("balances", self.paint_balances, force)  # each only while its tab is shown
            paint("pnl", self.paint_pnl, force)
            paint("positions", self.paint_positions, force)
        self._slow.clear()

    def _paint_depth(self, mk: MarketState) -> None:
        assert mk.book is not None
        bc = [(p, c) for p, _, c in mk.book.cumulative("bids", 200)]
        ac = [(p, c) for p, _, c in mk.book.cumulative("asks", 200)]
        self.query_one(DepthChart).update_depth(bc, ac, mk.book.price_precision)

    def _paint_candles(self, mk: MarketState) -> None:
        chart = self.query_one(CandleChart)
        title = f"Candles {interval_label(mk.ohlc_interval)}"
        if chart.border_title != title:
            chart.border_title = title
        decimals = mk.instrument.price_precision if mk.instrument is not None else None
        chart.update_candles(mk.candles.get(mk.ohlc_interval, []), mk.ohlc_interval, decimals)

    # --- actions -------------------------------------------------------------------------------------
    def select_symbol(self, symbol: str) -> None:
        if symbol not in self.store.markets or symbol == self.symbol:
            return
        self.symbol = symbol
        self.group = 1
        ladder = self.query_one("#book", BookLadder)
        ladder._centered = False
        ladder.view = None
        self.query_one(TradesTape).forget()
        if self.l3_view:
            self.desk.set_l3(symbol, True)
        self.refresh_from_store(force=True)

    @on(DataTable.RowHighlighted, "#watchlist")
    def _watch_row(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value:
            self.select_symbol(str(event.row_key.value))

    def set_depth(self, depth: int) -> None:
        if is_futures(self.symbol):
            self.notify("Futures books are always full depth.", timeout=3)
            return
        self.desk.set_book_depth(self.symbol, depth)
        self.query_one("#book", BookLadder)._centered = False
        self.notify(f"{self.symbol}: book depth {depth}", timeout=2)

    def action_cycle_depth(self) -> None:
        mk = self.store.market(self.symbol)
        nxt = (
            BOOK_DEPTHS[(BOOK_DEPTHS.index(mk.book_depth) + 1) % len(BOOK_DEPTHS)]
            if mk.book_depth in BOOK_DEPTHS
            else 10
        )
        self.set_depth(nxt)

    def action_group(self, direction: int) -> None:
        i = GROUPS.index(self.group) if self.group in GROUPS else 0
        self.group = GROUPS[max(0, min(len(GROUPS) - 1, i + direction))]
        self.query_one("#book", BookLadder)._centered = False
        self.refresh_from_store(force=True)

    def set_candle_interval(self, interval: int) -> None:
        self.desk.set_candle_interval(self.symbol, interval)
        self.refresh_from_store(force=True)

    def action_cycle_interval(self) -> None:
        cur = self.store.market(self.symbol).ohlc_interval
        nxt = (
            OHLC_INTERVALS[(OHLC_INTERVALS.index(cur) + 1) % len(OHLC_INTERVALS)]
            if cur in OHLC_INTERVALS
            else 1
        )
        if is_futures(self.symbol) and nxt == 21600:
            nxt = 1  # futures candles stop at one week
        self.set_candle_interval(nxt)

    def action_toggle_l3(self) -> None:
        if not self.desk.can_trade:
            self.notify("The level 3 view needs API credentials (or --demo).", severity="warning")
            return
        if is_futures(self.symbol) and not self.l3_view:
            self.notify("Level 3 is a spot feed; futures have no per-order book.", timeout=3)
            return
        self.l3_view = not self.l3_view
        self.desk.set_l3(self.symbol, self.l3_view)
        self.refresh_from_store(force=True)

    def action_center(self) -> None:
        self.ladder_center()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self, self.settings.keymap))

    def action_focus_panel(self, name: str) -> None:
        tabs = self.query_one("#account", TabbedContent)
        tabs.active = f"tab-{name}"
        self.set_focus(self.query_one(f"#{name}"))

    def action_focus_watchlist(self) -> None:
        self.set_focus(self.query_one(Watchlist))

    def set_group(self, group: int) -> None:
        self.group = group
        self.query_one("#book", BookLadder)._centered = False
        self.refresh_from_store(force=True)

    # --- command palette -----------------------------------------------------------------------------
    def palette_entries(self) -> list[PaletteEntry]:
        """What makes sense on this screen now: the symbols, and what the shown symbol can change to."""
        sym = self.symbol
        out = [
            PaletteEntry(f"Symbol: {s}", f"Show {s}", partial(self.select_symbol, s))
            for s in self.store.markets
        ]
        out += self.screener_entries()
        out += [
            PaletteEntry(f"Book depth: {d}", f"Subscribe {sym} at depth {d}", partial(self.set_depth, d))
            for d in BOOK_DEPTHS
        ]
        for i in OHLC_INTERVALS:
            label = interval_label(i)
            out.append(
                PaletteEntry(
                    f"Candle interval: {label}",
                    f"{sym} candles every {label}",
                    partial(self.set_candle_interval, i),
                )
            )
        out += [
            PaletteEntry(f"Group levels: ×{g}", f"Aggregate {g} ticks per row", partial(self.set_group, g))
            for g in GROUPS
        ]
        out.append(
            PaletteEntry("Book: toggle level 3 view", "Per-order queue at each level", self.action_toggle_l3)
        )
        out.append(
            PaletteEntry(
                "Dead-man's switch: toggle",
                "cancel_all_orders_after kept armed",
                self.desk.toggle_dead_mans_switch,
            )
        )
        out += self.alert_palette_entries()
        out += self.export_palette_entries()
        return out
