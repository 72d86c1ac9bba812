"""Every documented add_order / amend_order parameter is implemented or refused (issue 15).

One row per parameter: the refused ones answer with the text of tui/exchange/spot/params.py, the
implemented ones are accepted (their behaviour is held by the engine and server tests).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.exchange.conftest import WS, connect, get_token
from tui.exchange.server import RunningExchange

_LIMIT = {
    "order_type": "limit",
    "side": "buy",
    "order_qty": "0.001",
    "limit_price": "1000.0",
    "symbol": "BTC/USD",
}
_NOT_HERE = "EGeneral:Invalid arguments:{} is not supported by this exchange"

ADD_CASES: list[tuple[dict[str, Any], str | None]] = [
    ({"margin": True}, "EGeneral:Permission denied"),
    ({"margin": False}, None),
    ({"conditional": {"order_type": "limit", "limit_price": "2000.0"}}, None),  # test_conditional.py
    ({"effective_time": "2030-01-01T00:00:00Z"}, None),  # test_effective_time.py
    ({"sender_sub_id": "desk-1"}, _NOT_HERE.format("sender_sub_id")),
    ({"stp_type": "cancel_oldest"}, None),  # test_stp.py
    ({"stp_type": "cancel_both"}, None),
    ({"stp_type": "cancel_newest"}, None),
    ({"stp_type": "cancel_all"}, "EGeneral:Invalid arguments:stp_type"),
    ({"fee_preference": "base"}, None),  # test_fee_preference.py
    ({"fee_preference": "usd"}, "EGeneral:Invalid arguments:fee_preference"),
    ({"fee_preference": "quote"}, None),
    (
        {
            "order_type": "stop-loss-limit",
            "side": "sell",
            "triggers": {"reference": "index", "price": "900.0"},
        },
        _NOT_HERE.format("triggers.reference index"),
    ),
    (
        {
            "order_type": "stop-loss-limit",
            "side": "sell",
            "triggers": {"reference": "last", "price": "900.0"},
        },
        None,
    ),
    ({"bogus": 1}, "Unsupported field: 'bogus' for the given msg type: add order"),
    ({"post_only": True}, None),
    ({"time_in_force": "gtd", "expire_time": "2030-01-01T00:00:00Z"}, None),
    ({"deadline": "2000-01-01T00:00:00.000Z"}, "EService:Deadline elapsed"),
    ({"display_qty": "0.0001", "order_type": "iceberg", "order_qty": "0.0015"}, None),
    ({"cl_ord_id": "abc-1"}, None),
    ({"order_userref": 7}, None),
    ({"validate": True}, None),
    ({"no_mpp": False}, None),
    ({"reduce_only": False}, None),
]

AMEND_CASES: list[tuple[dict[str, Any], str | None]] = [
    ({"limit_price_type": "pct"}, _NOT_HERE.format("limit_price_type other than static")),
    ({"trigger_price_type": "quote"}, _NOT_HERE.format("trigger_price_type other than static")),
    ({"limit_price_type": "static"}, None),
    ({"deadline": "2000-01-01T00:00:00.000Z"}, "EService:Deadline elapsed"),
    ({"deadline": "2099-01-01T00:00:00.000Z"}, None),
    ({"order_qty": "0.002"}, None),
    ({"post_only": True}, None),
    ({"bogus": 1}, "Unsupported field: 'bogus' for the given msg type: amend order"),
]


async def _ask(ws: WS, method: str, params: dict[str, Any]) -> dict[str, Any]:
    await ws.send({"method": method, "params": params})
    return await ws.until(lambda m: m.get("method") == method)


@pytest.mark.parametrize(("extra", "error"), ADD_CASES, ids=[str(sorted(c[0])) for c in ADD_CASES])
async def test_add_order_parameter(
    exchange: RunningExchange, session: aiohttp.ClientSession, extra: dict[str, Any], error: str | None
) -> None:
    ws = await connect(session, exchange.url_private)
    token = await get_token(session, exchange)
    got = await _ask(ws, "add_order", {**_LIMIT, **extra, "token": token})
    assert got.get("error") == error, got
    assert got["success"] is (error is None)


@pytest.mark.parametrize(("extra", "error"), AMEND_CASES, ids=[str(sorted(c[0])) for c in AMEND_CASES])
async def test_amend_order_parameter(
    exchange: RunningExchange, session: aiohttp.ClientSession, extra: dict[str, Any], error: str | None
) -> None:
    ws = await connect(session, exchange.url_private)
    token = await get_token(session, exchange)
    placed = await _ask(ws, "add_order", {**_LIMIT, "token": token})
    oid = placed["result"]["order_id"]
    got = await _ask(ws, "amend_order", {"order_id": oid, "limit_price": "1001.0", **extra, "token": token})
    assert got.get("error") == error, got
