"""The compiled L2 inner loop against the pure-Python one: same books, same checksums, same errors.

Every input shape the wire (or a broken peer) can produce is fed to both kernels, including the
ones the compiled fast path declines and hands to ``to_ticks``.
"""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.book.conftest import using_kernel
from tui.book import l2
from tui.book.l2 import L2Book
from tui.kraken.messages import BookLevel
from tui.kraken.numbers import to_ticks

pytestmark = pytest.mark.skipif(l2._compiled is None, reason="the compiled L2 kernel was not built")

Outcome = tuple[str | None, list[tuple[int, int]], list[tuple[int, int]], int]


def run(kernel: Any, depth: int, pp: int, frames: list[tuple[list[Any], list[Any]]]) -> list[Outcome]:
    """Snapshot, then updates; what a caller can observe after each frame, errors word for word."""
    with using_kernel(kernel):
        book = L2Book("T/USD", pp, 8, depth)
        out: list[Outcome] = []
        for i, (bids, asks) in enumerate(frames):
            error = None
            try:
                if i == 0:
                    book.apply_snapshot(bids, asks)
                else:
                    book.apply_update(bids, asks)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
            out.append((error, book.bids(2000), book.asks(2000), book.checksum()))
        return out


def text_at(ticks: int, prec: int) -> str:
    if prec == 0:
        return str(ticks)
    s = str(ticks).rjust(prec + 1, "0")
    return f"{s[:-prec]}.{s[-prec:]}"


@st.composite
def number(draw: st.DrawFn, prec: int, lo: int, hi: int) -> Any:
    """A price or qty as the wire, a sloppy peer or a hostile one might print it."""
    ticks = draw(st.integers(lo, hi))
    exact = text_at(ticks, prec)
    shape = draw(
        st.sampled_from(
            [
                "exact",
                "exact",
                "exact",
                "int",
                "fewer",
                "trailing",
                "excess",
                "exponent",
                "negative",
                "zero",
                "leading0",
                "huge",
                "garbage",
                "empty",
                "decimal",
                "nonascii",
            ]
        )
    )
    if shape == "exact":
        return exact
    if shape == "int":
        return ticks // 10**prec
    if shape == "fewer":
        return exact.rstrip("0").rstrip(".") or "0"
    if shape == "trailing":
        return exact + "00" if prec else exact + ".00"
    if shape == "excess":
        return exact + "7" if prec else exact + ".7"
    if shape == "exponent":
        return format(Decimal(ticks).scaleb(-prec), "e")
    if shape == "negative":
        return "-" + exact
    if shape == "zero":
        return text_at(0, prec)
    if shape == "leading0":
        return "00" + exact
    if shape == "huge":
        return "9" * 19 + exact
    if shape == "garbage":
        return draw(st.sampled_from(["abc", "1.2.3", "+" + exact, " " + exact, "1_0" + exact, "1e", "nan"]))
    if shape == "empty":
        return ""
    if shape == "nonascii":
        return "\u0661" + exact  # an Arabic-Indic digit: int() reads it, the C fast path declines
    return Decimal(exact)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), depth=st.sampled_from([1, 3, 10, 25]), pp=st.sampled_from([0, 1, 4]))
def test_both_kernels_agree_on_every_shape(data: st.DataObject, depth: int, pp: int) -> None:
    def levels(lo: int, hi: int) -> list[BookLevel]:
        n = data.draw(st.integers(0, 6))
        return [BookLevel(data.draw(number(pp, lo, hi)), data.draw(number(8, 0, 10**9))) for _ in range(n)]

    frames = [(levels(1, 60), levels(101, 160)) for _ in range(data.draw(st.integers(1, 12)))]
    assert run(l2._compiled, depth, pp, frames) == run(None, depth, pp, frames)


def test_exact_wire_stream_agrees_and_large_books_truncate() -> None:
    from tui.bench.book import generate
    from tui.kraken.messages import BookMessage, decode

    for depth in (10, 1000):
        frames = []
        for raw in generate(2000, depth, 11):
            msg = decode(raw)
            assert isinstance(msg, BookMessage)
            frames.append((msg.data[0].bids, msg.data[0].asks))
        c = run(l2._compiled, depth, 1, frames)
        assert c == run(None, depth, 1, frames)
        assert all(err is None and len(b) <= depth and len(a) <= depth for err, b, a, _ in c)


@given(st.binary(max_size=600))
def test_sliced_crc32_is_zlibs(data: bytes) -> None:
    from tui.book import _l2kernel

    assert _l2kernel.crc32(data) == zlib.crc32(data)


def test_errors_name_the_symbol_and_keep_earlier_levels() -> None:
    frames: list[tuple[list[Any], list[Any]]] = [
        ([BookLevel("10.0", "1.00000000")], [BookLevel("11.0", "1.00000000")]),
        ([BookLevel("10.5", "2.00000000"), BookLevel("-1.0", "1.00000000")], []),
        ([], [BookLevel("10000000000000000000.0", "1.00000000")]),
    ]
    c = run(l2._compiled, 10, 1, frames)
    assert c == run(None, 10, 1, frames)
    assert c[1][0] == "ValueError: T/USD: non-positive price or negative qty in book level"
    assert c[1][1] == [(105, 200000000), (100, 100000000)]  # the level before the bad one landed
    assert c[1][3] == zlib.crc32(b"110100000000" + b"105200000000" + b"100100000000")
    assert c[2][0] == "ValueError: T/USD: price or qty out of range in book level"


def test_the_kernel_refuses_a_malformed_call() -> None:
    from tui.book import _l2kernel

    k: Any = _l2kernel  # called wrongly on purpose: the types would refuse these calls
    with pytest.raises(TypeError):
        k.apply_levels([], {}, [], 1, 8, 1, 10, to_ticks)
    with pytest.raises(TypeError):
        k.apply_levels((), {}, [], 1, 8, 1, 10, to_ticks, "X")
    with pytest.raises(ValueError):
        k.apply_levels([], {}, [], 1, 8, 2, 10, to_ticks, "X")
    with pytest.raises(AttributeError):
        k.apply_levels([], {}, [object()], 1, 8, 1, 10, to_ticks, "X")
    with pytest.raises(TypeError):  # a corrupted level value is reported, not read past
        k.checksum([1], {1: (1, "not bytes")}, [], {})
    with pytest.raises(KeyError):
        k.checksum([1], {}, [], {})
    with pytest.raises(RuntimeError, match="disagree"):  # a level in the dict but not in the keys
        k.apply_levels([], {10: (1, b"101")}, [BookLevel("1.0", "0.00000000")], 1, 8, 1, 10, to_ticks, "X")
