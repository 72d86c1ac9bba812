"""Hostile numbers are refused before any arithmetic: ``1E+300000`` once stalled the loop for seconds."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tui.book.l2 import L2Book
from tui.book.sequenced import SequencedBook
from tui.kraken import futures as fx
from tui.kraken.events import BookLevel
from tui.kraken.numbers import to_ticks

HOSTILE = ["1E+300000", "1e-300000", "-1E+99999", "9" * 5000 + ".0", "NaN", "Infinity", "sNaN"]
FAST = 0.05  # seconds: refusing must cost nothing like the 2-3.6 s the arithmetic took


@pytest.mark.parametrize("text", HOSTILE)
def test_to_ticks_refuses_out_of_range_text_at_once(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError):
        to_ticks(text, 1)
    assert time.perf_counter() - started < FAST


@pytest.mark.parametrize("text", HOSTILE)
def test_a_book_level_priced_out_of_range_is_refused_at_once(each_l2_kernel: str, text: str) -> None:
    book = L2Book("BTC/USD", 1, 8, 10)
    book.apply_snapshot([BookLevel("100.0", "1.00000000")], [BookLevel("101.0", "1.00000000")])
    for level in (BookLevel(text, "1.00000000"), BookLevel("100.5", text)):
        started = time.perf_counter()
        with pytest.raises(ValueError):
            book.apply_update([level], [])
        assert time.perf_counter() - started < FAST


def test_a_futures_book_frame_with_a_hostile_number_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(fx.FrameError):
        fx.parse_book(
            fx.decode(
                '{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":2,"price":1E+300000,"qty":1}'
            )
        )
    with pytest.raises(fx.FrameError):
        fx.decode('{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":2,"price":NaN,"qty":1}')
    book = SequencedBook("PF_XBTUSD", 1, 4)
    book.load_snapshot(1, [BookLevel(Decimal("100.0"), Decimal(1))], [])
    with pytest.raises(ValueError):
        book.apply_delta(2, [BookLevel(Decimal("1E+300000"), Decimal(1))], [])
    assert time.perf_counter() - started < FAST


def test_no_checksum_is_no_verification(each_l2_kernel: str) -> None:
    from tui.book.l3 import L3Book

    book = L2Book("BTC/USD", 1, 8, 10)
    book.apply_snapshot([BookLevel("100.0", "1.00000000")], [BookLevel("101.0", "1.00000000")])
    assert book.verify(book.checksum()) and book.last_ok
    assert not book.verify(None) and book.last_ok is False
    assert not L3Book("BTC/USD", 1, 8).verify(None)
