"""Step one: what typed text means, exactly; unreadable fields get a message and stay None."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.orders.conftest import BTC, PF
from tui.book.l2 import L2Book
from tui.orders import FormInput
from tui.orders.parse import num, parse_inputs, parse_price, pct_quantity
from tui.store import Balance


@pytest.mark.parametrize(
    ("text", "side", "ticks"),
    [
        ("best", "buy", 499995),  # own side's best: the bid for a buy
        ("join", "sell", 500005),
        ("bid", "sell", 499995),
        ("ask", "buy", 500005),
        ("mid", "buy", 500000),
        ("+3t", "buy", 499998),
        ("-2t", "sell", 500003),
        ("-1%", "buy", 495000),  # 49500.0 exactly
        ("+0.001%", "sell", 500005),  # 50000.5: a sell rounds up to the next tick
        ("-0.001%", "buy", 499995),  # 49999.5: a buy rounds down
        ("50123.4", "buy", 501234),
    ],
)
def test_prices_absolute_and_relative(book: L2Book, text: str, side: str, ticks: int) -> None:
    assert parse_price(text, side, book, BTC) == ticks


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a price is required"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
        ("50000.55", "EOrder:Tick size check failed: at most 1 decimals (tick 0.1)"),
    ],
)
def test_unreadable_prices(book: L2Book, text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse_price(text, "buy", book, BTC)


def test_relative_prices_need_a_book() -> None:
    empty = L2Book("BTC/USD", 1, 8, 10)
    for text, message in (
        ("best", "no best price"),
        ("mid", "no mid"),
        ("+1t", "no best price"),
        ("1%", "no mid"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_price(text, "buy", empty, BTC)


def test_num_refuses_commas_and_separators_and_infinity() -> None:
    assert num(" 1000.25 ") == Decimal("1000.25")
    for text in ("1,5", "1,000.5", "97,000"):
        with pytest.raises(ValueError, match="use a point for decimals"):
            num(text)
    for text in ("1_000.25", "1 000.25"):
        with pytest.raises(ValueError, match="no thousands separators"):
            num(text)
    with pytest.raises(ValueError):
        num("Infinity")


def test_quantity_in_base_quote_and_percent(book: L2Book, balances: dict[str, Balance]) -> None:
    parsed, errors = parse_inputs(FormInput("buy", qty="0.0015", price="50000"), BTC, book, balances)
    assert errors == {} and parsed.qty_ticks == 150_000 and parsed.price_ticks == 500_000
    # 1000 USD at 50000.0 is 0.02 BTC
    parsed, _ = parse_inputs(
        FormInput("buy", qty="1000", qty_unit="quote", price="50000"), BTC, book, balances
    )
    assert parsed.qty_ticks == 2_000_000
    # 333 USD at 50000.0 is 0.00666 BTC, rounded down to 8 decimals
    parsed, _ = parse_inputs(
        FormInput("buy", qty="333", qty_unit="quote", price="50000"), BTC, book, balances
    )
    assert parsed.qty_ticks == 666_000
    # 50% of the 6000 USD available (10000 less 4000 held), leaving room for the 0.40 % taker fee
    parsed, _ = parse_inputs(FormInput("buy", qty="50", qty_unit="pct", price="50000"), BTC, book, balances)
    assert parsed.qty_ticks == 5_976_095  # 3000 / (50000 * 1.004) = 0.0597609561...
    # a sell's percent is of the available base: 25% of 0.6 BTC
    parsed, _ = parse_inputs(FormInput("sell", qty="25", qty_unit="pct", price="50000"), BTC, book, balances)
    assert parsed.qty_ticks == 15_000_000


def test_futures_percent_is_of_margin() -> None:
    # 10% of 1000 USD margin at 50000.0: 100 / (50000 * (0.02 + 0.0005)) = 0.09756... contracts
    assert pct_quantity(Decimal(10), "buy", PF, 500_000, {}, Decimal(1000)) == Decimal(100) / Decimal(1025)


@pytest.mark.parametrize(
    ("qty", "unit", "message"),
    [
        ("", "base", "a quantity is required"),
        ("abc", "base", "not a number"),
        ("0", "base", "must be above zero"),
        ("-1", "base", "must be above zero"),
        ("0.000000001", "base", "at most 8 decimals"),
        ("101", "pct", "at most 100%"),
    ],
)
def test_unreadable_quantities(
    book: L2Book, balances: dict[str, Balance], qty: str, unit: str, message: str
) -> None:
    parsed, errors = parse_inputs(
        FormInput("buy", qty=qty, qty_unit=unit, price="50000"), BTC, book, balances
    )
    assert errors == {"qty": message} and parsed.qty_ticks is None


def test_quote_quantity_needs_a_price(balances: dict[str, Balance]) -> None:
    empty = L2Book("BTC/USD", 1, 8, 10)
    _, errors = parse_inputs(FormInput("buy", "market", qty="100", qty_unit="quote"), BTC, empty, balances)
    assert errors == {"qty": "no price to convert from"}


def test_triggers_display_and_expiry(book: L2Book, balances: dict[str, Balance]) -> None:
    form = FormInput("sell", "stop-loss", qty="0.01", trigger="-2%")
    parsed, errors = parse_inputs(form, BTC, book, balances)
    assert errors == {} and parsed.trigger == Decimal("49000.0") and parsed.ref_price == 490_000
    parsed, _ = parse_inputs(
        FormInput("sell", "trailing-stop", qty="0.01", trigger="-150"), BTC, book, balances
    )
    assert parsed.trigger == Decimal(150) and parsed.ref_price == 499_995  # distance; measured at the bid
    _, errors = parse_inputs(FormInput("sell", "stop-loss", qty="0.01"), BTC, book, balances)
    assert errors == {"trigger": "stop-loss needs a trigger price"}
    form = FormInput(
        "buy", "iceberg", qty="1", price="49000", display_qty="x", time_in_force="gtd", expire="-5"
    )
    parsed, errors = parse_inputs(form, BTC, book, balances)
    assert errors == {
        "display_qty": "iceberg orders need a display quantity",
        "expire": "GTD needs an expiry in seconds from now",
    }
    parsed, errors = parse_inputs(
        FormInput("buy", "trailing-stop-limit", qty="1", price="bad", trigger="10"), BTC, book, balances
    )
    assert errors == {"price": "not a number"}
