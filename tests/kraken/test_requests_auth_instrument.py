from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import pytest

from tui.kraken import requests as rq
from tui.kraken.auth import NonceSource, api_sign, sign_futures_challenge, verify_api_sign
from tui.kraken.instrument import Instrument


def test_api_sign_documented_vector(samples: dict[str, Any]) -> None:
    v = samples["api_sign_test_vector"]
    assert api_sign(
        "/0/private/AddOrder",
        1616492376594,
        "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
        v["private_key_base64"],
    ) == ("4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==")


def test_token_endpoint_vector_and_verification(samples: dict[str, Any]) -> None:
    key = samples["api_sign_test_vector"]["private_key_base64"]
    sig = api_sign("/0/private/GetWebSocketsToken", 1616492376594, "nonce=1616492376594", key)
    assert sig == "+mRDmY9Ks0Moc1zjv/BjfvYa98buO0x1yHChZR5onlfAzAUbfIYlLggUZzdQ0RsmXm4Sh+Q8iAIZdo2wSeHeiA=="
    assert verify_api_sign("/0/private/GetWebSocketsToken", 1616492376594, "nonce=1616492376594", key, sig)
    assert not verify_api_sign(
        "/0/private/GetWebSocketsToken", 1616492376595, "nonce=1616492376594", key, sig
    )


def test_futures_challenge_vector() -> None:
    secret = "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm"
    assert sign_futures_challenge("c100b894-1729-464d-ace1-52dbce11db42", secret) == (
        "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A=="
    )


def test_nonce_strictly_increases() -> None:
    n = NonceSource()
    values = [n.next() for _ in range(1000)]
    assert all(b > a for a, b in itertools.pairwise(values))


def test_numbers_are_bare_exact_json_numbers() -> None:
    order = rq.OrderParams(
        "limit", "buy", Decimal("0.00000010"), "BTC/USD", limit_price=Decimal("26500.40"), cl_ord_id="abc"
    )
    text = rq.add_order(order, token="T", req_id=7)
    assert '"order_qty":0.00000010' in text
    assert '"limit_price":26500.40' in text
    frame = json.loads(text, parse_float=Decimal)
    assert frame["params"]["order_qty"] == Decimal("0.00000010") and frame["req_id"] == 7


def test_subscribe_many_symbols_one_message() -> None:
    frame = json.loads(rq.subscribe("book", ["BTC/USD", "ETH/USD"], req_id=3, depth=10, snapshot=True))
    assert frame == {
        "method": "subscribe",
        "params": {"channel": "book", "symbol": ["BTC/USD", "ETH/USD"], "depth": 10, "snapshot": True},
        "req_id": 3,
    }
    assert json.loads(rq.ping(5)) == {"method": "ping", "req_id": 5}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cl_ord_id": "a", "order_userref": 1},
        {"display_qty": Decimal(1)},
        {"time_in_force": "gtd"},
        {"order_type": "stop-loss"},
        {"order_type": "market", "post_only": True},
    ],
)
def test_documented_exclusions_are_enforced(kwargs: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "order_type": "limit",
        "side": "buy",
        "order_qty": Decimal(1),
        "symbol": "BTC/USD",
        "limit_price": Decimal(1),
    }
    base.update(kwargs)
    with pytest.raises(rq.RequestError):
        rq.OrderParams(**base)


def test_every_trading_method_encodes() -> None:
    o = rq.OrderParams("limit", "sell", Decimal("1.5"), "ETH/USD", limit_price=Decimal("3000.00"))
    assert (
        json.loads(rq.amend_order(token="T", order_id="X", limit_price=Decimal("1.0")))["method"]
        == "amend_order"
    )
    assert (
        json.loads(rq.edit_order(token="T", order_id="X", symbol="ETH/USD"))["params"]["symbol"] == "ETH/USD"
    )
    assert json.loads(rq.cancel_order(token="T", cl_ord_id=["a"]))["params"]["cl_ord_id"] == ["a"]
    assert json.loads(rq.cancel_all(token="T"))["params"] == {"token": "T"}
    assert json.loads(rq.cancel_all_orders_after(60, token="T"))["params"]["timeout"] == 60
    batch = json.loads(rq.batch_add("ETH/USD", [o, o], token="T"))
    assert "symbol" not in batch["params"]["orders"][0]
    assert json.loads(rq.batch_cancel(token="T", orders=["A", "B"]))["params"]["orders"] == ["A", "B"]
    with pytest.raises(rq.RequestError):
        rq.cancel_all_orders_after(86400, token="T")


def test_instrument_from_wire_with_exponents_and_validation() -> None:
    inst = Instrument.from_wire(
        {
            "symbol": "BTC/USD",
            "base": "BTC",
            "quote": "USD",
            "status": "online",
            "price_precision": 1,
            "qty_precision": 8,
            "cost_precision": 5,
            "price_increment": "0.1",
            "qty_increment": "1e-08",
            "qty_min": "5e-05",
            "cost_min": "0.5",
        }
    )
    assert (inst.qty_increment, inst.qty_min) == (1, 5000)
    assert inst.format_qty(5) == "0.00000005"
    fields = {
        c.field: c.message
        for c in inst.check_order(order_type="limit", qty_ticks=10, price_ticks=600000, post_only=False)
    }
    assert "Order minimum not met" in fields["qty"]
    inst5 = Instrument.from_wire(
        {
            "symbol": "X/USD",
            "base": "X",
            "quote": "USD",
            "price_precision": 2,
            "qty_precision": 2,
            "price_increment": "0.05",
            "qty_increment": "0.01",
            "qty_min": "0.01",
            "cost_min": "1",
            "status": "cancel_only",
        }
    )
    checks = inst5.check_order(order_type="limit", qty_ticks=100, price_ticks=101, post_only=False)
    messages = " ".join(c.message for c in checks)
    assert "Tick size check failed" in messages and "cancel_only" in messages
    assert inst5.round_price(Decimal("1.03"), up=False) == 100
    assert inst5.round_price(Decimal("1.03"), up=True) == 105


def test_nonce_survives_wall_clock_stepping_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    import tui.kraken.auth as auth

    clock = [1_764_030_000_000_000_000]
    monkeypatch.setattr(auth, "time", types.SimpleNamespace(time_ns=lambda: clock[0]))
    src = auth.NonceSource()
    first = src.next()
    assert first == 1_764_030_000_000_000  # microseconds since the epoch
    clock[0] -= 60 * 10**9  # NTP steps the clock back a minute
    assert src.next() == first + 1
    assert src.next() == first + 2
    clock[0] += 120 * 10**9
    assert src.next() == first + 60_000_000
