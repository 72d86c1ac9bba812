from __future__ import annotations

import ast
import json
import zlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.book.l2 import L2Book
from tui.kraken.messages import BookLevel, BookMessage, decode

pytestmark = pytest.mark.usefixtures("each_l2_kernel")


def lv(price: str, qty: str) -> BookLevel:
    return BookLevel(price, qty)


def reference_checksum(bids: dict[Decimal, Decimal], asks: dict[Decimal, Decimal], pp: int, qp: int) -> int:
    """Independent of the book code: format at precision, strip the point and leading zeros."""

    def tok(value: Decimal, prec: int) -> str:
        return format(value.quantize(Decimal(1).scaleb(-prec)), "f").replace(".", "").lstrip("0")

    text = "".join(tok(p, pp) + tok(asks[p], qp) for p in sorted(asks)[:10])
    text += "".join(tok(p, pp) + tok(bids[p], qp) for p in sorted(bids, reverse=True)[:10])
    return zlib.crc32(text.encode())


def test_docs_example_3310070434(samples: dict[str, Any]) -> None:
    msg = decode(samples["book_checksum_doc_example_btcusd"]["raw"])
    assert isinstance(msg, BookMessage)
    e = msg.entries[0]
    book = L2Book("BTC/USD", 1, 8, 10)
    book.apply_snapshot(e.bids, e.asks)
    assert book.checksum() == 3310070434
    assert book.verify(e.checksum)


def test_matic_docs_examples_need_precision_formatting(samples: dict[str, Any]) -> None:
    ex = samples["book_doc_example_maticusd"]
    book = L2Book("MATIC/USD", 4, 8, 10)
    snap = decode(ex["snapshot_raw"])
    upd = decode(ex["update_raw"])
    assert isinstance(snap, BookMessage) and isinstance(upd, BookMessage)
    book.apply_snapshot(snap.entries[0].bids, snap.entries[0].asks)
    assert book.checksum() == 2439117997
    book.apply_update(upd.entries[0].bids, upd.entries[0].asks)
    assert book.checksum() == 2114181697


def test_recorded_btcusd_stream_verifies_with_truncation(samples: dict[str, Any]) -> None:
    rec = samples["book_recorded_btcusd_depth10"]
    snapshot = rec["snapshot"] if isinstance(rec["snapshot"], dict) else ast.literal_eval(rec["snapshot"])
    updates = rec["updates_first_12"]
    updates = updates if isinstance(updates, list) else ast.literal_eval(updates)
    book = L2Book("BTC/USD", 1, 8, 10)

    def levels(rows: list[dict[str, float]]) -> list[BookLevel]:
        return [lv(repr(r["price"]), repr(r["qty"])) for r in rows]

    d = snapshot["data"][0]
    book.apply_snapshot(levels(d["bids"]), levels(d["asks"]))
    assert book.verify(d["checksum"])
    for u in updates:
        d = u["data"][0]
        book.apply_update(levels(d["bids"]), levels(d["asks"]))
        assert book.verify(d["checksum"]), u
        assert len(book.asks(100)) <= 10 and len(book.bids(100)) <= 10


def test_tiny_quantities_and_trailing_zeros_survive() -> None:
    book = L2Book("X/USD", 2, 8, 10)
    book.apply_snapshot([lv("1.10", "0.00000005")], [lv("1.20", "5e-07")])
    assert book.best_bid() == (110, 5)
    assert book.best_ask() == (120, 50)
    assert book.checksum() == zlib.crc32(b"120" + b"50" + b"110" + b"5")


def test_views_grouping_and_cumulative() -> None:
    book = L2Book("X/USD", 1, 2, 25)
    book.apply_snapshot(
        [lv("10.9", "1.00"), lv("10.8", "2.00"), lv("10.1", "3.00")],
        [lv("11.0", "1.00"), lv("11.4", "1.50"), lv("12.1", "1.00")],
    )
    assert book.spread_ticks() == 1
    assert book.mid() == Decimal("10.95")
    assert book.cumulative("bids", 3) == [(109, 100, 100), (108, 200, 300), (101, 300, 600)]
    assert book.grouped("bids", 5, 10) == [(105, 300), (100, 300)]
    assert book.grouped("asks", 5, 10) == [(110, 100), (115, 150), (125, 100)]
    assert not book.is_crossed()


prices = st.integers(min_value=1, max_value=60)


@settings(max_examples=150, deadline=None)
@given(
    depth=st.sampled_from([10, 25]),
    snap=st.lists(st.tuples(prices, st.integers(1, 10**6)), max_size=40),
    updates=st.lists(
        st.lists(st.tuples(st.booleans(), prices, st.integers(0, 10**6)), max_size=6), max_size=30
    ),
)
def test_property_sorted_truncated_uncrossed_and_checksum_matches_reference(
    depth: int, snap: list[tuple[int, int]], updates: list[list[tuple[bool, int, int]]]
) -> None:
    def text(p: int, q: int) -> BookLevel:
        return lv(f"{p // 10}.{p % 10}", f"{q // 10**8}.{q % 10**8:08d}")

    # bids live in 1..60, asks in 101..160: never crossed
    book = L2Book("T/USD", 1, 8, depth)
    ref_b: dict[Decimal, Decimal] = {}
    ref_a: dict[Decimal, Decimal] = {}
    bids = [text(p, q) for p, q in snap]
    asks = [text(p + 100, q) for p, q in snap]
    book.apply_snapshot(bids, asks)
    for p, q in snap:
        ref_b[Decimal(p).scaleb(-1)] = Decimal(q).scaleb(-8)
        ref_a[Decimal(p + 100).scaleb(-1)] = Decimal(q).scaleb(-8)

    def trunc() -> None:
        for k in sorted(ref_b, reverse=True)[depth:]:
            del ref_b[k]
        for k in sorted(ref_a)[depth:]:
            del ref_a[k]

    trunc()
    for upd in updates:
        b_levels: list[BookLevel] = []
        a_levels: list[BookLevel] = []
        for is_bid, p, q in upd:
            price = p if is_bid else p + 100
            (b_levels if is_bid else a_levels).append(text(price, q))
            ref = ref_b if is_bid else ref_a
            key = Decimal(price).scaleb(-1)
            if q == 0:
                ref.pop(key, None)
            else:
                ref[key] = Decimal(q).scaleb(-8)
        book.apply_update(b_levels, a_levels)
        trunc()
        got_b, got_a = book.bids(1000), book.asks(1000)
        assert [p for p, _ in got_b] == sorted((p for p, _ in got_b), reverse=True)
        assert [p for p, _ in got_a] == sorted(p for p, _ in got_a)
        assert len(got_b) <= depth and len(got_a) <= depth
        assert not book.is_crossed()
        assert {Decimal(p).scaleb(-1): Decimal(q).scaleb(-8) for p, q in got_b} == ref_b
        assert book.checksum() == reference_checksum(ref_b, ref_a, 1, 8)


def test_bench_stream_is_correct_and_checked_independently() -> None:
    from tui.bench.book import generate, run_once

    for depth in (10, 1000):
        frames = generate(3000, depth, 5)
        result = run_once(frames, depth)
        assert result["checksum_failures"] == 0
        # and a corrupted checksum is caught
        bad = json.loads(frames[-1])
        bad["data"][0]["checksum"] ^= 1
        assert run_once([*frames[:-1], json.dumps(bad).encode()], depth)["checksum_failures"] == 1
