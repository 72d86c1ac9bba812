"""One spot pair and one perpetual with small, hand-checkable books."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tui.book.l2 import L2Book
from tui.config import Guards
from tui.kraken.instrument import Instrument
from tui.kraken.messages import BookLevel
from tui.store import Balance

# BTC/USD as Kraken lists it: 0.1 USD ticks, 8 qty decimals, minimum 0.0001 BTC and 0.5 USD.
BTC = Instrument("BTC/USD", "BTC", "USD", "online", 1, 8, 5, 1, 1, 10_000, Decimal("0.5"))
PF = Instrument("PF_XBTUSD", "XBT", "USD", "online", 1, 4, 5, 5, 1, 1, Decimal(0))


def make_book(inst: Instrument, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> L2Book:
    book = L2Book(inst.symbol, inst.price_precision, inst.qty_precision, 100)
    book.apply_snapshot([BookLevel(p, q) for p, q in bids], [BookLevel(p, q) for p, q in asks])
    return book


@pytest.fixture
def book() -> L2Book:
    """Mid 50000.0; asks 50000.5 / 50001.0 / 50002.0, bids 49999.5 / 49999.0 / 49998.0."""
    return make_book(
        BTC,
        [("49999.5", "0.50000000"), ("49999.0", "1.00000000"), ("49998.0", "2.00000000")],
        [("50000.5", "0.10000000"), ("50001.0", "0.20000000"), ("50002.0", "0.30000000")],
    )


@pytest.fixture
def pf_book() -> L2Book:
    return make_book(PF, [("49995.0", "1.0000")], [("50005.0", "1.0000")])


@pytest.fixture
def balances() -> dict[str, Balance]:
    """10,000 USD of which 4,000 are held by open orders; 1 BTC of which 0.4 are held."""
    return {
        "USD": Balance("USD", Decimal("10000"), Decimal("4000")),
        "BTC": Balance("BTC", Decimal("1"), Decimal("0.4")),
    }


@pytest.fixture
def guards() -> Guards:
    return Guards(max_notional=Decimal("5000"), max_distance_pct=Decimal("5"))
