"""Self-trade prevention: the arriving order's ``stp_type`` decides which side goes (docs,
websocket-v2 add_order: cancel_newest "arriving order will be canceled", cancel_oldest "resting
order will be canceled", cancel_both "both"). Each cancel is reported on executions with reason
``Self trade prevention`` (this exchange's text: Kraken's is not in the corpus or the recordings).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from tests.exchange.accounts import ask, executions, private, quiet_exchange
from tests.exchange.conftest import WS

STP = "Self trade prevention"


def _limit(side: str, price: str, token: str, **extra: Any) -> dict[str, Any]:
    p = {"order_type": "limit", "side": side, "order_qty": "0.01", "limit_price": price, "symbol": "BTC/USD"}
    return {**p, "token": token, **extra}


async def _until_canceled(ws: WS, n: int) -> dict[str, str]:
    """order_id -> reason of the next ``n`` canceled rows."""
    out: dict[str, str] = {}
    while len(out) < n:
        frame = await ws.until(lambda m: m.get("channel") == "executions" and m.get("type") == "update")
        for r in frame["data"]:
            if r.get("exec_type") == "canceled":
                assert r["cancel_reason"] == r["reason"]  # recorded: both on canceled rows
                out[r["order_id"]] = r["reason"]
    return out


@pytest.mark.parametrize(
    ("stp", "resting_goes", "arriving_goes"),
    [
        (None, False, True),  # the default is cancel_newest
        ("cancel_newest", False, True),
        ("cancel_oldest", True, False),
        ("cancel_both", True, True),
    ],
)
async def test_stp_type(
    session: aiohttp.ClientSession, stp: str | None, resting_goes: bool, arriving_goes: bool
) -> None:
    async with quiet_exchange() as ex:
        demo, token = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        await executions(demo, token)
        # a book: bob's ask at 50000, demo's own ask at 50010 behind it, bob's at 50020 behind that
        await ask(bob, "add_order", _limit("sell", "50000.0", bob_token))
        resting = (await ask(demo, "add_order", _limit("sell", "50010.0", token)))["result"]["order_id"]
        await ask(bob, "add_order", _limit("sell", "50020.0", bob_token))
        extra = {"stp_type": stp} if stp else {}
        got = await ask(demo, "add_order", _limit("buy", "50030.0", token, order_qty="0.03", **extra))
        arriving = got["result"]["order_id"]
        gone = await _until_canceled(demo, int(resting_goes) + int(arriving_goes))
        assert set(gone) == {o for o, go in ((resting, resting_goes), (arriving, arriving_goes)) if go}
        assert set(gone.values()) <= {STP}
        fills = [f for f in ex.engine.fills("demo") if f["order_id"] == arriving]
        # bob's first ask always trades; the one behind demo's own only when the arriving order goes on
        prices = [Decimal("50000.0")] if arriving_goes else [Decimal("50000.0"), Decimal("50020.0")]
        assert [f["last_price"] for f in fills] == prices
        open_ids = {o.order_id for o in ex.engine.open_orders("demo")}
        assert (resting in open_ids) is (not resting_goes)
        assert (arriving in open_ids) is (not arriving_goes)  # 0.01 left rests when it stays
        assert all(f["side"] != "sell" for f in ex.engine.fills("demo"))  # demo never traded with itself


async def test_unknown_stp_type_is_refused(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        demo, token = await private(session, ex)
        got = await ask(demo, "add_order", _limit("buy", "1000.0", token, stp_type="cancel_all"))
        assert got["error"] == "EGeneral:Invalid arguments:stp_type"
