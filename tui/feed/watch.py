"""Per-symbol book health, shared by the spot and futures sockets.

A book with no update for longer than expected is flagged stale (shown, never hidden); one stuck
resyncing or waiting for its snapshot for more than ``RETRY_AFTER`` seconds is asked for again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tui.store import Store

__all__ = ["RETRY_AFTER", "check_symbols"]

RETRY_AFTER = 3.0


def check_symbols(
    store: Store,
    symbols: Iterable[str],
    pending: dict[str, float],
    stale_after: float,
    resync: Callable[[str], None],
    now: float,
) -> None:
    """``pending`` maps a symbol to when its last resync was asked (absent: none outstanding)."""
    for s in symbols:
        mk = store.market(s)
        if mk.book_state == "ok" and mk.last_update and now - mk.last_update > stale_after:
            mk.book_state = "stale"
            store.mark(s, "status")
        elif mk.book_state in ("resyncing", "waiting") and now - pending.get(s, now) > RETRY_AFTER:
            pending[s] = 0
            resync(s)
