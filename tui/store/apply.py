"""The one apply path: a decoded event (either venue) mutates the store and returns outcomes.

Book events go through the same integrity machine whether a checksum (spot) or a sequence number
(futures) vouches for them; candles, prints, orders and fills are merged by one rule each. The
session never reaches into state: it hands an event over and acts on what comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tui.book.l2 import L2Book
from tui.book.l3 import L3Book
from tui.book.sequenced import SequencedBook
from tui.kraken import events as ev
from tui.kraken.errors import UNLISTED_SYMBOL
from tui.kraken.futures_frames import AUTH_ALERT
from tui.kraken.vocab import CHECKSUM_LEVELS
from tui.store import account
from tui.store.data import StoreData
from tui.store.integrity import ACCEPTING_DELTAS, Integrity
from tui.store.lag import LagMeter
from tui.store.outcomes import AuthFailed, Outcome, ResyncL3, RetryBook

__all__ = ["CANDLES_KEPT", "Applier"]

CANDLES_KEPT = 720
_NONE: tuple[Outcome, ...] = ()
_QUIET_ACK_ERRORS = ("Already subscribed", "Subscription Not Found")


def _decimals(text: Any) -> int:
    s = str(text)
    dot = s.find(".")
    return 0 if dot < 0 else len(s) - dot - 1


class Applier:
    def __init__(self, store: StoreData, integrity: Integrity, lag: LagMeter) -> None:
        self.store = store
        self.integrity = integrity
        self.lag = lag
        self.handlers: dict[type, Callable[[Any, float, str], Sequence[Outcome]]] = {
            ev.BookDelta: self._delta,
            ev.BookSnapshot: self._snapshot,
            ev.TickerUpdate: self._ticker,
            ev.TradePrints: self._trades,
            ev.CandleUpdate: self._candles,
            ev.Level3Update: self._level3,
            ev.InstrumentsUpdate: self._instruments,
            ev.OrderUpdate: lambda e, now, conn: account.orders(store, e),
            ev.FillReport: lambda e, now, conn: account.fills(store, e),
            ev.BalancesUpdate: lambda e, now, conn: account.balances(store, e),
            ev.PositionsUpdate: lambda e, now, conn: account.positions(store, e),
            ev.MarginUpdate: lambda e, now, conn: account.margin(store, e),
            ev.RateCounter: lambda e, now, conn: account.rate_counter(store, e, now),
            ev.SystemStatus: self._status,
            ev.Heartbeat: lambda e, now, conn: _NONE,
            ev.Ack: self._ack,
            ev.Subscribed: self._subscribed,
            ev.Alert: self._alert,
        }

    def unknown(self, conn: str) -> Sequence[Outcome]:
        self.store.health.conn(conn or "unknown").unknown += 1
        self.store.mark("health", "unknown")
        return _NONE

    # --- books -----------------------------------------------------------------------------------
    def _snapshot(self, e: ev.BookSnapshot, now: float, conn: str) -> Sequence[Outcome]:
        store = self.store
        mk = store.markets.get(e.symbol)
        if mk is None:
            return _NONE
        inst = mk.instrument or store.instruments.get(e.symbol)
        book: L2Book
        if e.seq is not None:  # futures: full depth, trusted by sequence from here on
            if inst is None:
                return _NONE
            seq_book = SequencedBook(e.symbol, inst.price_precision, inst.qty_precision)
            seq_book.load_snapshot(e.seq, e.bids, e.asks)
            mk.book_depth = len(seq_book)
            mk.verified_levels = None  # the sequence vouches for every level
            book, ok = seq_book, True
        else:
            if inst is not None:
                pp, qp = inst.price_precision, inst.qty_precision
            else:  # no reference data yet: the wire text carries the precision
                pp = max((_decimals(lv.price) for lv in e.bids + e.asks), default=1)
                qp = max((_decimals(lv.qty) for lv in e.bids + e.asks), default=8)
            book = L2Book(e.symbol, pp, qp, mk.book_depth)
            book.apply_snapshot(e.bids, e.asks)
            ok = self._verified(mk, book, e.checksum)
            mk.verified_levels = CHECKSUM_LEVELS
        mk.book = book
        mk.snapshot_at = now
        mk.last_update = now
        mk.book_updates += 1
        store.mark(e.symbol, "book")
        req = self.integrity.checked(mk, ok, now, self._reason(e.checksum))
        return _NONE if req is None else (req,)

    def _delta(self, e: ev.BookDelta, now: float, conn: str) -> Sequence[Outcome]:
        """The hot path (thousands a second): a verified delta on a verified book costs no call
        into the integrity machine; anything else goes through it."""
        mk = self.store.markets.get(e.symbol)
        if mk is None or mk.book_state not in ACCEPTING_DELTAS or mk.book is None:
            return _NONE
        book = mk.book
        if e.seq is not None:
            if not isinstance(book, SequencedBook):
                return _NONE
            if not book.apply_delta(e.seq, e.bids, e.asks):
                mk.sequence_gaps += 1
                req = self.integrity.checked(mk, False, now, f"sequence gap at {e.seq}")
                return _NONE if req is None else (req,)
            ok = True
        else:
            book.apply_update(e.bids, e.asks)
            ok = e.checksum is not None and book.verify(e.checksum) and not book.is_crossed()
        mk.last_update = now
        mk.book_updates += 1
        self.store.mark(e.symbol, "book")
        if ok and mk.book_state == "ok":
            mk.checksum_checks += 1
            return _NONE
        if not ok:
            if e.checksum is None:
                book.verify(None)  # records the outcome (last_ok) when there was no checksum
            if book.is_crossed():
                mk.crossed += 1
        req = self.integrity.checked(mk, ok, now, self._reason(e.checksum))
        return _NONE if req is None else (req,)

    @staticmethod
    def _verified(mk: Any, book: L2Book, checksum: int | None) -> bool:
        """A checksum that matches and a book that is not crossed; no checksum is no proof."""
        if book.verify(checksum) and not book.is_crossed():
            return True
        if book.is_crossed():
            mk.crossed += 1
        return False

    @staticmethod
    def _reason(checksum: int | None) -> str:
        return "checksum mismatch" if checksum is not None else "book frame without a checksum"

    def _level3(self, e: ev.Level3Update, now: float, conn: str) -> Sequence[Outcome]:
        store = self.store
        mk = store.markets.get(e.symbol)
        if mk is None:
            return _NONE
        if e.snapshot or mk.l3 is None:
            inst = mk.instrument or store.instruments.get(e.symbol)
            if inst is None:
                return _NONE
            mk.l3 = L3Book(e.symbol, inst.price_precision, inst.qty_precision, mk.l3_depth)
            mk.l3.apply_snapshot(e.bids, e.asks)
        else:
            mk.l3.apply_update(e.bids, e.asks)
        store.mark(e.symbol, "l3")
        if mk.l3.verify(e.checksum):
            return _NONE
        store.log("warning", f"{e.symbol}: level3 checksum mismatch, resubscribing")
        mk.l3 = None
        return (ResyncL3(e.symbol),)

    # --- market data -------------------------------------------------------------------------------
    def _ticker(self, e: ev.TickerUpdate, now: float, conn: str) -> Sequence[Outcome]:
        self.store.tickers[e.symbol] = e.ticker  # the screener's whole-market view
        self.store.tickers_version += 1
        mk = self.store.markets.get(e.symbol)
        if mk is not None:
            mk.ticker = e.ticker
            if e.derivatives is not None:
                mk.derivatives = e.derivatives
            self.store.mark(e.symbol, "ticker")
        return _NONE

    def _trades(self, e: ev.TradePrints, now: float, conn: str) -> Sequence[Outcome]:
        mk = self.store.markets.get(e.symbol)
        if mk is not None:
            added = [mk.add_trade(t) for t in e.trades]
            if any(added):
                self.store.mark(e.symbol, "trades")
        return _NONE

    def _candles(self, e: ev.CandleUpdate, now: float, conn: str) -> Sequence[Outcome]:
        """The newest candle of an interval is replaced while open; older ones never come back."""
        mk = self.store.markets.get(e.symbol)
        if mk is None:
            return _NONE
        candles = mk.candles.setdefault(e.interval, [])
        for c in e.candles:
            if candles and candles[-1].interval_begin == c.interval_begin:
                candles[-1] = c
            elif not candles or candles[-1].interval_begin < c.interval_begin:
                candles.append(c)
        del candles[:-CANDLES_KEPT]
        self.store.mark(e.symbol, "candles")
        return _NONE

    def _instruments(self, e: ev.InstrumentsUpdate, now: float, conn: str) -> Sequence[Outcome]:
        store = self.store
        store.asset_display.update(e.asset_display)
        for inst in e.instruments:
            store.instruments[inst.symbol] = inst
            mk = store.markets.get(inst.symbol)
            if mk is not None:
                mk.instrument = inst
                store.mark(inst.symbol, "instrument")
        return _NONE

    # --- control -----------------------------------------------------------------------------------
    def _status(self, e: ev.SystemStatus, now: float, conn: str) -> Sequence[Outcome]:
        self.store.health.system_status = e.system
        self.store.mark("health", "status")
        return _NONE

    def _ack(self, e: ev.Ack, now: float, conn: str) -> Sequence[Outcome]:
        if e.success:
            return _NONE
        store = self.store
        text = e.error or "subscription refused"
        if text.startswith("ESession"):
            store.account.auth_error = text
            store.mark("account", "auth")
            store.health.conn(conn).error = text
            return (AuthFailed(conn, text),)
        if "Exceeded msg rate" in text and e.symbol:
            store.log("warning", f"{e.symbol}: subscription rate-limited; retrying")
            return (RetryBook(e.symbol, 2.0),)
        mk = store.markets.get(e.symbol) if e.symbol else None
        if mk is not None and any(text.startswith(u) for u in UNLISTED_SYMBOL):
            mk.refused = text
            store.mark(mk.symbol, "status")
        if text not in _QUIET_ACK_ERRORS:
            store.log("error", f"{conn}: {text}" + (f" ({e.symbol})" if e.symbol else ""))
        return _NONE

    def _subscribed(self, e: ev.Subscribed, now: float, conn: str) -> Sequence[Outcome]:
        if e.private and e.subscribed:
            acct = self.store.account
            acct.futures_authenticated = True
            if (acct.auth_error or "").startswith("futures"):
                acct.auth_error = None
            self.store.mark("account", "auth")
        return _NONE

    def _alert(self, e: ev.Alert, now: float, conn: str) -> Sequence[Outcome]:
        if e.message == AUTH_ALERT:
            acct = self.store.account
            acct.futures_authenticated = False
            acct.auth_error = f"futures: {e.message}"
            self.store.mark("account", "auth")
        self.store.log("warning", f"futures {e.event}: {e.message}")
        return _NONE
