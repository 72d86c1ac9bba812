"""A futures book: the L2 book's levels and views, trusted by sequence number instead of checksum.

Kraken Futures sends one frame per changed level, each with the product's next ``seq``. A missed
frame cannot be detected any other way, so the first gap (or a frame from before the snapshot)
marks the book broken until a fresh snapshot replaces it; the caller resubscribes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tui.book.l2 import L2Book

__all__ = ["SequencedBook"]

# Futures books are full depth; this caps memory on a pathological feed, far beyond what is shown.
MAX_LEVELS = 5000


class SequencedBook(L2Book):
    def __init__(self, symbol: str, price_precision: int, qty_precision: int) -> None:
        super().__init__(symbol, price_precision, qty_precision, MAX_LEVELS)
        self.seq: int | None = None
        self.gaps = 0

    def load_snapshot(self, seq: int, bids: Sequence[Any], asks: Sequence[Any]) -> None:
        self.apply_snapshot(bids, asks)
        self.seq = seq
        self.last_ok = True

    def apply_delta(self, seq: int, bids: Sequence[Any], asks: Sequence[Any]) -> bool:
        """Apply one delta event (futures send one level per frame); same rules as ``apply_level``."""
        if self.seq is None or self.last_ok is False:
            return False
        if seq <= self.seq:
            return True
        if seq != self.seq + 1:
            self.gaps += 1
            self.last_ok = False
            return False
        self.seq = seq
        self.apply_update(bids, asks)
        return True

    def apply_level(self, seq: int, side: str, level: Any) -> bool:
        """Apply one ``book`` frame; False (and nothing applied) if it does not follow the last seq.

        A frame at or below the current seq is a duplicate from before the snapshot: ignored,
        and still True, because the snapshot already contains it.
        """
        return self.apply_delta(seq, (level,), ()) if side == "buy" else self.apply_delta(seq, (), (level,))
