"""Amends judged as the order would become, with the order's own hold given back."""

from __future__ import annotations

from decimal import Decimal

from tests.orders.conftest import BTC
from tui.book.l2 import L2Book
from tui.config import Guards
from tui.orders.amend import check_amend, released_balances
from tui.orders.context import OrderContext
from tui.store import Balance, OrderView


def resting_buy(qty: str, price: str, filled: str = "0") -> OrderView:
    o = OrderView("OABC", symbol="BTC/USD", side="buy", order_type="limit", status="new")
    o.qty, o.limit_price, o.filled = Decimal(qty), Decimal(price), Decimal(filled)
    return o


def ctx(book: L2Book, usd_total: str, usd_held: str) -> OrderContext:
    balances = {"USD": Balance("USD", Decimal(usd_total), Decimal(usd_held))}
    return OrderContext(BTC, book, balances, None, None, False)


def test_the_orders_own_hold_is_given_back(book: L2Book) -> None:
    # 0.1 BTC at 49000 holds 4900 * 1.004 = 4919.6 USD of the 5000; 80.4 are free
    order = resting_buy("0.1", "49000.0")
    balances, _ = released_balances(order, ctx(book, "5000", "4919.6"), Decimal("49000.0"))
    assert balances["USD"].available == Decimal("5000")
    # a partly filled order holds only what is left; the filled part is credited at the new price
    part = resting_buy("0.1", "49000.0", filled="0.04")
    balances, _ = released_balances(part, ctx(book, "5000", "2951.76"), Decimal("49000.0"))
    assert balances["USD"].available == Decimal("5000") + Decimal("0.04") * Decimal("49000.0") * Decimal(
        "1.004"
    )


def test_raising_an_order_is_judged_like_a_new_one(book: L2Book) -> None:
    guards = Guards(max_notional=Decimal("5000"), max_distance_pct=Decimal("5"))
    order = resting_buy("0.05", "49000.0")  # 2450 USD: under the limit
    c = ctx(book, "100000", "2459.8")
    small = check_amend(order, c, guards, qty=Decimal("0.06"))
    assert small.ok and not small.needs_confirmation
    big = check_amend(order, c, guards, qty=Decimal("1"))  # 49,000 USD
    assert big.ok and big.needs_confirmation
    assert big.draft.review is not None and "above your limit of 5,000" in big.draft.review.confirm_reasons[0]
    tiny = check_amend(order, c, guards, qty=Decimal("0.00001"))
    assert not tiny.ok and "Order minimum not met" in tiny.refusal
    poor = check_amend(order, ctx(book, "2500", "2459.8"), guards, qty=Decimal("0.1"))
    assert not poor.ok and "Insufficient funds" in poor.refusal
    tick = check_amend(order, c, guards, price=Decimal("49000.05"))
    assert not tick.ok and "Tick size" in tick.refusal
    far = check_amend(order, c, guards, price=Decimal("45000.0"))  # 10 % below mid
    assert far.ok and far.needs_confirmation
