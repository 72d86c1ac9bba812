"""Risk sizing and bracket outcomes against numbers worked out by hand in the test."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest

from tests.orders.conftest import BTC, PF
from tui.book.l2 import L2Book
from tui.config import Guards
from tui.kraken.requests import Conditional
from tui.kraken.vocab import SPOT_MAKER_FEE, SPOT_TAKER_FEE
from tui.orders import FormInput, build_order
from tui.orders.risk import bracket_outcome, portfolio_equity, risk_amount, risk_quantity
from tui.store import Balance

D = Decimal


def test_risk_quantity_matches_a_hand_calculation_with_fees() -> None:
    # Buy at 50,000 (resting: maker 0.25 %), stop at 49,000 (market on trigger: taker 0.40 %),
    # risk 100 USD. Per BTC stopped out:
    #   distance            50,000 - 49,000     = 1,000.00
    #   entry fee  50,000 * 0.0025              =   125.00
    #   exit fee   49,000 * 0.0040              =   196.00
    #                                  total    = 1,321.00 USD per BTC
    #   size = 100 / 1,321 = 0.0757002271...  BTC
    assert (D("0.0025"), D("0.004")) == (SPOT_MAKER_FEE, SPOT_TAKER_FEE)  # the rates the sum uses
    qty = risk_quantity(D(100), D(50000), D(49000), SPOT_MAKER_FEE, SPOT_TAKER_FEE)
    assert qty.quantize(D("0.00000001"), ROUND_DOWN) == D("0.07570022")  # cut to the lot, never up
    # the loss at the stop for that size, computed the same long way, is the risk
    out = bracket_outcome(
        "buy",
        qty,
        D(50000),
        D(49000),
        None,
        entry_fee=SPOT_MAKER_FEE,
        stop_fee=SPOT_TAKER_FEE,
        target_fee=SPOT_MAKER_FEE,
    )
    assert out.loss_at_stop is not None
    assert out.loss_at_stop.quantize(D("0.000001")) == D("100.000000")


def test_bracket_outcome_and_reward_risk_by_hand() -> None:
    # 0.1 BTC bought at 50,000 (maker), stop 49,000 (taker), target 52,000 (resting limit: maker)
    #   loss  = 0.1 * 1,000 + 0.1 * 50,000 * 0.0025 + 0.1 * 49,000 * 0.004
    #         = 100 + 12.5 + 19.6                                        = 132.10
    #   gain  = 0.1 * 2,000 - 0.1 * 50,000 * 0.0025 - 0.1 * 52,000 * 0.0025
    #         = 200 - 12.5 - 13.0                                        = 174.50
    #   R:R   = 174.50 / 132.10                                          = 1.3209...
    out = bracket_outcome(
        "buy",
        D("0.1"),
        D(50000),
        D(49000),
        D(52000),
        entry_fee=D("0.0025"),
        stop_fee=D("0.004"),
        target_fee=D("0.0025"),
    )
    assert out.loss_at_stop == D("132.1000")
    assert out.reward_at_target == D("174.5000")
    assert out.reward_risk is not None and out.reward_risk.quantize(D("0.0001")) == D("1.3210")


def test_a_short_bracket_mirrors_the_long_one() -> None:
    # sell 0.1 at 50,000, stop above at 51,000, target below at 48,000, same fee rates
    #   loss = 0.1 * 1,000 + 12.5 + 0.1 * 51,000 * 0.004 = 100 + 12.5 + 20.4 = 132.90
    #   gain = 0.1 * 2,000 - 12.5 - 0.1 * 48,000 * 0.0025 = 200 - 12.5 - 12 = 175.50
    out = bracket_outcome(
        "sell",
        D("0.1"),
        D(50000),
        D(51000),
        D(48000),
        entry_fee=D("0.0025"),
        stop_fee=D("0.004"),
        target_fee=D("0.0025"),
    )
    assert out.loss_at_stop == D("132.9000") and out.reward_at_target == D("175.5000")


def test_risk_as_a_percent_of_equity() -> None:
    # 1 BTC at 50,000 plus 10,000 USD is 60,000 USD; 0.5 % of it is 300 USD
    equity = portfolio_equity({"BTC": D(1), "USD": D(10000)}, {"BTC": D(50000)}, "USD")
    assert equity == D(60000)
    assert risk_amount(D("0.5"), "pct", equity) == D(300)
    assert risk_amount(D(75), "quote", None) == D(75)
    # an asset without a price: the equity is unknown, not the partial sum
    assert portfolio_equity({"BTC": D(1), "ETH": D(2), "USD": D(1)}, {"BTC": D(50000)}, "USD") is None
    with pytest.raises(ValueError, match="equity unknown"):
        risk_amount(D(1), "pct", None)
    with pytest.raises(ValueError, match="between 0 and 100"):
        risk_amount(D(150), "pct", equity)


def test_no_distance_no_size() -> None:
    with pytest.raises(ValueError, match="no distance"):
        risk_quantity(D(100), D(50000), D(50000), D(0), D(0))
    with pytest.raises(ValueError, match="above zero"):
        risk_quantity(D(0), D(50000), D(49000), D(0), D(0))


def test_the_form_sizes_from_the_risk_and_attaches_the_stop(
    book: L2Book, balances: dict[str, Balance], guards: Guards
) -> None:
    # Buy limit 49,000.0 (rests under the 50,000.5 ask: maker 0.25 %), stop 48,000.0 (taker 0.4 %),
    # risk 50 USD. Per BTC: 1,000 + 49,000 * 0.0025 + 48,000 * 0.004 = 1,000 + 122.5 + 192 = 1,314.5
    # size = 50 / 1,314.5 = 0.03803727... -> cut down to 8 decimals: 0.03803727 BTC
    form = FormInput("buy", "limit", price="49000", stop="48000", target="52000", risk="50")
    draft = build_order(form, BTC, book, balances, guards)
    assert draft.ok, draft.errors
    assert draft.params is not None and draft.review is not None
    assert draft.params.order_qty == D("0.03803727")
    assert draft.params.conditional == Conditional("stop-loss", trigger_price=D("48000.0"))
    wire = draft.params.to_params()["conditional"]
    assert wire == {"order_type": "stop-loss", "trigger_price": D("48000.0")}
    b = draft.review.bracket
    assert b is not None and b.sent == "stop" and b.risk == D(50)
    # loss at the stop for 0.03803727 BTC: 0.03803727 * 1,314.5 = 49.99999... -> 50.00 to the cent
    assert b.loss_at_stop == D("50.00")
    # gain at 52,000 (maker out): 0.03803727 * (3,000 - 122.5 - 130) = 0.03803727 * 2,747.5 = 104.51
    assert b.reward_at_target == D("104.51")
    assert b.reward_risk == D("2.09")  # 104.51... / 50.00 to the cent


def test_a_target_alone_rests_as_the_close_and_wrong_sides_are_refused(
    book: L2Book, balances: dict[str, Balance], guards: Guards
) -> None:
    draft = build_order(
        FormInput("buy", "limit", qty="0.01", price="49000", target="52000"), BTC, book, balances, guards
    )
    assert draft.params is not None
    assert draft.params.conditional == Conditional("limit", limit_price=D("52000.0"))
    bad = build_order(
        FormInput("buy", "limit", qty="0.01", price="49000", stop="49500", target="48000"),
        BTC,
        book,
        balances,
        guards,
    )
    assert "below the entry 49000.0" in bad.errors["stop"] and "above the entry" in bad.errors["target"]
    both = build_order(
        FormInput("buy", "limit", qty="0.01", price="49000", stop="48000", risk="50"),
        BTC,
        book,
        balances,
        guards,
    )
    assert "not both" in both.errors["risk"]
    no_stop = build_order(FormInput("buy", "limit", price="49000", risk="50"), BTC, book, balances, guards)
    assert "needs a stop" in no_stop.errors["stop"]


def test_futures_take_no_attached_close(pf_book: L2Book, guards: Guards) -> None:
    draft = build_order(
        FormInput("buy", "limit", qty="1", price="49000", stop="48000"),
        PF,
        pf_book,
        {},
        guards,
        margin_available=D(100000),
    )
    assert "Kraken Futures attach no close order" in draft.errors["stop"]
