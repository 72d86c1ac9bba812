"""Steps two, three and five alone: instrument checks, post-only crossing, funds."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from tests.orders.conftest import BTC, PF
from tui.book.l2 import L2Book
from tui.orders import FormInput
from tui.orders.guards import crossing_problem, funds_problem, instrument_checks, is_marketable
from tui.orders.parse import Parsed
from tui.orders.review import Numbers
from tui.store import Balance


def parsed(price: int | None = 500_000, qty: int | None = 100_000, display: Decimal | None = None) -> Parsed:
    return Parsed(price, None, price, qty, display)


def test_a_clean_limit_passes() -> None:
    assert instrument_checks(FormInput("buy"), BTC, parsed()) == {}


def test_tick_and_lot() -> None:
    coarse = dataclasses.replace(BTC, price_increment=5, qty_increment=1000)
    assert instrument_checks(FormInput("buy"), coarse, parsed(500_001, 100_500)) == {
        "price": "EOrder:Tick size check failed: price must be a multiple of 0.5",
        "qty": "EGeneral:Invalid arguments: quantity must be a multiple of 0.00001000",
    }


def test_minimum_quantity_and_cost() -> None:
    assert instrument_checks(FormInput("buy"), BTC, parsed(qty=9_999)) == {
        "qty": "EOrder:Order minimum not met: minimum is 0.00010000"
    }
    # 0.0001 BTC at 4999.9 USD is 0.49999 USD: below the 0.5 USD cost minimum
    assert instrument_checks(FormInput("buy"), BTC, parsed(price=49_999, qty=10_000)) == {
        "qty": "EOrder:Cost minimum not met: at least 0.5 USD"
    }
    assert instrument_checks(FormInput("buy"), BTC, parsed(price=50_000, qty=10_000)) == {}


def test_pair_status() -> None:
    for status, form, message in (
        ("cancel_only", FormInput("buy"), "EService:Market in cancel_only mode"),
        ("maintenance", FormInput("buy"), "EService:Market in maintenance mode"),
        ("post_only", FormInput("buy"), "EService:Market in post_only mode: only post-only limit orders"),
        ("limit_only", FormInput("buy", "market"), "EService:Market in limit_only mode"),
    ):
        inst = dataclasses.replace(BTC, status=status)
        assert instrument_checks(form, inst, parsed()) == {"type": message}, status
    inst = dataclasses.replace(BTC, status="post_only")
    assert instrument_checks(FormInput("buy", post_only=True), inst, parsed()) == {}


def test_futures_venue_refuses_spot_only_types() -> None:
    form = FormInput("buy", "iceberg", time_in_force="gtd")
    assert instrument_checks(form, PF, parsed(qty=10)) == {
        "type": "iceberg orders are not available on Kraken Futures",
        "expire": "GTD is not available on Kraken Futures",
    }


def test_iceberg_display_at_least_a_fifteenth() -> None:
    form = FormInput("buy", "iceberg")
    # 1.5 BTC: 0.1 is exactly a fifteenth, 0.09999999 is not
    assert instrument_checks(form, BTC, parsed(qty=150_000_000, display=Decimal("0.1"))) == {}
    assert instrument_checks(form, BTC, parsed(qty=150_000_000, display=Decimal("0.09999999"))) == {
        "display_qty": "must be at least 1/15 of the quantity"
    }


def test_marketable_and_post_only_crossing(book: L2Book) -> None:
    assert is_marketable("limit", "buy", 500_005, book)  # at the ask
    assert not is_marketable("limit", "buy", 500_004, book)
    assert is_marketable("limit", "sell", 499_995, book)
    assert not is_marketable("stop-loss-limit", "buy", 600_000, book)  # waits for its trigger
    assert is_marketable("market", "sell", None, book)
    form = FormInput("buy", post_only=True)
    assert crossing_problem(form, True, book, BTC) == (
        "post-only would cross the book (best ask 50000.5) and be cancelled"
    )
    assert crossing_problem(form, False, book, BTC) is None
    assert crossing_problem(FormInput("buy"), True, book, BTC) is None


def test_spot_funds_count_what_open_orders_hold(balances: dict[str, Balance]) -> None:
    buy = FormInput("buy")
    # 6000 USD available (4000 of 10000 held): 5976.09 notional needs 5999.99 with the 0.40 % fee
    ok = Numbers(Decimal("5976.09"), Decimal(0), None)
    assert funds_problem(buy, BTC, Decimal("0.1"), ok, balances, None) is None
    over = Numbers(Decimal("5976.10"), Decimal(0), None)
    assert funds_problem(buy, BTC, Decimal("0.1"), over, balances, None) == (
        "EOrder:Insufficient funds: needs 6000.00 USD, available 6000.00"
    )
    sell = FormInput("sell")
    assert funds_problem(sell, BTC, Decimal("0.6"), ok, balances, None) is None
    assert funds_problem(sell, BTC, Decimal("0.60000001"), ok, balances, None) == (
        "EOrder:Insufficient funds: needs 0.60000001 BTC, available 0.6"
    )


def test_futures_funds_are_margin() -> None:
    n = Numbers(Decimal("50000"), Decimal("25"), None)  # needs 50000 * 2 % + 25 = 1025
    buy = FormInput("buy")
    assert funds_problem(buy, PF, Decimal(1), n, {}, Decimal("1025")) is None
    assert funds_problem(buy, PF, Decimal(1), n, {}, Decimal("1024.99")) == (
        "insufficientAvailableFunds: needs 1025.00 USD margin, available 1024.99"
    )
    assert funds_problem(buy, PF, Decimal(1), n, {}, None) == (
        "the futures margin account has not loaded yet; nothing was sent"
    )
    assert funds_problem(FormInput("sell", reduce_only=True), PF, Decimal(1), n, {}, None) is None


def test_spot_buy_funds_are_held_at_the_limit_price(balances: dict[str, Balance]) -> None:
    """A marketable limit walks cheaply through the book, but the exchange holds qty x limit."""
    buy = FormInput("buy")
    cheap_walk = Numbers(Decimal("500"), Decimal(0), None)  # 0.01 BTC filled at ~50,000
    assert funds_problem(buy, BTC, Decimal("0.01"), cheap_walk, balances, None) is None
    assert funds_problem(
        buy, BTC, Decimal("0.01"), cheap_walk, balances, None, reserve_price=Decimal("9600000")
    ) == ("EOrder:Insufficient funds: needs 96384.00 USD, available 6000.00")


def test_reduce_only_needs_a_position_it_reduces() -> None:
    from tui.orders.guards import position_problem
    from tui.store import Position

    long = {"PF_XBTUSD": Position("PF_XBTUSD", Decimal("0.5"), Decimal(50000), None, None, None, None, None)}
    sell = FormInput("sell", reduce_only=True)
    assert position_problem(sell, PF, Decimal("0.5"), long) is None
    assert "more than the 0.5 position" in (position_problem(sell, PF, Decimal("0.6"), long) or "")
    buy = FormInput("buy", reduce_only=True)
    assert "the position is long 0.5; a buy adds to it" in (
        position_problem(buy, PF, Decimal("0.1"), long) or ""
    )
    assert "no PF_XBTUSD position" in (position_problem(sell, PF, Decimal("0.1"), {}) or "")
    assert "not loaded yet" in (position_problem(sell, PF, Decimal("0.1"), None) or "")
    # spot here has no margin account: neither reduce-only nor settle-position can succeed
    assert "spot trading here has none" in (
        position_problem(FormInput("buy", reduce_only=True), BTC, Decimal(1), {}) or ""
    )
    settle = FormInput("buy", order_type="settle-position")
    assert "settle-position needs a margin position" in (position_problem(settle, BTC, Decimal(1), {}) or "")
    assert position_problem(FormInput("buy"), PF, Decimal(1), None) is None
