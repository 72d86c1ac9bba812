"""The client side of issue 15: recorded frames the decoder must keep whole, requests it must spell out."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tui.kraken import events as ev
from tui.kraken import requests as rq
from tui.kraken.spot import decode_events

RECORDED = Path(__file__).parents[1] / "exchange" / "recorded" / "kraken-async-rs.json"


def _recorded(name: str) -> str:
    frame = next(f for f in json.loads(RECORDED.read_text())["frames"] if f["name"] == name)
    text: str = frame["raw"]
    return text


def test_ping_error_is_a_pong_with_its_error_not_unknown() -> None:
    (event,) = decode_events(_recorded("m:ping:err"))  # recorded: "method":"ping", success false
    assert isinstance(event, ev.Pong)
    assert event.error == "Unsupported field: 'params' for the given msg type: ping" and event.req_id == 0


def test_ack_keeps_top_level_status() -> None:
    text = (
        '{"error":"ESession:Invalid session","method":"subscribe","req_id":42,"status":"error",'
        '"success":false,"time_in":"2023-04-19T12:04:41.320119Z","time_out":"2023-04-19T12:04:41.980119Z"}'
    )  # tests/fixtures/kraken-v2-samples.json invalid_session_2023 (recorded)
    (event,) = decode_events(text)
    assert isinstance(event, ev.Ack) and event.status == "error" and event.error == "ESession:Invalid session"


def test_trailing_stop_limit_sends_limit_price_type() -> None:
    order = rq.OrderParams(
        "trailing-stop-limit", "sell", Decimal("0.01"), "BTC/USD", limit_price=Decimal("5"),
        trigger_price=Decimal("10"), trigger_price_type="quote",
    )  # fmt: skip
    assert order.to_params()["limit_price_type"] == "quote"
    plain = rq.OrderParams("limit", "buy", Decimal("0.01"), "BTC/USD", limit_price=Decimal("5"))
    assert "limit_price_type" not in plain.to_params()
