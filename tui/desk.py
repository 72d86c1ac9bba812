"""The desk: the one door from the keyboard to the venues.

Screens never hold a socket or a venue. They ask the desk, which routes each request to the
venue that trades the instrument (``Feed.venue_for``: the private v2 socket for spot, signed
REST for futures), runs it as a task of its own so no key waits for an exchange, counts what is
in flight (the GC pacer never collects while an answer is due), keeps the request log and turns
every reply into a notification and an Activity line. The answer itself (an order appearing,
moving, going) comes back through the store like any other event.

No Textual here: the App hands the desk a ``notify`` callback and attaches the Feed when the
feed worker has built it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, Literal, NamedTuple, Protocol

from tui.alerts import AlertBook
from tui.config import Settings
from tui.feed.client import Feed
from tui.feed.dms import DeadMansSwitch
from tui.feed.replay_control import ReplayControl
from tui.feed.venue import OrderVenue, Reply
from tui.journal import Journal
from tui.kraken.futures import is_futures
from tui.kraken.requests import OrderParams
from tui.orders.amend import Amend, check_amend
from tui.orders.announce import Announcement, Announcer
from tui.orders.arming import Arming
from tui.orders.away import AwayCheck
from tui.orders.context import draft_in, order_context
from tui.orders.model import Draft, FormInput, Reviewed
from tui.orders.rate import Kind, RateMeter, RateReading, cost, rate_problem, reading
from tui.store import MarketState, Store
from tui.watchlist import WatchlistFile

__all__ = ["Desk", "LoggedRequest", "Notify", "Severity"]

log = logging.getLogger("tui.desk")

Severity = Literal["information", "warning", "error"]


class Notify(Protocol):
    """What the desk needs of the UI: a toast (the App passes its own ``notify``)."""

    def __call__(self, message: str, *, severity: Severity = ..., timeout: float | None = ...) -> None: ...


class LoggedRequest(NamedTuple):
    """One answered request: ``pressed`` is ``time.perf_counter`` at the key that asked for it."""

    label: str
    pressed: float
    reply: Reply


class Desk:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        notify: Notify,
        *,
        can_trade: bool,
        journal: Journal | None = None,
        alerts: AlertBook | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.notify = notify
        self.can_trade = can_trade  # credentials (or a local exchange) for the private side
        self.feed: Feed | None = None
        self.requests_in_flight = 0
        self.request_log: list[LoggedRequest] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.journal = journal  # every order sent, its ack, fills and closes (None: not journaled)
        self.announcer = Announcer(
            store,
            on_fill=journal.fill if journal is not None else None,
            on_closed=journal.order_closed if journal is not None else None,
        )
        self.away: AwayCheck | None = None  # orders open at the last quit, to account for once
        self.replay: ReplayControl | None = None  # REPLAY: the player's keys (modes.attach_exchange)
        self.alerts = alerts if alerts is not None else AlertBook(None)  # the trader's price alerts
        self.watchlist_file: WatchlistFile | None = None  # where edits are saved (None: not saved)
        self.visiting: str | None = None  # a pair opened from the screener, shown but not saved
        self.arming = Arming(settings.ladder.arm_idle_s)  # one-key orders from the ladder
        self.rate = RateMeter()  # what this desk charged to each pair's rate counter
        self._rate_warned: set[str] = set()

    # --- the feed ------------------------------------------------------------------------------
    def attach(self, feed: Feed) -> None:
        self.feed = feed

    def detach(self) -> None:
        self.feed = None

    # --- requests ------------------------------------------------------------------------------
    def send(
        self,
        label: str,
        call: Callable[[OrderVenue], Awaitable[Reply]],
        symbol: str,
        *,
        pressed: float | None = None,
    ) -> bool:
        """Send one request to the venue that trades ``symbol``; False (and a notice) if none can.
        A REPLAY's account is a recording: a cancel or amend is stopped here like a new order."""
        if self.store.mode == "REPLAY":
            self.refuse(label, "REPLAY is read-only: orders are not sent")
            return False
        venue = self._venue(symbol)
        if venue is None:
            return False
        at = time.perf_counter() if pressed is None else pressed
        self._spawn(self._run(label, call, venue, at))
        return True

    def place(self, order: Reviewed) -> bool:
        params = order.params
        if (refused := self.store.order_refusal(params.symbol)) is not None:  # PAPER/REPLAY: no book
            self.notify(refused, severity="error")
            return False
        journal, market, label = self.journal, self.store.market(params.symbol), order.label
        if journal is None:
            call: Callable[[OrderVenue], Awaitable[Reply]] = lambda v: v.add_order(params)  # noqa: E731
        else:
            call = partial(_journaled, journal, label, params, market)
        sent = self.send(label, call, params.symbol, pressed=order.confirmed_at)
        if sent and not is_futures(params.symbol):
            self._charge(params.symbol, cost("add", 0.0))
        return sent

    def submit(self, order: Reviewed) -> bool:
        """The door for a confirmed order from any screen or panel (the same as ``place``)."""
        return self.place(order)

    def cancel(self, order_ids: Sequence[str]) -> None:
        """Cancel open orders, one request per venue (a batch when a venue holds two or more)."""
        for symbol, ids in self._by_venue(order_ids):
            label = f"batch cancel {len(ids)} orders" if len(ids) >= 2 else f"cancel {ids[0]}"
            if not self._rate_ok(label, symbol, ids, "cancel"):
                continue
            if len(ids) >= 2:
                self.send(f"batch cancel {len(ids)} orders", partial(_batch_cancel, ids), symbol)
            else:
                self.send(f"cancel {ids[0]}", partial(_cancel_order, ids), symbol)

    def cancel_all(self, symbol: str) -> None:
        """Everything, everywhere: the venue of ``symbol`` and every venue holding an open order."""
        targets: dict[int, tuple[str, OrderVenue]] = {}
        feed = self.feed
        for sym in [symbol, *(o.symbol for o in self.store.account.orders.values() if o.is_open)]:
            venue = feed.venue_for(sym) if feed is not None else None
            if venue is not None:
                targets.setdefault(id(venue), (sym, venue))
        if not targets:
            self._venue(symbol)  # says why nothing can be sent
            return
        for sym, _ in targets.values():
            label = "cancel all" if len(targets) == 1 else f"cancel all {_venue_name(sym)}"
            self.send(label, lambda v: v.cancel_all(), sym)

    def check_amend(
        self,
        order_id: str,
        *,
        qty: Decimal | None = None,
        price: Decimal | None = None,
        trigger: Decimal | None = None,
        one_key: bool = False,
    ) -> Amend | None:
        """The amend judged by the new-order guards; None (and a notice) when it cannot be judged.
        ``one_key``: from an armed ladder key (a LIVE arming's confirmation stands for the LIVE one)."""
        order = self.store.account.orders.get(order_id)
        if order is None:
            self.notify(f"Order {order_id} is no longer open: nothing was sent.", severity="warning")
            return None
        ctx = order_context(self.store, order.symbol)
        if ctx is None:
            self.notify("Waiting for the book and instrument data…", severity="warning")
            return None
        if one_key and self.arming.live_confirmed and self.armed:
            ctx = dataclasses.replace(ctx, live=False)
        return check_amend(order, ctx, self.settings.guards, qty=qty, price=price, trigger=trigger)

    def amend(self, amend: Amend, reviewed: Reviewed | None = None) -> bool:
        """Send a checked amend. Refused (with its reason) when a check failed, or when it is
        above a limit and ``reviewed`` is not the confirmation of this very amend's review."""
        if not amend.ok:
            self.refuse(amend.label, amend.refusal)
            return False
        if amend.needs_confirmation and (reviewed is None or reviewed.review is not amend.draft.review):
            self.refuse(amend.label, "above a limit: it needs the review's typed confirmation")
            return False
        if not self._rate_ok(amend.label, amend.symbol, [amend.order_id], "amend"):
            return False
        order_id, qty, price, trig = amend.order_id, amend.qty, amend.price, amend.trigger
        return self.send(
            amend.label,
            lambda v: v.amend_order(order_id=order_id, order_qty=qty, limit_price=price, trigger_price=trig),
            amend.symbol,
            pressed=reviewed.confirmed_at if reviewed is not None else None,
        )

    def refuse(self, label: str, reason: str) -> None:
        """A request stopped here, before the exchange: said once, and kept in the Activity log."""
        self.notify(f"{label}: not sent: {reason}", severity="error", timeout=8)
        self.store.log("warning", f"{label}: refused locally: {reason}")

    # --- one-key trading from the ladder: arming, drafts, the rate counter -------------------------
    def arm(self, *, live_confirmed: bool = False) -> bool:
        """Arm one-key orders; in LIVE only with the confirmation the screen asked for."""
        mode = self.store.mode
        if not self.can_trade:
            self.notify("Arming needs a private connection (credentials, or --demo).", severity="warning")
            return False
        if mode == "REPLAY" or self.replay is not None:
            self.notify("REPLAY: orders are read-only; nothing to arm.", severity="warning")
            return False
        if mode == "LIVE" and not live_confirmed:
            self.refuse("arm", "LIVE needs the arming confirmed")
            return False
        self.arming.arm(live_confirmed=mode == "LIVE")
        text = (
            f"ARMED: ladder keys send at once (every guard still runs); "
            f"disarms after {self.arming.idle_s:g}s without one"
        )
        self.notify(text, severity="warning", timeout=6)
        self.store.log("warning", f"desk {text}")
        return True

    def disarm(self, why: str = "by key") -> None:
        if self.arming.armed:
            self.arming.disarm()
            self.notify(f"Disarmed ({why}): ladder keys open the form again.", timeout=5)
            self.store.log("info", f"desk disarmed ({why})")

    @property
    def armed(self) -> bool:
        """Armed now (an idle arming lapses here, said once)."""
        if self.arming.lapsed():
            self.notify(f"Disarmed: {self.arming.idle_s:g}s without a one-key action.", timeout=6)
            self.store.log("info", "desk disarmed (idle)")
        return self.arming.armed

    def draft(self, form: FormInput, symbol: str, *, one_key: bool = False) -> Draft | None:
        """``form`` through every guard, as the order form runs them; None (and a notice) until the
        book and instrument are there. ``one_key``: as ``check_amend``."""
        ctx = order_context(self.store, symbol)
        if ctx is None:
            self.notify("Waiting for the book and instrument data…", severity="warning")
            return None
        live = ctx.live and not (one_key and self.arming.live_confirmed and self.armed)
        return draft_in(ctx, form, self.settings.guards, live=live)

    def rate_reading(self, symbol: str) -> RateReading:
        acct = self.store.account
        return reading(self.rate, symbol, time.monotonic(), acct.rate_max, acct.rate_counters.get(symbol))

    def _rate_ok(self, label: str, symbol: str, order_ids: Sequence[str], kind: Kind) -> bool:
        """Warn (or refuse, ``[ladder] rate_guard``) before a request that would pass the counter."""
        if is_futures(symbol):
            return True
        now = time.time()
        orders = self.store.account.orders
        amount = sum((cost(kind, now - orders[i].first_seen) for i in order_ids if i in orders), Decimal(0))
        message, trips = rate_problem(self.rate_reading(symbol), amount, label)
        if trips and self.settings.ladder.rate_guard == "refuse":
            self.refuse(label, message or "rate limit")
            return False
        if message is None:
            self._rate_warned.discard(symbol)
        elif trips or symbol not in self._rate_warned:
            self._rate_warned.add(symbol)
            self.notify(message, severity="warning", timeout=5)
            self.store.log("warning", f"{symbol}: {message}")
        self._charge(symbol, amount)
        return True

    def _charge(self, symbol: str, amount: Decimal) -> None:
        acct = self.store.account
        self.rate.charge(symbol, amount, time.monotonic(), acct.rate_max, acct.rate_counters.get(symbol))
        self.store.mark("account", "rate")

    # --- outcomes ---------------------------------------------------------------------------------
    def announce(self) -> list[Announcement]:
        """Fills, dead-man's switch firings, connections lost and back since the last call: each
        said once as a notice and an Activity line; returned so the App can ring for fills."""
        out = self.announcer.poll()
        if self.away is not None:
            report = self.away.poll(self.store)
            if report is not None:
                out.append(report)
            if self.away.done:
                self.away = None
        out += [Announcement("alert", f.text, "warning") for f in self.alerts.poll(self.store)]
        for a in out:
            self.notify(a.text, severity=a.severity, timeout=10 if a.kind == "fill" else 8)
            level = {"information": "info", "warning": "warning", "error": "error"}[a.severity]
            self.store.log(level, a.text)
        return out

    def open_orders(self) -> int:
        return sum(1 for o in self.store.account.orders.values() if o.is_open)

    def dead_mans_switch_armed(self) -> bool:
        switches = self.feed.dead_mans_switches() if self.feed is not None else []
        return any(s.armed for s in switches) or self.store.account.dms_armed

    # --- the dead-man's switch -----------------------------------------------------------------
    def toggle_dead_mans_switch(self) -> None:
        """Arm every venue's ``cancel_all_orders_after`` (kept refreshed), or disarm them all."""
        switches = self.feed.dead_mans_switches() if self.feed is not None and self.can_trade else []
        if not switches:
            self.notify("The dead-man's switch needs a private connection.", severity="warning")
            return
        armed = [s for s in switches if s.armed]
        if armed:
            for switch in armed:
                self._spawn(self._run("disarm dead-man's switch", partial(_disable, switch), None, 0.0))
            self.notify("Dead-man's switch disarmed")
            return
        cfg = self.settings.dead_mans_switch
        for s in switches:
            s.enable(cfg.timeout, cfg.refresh_every)
        self.notify(
            f"Dead-man's switch armed: orders are cancelled {cfg.timeout}s after this app stops refreshing it"
        )

    # --- what the market screen subscribes to ----------------------------------------------------
    def set_book_depth(self, symbol: str, depth: int) -> None:
        if self.feed is not None:
            self.feed.set_book_depth(symbol, depth)

    def set_candle_interval(self, symbol: str, minutes: int) -> None:
        if self.feed is not None:
            self.feed.set_ohlc_interval(symbol, minutes)

    def set_l3(self, symbol: str, enabled: bool) -> None:
        if self.feed is not None:
            self.feed.set_l3(symbol, enabled)

    # --- the watchlist at run time ---------------------------------------------------------------
    def watch(self, symbol: str, *, keep: bool = True) -> bool:
        """Add a listed spot pair to the watchlist (subscribed at once); ``keep=False`` shows it
        without saving it (a pair opened from the screener), replacing the previous such visit."""
        store = self.store
        if symbol in store.markets:
            if keep and symbol == self.visiting:
                self.visiting = None
                self._save_watchlist()
                return True
            return False
        if is_futures(symbol) or (store.instruments and symbol not in store.instruments):
            self.notify(f"{symbol} is not a listed spot pair: not added.", severity="warning")
            return False
        store.watch(symbol)
        if self.feed is not None:
            self.feed.watch(symbol)
        if keep:
            self._save_watchlist()
        else:
            if self.visiting is not None:
                self.unwatch(self.visiting)
            self.visiting = symbol
        return True

    def unwatch(self, symbol: str) -> bool:
        """Remove a pair from the watchlist (its book, prints and candles unsubscribed)."""
        store = self.store
        if is_futures(symbol):
            self.notify("Futures products come from the config's futures_symbols.", severity="warning")
            return False
        if symbol not in store.markets:
            return False
        if sum(1 for s in store.markets if not is_futures(s)) <= 1:
            self.notify("The watchlist keeps at least one spot pair.", severity="warning")
            return False
        store.unwatch(symbol)
        if self.feed is not None:
            self.feed.unwatch(symbol)
        if symbol == self.visiting:
            self.visiting = None
        self._save_watchlist()
        return True

    def move_watched(self, symbol: str, step: int) -> bool:
        """Move a pair ``step`` places up (negative) or down the watchlist."""
        order = list(self.store.markets)
        if symbol not in order:
            return False
        i = order.index(symbol)
        j = max(0, min(len(order) - 1, i + step))
        if i == j:
            return False
        order.insert(j, order.pop(i))
        self.store.reorder(order)
        self._save_watchlist()
        return True

    def subscribe_tickers(self, symbols: list[str]) -> int:
        """The screener: tickers for every listed pair (books stay with the watchlist's pairs)."""
        return self.feed.subscribe_tickers(symbols) if self.feed is not None else 0

    def _save_watchlist(self) -> None:
        wl = self.watchlist_file
        if wl is None:
            return
        error = wl.save([s for s in self.store.markets if not is_futures(s) and s != self.visiting])
        if error is not None:
            self.notify(error, severity="error")
            self.store.log("error", error)

    # --- inside ----------------------------------------------------------------------------------
    def _venue(self, symbol: str) -> OrderVenue | None:
        if self.feed is None:
            self.notify("Not connected yet: nothing was sent.", severity="error")
            return None
        venue = self.feed.venue_for(symbol)
        if venue is None:
            self.notify(
                f"{_venue_name(symbol).capitalize()} are not connected: nothing was sent.", severity="error"
            )
        return venue

    def _order_symbol(self, order_id: str) -> str | None:
        order = self.store.account.orders.get(order_id)
        if order is None:
            self.notify(f"Order {order_id} is no longer open: nothing was sent.", severity="warning")
            return None
        return order.symbol

    def _by_venue(self, order_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
        """Order ids grouped by the venue that holds them, each group with a symbol to route by."""
        groups: dict[int | str, tuple[str, list[str]]] = {}
        for oid in order_ids:
            symbol = self._order_symbol(oid)
            if symbol is None:
                continue
            venue = self.feed.venue_for(symbol) if self.feed is not None else None
            key: int | str = id(venue) if venue is not None else symbol
            groups.setdefault(key, (symbol, []))[1].append(oid)
        return list(groups.values())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """In flight from the moment it is asked for, until its task is done (or cancelled)."""
        self.requests_in_flight += 1
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.requests_in_flight -= 1

    async def _run(
        self,
        label: str,
        call: Callable[[Any], Awaitable[Reply]],
        venue: OrderVenue | None,
        pressed: float,
    ) -> None:
        try:
            reply = await call(venue)
        except Exception as exc:  # a venue answers refusals with a Reply; anything else is a bug
            log.exception("%s failed", label)
            reply = Reply(False, error=f"{type(exc).__name__}: {exc}", outcome="not-sent")
        log.info("request %s: %s", label, reply.outcome if reply.ok else f"refused: {reply.error}")
        if venue is not None:
            self.request_log.append(LoggedRequest(label, pressed, reply))
        if reply.ok:
            self.notify(f"{label}: {reply.outcome} in {reply.latency_ms:.1f} ms", timeout=4)
            self.store.log("info", f"{label}: {reply.outcome} in {reply.latency_ms:.1f} ms")
        else:
            self.notify(f"{label}: {reply.error}", severity="error", timeout=8)
            self.store.log("error", f"{label}: {reply.error}")


async def _journaled(
    journal: Journal, label: str, params: OrderParams, market: MarketState, venue: OrderVenue
) -> Reply:
    """The request journaled with the book as it is now, in the task's first step right before
    it goes out, and its answer when it comes (queued: no disk on this loop)."""
    jid = journal.order_sent(label, params, market)
    try:
        reply = await venue.add_order(params)
    except Exception as exc:
        journal.order_acked(
            jid, ok=False, outcome="not-sent", error=type(exc).__name__, latency_ms=0.0, result=None
        )
        raise
    journal.order_acked(
        jid,
        ok=reply.ok,
        outcome=reply.outcome,
        error=reply.error,
        latency_ms=reply.latency_ms,
        result=reply.result,
    )
    return reply


def _batch_cancel(ids: list[str], venue: OrderVenue) -> Awaitable[Reply]:
    return venue.batch_cancel(ids)


def _cancel_order(ids: list[str], venue: OrderVenue) -> Awaitable[Reply]:
    return venue.cancel_order(ids)


def _disable(switch: DeadMansSwitch, _venue: object) -> Awaitable[Reply]:
    return switch.disable()


def _venue_name(symbol: str) -> str:
    return "futures" if is_futures(symbol) else "spot"
