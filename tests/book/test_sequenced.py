from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.book.sequenced import SequencedBook
from tui.kraken.futures import BookLevel

pytestmark = pytest.mark.usefixtures("each_l2_kernel")


def lv(p: str, q: str) -> BookLevel:
    return BookLevel(Decimal(p), Decimal(q))


def test_contiguous_frames_apply_and_a_gap_breaks_the_book() -> None:
    b = SequencedBook("PF_XBTUSD", 1, 4)
    b.load_snapshot(100, [lv("100.0", "1")], [lv("101.0", "2")])
    assert b.apply_level(101, "buy", lv("100.5", "0.5"))
    assert b.best_bid() == (1005, 5000)
    assert b.apply_level(100, "sell", lv("999", "1"))  # from before the snapshot: ignored
    assert b.best_ask() == (1010, 20000)
    assert b.apply_level(102, "buy", lv("100.5", "0"))  # qty 0 deletes
    assert b.best_bid() == (1000, 10000)
    assert not b.apply_level(104, "sell", lv("101.0", "3"))  # 103 is missing
    assert b.gaps == 1 and b.last_ok is False
    assert b.best_ask() == (1010, 20000)  # nothing applied from the gapped frame
    assert not b.apply_level(105, "sell", lv("101.0", "3"))  # stays broken until a snapshot
    b.load_snapshot(200, [lv("100.0", "1")], [lv("101.0", "3")])
    assert b.last_ok and b.apply_level(201, "buy", lv("99", "1"))


@given(
    st.lists(
        st.tuples(st.sampled_from(["buy", "sell"]), st.integers(1, 40), st.integers(0, 5)),
        max_size=200,
    )
)
def test_matches_a_plain_dict_book(updates: list[tuple[str, int, int]]) -> None:
    b = SequencedBook("PF_X", 1, 0)
    b.load_snapshot(0, [], [])
    ref: dict[str, dict[int, int]] = {"buy": {}, "sell": {}}
    for seq, (side, price, qty) in enumerate(updates, start=1):
        # bids below 20, asks above: a valid non-crossing stream
        p = price if side == "buy" else price + 40
        assert b.apply_level(seq, side, lv(str(p), str(qty)))
        if qty:
            ref[side][p * 10] = qty
        else:
            ref[side].pop(p * 10, None)
    assert b.bids(1000) == sorted(ref["buy"].items(), reverse=True)
    assert b.asks(1000) == sorted(ref["sell"].items())
