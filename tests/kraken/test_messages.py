from __future__ import annotations

from typing import Any

import pytest

from tui.kraken import messages as m


def _raws(samples: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, entry in samples.items():
        if key.startswith(("_", "futures", "api_sign", "get_websockets", "instrument_pair")):
            continue
        if isinstance(entry, dict):
            for field, value in entry.items():
                if field.endswith("raw") and isinstance(value, str) and "method" not in field[:7]:
                    if field.startswith("request") or '"params"' in value:
                        continue  # requests, not frames the client receives
                    if '"channel"' not in value and '"method"' not in value:
                        continue  # a bare data element quoted on its own
                    out.append(value)
    return out


def test_every_sample_frame_decodes_without_error(samples: dict[str, Any]) -> None:
    raws = _raws(samples)
    assert len(raws) > 40
    kinds = {type(m.decode(raw)).__name__ for raw in raws}
    for expected in (
        "Status",
        "Pong",
        "Ack",
        "MethodResponse",
        "BookMessage",
        "TickerMessage",
        "TradeMessage",
        "OhlcMessage",
        "InstrumentMessage",
        "Level3Message",
        "ExecutionsMessage",
        "BalancesMessage",
    ):
        assert expected in kinds


def test_numbers_stay_wire_text() -> None:
    msg = m.decode(
        b'{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],'
        b'"asks":[{"price":62807.0,"qty":0.00000000},{"price":62818.8,"qty":5e-07}],"checksum":4249465476}]}'
    )
    assert isinstance(msg, m.BookMessage)
    asks = msg.entries[0].asks
    assert (asks[0].price, asks[0].qty) == ("62807.0", "0.00000000")
    assert asks[1].qty == "5e-07"
    assert msg.entries[0].checksum == 4249465476


def test_status_connection_id_beyond_2_53() -> None:
    raw = (
        '{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online",'
        '"api_version":"v2","connection_id":18125794168470749634}]}'
    )
    msg = m.decode(raw)
    assert isinstance(msg, m.Status)
    assert msg.connection_id == 18125794168470749634


def test_batch_cancel_both_shapes(samples: dict[str, Any]) -> None:
    docs = m.decode('{"method":"batch_cancel","req_id":1,"result":{"count":3},"success":true}')
    rec = m.decode('{"method":"batch_cancel","orders_cancelled":2,"req_id":0,"success":true}')
    assert isinstance(docs, m.MethodResponse) and isinstance(rec, m.MethodResponse)
    assert (docs.count, rec.count) == (3, 2)


def test_session_error_with_extra_fields() -> None:
    msg = m.decode(
        '{"channel":"executions","error":"ESession:Invalid session","method":"subscribe",'
        '"status":"error","success":false}'
    )
    assert isinstance(msg, m.Ack)
    assert not msg.success and msg.error == "ESession:Invalid session"


def test_unknown_channel_is_carried() -> None:
    msg = m.decode('{"channel":"futuristic","type":"update","data":[],"extra":1}')
    assert isinstance(msg, m.Unknown)


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1,2]",
        '{"channel":"book","type":"update","data":[{"bids":[]}]}',
        '{"channel":"book","type":"update","data":"x"}',
        '{"method":"add_order"}',
        '{"foo":1}',
    ],
)
def test_malformed_frames_raise_decode_error(raw: str) -> None:
    with pytest.raises(m.DecodeError):
        m.decode(raw)
