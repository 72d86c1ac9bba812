"""Book integrity, once for both venues: waiting -> ok -> resyncing -> stale, as a pure machine.

A book is ``ok`` only after a check passed: a spot CRC32 matched, or a futures delta followed
the sequence. A failed check puts that one symbol into ``resyncing`` and *returns* a resync
request (the session resubscribes); deltas are dropped until a fresh snapshot verifies. One
request per episode: a second failure within ``RESYNC_DEDUP`` seconds asks for nothing new. A
book with no update for longer than expected turns ``stale`` (shown, never hidden); one stuck
resyncing or waiting for more than ``RETRY_AFTER`` seconds is asked for again. A spot book deeper
than the 10 levels its checksum covers is refreshed every ``deep_refresh`` seconds, because a
dropped frame that touched only deeper levels leaves it wrong with every checksum still matching.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.kraken.futures import is_futures
from tui.store.data import StoreData
from tui.store.model import MarketState
from tui.store.outcomes import RefreshBook, ResyncBook
from tui.store.parts import BookState

__all__ = ["ACCEPTING_DELTAS", "RESYNC_DEDUP", "RETRY_AFTER", "Integrity"]

RESYNC_DEDUP = 5.0
RETRY_AFTER = 3.0
# Deltas apply only on top of a verified snapshot that no failed check has broken since.
ACCEPTING_DELTAS = frozenset({"ok", "stale", "empty"})


class Integrity:
    def __init__(self, store: StoreData) -> None:
        self.store = store
        self.pending: dict[str, float] = {}  # symbol -> when its outstanding resync was asked

    def reset(self, symbols: Iterable[str]) -> None:
        """The socket (re)connected or dropped: every book waits for a fresh snapshot."""
        for s in symbols:
            mk = self.store.market(s)
            mk.book_state = "waiting"
            self.pending.pop(s, None)  # what was asked went with the socket: the wait starts anew
            self.store.mark(s, "status")

    def checked(self, mk: MarketState, ok: bool, now: float, reason: str) -> ResyncBook | None:
        """The outcome of one check (snapshot or delta)."""
        mk.checksum_checks += 1
        if ok:
            state: BookState = "ok" if mk.has_two_sides else "empty"
            if mk.book_state != state:
                mk.book_state = state
                self.pending.pop(mk.symbol, None)
                self.store.mark(mk.symbol, "status")
            return None
        mk.checksum_mismatches += 1
        return self.resync(mk, now, reason)

    def resync(self, mk: MarketState, now: float, reason: str, force: bool = False) -> ResyncBook | None:
        asked = self.pending.get(mk.symbol)
        if not force and mk.book_state == "resyncing" and asked is not None and now - asked < RESYNC_DEDUP:
            return None
        mk.book_state = "resyncing"
        mk.resyncs += 1
        self.pending[mk.symbol] = now
        self.store.mark(mk.symbol, "status")
        self.store.log("warning", f"{mk.symbol}: {reason}, resyncing its book")
        return ResyncBook(mk.symbol, reason)

    def tick(
        self, symbols: Iterable[str], now: float, stale_after: float, deep_refresh: float | None = None
    ) -> list[ResyncBook | RefreshBook]:
        """``deep_refresh``: seconds after which a book deeper than its checksum is fetched anew."""
        out: list[ResyncBook | RefreshBook] = []
        source = self.store.health.source
        frozen = source is not None and source.frozen  # a paused or finished replay is not stale
        for s in symbols:
            mk = self.store.market(s)
            if frozen:
                continue
            if mk.book_state == "ok" and not mk.has_two_sides:  # emptied by deltas (a mirror lost)
                mk.book_state = "empty"
                self.store.mark(s, "status")
            elif mk.book_state == "ok" and mk.last_update and now - mk.last_update > stale_after:
                mk.book_state = "stale"
                self.store.mark(s, "status")
            elif mk.book_state == "ok" and deep_refresh is not None and self._drifts(mk):
                if now - mk.snapshot_at > deep_refresh:
                    mk.snapshot_at = now  # asked: the fresh snapshot resets it again
                    out.append(RefreshBook(s))
            elif mk.book_state in ("resyncing", "waiting"):
                asked = self.pending.get(s)
                if asked is None and mk.book_state == "waiting" and self._connected(s):
                    # after a (re)connect nothing was asked of this book by name: its snapshot is
                    # awaited from now on, and asked for again if it was lost (a dropped frame)
                    self.pending[s] = asked = now
                if asked is not None and now - asked > RETRY_AFTER:
                    req = self.resync(mk, now, "no fresh snapshot yet", force=True)
                    if req is not None:
                        out.append(req)
        return out

    def _connected(self, symbol: str) -> bool:
        """Its socket is up (while one is down, a book waits for the reconnect, asking nothing)."""
        return self.store.health.conn("futures" if is_futures(symbol) else "public").state == "connected"

    @staticmethod
    def _drifts(mk: MarketState) -> bool:
        """Levels below the checksummed ones can go wrong unseen (a dropped frame that touched
        only them): such a book is refreshed now and then."""
        return mk.verified_levels is not None and mk.book_depth > mk.verified_levels
