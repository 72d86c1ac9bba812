"""The steps together, and the request they produce."""

from __future__ import annotations

from decimal import Decimal

from tests.orders.conftest import BTC, PF
from tui.book.l2 import L2Book
from tui.config import Guards
from tui.kraken.requests import OrderParams
from tui.orders import FormInput, build_order
from tui.orders.params import expire_time, request_params
from tui.orders.parse import Parsed
from tui.store import Balance


def test_request_params_are_exact() -> None:
    form = FormInput("buy", "iceberg", time_in_force="gtd", post_only=True)
    parsed = Parsed(495_000, None, 495_000, 150_000_000, Decimal("0.1"), Decimal("90"))
    assert request_params(form, BTC, parsed, now=1_700_000_000.0, cl_ord_id="c1") == OrderParams(
        order_type="iceberg",
        side="buy",
        order_qty=Decimal("1.50000000"),
        symbol="BTC/USD",
        limit_price=Decimal("49500.0"),
        time_in_force="gtd",
        expire_time="2023-11-14T22:14:50Z",
        post_only=True,
        display_qty=Decimal("0.1"),
        cl_ord_id="c1",
    )
    trailing = FormInput("sell", "trailing-stop-limit", trigger_reference="index")
    p = request_params(
        trailing, BTC, Parsed(None, Decimal(150), None, 100_000, limit_offset=Decimal(5)), now=0
    )
    assert (p.limit_price, p.trigger_price, p.trigger_price_type, p.trigger_reference) == (
        Decimal(5),
        Decimal(150),
        "quote",
        "index",
    )
    assert expire_time(0, 61.9) == "1970-01-01T00:01:01Z"


def test_a_good_order_becomes_params_and_review(
    book: L2Book, balances: dict[str, Balance], guards: Guards
) -> None:
    draft = build_order(FormInput("buy", qty="0.05", price="-1%"), BTC, book, balances, guards, cl_ord_id="c")
    assert draft.ok and draft.params is not None and draft.review is not None
    assert (draft.params.order_qty, draft.params.limit_price) == (Decimal("0.05000000"), Decimal("49500.0"))
    assert (draft.review.notional, draft.review.fee, draft.review.confirm_reasons) == (
        Decimal("2475.00"),
        Decimal("6.1875"),
        [],
    )


def test_refusals_come_in_form_order(book: L2Book, balances: dict[str, Balance], guards: Guards) -> None:
    draft = build_order(FormInput("buy", "iceberg", qty="x", price="abc"), BTC, book, balances, guards)
    assert list(draft.errors) == ["qty", "price", "display_qty"] and draft.params is None


def test_funds_are_judged_only_on_a_readable_order(
    book: L2Book, balances: dict[str, Balance], guards: Guards
) -> None:
    draft = build_order(FormInput("buy", qty="0.2", price="50000"), BTC, book, balances, guards)
    assert draft.errors == {"qty": "EOrder:Insufficient funds: needs 10040.00 USD, available 6000.00"}


def test_futures_margin_and_reasons(pf_book: L2Book, guards: Guards) -> None:
    form = FormInput("buy", qty="0.2", price="50000")
    draft = build_order(form, PF, pf_book, {}, guards, margin_available=Decimal("1000"), live=True)
    assert draft.review is not None
    assert (draft.review.notional, draft.review.fee) == (
        Decimal("10000.00"),
        Decimal("2.0000"),
    )  # maker 0.02 %
    assert draft.review.confirm_reasons == [
        "notional 10,000.00 USD is above your limit of 5,000",
        "LIVE mode: real money",
    ]
