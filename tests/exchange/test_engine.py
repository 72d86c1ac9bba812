from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.exchange.engine import Engine
from tui.exchange.events import Execution, Ledger, PublicTrade
from tui.exchange.orders import OrderError, OrderRequest
from tui.exchange.pairs import DEFAULT_PAIRS


class Clock:
    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t


def make() -> tuple[Engine, Clock]:
    clock = Clock()
    eng = Engine(DEFAULT_PAIRS, now=clock)
    eng.open_account("alice", {"USD": Decimal(100000), "BTC": Decimal(2)})
    eng.open_account("bob", {"USD": Decimal(100000), "BTC": Decimal(2)})
    return eng, clock


def limit(side: str, qty: str, price: str, **kw: object) -> OrderRequest:
    p = DEFAULT_PAIRS["BTC/USD"]
    return OrderRequest("limit", side, "BTC/USD", p.qty_ticks(qty), p.price_ticks(price), **kw)  # type: ignore[arg-type]


def test_crossing_limit_fills_at_resting_price_with_fees_and_ordered_events() -> None:
    eng, _ = make()
    maker = eng.add_order("alice", limit("sell", "0.5", "60000.0"))
    eng.drain_events()
    taker = eng.add_order("bob", limit("buy", "0.2", "61000.0"))
    events = eng.drain_events()
    execs = [e.report["exec_type"] for e in events if isinstance(e, Execution) and e.user == "bob"]
    assert execs == ["pending_new", "new", "trade", "filled"]
    trade = next(e for e in events if isinstance(e, PublicTrade))
    assert (trade.price, trade.qty, trade.side) == (600000, 20_000_000, "buy")
    # taker pays 12000 + 0.40% fee; maker receives 12000 - 0.25%
    assert eng.balances("bob")["USD"] == (
        Decimal("100000") - Decimal("12000") - Decimal("48.0000"),
        Decimal(0),
    )
    assert eng.balances("bob")["BTC"][0] == Decimal("2.2")
    assert eng.balances("alice")["USD"][0] == Decimal("100000") + Decimal("12000") - Decimal("30.0000")
    assert eng.balances("alice")["BTC"] == (Decimal("1.8"), Decimal("0.3"))
    assert maker.status == "partially_filled" and taker.status == "filled"
    ledgers = [e for e in events if isinstance(e, Ledger) and e.user == "bob"]
    assert {e.entry["asset"] for e in ledgers} == {"BTC", "USD"}
    assert len({e.entry["ref_id"] for e in ledgers}) == 1


def test_price_time_priority_and_amend_priority_rules() -> None:
    eng, _ = make()
    eng.open_account("carol", {"USD": Decimal(100000)})
    a = eng.add_order("alice", limit("buy", "0.1", "50000.0"))
    b = eng.add_order("carol", limit("buy", "0.1", "50000.0"))
    assert [o.order_id for _, orders in eng.l3_levels("BTC/USD", "bid", 1) for o in orders] == [
        a.order_id,
        b.order_id,
    ]
    eng.amend_order(
        "alice", order_id=a.order_id, qty=DEFAULT_PAIRS["BTC/USD"].qty_ticks("0.05")
    )  # keeps place
    assert eng.l3_levels("BTC/USD", "bid", 1)[0][1][0] is a
    eng.amend_order(
        "alice", order_id=a.order_id, qty=DEFAULT_PAIRS["BTC/USD"].qty_ticks("0.2")
    )  # to the back
    assert eng.l3_levels("BTC/USD", "bid", 1)[0][1][0] is b
    eng.add_order("bob", limit("sell", "0.1", "49000.0"))
    assert b.status == "filled" and a.filled == 0


def test_errors_use_kraken_texts() -> None:
    eng, _ = make()
    cases = [
        (limit("buy", "0.00001", "50000.0"), "EOrder:Order minimum not met"),
        (limit("buy", "5", "50000.0"), "EOrder:Insufficient funds"),
        (OrderRequest("limit", "buy", "BTC/USD", 1_000_000, 40), "EOrder:Cost minimum not met"),
        (OrderRequest("stop-loss", "sell", "BTC/USD", 1_000_000), "EGeneral:Invalid arguments:triggers"),
    ]
    for req, text in cases:
        with pytest.raises(OrderError) as err:
            eng.add_order("alice", req)
        assert err.value.text == text
    eng.add_order("alice", limit("buy", "0.1", "50000.0", cl_ord_id="x1"))
    with pytest.raises(OrderError, match="Duplicate cl_ord_id"):
        eng.add_order("alice", limit("buy", "0.1", "50000.0", cl_ord_id="x1"))
    with pytest.raises(OrderError, match="Unknown order"):
        eng.cancel_orders("alice", ["NOPE"])


def test_post_only_that_would_cross_is_cancelled() -> None:
    eng, _ = make()
    eng.add_order("alice", limit("sell", "0.1", "60000.0"))
    o = eng.add_order("bob", limit("buy", "0.1", "60000.0", post_only=True))
    assert o.status == "canceled" and o.filled == 0


def test_stop_loss_triggers_on_last_trade() -> None:
    eng, _ = make()
    stop = eng.add_order(
        "alice", OrderRequest("stop-loss", "sell", "BTC/USD", 10_000_000, trigger_price=Decimal("59000"))
    )
    eng.add_order("bob", limit("buy", "1", "58000.0"))
    eng.add_order("bob", limit("sell", "0.01", "58500.0"))  # rests
    eng.add_order("alice", limit("buy", "0.01", "58500.0"))  # trades at 58500 <= 59000: stop fires
    assert stop.status == "filled"


def test_dead_mans_switch_cancels_everything_after_timeout() -> None:
    eng, clock = make()
    eng.add_order("alice", limit("buy", "0.1", "50000.0"))
    eng.cancel_all_orders_after("alice", 60)
    clock.t += 59
    eng.advance()
    assert len(eng.open_orders("alice")) == 1
    clock.t += 2
    eng.advance()
    assert eng.open_orders("alice") == []
    reasons = [e.report.get("reason") for e in eng.drain_events() if isinstance(e, Execution)]
    assert "CancelAllOrdersAfter Timeout" in reasons
    assert eng.balances("alice")["USD"][1] == 0


def test_rate_limit() -> None:
    eng, _ = make()
    with pytest.raises(OrderError, match="Rate limit exceeded"):
        for _ in range(200):
            o = eng.add_order("alice", limit("buy", "0.001", "50000.0"))
            eng.cancel_orders("alice", [o.order_id])


actions = st.lists(
    st.tuples(
        st.sampled_from(["alice", "bob", "carol"]),
        st.sampled_from(["buy", "sell"]),
        st.integers(1, 40),
        st.integers(-30, 30),
        st.sampled_from(["limit", "market", "cancel", "ioc"]),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(actions)
def test_property_conservation_and_no_negative_balances(steps: list[tuple[str, str, int, int, str]]) -> None:
    eng, clock = make()
    eng.rate_limits = False
    eng.open_account("carol", {"USD": Decimal(500), "BTC": Decimal("0.01")})
    start = eng.totals()
    for user, side, qty, offset, kind in steps:
        clock.t += 1
        try:
            if kind == "cancel":
                eng.cancel_all(user)
            else:
                req = OrderRequest(
                    "market" if kind == "market" else "limit",
                    side,
                    "BTC/USD",
                    qty * 100_000,
                    None if kind == "market" else 600_000 + offset * 10,
                    time_in_force="ioc" if kind == "ioc" else "gtc",
                )
                eng.add_order(user, req)
        except OrderError:
            pass
        for name in ("alice", "bob", "carol"):
            for total, reserved in eng.balances(name).values():
                assert total >= 0 and reserved >= 0
                assert reserved <= total
    assert eng.totals() == start
    for o in eng.open_orders("alice") + eng.open_orders("bob") + eng.open_orders("carol"):
        assert o.is_open and 0 <= o.filled < o.qty
    bids, asks = eng.levels("BTC/USD", "bid", 1), eng.levels("BTC/USD", "ask", 1)
    if bids and asks:
        assert bids[0][0] < asks[0][0]
