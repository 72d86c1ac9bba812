"""``effective_time``: a scheduled order is validated and acknowledged at once, reported
``pending_new`` (docs: "received and validated but the order is not live yet") and held out of the
book; at its time it goes ``new`` and trades, rests or triggers like any order. Driven by the
exchange's own 100 ms clock with the engine's time held by the test.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp

from tests.exchange.accounts import ask, executions, private, quiet_exchange
from tests.exchange.conftest import WS
from tui.exchange.server import RunningExchange
from tui.kraken.rfc3339 import format_rfc3339


def _order(token: str, **extra: Any) -> dict[str, Any]:
    p = {
        "order_type": "limit",
        "side": "buy",
        "order_qty": "0.01",
        "limit_price": "50000.0",
        "symbol": "BTC/USD",
    }
    return {**p, "token": token, **extra}


async def _rows(ws: WS, n: int, timeout: float = 3.0) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while len(out) < n:
        frame = await ws.until(
            lambda m: m.get("channel") == "executions" and m.get("type") == "update", timeout=timeout
        )
        out.extend(frame["data"])
    return out


def _hold_clock(ex: RunningExchange) -> list[float]:
    clock = [float(int(ex.engine.now()))]
    ex.engine.now = lambda: clock[0]
    return clock


async def test_scheduled_order_waits_out_of_the_book_then_trades(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        clock = _hold_clock(ex)
        demo, token = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        await executions(demo, token)
        await ask(bob, "add_order", {**_order(bob_token), "side": "sell"})  # it would cross at once
        start = format_rfc3339(clock[0] + 30, 0)
        got = await ask(demo, "add_order", _order(token, effective_time=start))
        assert got["success"] is True
        (pending,) = await _rows(demo, 1)
        assert (pending["exec_type"], pending["order_status"], pending["effective_time"]) == (
            "pending_new",
            "pending_new",
            start,
        )
        clock[0] += 29  # not yet: nothing moves, the book holds only bob's ask
        await demo.send({"method": "ping"})
        while (m := await demo.recv()).get("method") != "pong":
            assert m.get("channel") != "executions", m
        assert ex.engine.levels("BTC/USD", "bid") == []
        assert ex.engine.levels("BTC/USD", "ask") == [(500000, 1000000)]
        clock[0] += 1  # its time: new, then it takes bob's ask
        live = await _rows(demo, 3)
        assert [(r["exec_type"], r["order_status"]) for r in live] == [
            ("new", "new"),
            ("trade", "filled"),
            ("filled", "filled"),
        ]
        assert live[1]["last_price"] == Decimal("50000.0")
        assert ex.engine.levels("BTC/USD", "ask") == []


async def test_a_held_order_is_in_the_snapshot_and_can_be_cancelled(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        clock = _hold_clock(ex)
        demo, token = await private(session, ex)
        got = await ask(demo, "add_order", _order(token, effective_time=format_rfc3339(clock[0] + 60, 0)))
        oid = got["result"]["order_id"]
        await ask(demo, "subscribe", {"channel": "executions", "token": token})
        snap = await demo.until(lambda m: m.get("type") == "snapshot")
        (row,) = snap["data"]
        assert (row["order_id"], row["order_status"]) == (oid, "pending_new")
        amend = await ask(demo, "amend_order", {"order_id": oid, "limit_price": "49000.0", "token": token})
        assert amend["success"] is True
        assert ex.engine.levels("BTC/USD", "bid") == []  # an amend does not bring it forward
        await ask(demo, "cancel_order", {"order_id": [oid], "token": token})
        clock[0] += 61
        await demo.send({"method": "ping"})
        await demo.until(lambda m: m.get("method") == "pong")
        assert ex.engine.open_orders("demo") == [] and ex.engine.levels("BTC/USD", "bid") == []


async def test_a_time_already_past_starts_at_once(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        clock = _hold_clock(ex)
        demo, token = await private(session, ex)
        await executions(demo, token)
        await ask(demo, "add_order", _order(token, effective_time=format_rfc3339(clock[0] - 5, 0)))
        assert [r["exec_type"] for r in await _rows(demo, 2)] == ["pending_new", "new"]
        assert ex.engine.levels("BTC/USD", "bid") == [(500000, 1000000)]


async def test_effective_time_validation(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        clock = _hold_clock(ex)
        demo, token = await private(session, ex)
        bad = await ask(demo, "add_order", _order(token, effective_time="tomorrow"))
        assert bad["error"] == "EGeneral:Invalid arguments:time"
        typed = await ask(demo, "add_order", _order(token, effective_time=1234))
        assert typed["error"] == "Effective_time field must be a string"
        gtd = await ask(
            demo,
            "add_order",
            _order(
                token,
                effective_time=format_rfc3339(clock[0] + 60, 0),
                time_in_force="gtd",
                expire_time=format_rfc3339(clock[0] + 30, 0),
            ),
        )
        assert gtd["error"] == "EGeneral:Invalid arguments:expire_time must be after effective_time"
