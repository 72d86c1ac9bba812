"""Steps four and six alone: review numbers (with the walk through the book), fat-finger reasons."""

from __future__ import annotations

from decimal import Decimal

from tests.orders.conftest import BTC
from tui.book.l2 import L2Book
from tui.config import Guards
from tui.orders import Walk
from tui.orders.guards import fat_finger_reasons
from tui.orders.parse import Parsed
from tui.orders.review import Numbers, review_numbers, to_review, walk_book


def test_walk_takes_levels_best_first(book: L2Book) -> None:
    # 0.25 BTC: 0.1 @ 50000.5 + 0.15 @ 50001.0 = 5000.05 + 7500.15
    assert walk_book(book, "buy", 25_000_000, None) == Walk(25_000_000, Decimal("12500.2"), 0, 2)
    # a limit stops the walk: only the first ask is at or below 50000.9
    assert walk_book(book, "buy", 25_000_000, 500_009) == Walk(10_000_000, Decimal("5000.05"), 15_000_000, 1)
    # more than the whole side: three levels, the rest unfilled
    assert walk_book(book, "sell", 400_000_000, None) == Walk(
        350_000_000, Decimal("174994.75"), 50_000_000, 3
    )


def test_walk_counts_levels_below_the_verified_top(book: L2Book) -> None:
    walk = walk_book(book, "buy", 55_000_000, None, verified_levels=2)
    assert (walk.levels, walk.unverified) == (3, 1)
    assert walk.describe() == "walked 3 levels, 1 of them below the verified top 2"
    assert (
        walk_book(book, "buy", 1_000_000, None, verified_levels=10).describe()
        == "walked 1 level, all verified"
    )
    assert walk_book(book, "buy", 1_000_000, None).unverified == 0
    assert (
        walk_book(book, "buy", 400_000_000, None).describe() == "walked 3 levels, all verified"
    )  # None: all
    assert walk_book(book, "buy", 1, 1).describe() == "no liquidity on the local book"


def test_marketable_review_numbers_and_slippage(book: L2Book) -> None:
    parsed = Parsed(None, None, 500_005, 25_000_000)
    n = review_numbers("market", "buy", BTC, book, parsed, True)
    assert n.notional == Decimal("12500.2")
    assert n.fee == Decimal("50.00080")  # taker 0.40 %
    assert n.avg_fill == Decimal("50000.8")
    # (50000.8 - 50000.5) / 50000.5: 0.000599994 %
    assert n.slippage_pct is not None and n.slippage_pct.quantize(Decimal("0.000000001")) == Decimal(
        "0.000599994"
    )
    review = to_review("market", "buy", BTC, parsed, n, [])
    assert (review.notional, review.fee, review.avg_fill, review.slippage_pct) == (
        Decimal("12500.20"),
        Decimal("50.0008"),
        Decimal("50000.800"),
        Decimal("0.001"),
    )
    assert review.marketable and review.unfilled == 0 and review.walk == "walked 2 levels, all verified"


def test_marketable_limit_rests_the_rest_at_its_price(book: L2Book) -> None:
    parsed = Parsed(500_009, None, 500_009, 25_000_000)  # 0.25 @ 50000.9: 0.1 fills, 0.15 rests
    n = review_numbers("limit", "buy", BTC, book, parsed, True)
    assert n.notional == Decimal("5000.05") + Decimal("0.15") * Decimal("50000.9")
    review = to_review("limit", "buy", BTC, parsed, n, [])
    assert review.unfilled == Decimal("0.15") and review.avg_fill == Decimal("50000.500")
    assert review.distance_pct == Decimal("0.00")


def test_resting_review_numbers(book: L2Book) -> None:
    parsed = Parsed(495_000, None, 495_000, 10_000_000)  # 0.1 @ 49500.0, 1 % under mid
    n = review_numbers("limit", "buy", BTC, book, parsed, False)
    assert (n.notional, n.fee, n.distance_pct, n.walk) == (
        Decimal("4950.0"),
        Decimal("12.375"),
        Decimal("-1.00"),
        None,
    )
    stop = Parsed(None, Decimal("49000.0"), 490_000, 10_000_000)
    n = review_numbers("stop-loss", "sell", BTC, book, stop, False)
    assert (n.notional, n.fee, n.distance_pct) == (Decimal("4900.0"), Decimal("19.6"), Decimal("-2.00"))


def test_fat_finger_reasons(guards: Guards) -> None:
    calm = Numbers(Decimal("5000"), Decimal(0), Decimal("-5.00"))
    assert fat_finger_reasons(calm, "USD", guards, live=False) == []
    wild = Numbers(Decimal("5000.01"), Decimal(0), Decimal("5.01"))
    assert fat_finger_reasons(wild, "USD", guards, live=True) == [
        "notional 5,000.01 USD is above your limit of 5,000",
        "price is 5.01% from mid (limit ±5%)",
        "LIVE mode: real money",
    ]
    guards.confirm_live_orders = False
    assert fat_finger_reasons(calm, "USD", guards, live=True) == []


def test_a_sell_slips_downwards_and_still_counts_as_cost(book: L2Book) -> None:
    # 0.6 BTC into the bids: 0.5 @ 49999.5 + 0.1 @ 49999.0 = 29999.65, average 49999.41666...
    parsed = Parsed(None, None, 499_995, 60_000_000)
    n = review_numbers("market", "sell", BTC, book, parsed, True)
    assert n.notional == Decimal("29999.65")
    assert n.slippage_pct is not None and n.slippage_pct.quantize(Decimal("0.000000001")) == Decimal(
        "0.000166668"
    )
    assert to_review("market", "sell", BTC, parsed, n, []).avg_fill == Decimal("49999.417")
