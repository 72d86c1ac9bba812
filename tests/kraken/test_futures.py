from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from tui.kraken import futures as fx
from tui.kraken.auth import futures_authent, sign_futures_challenge, verify_futures_authent
from tui.kraken.instrument import Instrument


def test_documented_challenge_vector() -> None:
    secret = "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm"
    assert (
        sign_futures_challenge("c100b894-1729-464d-ace1-52dbce11db42", secret)
        == "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A=="
    )


def test_authent_signs_the_path_without_the_derivatives_prefix() -> None:
    secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    body = "orderType=lmt&symbol=PF_XBTUSD&side=buy&size=0.01&limitPrice=90000"
    sig = futures_authent(body, "1415957147987", "/api/v3/sendorder", secret)
    assert verify_futures_authent(body, "1415957147987", "/api/v3/sendorder", secret, sig)
    assert not verify_futures_authent(body, "1415957147987", "/derivatives/api/v3/sendorder", secret, sig)
    assert not verify_futures_authent(body + "0", "1415957147987", "/api/v3/sendorder", secret, sig)
    assert not verify_futures_authent(body, "1415957147988", "/api/v3/sendorder", secret, sig)


def test_numbers_decode_exactly_from_the_json_text() -> None:
    f = fx.decode(
        '{"feed":"book","product_id":"PF_XBTUSD","side":"sell","seq":7,"price":97250.50,"qty":0.0001,"timestamp":1}'
    )
    book = fx.parse_book(f)
    assert isinstance(book, fx.BookUpdate)
    assert str(book.level.price) == "97250.50"  # trailing zero kept: no float on the way
    assert book.level.qty == Decimal("0.0001")
    assert fx.decode('{"qty": 5e-07}')["qty"] == Decimal("5E-7")


def test_book_snapshot_and_bad_frames() -> None:
    snap = fx.parse_book(
        fx.decode(
            json.dumps(
                {
                    "feed": "book_snapshot",
                    "product_id": "PF_XBTUSD",
                    "seq": 10,
                    "timestamp": 5,
                    "tickSize": None,
                    "bids": [{"price": 100, "qty": 2}],
                    "asks": [{"price": 101, "qty": 1}],
                }
            )
        )
    )
    assert isinstance(snap, fx.BookSnapshot)
    assert snap.seq == 10 and snap.bids[0].price == Decimal(100) and snap.asks[0].qty == Decimal(1)
    with pytest.raises(fx.FrameError):
        fx.parse_book({"feed": "book", "product_id": "X", "seq": 1, "side": "up", "price": 1, "qty": 1})
    with pytest.raises(fx.FrameError):
        fx.parse_book({"feed": "book", "product_id": "X", "side": "buy", "price": 1, "qty": 1})
    with pytest.raises(fx.FrameError):
        fx.decode("[1,2]")
    with pytest.raises(fx.FrameError):
        fx.decode("{not json")


def test_subscribe_frames_carry_the_signed_challenge() -> None:
    auth = fx.SignedChallenge("key", "chal", "signed")
    assert json.loads(fx.subscribe("book", ["PF_XBTUSD", "PF_ETHUSD"])) == {
        "event": "subscribe",
        "feed": "book",
        "product_ids": ["PF_XBTUSD", "PF_ETHUSD"],
    }
    assert json.loads(fx.subscribe("fills", auth=auth)) == {
        "event": "subscribe",
        "feed": "fills",
        "api_key": "key",
        "original_challenge": "chal",
        "signed_challenge": "signed",
    }
    assert json.loads(fx.request_challenge("key")) == {"event": "challenge", "api_key": "key"}


def test_order_form_fields_and_validation() -> None:
    o = fx.FuturesOrder(
        "lmt", "PF_XBTUSD", "buy", Decimal("0.0100"), limit_price=Decimal("97000.5"), cli_ord_id="abc"
    )
    fields = o.form()
    assert fields == {
        "orderType": "lmt",
        "symbol": "PF_XBTUSD",
        "side": "buy",
        "size": "0.0100",
        "limitPrice": "97000.5",
        "cliOrdId": "abc",
    }
    assert dict(parse_qsl(fx.encode_form(fields))) == fields
    with pytest.raises(ValueError, match="limitPrice"):
        fx.FuturesOrder("lmt", "PF_XBTUSD", "buy", Decimal(1))
    with pytest.raises(ValueError, match="stopPrice"):
        fx.FuturesOrder("stp", "PF_XBTUSD", "sell", Decimal(1))
    with pytest.raises(ValueError, match="orderType"):
        fx.FuturesOrder("iceberg", "PF_XBTUSD", "sell", Decimal(1))
    with pytest.raises(ValueError, match="size"):
        fx.FuturesOrder("mkt", "PF_XBTUSD", "sell", Decimal(0))


def test_send_status_outcomes() -> None:
    ok = fx.parse_send_status({"result": "success", "sendStatus": {"status": "placed", "order_id": "u1"}})
    assert ok.ok and ok.order_id == "u1"
    refused = fx.parse_send_status(
        {"result": "success", "sendStatus": {"status": "insufficientAvailableFunds"}}
    )
    assert not refused.ok and refused.error == "insufficientAvailableFunds"
    err = fx.parse_send_status({"result": "error", "error": "authenticationError"})
    assert not err.ok and err.error == "authenticationError"
    cancel = fx.parse_send_status(
        {"result": "success", "cancelStatus": {"status": "notFound"}}, "cancelStatus"
    )
    assert not cancel.ok


def test_instrument_from_a_futures_product_row() -> None:
    inst = Instrument.from_wire(
        fx.product_instrument_fields(
            {
                "symbol": "PF_XBTUSD",
                "tickSize": 0.5,
                "contractValueTradePrecision": 4,
                "base": "XBT",
                "quote": "USD",
            }
        )
    )
    assert (inst.price_precision, inst.qty_precision) == (1, 4)
    assert inst.price_increment == 5 and inst.qty_min == 1
    assert inst.check_price(inst.price_ticks("97000.5")) is None
    assert inst.check_price(inst.price_ticks("97000.3")) is not None


def test_is_futures() -> None:
    assert fx.is_futures("PF_XBTUSD") and fx.is_futures("FI_XBTUSD_260327")
    assert not fx.is_futures("BTC/USD")
