"""The trading rate counter reported on executions (``ratecounter: true``) is the one enforced.

Follows the docs for the ack (``maxratecount``, recorded 180 / docs 125) and the counter rules
(spot-ratelimits); the counter rows' shape is this exchange's (the docs name no field, see
/work/wt/RATECOUNTER.md and the README): ``{"symbol", "ratecount", "timestamp"}`` rows in an
executions update. The engine clock is held still so the arithmetic is exact.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp

from tests.exchange.accounts import ask, private, quiet_exchange
from tests.exchange.conftest import WS

_ORDER = {
    "order_type": "limit",
    "side": "buy",
    "order_qty": "0.001",
    "limit_price": "1000.0",
    "symbol": "BTC/USD",
}


def _is_rate(m: dict[str, Any]) -> bool:
    return m.get("channel") == "executions" and any("ratecount" in r for r in m.get("data", []))


async def _subscribe(ws: WS, token: str, **params: Any) -> dict[str, Any]:
    ack = await ask(ws, "subscribe", {"channel": "executions", "token": token, **params})
    await ws.until(lambda m: m.get("channel") == "executions" and m.get("type") == "snapshot")
    return ack


async def test_ack_carries_maxratecount_and_rows_come_only_when_asked(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        plain, token = await private(session, ex)
        ack = await _subscribe(plain, token)
        assert list(ack["result"]) == ["channel", "maxratecount", "snapshot", "warnings"]  # as recorded
        assert ack["result"]["maxratecount"] == 125 == ex.engine.max_rate_count
        asking, token2 = await private(session, ex)
        await _subscribe(asking, token2, ratecounter=True)
        await ask(asking, "add_order", {**_ORDER, "token": token2})
        row = (await asking.until(_is_rate))["data"][0]
        assert set(row) == {"symbol", "ratecount", "timestamp"}
        assert (row["symbol"], row["ratecount"]) == ("BTC/USD", Decimal("1.00"))
        await plain.send({"method": "ping"})
        seen = []
        while (m := await plain.recv()).get("method") != "pong":
            seen.append(m)
        assert not any(_is_rate(m) for m in seen)  # the plain subscriber gets no counter rows
        other, token3 = await private(session, ex)
        bad = await ask(other, "subscribe", {"channel": "executions", "token": token3, "ratecounter": 1})
        assert bad["error"] == "Ratecounter field must be a boolean"


async def test_forty_quick_amends_show_the_counter_rise_and_the_refusal_at_the_threshold(
    session: aiohttp.ClientSession,
) -> None:
    async with quiet_exchange() as ex:
        clock = [ex.engine.now()]
        ex.engine.now = lambda: clock[0]
        demo, token = await private(session, ex)
        await _subscribe(demo, token, ratecounter=True)
        placed = await ask(demo, "add_order", {**_ORDER, "token": token})
        oid = placed["result"]["order_id"]
        assert (await demo.until(_is_rate))["data"][0]["ratecount"] == Decimal("1.00")
        for i in range(40):  # sent back to back, as a nudging client would
            price = "1001.0" if i % 2 == 0 else "1000.0"
            await demo.send(
                {"method": "amend_order", "params": {"order_id": oid, "limit_price": price, "token": token}}
            )
        outcome: list[tuple[bool, Decimal]] = []
        ok: bool | None = None
        while len(outcome) < 40:
            m = await demo.recv()
            if m.get("method") == "amend_order":
                ok = m["success"]
                if not ok:
                    assert m["error"] == "EOrder:Rate limit exceeded"
            elif _is_rate(m):
                assert ok is not None, "a counter row comes after its request's reply"
                outcome.append((ok, m["data"][0]["ratecount"]))
                ok = None
        # amend of an order younger than 5 s costs 1 + 3; a refusal still costs the fixed 1
        accepted = [c for good, c in outcome if good]
        assert accepted == [Decimal(1 + 4 * k) for k in range(1, 32)]  # rises to 125 = maxratecount
        assert all(not good for good, _c in outcome[31:])
        assert [c for _g, c in outcome[31:]] == [Decimal(125 + k) for k in range(1, 10)]
        assert ex.engine.rate_count("demo", "BTC/USD") == Decimal(134)
        # the counter decays at 2.34/s and the stream says so; below the threshold amends pass again
        clock[0] += 10
        row = (await demo.until(_is_rate, timeout=3))["data"][0]
        assert row["ratecount"] == Decimal("110.60")
        again = await ask(demo, "amend_order", {"order_id": oid, "limit_price": "1002.0", "token": token})
        assert again["success"] is True
        clock[0] += 60
        while (await demo.until(_is_rate, timeout=3))["data"][0]["ratecount"] != 0:
            pass  # a last row at 0.00 ends the decay


async def test_snapshot_of_the_counter_on_subscribe(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        clock = [ex.engine.now()]
        ex.engine.now = lambda: clock[0]
        demo, token = await private(session, ex)
        for _ in range(3):
            await ask(demo, "add_order", {**_ORDER, "token": token})
        late, token2 = await private(session, ex)
        await ask(late, "subscribe", {"channel": "executions", "token": token2, "ratecounter": True})
        await late.until(lambda m: m.get("type") == "snapshot")
        first = await late.until(_is_rate)
        assert first["data"] == [
            {"symbol": "BTC/USD", "ratecount": Decimal("3.00"), "timestamp": first["data"][0]["timestamp"]}
        ]
        assert first["sequence"] == 2
