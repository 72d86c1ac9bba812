"""Kraken's CRC32 book checksum (protocol reference §4.1 and §5).

Both the client's books and the embedded exchange compute it from per-level tokens, so the
expensive part (formatting) happens once when a level arrives and the checksum is a CRC over
cached strings.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from tui.kraken.numbers import checksum_token

__all__ = ["book_checksum", "level_token"]


def level_token(price_ticks: int, qty_ticks: int) -> str:
    """The token one level (or one L3 order) contributes: price token then qty token."""
    return checksum_token(price_ticks) + checksum_token(qty_ticks)


def book_checksum(ask_tokens: Iterable[str], bid_tokens: Iterable[str]) -> int:
    """CRC32 over the top-10 asks (best first) then top-10 bids (best first), unsigned.

    Callers pass at most the ten best levels per side (for L3: every order of those levels).
    """
    return zlib.crc32(("".join(ask_tokens) + "".join(bid_tokens)).encode("ascii"))
