"""Types of the compiled L2 inner loop (``_l2kernel.c``)."""

from collections.abc import Callable, Sequence
from typing import Any

def apply_levels(
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
    ask_keys: list[int],
    ask_book: dict[int, tuple[int, bytes]],
    bid_keys: list[int],
    bid_book: dict[int, tuple[int, bytes]],
    /,
) -> int: ...
def crc32(data: bytes, /) -> int: ...
