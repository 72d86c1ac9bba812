"""Futures settlement in the matching engine: positions, exact realized PnL, margin, conservation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.exchange.engine import FEE_ACCOUNT, Engine
from tui.exchange.events import FuturesFill, FuturesOrderEvent
from tui.exchange.market import MAKER, TAKER, SyntheticMarket
from tui.exchange.orders import OrderError, OrderRequest
from tui.exchange.pairs import DEFAULT_PAIRS, FUTURES_PRODUCTS, START_PRICES
from tui.exchange.positions import Position

XBT = FUTURES_PRODUCTS["PF_XBTUSD"]


class Clock:
    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t


def make(collateral: str = "10000") -> tuple[Engine, Clock]:
    clock = Clock()
    eng = Engine(DEFAULT_PAIRS, now=clock, futures=FUTURES_PRODUCTS)
    for user in ("alice", "bob", "carol"):
        eng.open_futures_account(user, Decimal(collateral))
    return eng, clock


def lmt(side: str, qty: str, price: str, **kw: object) -> OrderRequest:
    return OrderRequest("limit", side, "PF_XBTUSD", XBT.qty_ticks(qty), XBT.price_ticks(price), **kw)  # type: ignore[arg-type]


def test_fifo_lots_realize_exactly() -> None:
    pos = Position()
    assert pos.apply(Decimal("1"), Decimal("100")) == 0
    assert pos.apply(Decimal("2"), Decimal("110")) == 0
    # 320/3 rounded to 10 decimals: the precision Position.entry_price documents
    assert pos.entry_price == Decimal("106.6666666667")
    # sell 1.5: closes the 1 @100 lot (+10) and 0.5 of the 110 lot (+2.5) at 115
    assert pos.apply(Decimal("-1.5"), Decimal("115")) == Decimal("17.5")
    assert pos.qty == Decimal("1.5")
    # flip: sell 2.5 at 90 closes 1.5 @110 (-30) and opens a 1 short at 90
    assert pos.apply(Decimal("-2.5"), Decimal("90")) == Decimal("-30.0")
    assert pos.qty == Decimal("-1") and pos.entry_price == Decimal("90")
    assert pos.unrealized(Decimal("80")) == Decimal("10")


def test_fill_moves_positions_and_collateral_not_spot_assets() -> None:
    eng, _ = make()
    spot_before = eng.totals()
    eng.add_order("alice", lmt("sell", "0.1", "50000.0"))
    eng.drain_events()
    eng.add_order("bob", lmt("buy", "0.1", "50000.0"))
    events = eng.drain_events()
    assert eng.totals() == spot_before
    assert eng.ledger.qty("alice", "PF_XBTUSD") == Decimal("-0.1")
    assert eng.ledger.qty("bob", "PF_XBTUSD") == Decimal("0.1")
    fills = [e for e in events if isinstance(e, FuturesFill)]
    assert {(f.user, f.liquidity) for f in fills} == {("alice", "maker"), ("bob", "taker")}
    # fees: 5000 notional * 0.0002 maker, * 0.0005 taker, exact
    assert eng.ledger.collateral["alice"] == Decimal("10000") - Decimal("1.0000")
    assert eng.ledger.collateral["bob"] == Decimal("10000") - Decimal("2.5000")
    assert eng.ledger.collateral[FEE_ACCOUNT] == Decimal("3.5")
    # bob closes at 50100 against alice: bob realizes +10, alice -10
    eng.add_order("alice", lmt("buy", "0.1", "50100.0"))
    eng.add_order("bob", lmt("sell", "0.1", "50100.0"))
    assert eng.ledger.qty("bob", "PF_XBTUSD") == 0
    assert eng.ledger.collateral["bob"] == Decimal("10000") - Decimal("2.5") + 10 - Decimal("2.505")
    kinds = [e.exec_type for e in eng.drain_events() if isinstance(e, FuturesOrderEvent) and e.user == "bob"]
    assert kinds == ["new", "filled"]


def test_margin_check_and_reduce_only() -> None:
    eng, _ = make("100")
    # 100 USD at 2% margin buys at most 5000 USD of notional
    with pytest.raises(OrderError, match="insufficientAvailableFunds"):
        eng.add_order("alice", lmt("buy", "0.1001", "50000.0"))
    eng.add_order("alice", lmt("buy", "0.05", "50000.0"))
    with pytest.raises(OrderError, match="insufficientAvailableFunds"):
        eng.add_order("alice", lmt("buy", "0.06", "50000.0"))
    with pytest.raises(OrderError, match="wouldNotReducePosition"):
        eng.add_order("alice", lmt("sell", "0.01", "51000.0", reduce_only=True))
    eng.add_order("bob", lmt("sell", "0.05", "50000.0"))  # fills alice's bid
    assert eng.ledger.qty("alice", "PF_XBTUSD") == Decimal("0.05")
    # a reducing sell needs no margin even though alice has little left
    eng.add_order("alice", lmt("sell", "0.05", "52000.0", reduce_only=True))
    with pytest.raises(OrderError, match="wouldNotReducePosition"):
        eng.add_order("alice", lmt("sell", "0.06", "52000.0", reduce_only=True))


def test_mark_index_and_futures_dead_mans_switch() -> None:
    eng, clock = make()
    eng.add_order("alice", lmt("buy", "0.1", "50000.0"))
    eng.add_order("bob", lmt("sell", "0.1", "50001.0"))
    assert eng.mark_price("PF_XBTUSD") == Decimal("50000.5")
    assert eng.index_price("PF_XBTUSD") == Decimal("50000.5")  # no spot book: falls back to the mark
    eng.open_account("carol", {"USD": Decimal(1000)})
    spot = eng.add_order("carol", OrderRequest("limit", "buy", "BTC/USD", 100_000, 400_000))
    eng.cancel_all_orders_after("alice", 5, futures=True)
    clock.t += 6
    eng.advance()
    assert eng.futures_orders("alice") == []
    assert eng.futures_orders("bob") and eng.order(spot.order_id) is not None


actions = st.lists(
    st.tuples(
        st.sampled_from(["alice", "bob", "carol", MAKER]),
        st.sampled_from(["buy", "sell"]),
        st.integers(1, 40),
        st.integers(-30, 30),
        st.sampled_from(["limit", "market", "cancel", "ioc", "reduce"]),
    ),
    max_size=60,
)


def _equity(eng: Engine, mark: Decimal) -> Decimal:
    total = Decimal(0)
    for user in eng.ledger.users():
        total += eng.ledger.collateral.get(user, Decimal(0))
        for pos in eng.ledger.positions.get(user, {}).values():
            total += pos.unrealized(mark)
    return total


@settings(max_examples=60, deadline=None)
@given(actions, st.integers(30_000, 70_000))
def test_property_positions_net_to_zero_and_equity_is_conserved(
    steps: list[tuple[str, str, int, int, str]], mark: int
) -> None:
    eng, clock = make("2000")
    eng.unlimited.add(MAKER)
    spot = eng.totals()
    start = _equity(eng, Decimal(mark))
    for user, side, qty, offset, kind in steps:
        clock.t += 1
        try:
            if kind == "cancel":
                eng.cancel_all(user, futures=True)
            else:
                eng.add_order(
                    user,
                    OrderRequest(
                        "market" if kind == "market" else "limit",
                        side,
                        "PF_XBTUSD",
                        qty * 100,
                        None if kind == "market" else 500_000 + offset * 5,
                        time_in_force="ioc" if kind == "ioc" else "gtc",
                        reduce_only=kind == "reduce",
                    ),
                )
        except OrderError:
            pass
        positions = [p.qty for u in eng.ledger.users() for p in eng.ledger.positions.get(u, {}).values()]
        assert sum(positions, Decimal(0)) == 0
        # fees are part of the ledger (the fee account's collateral): the sum is exact at any mark
        assert _equity(eng, Decimal(mark)) == start
        assert _equity(eng, Decimal(mark) + Decimal("0.5")) == start
    assert eng.totals() == spot
    bids, asks = eng.levels("PF_XBTUSD", "bid", 1), eng.levels("PF_XBTUSD", "ask", 1)
    if bids and asks:
        assert bids[0][0] < asks[0][0]


def test_synthetic_participants_trade_futures_books() -> None:
    eng, _ = make()
    market = SyntheticMarket(eng, list(FUTURES_PRODUCTS), START_PRICES, seed=5)
    for _ in range(30):
        market.tick(50)
    eng.drain_events()
    assert eng.best("PF_XBTUSD", "bid") is not None and eng.best("PF_ETHUSD", "ask") is not None
    assert eng.ledger.qty(MAKER, "PF_XBTUSD") == -eng.ledger.qty(TAKER, "PF_XBTUSD")
    assert eng.ledger.qty(TAKER, "PF_XBTUSD") != 0
