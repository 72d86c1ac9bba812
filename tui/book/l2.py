"""The L2 (price-level) book, kept exactly as Kraken keeps it so the checksum can verify it.

Prices and quantities are integer ticks. Each side is a sorted ``list`` of integer keys (bids
negated, so both sides iterate best-first) plus a dict key -> (qty ticks, checksum token). The
token is built once when a level arrives, so verifying a message is a join and one CRC32.

Why a plain list and not ``sortedcontainers``: an L2 side is bounded by the subscribed depth
(at most 1000 keys plus the few a frame adds before truncation), where ``bisect.insort`` and a
slice delete run in C and measured 20 % faster end to end than ``SortedList``'s Python-level
``add``/``remove`` (``kraken-tui bench``). The unbounded L3 book keeps ``sortedcontainers``.

Why two inner loops: the hot path (decode, apply, truncate, verify every checksum) must sustain
250,000 msgs/s on one core, and this Python loop tops out near 175,000 at depth 10 and 150,000
at depth 1000. ``_l2kernel.c`` does the same work on the same list and dict (about 360,000 and
290,000), and computes the checksum straight from the levels. It is built at install when a C
compiler is there; otherwise the Python loop runs, caching each side's top-10 text and
rebuilding it only when a change lands inside the top 10. Tests hold both loops to the same
books, checksums and error messages.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any, Protocol

from tui.kraken.numbers import ticks_to_decimal, to_ticks


class _Kernel(Protocol):
    """What l2.py calls in the compiled module (its full types: ``_l2kernel.pyi``)."""

    def apply_levels(
        self,
        keys: list[int],
        book: dict[int, tuple[int, bytes]],
        levels: Sequence[Any],
        pp: int,
        qp: int,
        sign: int,
        depth: int,
        to_ticks: Callable[[Any, int], int],
        symbol: str,
        /,
    ) -> None: ...

    def checksum(
        self,
        ask_keys: list[int],
        ask_book: dict[int, tuple[int, bytes]],
        bid_keys: list[int],
        bid_book: dict[int, tuple[int, bytes]],
        /,
    ) -> int: ...


_compiled: _Kernel | None
try:  # the compiled inner loop (``_l2kernel.c``); the pure-Python loop below does the same work
    from tui.book import _l2kernel as _compiled
except ImportError:  # pragma: no cover - only where the extension could not be built
    _compiled = None

__all__ = ["L2Book", "Side", "kernel_name"]

CHECKSUM_LEVELS = 10
# No real price or quantity comes near 10**18 ticks; the compiled loop keeps ticks in 64 bits.
MAX_TICKS = 10**18

# The inner loop in use: the compiled one when it was built. Tests set it to None to run the
# Python loop, so both kernels are held to the same properties.
_kernel: _Kernel | None = _compiled


def kernel_name() -> str:
    """Which inner loop runs ("c" or "python"); ``kraken-tui bench`` prints it."""
    return "python" if _kernel is None else "c"


def _token(text: str) -> str:
    """Checksum token straight from wire text: drop the point, then leading zeros."""
    return text.replace(".", "").lstrip("0")


class Side:
    """One side of the book. Keys are price ticks, negated for bids."""

    __slots__ = ("_cache", "_tenth", "keys", "levels", "sign")

    def __init__(self, sign: int) -> None:
        self.sign = sign
        self.keys: list[int] = []
        self.levels: dict[int, tuple[int, bytes]] = {}
        self._cache: bytes | None = None
        # Key of the 10th level when the cache was built: changes beyond it leave the top 10 alone.
        self._tenth: int | None = None

    def clear(self) -> None:
        self.keys.clear()
        self.levels.clear()
        self._cache = None

    def set(self, key: int, qty: int, token: bytes) -> None:
        levels = self.levels
        if key not in levels:
            insort(self.keys, key)
        levels[key] = (qty, token)
        if self._cache is not None and (self._tenth is None or key <= self._tenth):
            self._cache = None

    def remove(self, key: int) -> None:
        if self.levels.pop(key, None) is not None:
            keys = self.keys
            del keys[bisect_left(keys, key)]
            if self._cache is not None and (self._tenth is None or key <= self._tenth):
                self._cache = None

    def truncate(self, depth: int) -> None:
        keys = self.keys
        if len(keys) > depth:
            levels = self.levels
            for key in keys[depth:]:
                del levels[key]
            del keys[depth:]
            if depth < CHECKSUM_LEVELS:
                self._cache = None

    def top_bytes(self) -> bytes:
        cache = self._cache
        if cache is None:
            levels = self.levels
            head = self.keys[:CHECKSUM_LEVELS]
            self._tenth = head[-1] if len(head) == CHECKSUM_LEVELS else None
            cache = self._cache = b"".join([levels[k][1] for k in head])
        return cache

    def best(self) -> tuple[int, int] | None:
        if not self.keys:
            return None
        key = self.keys[0]
        return key * self.sign, self.levels[key][0]

    def top(self, n: int, start: int = 0) -> list[tuple[int, int]]:
        levels = self.levels
        sign = self.sign
        return [(k * sign, levels[k][0]) for k in islice(self.keys, start, start + n)]

    def __len__(self) -> int:
        return len(self.keys)


class L2Book:
    """A verified price-level book for one symbol at one subscribed depth."""

    def __init__(self, symbol: str, price_precision: int, qty_precision: int, depth: int) -> None:
        self.symbol = symbol
        self.price_precision = price_precision
        self.qty_precision = qty_precision
        self.depth = depth
        self.bid_side = Side(-1)
        self.ask_side = Side(1)
        self.version = 0
        self.last_checksum: int | None = None
        self.last_ok: bool | None = None

    # --- mutation -------------------------------------------------------------------------
    def _apply(self, side: Side, levels: Sequence[Any]) -> None:
        kernel = _kernel
        if kernel is None:
            self._apply_python(side, levels)
            return
        kernel.apply_levels(
            side.keys,
            side.levels,
            levels,
            self.price_precision,
            self.qty_precision,
            side.sign,
            self.depth,
            to_ticks,
            self.symbol,
        )
        # the compiled checksum reads the levels directly; the Python one's cache is now stale
        side._cache = None

    def _apply_python(self, side: Side, levels: Iterable[Any]) -> None:
        # Inlined Side.set/remove: this loop runs for every level of every frame.
        pp, qp, sign = self.price_precision, self.qty_precision, side.sign
        # where the point sits in text at exactly this precision (none at precision 0)
        pdot, qdot = (-pp - 1 if pp else 0), (-qp - 1 if qp else 0)
        keys, book = side.keys, side.levels
        tenth = side._tenth if side._cache is not None else None
        dirty = side._cache is None
        try:
            for lvl in levels:
                price = lvl.price
                qty = lvl.qty
                # fast path: wire text at exactly the pair's precision (what Kraken always sends); an
                # int, a short text or any other shape (an exponent after the point) takes the
                # exact general path, which also words the error for text that is no number
                try:
                    p = int(price.replace(".", "", 1)) if price[pdot] == "." else to_ticks(price, pp)
                except (TypeError, IndexError, ValueError):
                    p = to_ticks(price, pp)
                try:
                    q = int(qty.replace(".", "", 1)) if qty[qdot] == "." else to_ticks(qty, qp)
                except (TypeError, IndexError, ValueError):
                    q = to_ticks(qty, qp)
                if p <= 0 or q < 0:
                    raise ValueError(f"{self.symbol}: non-positive price or negative qty in book level")
                if p >= MAX_TICKS or q >= MAX_TICKS:
                    raise ValueError(f"{self.symbol}: price or qty out of range in book level")
                key = p * sign
                if q == 0:
                    if book.pop(key, None) is not None:
                        del keys[bisect_left(keys, key)]
                        if tenth is None or key <= tenth:
                            dirty = True
                else:
                    if key not in book:
                        insort(keys, key)
                    book[key] = (q, b"%d%d" % (p, q))
                    if tenth is None or key <= tenth:
                        dirty = True
        finally:  # a bad level raises after earlier ones landed
            if dirty:
                side._cache = None
        if len(keys) > self.depth:
            side.truncate(self.depth)

    def apply_snapshot(self, bids: Sequence[Any], asks: Sequence[Any]) -> None:
        """Replace the book. Levels are objects with ``price`` and ``qty`` wire text (BookLevel)."""
        self.bid_side.clear()
        self.ask_side.clear()
        self._apply(self.bid_side, bids)
        self._apply(self.ask_side, asks)
        self.version += 1

    def apply_update(self, bids: Sequence[Any], asks: Sequence[Any]) -> None:
        """Apply levels in message order (qty 0 deletes), then truncate to the subscribed depth."""
        if bids:
            self._apply(self.bid_side, bids)
        if asks:
            self._apply(self.ask_side, asks)
        self.version += 1

    def checksum(self) -> int:
        kernel = _kernel
        if kernel is not None:
            a, b = self.ask_side, self.bid_side
            return kernel.checksum(a.keys, a.levels, b.keys, b.levels)
        return zlib.crc32(self.bid_side.top_bytes(), zlib.crc32(self.ask_side.top_bytes()))

    def verify(self, expected: int | None) -> bool:
        """Compare with the frame's checksum; remembers the outcome for the UI and store.

        A frame without a checksum verifies nothing: the book is unverified (False), never
        trusted by default.
        """
        if expected is None:
            self.last_ok = False
            return False
        self.last_checksum = expected
        ok = self.checksum() == expected
        self.last_ok = ok
        return ok

    # --- views ------------------------------------------------------------------------------
    def best_bid(self) -> tuple[int, int] | None:
        return self.bid_side.best()

    def best_ask(self) -> tuple[int, int] | None:
        return self.ask_side.best()

    def spread_ticks(self) -> int | None:
        b, a = self.best_bid(), self.best_ask()
        return None if b is None or a is None else a[0] - b[0]

    def mid(self) -> Decimal | None:
        b, a = self.best_bid(), self.best_ask()
        if b is None or a is None:
            return None
        return ticks_to_decimal(b[0] + a[0], self.price_precision) / 2

    def bids(self, n: int, start: int = 0) -> list[tuple[int, int]]:
        return self.bid_side.top(n, start)

    def asks(self, n: int, start: int = 0) -> list[tuple[int, int]]:
        return self.ask_side.top(n, start)

    def side(self, name: str) -> Side:
        return self.bid_side if name == "bids" else self.ask_side

    def cumulative(self, side: str, n: int) -> list[tuple[int, int, int]]:
        """(price, qty, cumulative qty) best first."""
        out = []
        total = 0
        for price, qty in self.side(side).top(n):
            total += qty
            out.append((price, qty, total))
        return out

    def grouped(self, side: str, group_ticks: int, n: int) -> list[tuple[int, int]]:
        """Aggregate levels into buckets of ``group_ticks`` price ticks, best first.

        Bids bucket down and asks bucket up, so a bucket never looks better than its levels.
        """
        if group_ticks <= 1:
            return self.side(side).top(n)
        out: list[tuple[int, int]] = []
        is_bid = side == "bids"
        src = self.side(side)
        levels = src.levels
        for key in src.keys:
            price = key * src.sign
            bucket = (
                (price // group_ticks) * group_ticks if is_bid else -((-price) // group_ticks) * group_ticks
            )
            qty = levels[key][0]
            if out and out[-1][0] == bucket:
                out[-1] = (bucket, out[-1][1] + qty)
            else:
                if len(out) == n:
                    break
                out.append((bucket, qty))
        return out

    def is_crossed(self) -> bool:
        b, a = self.best_bid(), self.best_ask()
        return b is not None and a is not None and b[0] >= a[0]

    def __len__(self) -> int:
        return len(self.bid_side) + len(self.ask_side)
