"""``conditional`` (OTO) orders on the embedded exchange, over real loopback sockets (issues 13, 15).

Follows the docs (websocket-v2 add_order / batch_add / executions; no recording of an OTO exists):
each fill of the primary, partial fills included, places its **own** opposite-side secondary of
the filled size (none grows); the secondary names its primary in ``ord_ref_id``; the primary's
rows carry the template as ``contingent``; edit_order refuses an order with conditional close.
The validation texts are this exchange's (``EGeneral:Invalid arguments:conditional.<field>``,
the v2 type-error shape for wrong types): Kraken's own texts for these are not in the corpus.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from tests.exchange.accounts import ask, executions, private, quiet_exchange
from tests.exchange.conftest import WS
from tui.exchange.server import RunningExchange

BTC = "BTC/USD"
STOP = {"order_type": "stop-loss", "trigger_price": "49000.0"}


def _limit(side: str, qty: str, price: str, token: str, **extra: Any) -> dict[str, Any]:
    return {
        "order_type": "limit",
        "side": side,
        "order_qty": qty,
        "limit_price": price,
        "symbol": BTC,
        "token": token,
        **extra,
    }


async def _rows(ws: WS, n: int) -> list[dict[str, Any]]:
    """The next ``n`` executions rows (one row per update frame here)."""
    out: list[dict[str, Any]] = []
    while len(out) < n:
        frame = await ws.until(lambda m: m.get("channel") == "executions" and m.get("type") == "update")
        out.extend(frame["data"])
    return out


async def _placed(ws: WS, params: dict[str, Any]) -> str:
    got = await ask(ws, "add_order", params)
    assert got["success"] is True, got
    oid: str = got["result"]["order_id"]
    return oid


async def test_bracket_entry_fills_in_parts_each_fill_places_its_stop_and_the_stops_close_it(
    session: aiohttp.ClientSession,
) -> None:
    async with quiet_exchange() as ex:
        demo, token = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        carol, carol_token = await private(session, ex, "carol")
        await executions(demo, token)
        btc_before = ex.engine.balances("demo")["BTC"][0]

        entry = await _placed(demo, _limit("buy", "0.002", "50000.0", token, conditional=STOP))
        assert [r["exec_type"] for r in await _rows(demo, 2)] == ["pending_new", "new"]

        await _placed(bob, _limit("sell", "0.0008", "50000.0", bob_token))  # partial fill
        part = await _rows(demo, 3)
        assert [(r["exec_type"], r["order_status"]) for r in part] == [
            ("trade", "partially_filled"),
            ("pending_new", "pending_new"),
            ("new", "new"),
        ]
        stop1 = part[1]
        assert stop1["ord_ref_id"] == entry
        assert stop1["order_id"] != entry
        assert (stop1["side"], stop1["order_type"], stop1["order_qty"]) == (
            "sell",
            "stop-loss",
            Decimal("0.0008"),
        )
        assert stop1["triggers"]["price"] == Decimal("49000.0")

        await _placed(bob, _limit("sell", "0.0012", "50000.0", bob_token))  # the rest
        rest = await _rows(demo, 4)
        assert [(r["exec_type"], r["order_status"]) for r in rest] == [
            ("trade", "filled"),
            ("filled", "filled"),
            ("pending_new", "pending_new"),
            ("new", "new"),
        ]
        stop2 = rest[2]
        assert stop2["ord_ref_id"] == entry and stop2["order_qty"] == Decimal("0.0012")
        stops = {o.order_id: o for o in ex.engine.open_orders("demo")}
        assert set(stops) == {stop1["order_id"], stop2["order_id"]}
        assert ex.engine.balances("demo")["BTC"][0] == btc_before + Decimal("0.002")

        # the market drops through the stop: both fire and sell into carol's bid
        await _placed(carol, _limit("buy", "0.01", "48900.0", carol_token))
        await _placed(bob, _limit("sell", "0.0001", "48900.0", bob_token))
        fired = await _rows(demo, 6)
        by_order: dict[str, list[tuple[str, str]]] = {}
        for r in fired:
            by_order.setdefault(r["order_id"], []).append((r["exec_type"], r["order_status"]))
        for oid in stops:
            assert by_order[oid] == [("status", "new"), ("trade", "filled"), ("filled", "filled")], fired
        assert ex.engine.open_orders("demo") == []
        assert ex.engine.balances("demo")["BTC"][0] == btc_before  # the position is closed


async def test_raw_client_gets_the_exact_executions_sequence(session: aiohttp.ClientSession) -> None:
    """A plain aiohttp client sends the raw request and sees, row by row, what Kraken's docs say."""
    async with quiet_exchange() as ex:
        demo = await session.ws_connect(ex.url_private)
        await demo.receive_json()  # status
        bob, bob_token = await private(session, ex, "bob")
        token = ex.credentials.issue_token("demo")
        await demo.send_json({"method": "subscribe", "params": {"channel": "executions", "token": token}})
        await demo.receive_json()  # ack
        await demo.receive_json()  # snapshot
        await demo.send_str(
            '{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.5,'
            '"limit_price":50000.0,"symbol":"BTC/USD","cl_ord_id":"entry-1","token":"' + token + '",'
            '"conditional":{"order_type":"take-profit-limit","trigger_price":52000.0,"limit_price":51900.0}}}'
        )
        frames: list[dict[str, Any]] = []
        while len(frames) < 3:
            frames.append(await demo.receive_json())
        assert frames[0]["method"] == "add_order" and frames[0]["success"] is True
        entry = frames[0]["result"]["order_id"]
        pending = frames[1]["data"][0]
        assert pending["exec_type"] == "pending_new"
        assert pending["contingent"] == {
            "order_type": "take-profit-limit",
            "trigger_price": 52000.0,
            "trigger_price_type": "static",
            "limit_price": 51900.0,
            "limit_price_type": "static",
        }
        assert frames[2]["data"][0]["exec_type"] == "new"
        await _placed(bob, _limit("sell", "0.2", "50000.0", bob_token))
        await _placed(bob, _limit("sell", "0.3", "50000.0", bob_token))
        rows: list[dict[str, Any]] = []
        seqs = []
        while len(rows) < 7:
            frame = await demo.receive_json()
            seqs.append(frame["sequence"])
            rows.extend(frame["data"])
        seen = [
            (
                r["exec_type"],
                r["order_status"],
                "entry" if r["order_id"] == entry else "close",
                r.get("ord_ref_id"),
            )
            for r in rows
        ]
        assert seen == [
            ("trade", "partially_filled", "entry", None),
            ("pending_new", "pending_new", "close", entry),
            ("new", "new", "close", None),
            ("trade", "filled", "entry", None),
            ("filled", "filled", "entry", None),
            ("pending_new", "pending_new", "close", entry),
            ("new", "new", "close", None),
        ]
        assert seqs == list(range(seqs[0], seqs[0] + 7))  # one row per frame, no gap
        closes = [r for r in rows if r["exec_type"] == "pending_new"]
        assert [(r["side"], r["order_type"], r["order_qty"], r["limit_price"]) for r in closes] == [
            ("sell", "take-profit-limit", 0.2, 51900.0),
            ("sell", "take-profit-limit", 0.3, 51900.0),
        ]
        assert all(r["triggers"]["price"] == 52000.0 for r in closes)
        assert all("cl_ord_id" not in r for r in closes)  # a client id is unique: never copied
        await demo.close()


async def test_cancel_of_the_primary_keeps_the_placed_secondaries(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        demo, token = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        await executions(demo, token)
        entry = await _placed(demo, _limit("buy", "0.002", "50000.0", token, conditional=STOP))
        await _placed(bob, _limit("sell", "0.001", "50000.0", bob_token))
        got = await ask(demo, "cancel_order", {"order_id": [entry], "token": token})
        assert got["success"] is True
        left = ex.engine.open_orders("demo")
        assert [(o.ord_ref_id, o.qty, o.side) for o in left] == [(entry, 100000, "sell")]
        await _placed(bob, _limit("sell", "0.001", "50000.0", bob_token))  # nothing left to fill
        assert len(ex.engine.open_orders("demo")) == 1


async def test_amend_is_allowed_and_edit_is_refused_on_a_primary(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        demo, token = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        entry = await _placed(demo, _limit("buy", "0.002", "50000.0", token, conditional=STOP))
        edit = await ask(
            demo, "edit_order", {"order_id": entry, "symbol": BTC, "order_qty": "0.003", "token": token}
        )
        assert edit["error"] == (
            "EGeneral:Invalid arguments:orders with conditional close cannot be edited; use amend_order"
        )
        amend = await ask(demo, "amend_order", {"order_id": entry, "order_qty": "0.004", "token": token})
        assert amend["success"] is True, amend
        await _placed(bob, _limit("sell", "0.004", "50000.0", bob_token))
        left = ex.engine.open_orders("demo")
        assert [(o.ord_ref_id, o.qty) for o in left] == [(entry, 400000)]


async def test_relative_trigger_is_an_offset_from_the_fill(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        demo, token = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        cond = {"order_type": "stop-loss", "trigger_price": "-2", "trigger_price_type": "pct"}
        await _placed(demo, _limit("buy", "0.001", "50000.0", token, conditional=cond))
        await _placed(bob, _limit("sell", "0.001", "50000.0", bob_token))
        (stop,) = ex.engine.open_orders("demo")
        assert ex.pairs[BTC].price_decimal(stop.trigger_price or 0) == Decimal("49000.0")


async def test_snapshot_shows_the_link(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        demo, token = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        entry = await _placed(demo, _limit("buy", "0.002", "50000.0", token, conditional=STOP))
        await _placed(bob, _limit("sell", "0.001", "50000.0", bob_token))
        await ask(demo, "subscribe", {"channel": "executions", "token": token})
        snap = await demo.until(lambda m: m.get("channel") == "executions" and m.get("type") == "snapshot")
        rows = {r["order_id"]: r for r in snap["data"]}
        assert rows[entry]["contingent"]["trigger_price"] == Decimal("49000.0")
        (close,) = [r for r in rows.values() if r["order_id"] != entry]
        assert close["ord_ref_id"] == entry


BAD: list[tuple[Any, str]] = [
    ("stop-loss", "Conditional field must be an object"),
    ({"trigger_price": "49000.0"}, "EGeneral:Invalid arguments:conditional.order_type"),
    ({"order_type": "market"}, "EGeneral:Invalid arguments:conditional.order_type"),
    ({"order_type": "iceberg", "limit_price": "1"}, "EGeneral:Invalid arguments:conditional.order_type"),
    ({"order_type": "limit"}, "EGeneral:Invalid arguments:conditional.limit_price"),
    ({"order_type": "stop-loss"}, "EGeneral:Invalid arguments:conditional.trigger_price"),
    (
        {"order_type": "stop-loss", "trigger_price": "49000.0", "limit_price": "48000.0"},
        "EGeneral:Invalid arguments:conditional.limit_price",
    ),
    (
        {"order_type": "limit", "limit_price": "51000.0", "trigger_price": "1.0"},
        "EGeneral:Invalid arguments:conditional.trigger_price",
    ),
    ({"order_type": "limit", "limit_price": "51000.05"}, "EOrder:Tick size check failed"),
    ({"order_type": "stop-loss", "trigger_price": "49000.05"}, "EOrder:Tick size check failed"),
    (
        {"order_type": "stop-loss", "trigger_price": "4", "trigger_price_type": "bps"},
        "EGeneral:Invalid arguments:conditional.trigger_price_type",
    ),
    (
        {"order_type": "limit", "limit_price": "5", "limit_price_type": "pct"},
        "EGeneral:Invalid arguments:conditional.limit_price_type",
    ),
    (
        {"order_type": "trailing-stop", "trigger_price": "-1"},
        "EGeneral:Invalid arguments:conditional.trigger_price",
    ),
    ({"order_type": "limit", "limit_price": True}, "Conditional.limit_price field must be a number_float"),
    ({"order_type": "limit", "price": "1"}, "Unsupported field: 'price' for the given msg type: add order"),
]


@pytest.mark.parametrize(("cond", "error"), BAD, ids=[e for _c, e in BAD])
async def test_conditional_validation(
    exchange: RunningExchange, session: aiohttp.ClientSession, cond: Any, error: str
) -> None:
    demo, token = await private(session, exchange)
    got = await ask(demo, "add_order", _limit("buy", "0.001", "1000.0", token, conditional=cond))
    assert got.get("error") == error, got
    assert exchange.engine.open_orders("demo") == []
