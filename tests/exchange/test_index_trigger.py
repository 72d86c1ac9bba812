"""Index-referenced triggers fire on the index, not on the last trade.

This exchange's index of a spot pair is its own mid (the last trade while a side is empty),
smoothed as an exponential moving average with a 5 s time constant and sampled once a second
(``tui.exchange.engine.INDEX_TAU_S``); a perpetual's index is its spot pair's mid, its mark the
product's own mid (as the futures account already reports). The docs: "index: the index price in
the broader market ... to keep triggers serviceable during connectivity issues with external index
feeds, the last price will be used as the reference price" (so without an index, the last serves).
"""

from __future__ import annotations

import asyncio
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import aiohttp

from tests.exchange.accounts import ask, executions, private, quiet_exchange
from tests.exchange.conftest import WS
from tests.exchange.test_futures import rest
from tui.exchange.server import ExchangeConfig, start_exchange


def _limit(side: str, price: str, token: str, qty: str = "0.01") -> dict[str, Any]:
    p = {"order_type": "limit", "side": side, "order_qty": qty, "limit_price": price, "symbol": "BTC/USD"}
    return {**p, "token": token}


def _stop(token: str, reference: str) -> dict[str, Any]:
    return {
        "order_type": "stop-loss",
        "side": "sell",
        "order_qty": "0.001",
        "symbol": "BTC/USD",
        "triggers": {"reference": reference, "price": "49500.0"},
        "token": token,
    }


async def _ticks() -> None:
    """Long enough for the exchange's 100 ms clock to run a few times."""
    await asyncio.sleep(0.35)


async def _status_row(ws: WS, timeout: float) -> dict[str, Any]:
    while True:
        frame = await ws.until(
            lambda m: m.get("channel") == "executions" and m.get("type") == "update", timeout=timeout
        )
        for r in frame["data"]:
            if r.get("exec_type") == "status":
                return dict(r)


async def test_index_stop_fires_on_the_smoothed_mid_without_a_trade(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        clock = [ex.engine.now()]
        ex.engine.now = lambda: clock[0]
        demo, token = await private(session, ex)
        bob, bob_token = await private(session, ex, "bob")
        await executions(demo, token)
        bid = (await ask(bob, "add_order", _limit("buy", "49900.0", bob_token)))["result"]["order_id"]
        offer = (await ask(bob, "add_order", _limit("sell", "50100.0", bob_token)))["result"]["order_id"]
        clock[0] += 2  # past the real-time sample taken before the clock was held
        await _ticks()  # the index takes its first sample
        assert ex.engine.index_price("BTC/USD") == Decimal("50000.0")
        by_index = (await ask(demo, "add_order", _stop(token, "index")))["result"]["order_id"]
        by_last = (await ask(demo, "add_order", _stop(token, "last")))["result"]["order_id"]
        # the quotes drop to 48000 / 48200 without any trade: the mid is 48100 at once
        await ask(bob, "cancel_order", {"order_id": [bid, offer], "token": bob_token})
        await ask(bob, "add_order", _limit("buy", "48000.0", bob_token))
        await ask(bob, "add_order", _limit("sell", "48200.0", bob_token))
        assert ex.engine.last_price("BTC/USD") is None  # nothing ever traded
        clock[0] += 1  # one second: 50000 - 1900 * (1 - e^-0.2) = 49655.5...
        await _ticks()
        index = ex.engine.index_price("BTC/USD")
        assert index is not None and Decimal("49655") < index < Decimal("49656")
        assert {o.order_id for o in ex.engine.open_orders("demo")} == {by_index, by_last}
        clock[0] += 1  # two seconds: 49373.5..., under the 49500 trigger
        status = await _status_row(demo, timeout=3)
        assert status["order_id"] == by_index
        assert status["triggers"]["status"] == "triggered"
        assert Decimal("49373") < status["triggers"]["last_price"] < Decimal("49374")
        fills = [f for f in ex.engine.fills("demo") if f["order_id"] == by_index]
        assert [f["last_price"] for f in fills] == [Decimal("48000.0")]  # the stop sold into the bid
        # only that sale printed a trade: the last-referenced stop fires on it, after the index one
        after = await _status_row(demo, timeout=3)
        assert (after["order_id"], after["triggers"]["last_price"]) == (by_last, Decimal("48000.0"))


async def test_unknown_reference_is_refused(session: aiohttp.ClientSession) -> None:
    async with quiet_exchange() as ex:
        demo, token = await private(session, ex)
        got = await ask(demo, "add_order", _stop(token, "mark"))
        assert got["error"] == "EGeneral:Invalid arguments:triggers.reference"


def _under(value: Decimal) -> str:
    """A futures stop price just under ``value``, on the 0.5 tick."""
    return str(((value - Decimal("0.5")) / Decimal("0.5")).to_integral_value(ROUND_FLOOR) * Decimal("0.5"))


async def test_futures_trigger_signal_chooses_the_price_watched(session: aiohttp.ClientSession) -> None:
    """Three stop-limit sells, each just under the price its ``triggerSignal`` names, whose limit is
    far over the market so a triggered one rests instead of trading (no trade moves any price).
    Lowering the spot pair's mid fires the index one only; lowering the perpetual's own ask fires
    the mark one; the last one never fires without a futures trade."""
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, seed=11, symbols=["BTC/USD"]))
    try:
        engine, pf = ex.engine, ex.futures_pairs["PF_XBTUSD"]
        spot_bid, pf_bid, pf_ask = (
            engine.best("BTC/USD", "bid"),
            engine.best(pf.symbol, "bid"),
            engine.best(pf.symbol, "ask"),
        )
        assert spot_bid is not None and pf_bid is not None and pf_ask is not None
        index, mark = engine.index_price(pf.symbol), engine.mark_price(pf.symbol)
        assert index is not None and mark is not None
        limit = str(pf.price_decimal(pf_ask) + 100)
        stops = {"index": _under(index), "mark": _under(mark), "last": _under(min(index, mark))}
        placed = {}
        for signal, stop in stops.items():
            params = {"orderType": "stp", "symbol": pf.symbol, "side": "sell", "size": "0.001"}
            extra = {"stopPrice": stop, "limitPrice": limit, "triggerSignal": signal}
            r = await rest(session, ex, "sendorder", {**params, **extra})
            assert r["sendStatus"]["status"] == "placed", r
            placed[signal] = r["sendStatus"]["order_id"]
        opened = await rest(session, ex, "openorders", method="GET")
        assert {o["order_id"]: o.get("triggerSignal") for o in opened["openOrders"]} == {
            placed[s]: s for s in placed
        }

        def fired() -> set[str]:
            return {s for s, oid in placed.items() if (o := engine.order(oid)) is not None and o.triggered}

        # a spot ask one tick over the bid pulls the spot mid (the perpetual's index) under its stop
        demo, token = await private(session, ex)
        got = await ask(
            demo,
            "add_order",
            _limit("sell", str(ex.pairs["BTC/USD"].price_decimal(spot_bid + 1)), token, qty="0.0001"),
        )
        assert got["success"] is True, got
        await _ticks()
        assert engine.last_price(pf.symbol) is None or engine.trades(pf.symbol) == []
        assert fired() == {"index"}
        # a perpetual ask one tick over its bid pulls the mark (its own mid) under the mark stop
        post = {"orderType": "post", "symbol": pf.symbol, "side": "sell", "size": "0.001"}
        r = await rest(
            session,
            ex,
            "sendorder",
            {**post, "limitPrice": str(pf.price_decimal(pf_bid + pf.price_increment))},
        )
        assert r["sendStatus"]["status"] == "placed", r
        await _ticks()
        assert fired() == {"index", "mark"}
        assert engine.trades(pf.symbol) == []  # no futures trade at all: the last stop is still waiting
    finally:
        await ex.stop()
