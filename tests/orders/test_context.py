"""`draft_in`: every order path (form, one-key, positions, staged alerts) judges an order on the
whole context; the staged alert and the position keys used to leave some of it out."""

from __future__ import annotations

from decimal import Decimal as D

from tui.book.l2 import L2Book
from tui.config import Guards
from tui.orders.context import OrderContext, draft_in
from tui.orders.model import FormInput
from tui.store import Balance

from .conftest import BTC


def _ctx(book: L2Book, balances: dict[str, Balance], *, live: bool, equity: D | None) -> OrderContext:
    return OrderContext(BTC, book, balances, None, 10, live, None, equity)


def test_risk_as_a_share_of_equity_needs_the_contexts_equity(
    book: L2Book, balances: dict[str, Balance], guards: Guards
) -> None:
    form = FormInput("buy", "limit", price="49000", stop="48000", risk="0.5", risk_unit="pct")
    sized = draft_in(_ctx(book, balances, live=False, equity=D(10000)), form, guards)
    assert sized.ok and sized.params is not None and sized.params.cl_ord_id  # a fresh id each draft
    # 0.5 % of 10,000 USD = 50 USD at risk; per BTC stopped out 1,314.5 USD (tests/orders/test_risk.py)
    assert sized.params.order_qty == D("0.03803727")
    unknown = draft_in(_ctx(book, balances, live=False, equity=None), form, guards)
    assert not unknown.ok and "risk" in unknown.errors


def test_live_asks_for_the_typed_confirmation_unless_the_caller_relaxes_it(
    book: L2Book, balances: dict[str, Balance], guards: Guards
) -> None:
    form = FormInput("buy", "limit", qty="0.001", price="49990")
    ctx = _ctx(book, balances, live=True, equity=None)
    assert draft_in(ctx, form, guards).review.needs_typed_confirmation  # type: ignore[union-attr]
    assert not draft_in(ctx, form, guards, live=False).review.needs_typed_confirmation  # type: ignore[union-attr]
    a, b = draft_in(ctx, form, guards), draft_in(ctx, form, guards)
    assert a.params is not None and b.params is not None and a.params.cl_ord_id != b.params.cl_ord_id
