"""Sweeps on the tape: one line per taker order's prints, exact sums, an honest average."""

from __future__ import annotations

from decimal import Decimal

from tui.store import Trade
from tui.widgets.tape_lines import aggregate, avg_text, fold

T0 = "2026-12-01T12:00:00.100000Z"
T1 = "2026-12-01T12:00:00.200000Z"


def tr(tid: int, side: str, price: str, qty: str, ts: str = T0) -> Trade:
    return Trade(Decimal(price), Decimal(qty), side, "market", tid, ts)


def test_prints_of_one_side_and_timestamp_are_one_sweep() -> None:
    lines = aggregate(
        [
            tr(1, "buy", "100.0", "0.5"),
            tr(2, "buy", "100.1", "0.25"),
            tr(3, "buy", "100.3", "0.25"),
            tr(4, "sell", "100.0", "1", T0),  # same time, other side: its own line
            tr(5, "sell", "99.9", "2", T1),  # other time: its own line
        ]
    )
    assert [(ln.side, ln.count, ln.qty, ln.newest_id) for ln in lines] == [
        ("buy", 3, Decimal("1.00"), 3),
        ("sell", 1, Decimal("1"), 4),
        ("sell", 1, Decimal("2"), 5),
    ]
    sweep = lines[0]
    # (100.0 × 0.5 + 100.1 × 0.25 + 100.3 × 0.25) / 1 = 100.1 exactly
    assert sweep.notional == Decimal("100.100") and sweep.avg == Decimal("100.1")
    assert avg_text(sweep, 1) == "100.1"  # exact at the pair's precision: no extra digit, no ~


def test_only_consecutive_prints_merge() -> None:
    lines = aggregate([tr(1, "buy", "1", "1"), tr(2, "sell", "1", "1"), tr(3, "buy", "1", "1")])
    assert [ln.count for ln in lines] == [1, 1, 1]


def test_an_inexact_average_says_so() -> None:
    # (100.0 × 1 + 100.1 × 2) / 3 = 100.0666…: one more digit than the pair, marked ~
    sweep = aggregate([tr(1, "buy", "100.0", "1"), tr(2, "buy", "100.1", "2")])[0]
    assert sweep.qty == Decimal(3) and sweep.notional == Decimal("300.2")
    assert avg_text(sweep, 1) == "~100.07"
    # exact with one more digit: (100.0 + 100.1) / 2 = 100.05
    half = aggregate([tr(1, "sell", "100.0", "1"), tr(2, "sell", "100.1", "1")])[0]
    assert avg_text(half, 1) == "100.05"


def test_a_single_print_is_shown_as_its_own_text() -> None:
    line = aggregate([tr(1, "buy", "0.3821309", "1200")])[0]
    assert avg_text(line, 7) == "0.3821309" and line.count == 1


def test_threshold_compares_the_sweep_total() -> None:
    sweep = aggregate([tr(1, "buy", "100", "0.3"), tr(2, "buy", "101", "0.3")])[0]
    assert sweep.is_big(Decimal("0.6")) and not sweep.is_big(Decimal("0.61"))
    assert not sweep.is_big(None)


def test_folding_new_prints_onto_old_lines_equals_folding_all() -> None:
    """A sweep whose prints arrive in two frames is still one line (the tape folds incrementally)."""
    trades = [
        tr(1, "sell", "99.0", "1", T0),
        tr(2, "buy", "100.0", "1", T1),
        tr(3, "buy", "100.5", "1", T1),
        tr(4, "buy", "101.0", "2", T1),
        tr(5, "sell", "100.0", "1", T1),
    ]
    for cut in range(len(trades) + 1):
        assert fold(aggregate(trades[:cut]), trades[cut:]) == aggregate(trades)
    assert aggregate(trades)[1].count == 3 and aggregate(trades)[1].qty == Decimal(4)
