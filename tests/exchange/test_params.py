"""Every documented add_order / amend_order parameter is implemented or refused (issue 15).

One row per parameter: the refused ones answer with the text of tui/exchange/spot/params.py, the
implemented ones are accepted (their behaviour is held by the engine and server tests).
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from tests.exchange.accounts import ask, private, quiet_exchange
from tests.exchange.conftest import WS, connect, get_token
from tui.exchange.server import RunningExchange
from tui.kraken.rfc3339 import format_rfc3339

_LIMIT = {
    "order_type": "limit",
    "side": "buy",
    "order_qty": "0.001",
    "limit_price": "1000.0",
    "symbol": "BTC/USD",
}


def _soon(extra: dict[str, Any]) -> dict[str, Any]:
    """``deadline: soon`` stands for a deadline 10 s from when the request is sent."""
    if extra.get("deadline") == "soon":
        return {**extra, "deadline": format_rfc3339(time.time() + 10, 3)}
    return extra


ADD_CASES: list[tuple[dict[str, Any], str | None]] = [
    ({"margin": True}, "EGeneral:Permission denied"),
    ({"margin": False}, None),
    ({"conditional": {"order_type": "limit", "limit_price": "2000.0"}}, None),  # test_conditional.py
    ({"effective_time": "2030-01-01T00:00:00Z"}, None),  # test_effective_time.py
    ({"sender_sub_id": "desk-1"}, None),  # test_sender_sub_id in test_stp.py
    ({"sender_sub_id": "a trader name over 18"}, "EGeneral:Invalid arguments:sender_sub_id"),
    ({"sender_sub_id": "0f3a5b1c-2d4e-4f60-8a9b-c0d1e2f3a4b5"}, None),
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
        None,  # test_index_trigger.py
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
    ({"deadline": "2099-01-01T00:00:00.000Z"}, "EGeneral:Invalid arguments:deadline"),  # > 60 s ahead
    ({"deadline": "soon"}, None),
    ({"limit_price_type": "pct"}, "EGeneral:Invalid arguments:limit_price_type"),  # trailing-stop-limit only
    ({"limit_price_type": "static"}, None),
    ({"stop_price": "900.0", "order_type": "stop-loss-limit", "side": "sell"}, None),  # deprecated forms
    ({"stop_price": "900.0", "trigger": "index", "order_type": "stop-loss-limit", "side": "sell"}, None),
    (
        {"order_type": "stop-loss-limit", "side": "sell", "triggers": {"price": "9", "price_type": "bps"}},
        "EGeneral:Invalid arguments:triggers.price_type",
    ),
    (
        {"order_type": "stop-loss-limit", "side": "sell", "triggers": {"price": "9", "reference": "mark"}},
        "EGeneral:Invalid arguments:triggers.reference",
    ),
    ({"display_qty": "0.0001", "order_type": "iceberg", "order_qty": "0.0015"}, None),
    ({"cl_ord_id": "abc-1"}, None),
    ({"order_userref": 7}, None),
    ({"validate": True}, None),
    ({"no_mpp": False}, None),
    ({"reduce_only": False}, None),
]

AMEND_CASES: list[tuple[dict[str, Any], str | None]] = [
    ({"limit_price_type": "pct"}, "EGeneral:Invalid arguments:limit_price_type"),  # a limit order
    ({"trigger_price_type": "quote"}, "EGeneral:Invalid arguments:trigger_price_type"),  # no trigger
    ({"trigger_price": "900.0"}, "EGeneral:Invalid arguments:trigger_price"),  # not a triggered order
    ({"limit_price_type": "static"}, None),
    ({"deadline": "2000-01-01T00:00:00.000Z"}, "EService:Deadline elapsed"),
    ({"deadline": "2099-01-01T00:00:00.000Z"}, "EGeneral:Invalid arguments:deadline"),
    ({"deadline": "soon"}, None),
    ({"symbol": "BTC/USD"}, None),
    ({"symbol": "ETH/USD"}, "EGeneral:Invalid arguments:symbol"),
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
    got = await _ask(ws, "add_order", {**_LIMIT, **_soon(extra), "token": token})
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
    params = {"order_id": oid, "limit_price": "1001.0", **_soon(extra), "token": token}
    got = await _ask(ws, "amend_order", params)
    assert got.get("error") == error, got


async def test_deprecated_stop_price_and_trigger_set_the_trigger(
    exchange: RunningExchange, session: aiohttp.ClientSession
) -> None:
    """Docs: ``stop_price`` / ``trigger`` are deprecated forms of ``triggers.price`` / ``.reference``."""
    ws = await connect(session, exchange.url_private)
    token = await get_token(session, exchange)
    params = {**_LIMIT, "order_type": "stop-loss-limit", "side": "sell", "token": token}
    got = await _ask(ws, "add_order", {**params, "stop_price": "900.0", "trigger": "index"})
    o = exchange.engine.order(got["result"]["order_id"])
    assert o is not None and (o.trigger_price, o.trigger_reference) == (9000, "index")
    both = await _ask(ws, "add_order", {**params, "stop_price": "900.0", "triggers": {"price": "900.0"}})
    assert both["error"] == "EGeneral:Invalid arguments:triggers and stop_price/trigger together"


async def test_amend_trigger_price_type_and_trailing_limit_offset(
    exchange: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await connect(session, exchange.url_private)
    token = await get_token(session, exchange)
    engine = exchange.engine
    buy = {"order_type": "market", "side": "buy", "order_qty": "0.0001", "symbol": "BTC/USD", "token": token}
    assert (await _ask(ws, "add_order", buy))["success"] is True  # a trade: a last price to be relative to
    assert engine.last_price("BTC/USD") is not None
    stop = {
        **_LIMIT,
        "order_type": "stop-loss",
        "side": "sell",
        "triggers": {"price": "900.0"},
        "token": token,
    }
    oid = (await _ask(ws, "add_order", stop))["result"]["order_id"]
    amend = {"order_id": oid, "trigger_price": "-10", "trigger_price_type": "pct", "token": token}
    assert (await _ask(ws, "amend_order", amend))["success"] is True
    o = engine.order(oid)
    assert o is not None and o.trigger_price_type == "pct"
    ref = engine.reference_ticks("BTC/USD", "last")
    assert ref is not None
    want = exchange.pairs["BTC/USD"].round_price(
        exchange.pairs["BTC/USD"].price_decimal(ref) * Decimal("0.9"), up=True
    )
    assert o.trigger_price == want  # 10 % under the last trade when amended
    trailing = {
        **_LIMIT,
        "order_type": "trailing-stop-limit",
        "side": "sell",
        "limit_price": "5",
        "triggers": {"price": "50", "price_type": "quote"},
        "token": token,
    }
    tid = (await _ask(ws, "add_order", trailing))["result"]["order_id"]
    got = await _ask(
        ws, "amend_order", {"order_id": tid, "limit_price": "1.5", "limit_price_type": "pct", "token": token}
    )
    assert got["success"] is True, got
    t = engine.order(tid)
    assert t is not None and (t.limit_offset, t.limit_price_type) == (Decimal("1.5"), "pct")


async def test_batch_add_deadline_and_fields(
    exchange: RunningExchange, session: aiohttp.ClientSession
) -> None:
    ws = await connect(session, exchange.url_private)
    token = await get_token(session, exchange)
    order = {k: v for k, v in _LIMIT.items() if k != "symbol"}
    batch = {"symbol": "BTC/USD", "orders": [order, order], "token": token}
    late = await _ask(ws, "batch_add", {**batch, "deadline": "2000-01-01T00:00:00.000Z"})
    assert late["error"] == "EService:Deadline elapsed"
    odd = await _ask(ws, "batch_add", {**batch, "bogus": 1})
    assert odd["error"] == "Unsupported field: 'bogus' for the given msg type: batch add"
    ok = await _ask(ws, "batch_add", {**batch, "deadline": format_rfc3339(time.time() + 10, 3)})
    assert ok["success"] is True


EDIT_CASES: list[tuple[dict[str, Any], dict[str, Any], str | None]] = [
    # (the order placed, the edit, the error)
    ({}, {"order_qty": "0.002"}, None),
    ({}, {"price": "1001.0"}, None),  # deprecated form of limit_price
    ({}, {"fee_preference": "base"}, None),
    ({}, {"fee_preference": "usd"}, "EGeneral:Invalid arguments:fee_preference"),
    ({}, {"reduce_only": True}, "EOrder:Reduce only:No position exists"),
    ({}, {"deadline": "2000-01-01T00:00:00.000Z"}, "EService:Deadline elapsed"),
    ({}, {"triggers": {"price": "900.0"}}, "EGeneral:Invalid arguments:triggers"),  # not a triggered type
    ({}, {"symbol": "ETH/USD"}, "EGeneral:Invalid arguments:symbol"),
    ({}, {"bogus": 1}, "Unsupported field: 'bogus' for the given msg type: edit order"),
    (
        {"order_type": "iceberg", "order_qty": "0.0015", "display_qty": "0.0001"},
        {"display_qty": "0.0005"},
        None,
    ),
    (
        {
            "order_type": "stop-loss-limit",
            "side": "sell",
            "triggers": {"price": "900.0", "reference": "index"},
        },
        {"triggers": {"price": "800.0", "reference": "last"}},
        None,
    ),
    (
        {
            "order_type": "stop-loss-limit",
            "side": "sell",
            "triggers": {"price": "900.0", "reference": "index"},
        },
        {"order_qty": "0.002"},  # the trigger and its reference are carried over
        None,
    ),
]


@pytest.mark.parametrize(("placed", "edit", "error"), EDIT_CASES, ids=[str(sorted(c[1])) for c in EDIT_CASES])
async def test_edit_order_parameter(
    exchange: RunningExchange,
    session: aiohttp.ClientSession,
    placed: dict[str, Any],
    edit: dict[str, Any],
    error: str | None,
) -> None:
    """edit_order (legacy cancel-and-replace): each documented parameter changes the new order."""
    ws = await connect(session, exchange.url_private)
    token = await get_token(session, exchange)
    first = await _ask(ws, "add_order", {**_LIMIT, **placed, "token": token})
    old = exchange.engine.order(first["result"]["order_id"])
    assert old is not None
    got = await _ask(
        ws, "edit_order", {"order_id": old.order_id, "symbol": "BTC/USD", **edit, "token": token}
    )
    assert got.get("error") == error, got
    if error is not None:
        return
    new = exchange.engine.order(got["result"]["order_id"])
    assert new is not None and exchange.engine.order(old.order_id) is None
    pair = exchange.pairs["BTC/USD"]
    expect_qty = pair.qty_ticks(edit.get("order_qty", placed.get("order_qty", _LIMIT["order_qty"])))
    assert new.qty == expect_qty
    if "price" in edit:
        assert new.limit_price == pair.price_ticks(edit["price"])
    assert new.fee_in_base is (edit.get("fee_preference") == "base")
    if "display_qty" in edit:
        assert new.display_qty == pair.qty_ticks(edit["display_qty"])
    if "triggers" in placed:
        trig = edit.get("triggers", placed["triggers"])
        assert (new.trigger_price, new.trigger_reference) == (
            pair.price_ticks(trig["price"]),
            trig["reference"],
        )


async def test_executions_subscribe_options(session: aiohttp.ClientSession) -> None:
    """Docs (executions): ``order_status: false`` streams "only open / close transitions: new,
    filled, canceled, expired"; the options are booleans; ``users: all`` is for master accounts."""
    async with quiet_exchange() as ex:
        few, token = await private(session, ex)
        every, token2 = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        for ws, t, status in ((few, token, False), (every, token2, True)):
            ack = await ask(ws, "subscribe", {"channel": "executions", "token": t, "order_status": status})
            assert ack["success"] is True, ack
            await ws.until(lambda m: m.get("type") == "snapshot")
        await ask(bob, "add_order", {**_LIMIT, "side": "sell", "token": bob_token})
        await ask(few, "add_order", {**_LIMIT, "order_qty": "0.002", "limit_price": "1000.0", "token": token})
        await ask(few, "add_order", {**_LIMIT, "order_qty": "0.001", "limit_price": "900.0", "token": token})
        await ask(few, "cancel_all", {"token": token})

        async def kinds(ws: WS, until: int) -> list[str]:
            out: list[str] = []
            while out.count("canceled") < until:
                frame = await ws.until(
                    lambda m: m.get("channel") == "executions" and m.get("type") == "update"
                )
                out += [r["exec_type"] for r in frame["data"]]
            return out

        assert await kinds(few, 2) == ["new", "new", "canceled", "canceled"]
        assert await kinds(every, 2) == [
            "pending_new",
            "new",
            "trade",
            "pending_new",
            "new",
            "canceled",
            "canceled",
        ]
        other, token3 = await private(session, ex)
        for extra, error in (
            ({"bogus": True}, "Unsupported field: 'bogus' for the given msg type: subscribe"),
            ({"snap_trades": "yes"}, "Snap_trades field must be a boolean"),
            ({"users": "all"}, "EGeneral:Permission denied"),
        ):
            got = await ask(other, "subscribe", {"channel": "executions", "token": token3, **extra})
            assert got["error"] == error, got
