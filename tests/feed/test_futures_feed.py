"""The futures socket and REST gateway against the embedded exchange, over loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from tests.feed.conftest import fast_settings, wait_for
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.client import Feed, Urls
from tui.kraken.futures import FuturesOrder
from tui.kraken.requests import OrderParams
from tui.store import Store

PRODUCT = "PF_XBTUSD"


@pytest.fixture
async def fx_exchange() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(
        ExchangeConfig(port=0, rate=150, seed=13, symbols=["BTC/USD"], futures_symbols=[PRODUCT, "PF_ETHUSD"])
    )
    yield ex
    await ex.stop()


def futures_urls(ex: RunningExchange, secret: str | None = None) -> Urls:
    return Urls(
        ex.url_public,
        ex.url_private,
        ex.url_l3,
        ex.url_rest,
        None,
        None,
        ex.url_futures,
        ex.url_futures_rest,
        ex.api_key,
        secret or ex.api_secret,
    )


@pytest.fixture
async def ffeed(fx_exchange: RunningExchange) -> AsyncIterator[tuple[Feed, Store]]:
    store = Store("DEMO")
    settings = fast_settings(symbols=["BTC/USD"], futures_symbols=[PRODUCT, "PF_ETHUSD"])
    f = Feed(settings, store, urls=futures_urls(fx_exchange))
    task = asyncio.create_task(f.run())
    yield f, store
    await f.stop()
    task.cancel()


def book_matches(store: Store, ex: RunningExchange, symbol: str) -> bool:
    mk = store.market(symbol)
    if mk.book is None or mk.book_state != "ok":
        return False
    return mk.book.bids(5000) == ex.engine.levels(symbol, "bid") and mk.book.asks(5000) == ex.engine.levels(
        symbol, "ask"
    )


async def frozen(ex: RunningExchange) -> None:
    ex.config.rate = 0
    await asyncio.sleep(0.3)


async def test_books_follow_the_sequence_and_equal_the_exchange(
    ffeed: tuple[Feed, Store], fx_exchange: RunningExchange
) -> None:
    _, store = ffeed
    await wait_for(lambda: all(store.market(s).book_state == "ok" for s in (PRODUCT, "PF_ETHUSD")))
    before = store.market(PRODUCT).book_updates
    await wait_for(lambda: store.market(PRODUCT).book_updates > before + 20, timeout=8)
    await frozen(fx_exchange)
    await wait_for(
        lambda: book_matches(store, fx_exchange, PRODUCT) and book_matches(store, fx_exchange, "PF_ETHUSD")
    )
    mk = store.market(PRODUCT)
    assert mk.sequence_gaps == 0 and mk.resyncs == 0
    assert mk.instrument is not None and mk.instrument.symbol == PRODUCT
    # ticker: last and the derivatives fields the dashboard shows
    await wait_for(lambda: mk.derivatives is not None and mk.ticker is not None)
    assert mk.derivatives is not None and mk.derivatives.mark_price is not None
    assert mk.derivatives.relative_funding_rate is not None and mk.derivatives.open_interest is not None
    assert mk.trades, "trade snapshot"
    await wait_for(lambda: len(mk.candles.get(1, [])) > 10)
    assert [t.trade_id for t in mk.trades] == sorted(t.trade_id for t in mk.trades)


async def test_a_sequence_gap_resubscribes_that_product_alone(
    ffeed: tuple[Feed, Store], fx_exchange: RunningExchange
) -> None:
    f, store = ffeed
    await wait_for(lambda: all(store.market(s).book_state == "ok" for s in (PRODUCT, "PF_ETHUSD")))
    assert f.futures is not None
    book = store.market(PRODUCT).book
    assert book is not None and getattr(book, "seq", None) is not None
    eth_book = store.market("PF_ETHUSD").book
    # a frame that skips ahead, as if the socket had lost some: the next real frame cannot follow
    gap = {
        "feed": "book",
        "product_id": PRODUCT,
        "side": "buy",
        "seq": book.seq + 50,  # type: ignore[attr-defined]
        "price": 1,
        "qty": 1,
        "timestamp": 0,
    }
    f.futures.ingest(json.dumps(gap))
    mk = store.market(PRODUCT)
    assert mk.book_state == "resyncing" and mk.sequence_gaps == 1 and mk.resyncs == 1
    await wait_for(lambda: mk.book_state == "ok" and mk.book is not book)
    assert store.market("PF_ETHUSD").book is eth_book, "the healthy product kept its book"
    await frozen(fx_exchange)
    await wait_for(lambda: book_matches(store, fx_exchange, PRODUCT))
    assert store.health.conn("futures").reconnects == 0


async def test_private_feeds_and_an_order_round_trip(
    ffeed: tuple[Feed, Store], fx_exchange: RunningExchange
) -> None:
    f, store = ffeed
    assert f.futures is not None
    trading = f.futures.trading
    acct = store.account
    await wait_for(lambda: store.market(PRODUCT).book_state == "ok" and acct.futures_margin is not None)
    assert acct.futures_authenticated
    mk = store.market(PRODUCT)
    assert mk.book is not None and mk.instrument is not None
    bid = mk.book.best_bid()
    assert bid is not None
    inst = mk.instrument
    price = inst.price_decimal(bid[0] - 20 * inst.price_increment)
    reply = await trading.add_order(
        OrderParams("limit", "buy", Decimal("0.0100"), PRODUCT, limit_price=price)
    )
    assert reply.ok, reply.error
    oid = reply.result["order_id"]
    await wait_for(lambda: oid in acct.orders)
    view = acct.orders[oid]
    assert view.symbol == PRODUCT and view.limit_price == price and view.qty == Decimal("0.0100")
    reply = await trading.cancel_order([oid])
    assert reply.ok, reply.error
    await wait_for(lambda: oid not in acct.orders)
    assert acct.history[-1].order_id == oid and acct.history[-1].status == "canceled"

    # a marketable order fills: fills, a position and the margin account all move
    margin_before = acct.futures_margin
    reply = await trading.add_order(OrderParams("market", "buy", Decimal("0.0050"), PRODUCT))
    assert reply.ok, reply.error
    await wait_for(lambda: PRODUCT in acct.positions and any(x.symbol == PRODUCT for x in acct.fills))
    pos = acct.positions[PRODUCT]
    assert pos.size == Decimal("0.0050") and pos.side == "long"
    fills = [x for x in acct.fills if x.symbol == PRODUCT]
    assert sum(x.qty for x in fills) == Decimal("0.0050")
    await wait_for(lambda: acct.futures_margin is not margin_before)


async def test_refusals_come_back_as_statuses_and_nothing_is_placed(
    ffeed: tuple[Feed, Store], fx_exchange: RunningExchange
) -> None:
    f, store = ffeed
    assert f.futures is not None
    trading = f.futures.trading
    await wait_for(
        lambda: store.market(PRODUCT).book_state == "ok" and store.account.futures_margin is not None
    )
    huge = await trading.add_order(OrderParams("market", "buy", Decimal("1000"), PRODUCT))
    assert not huge.ok and huge.outcome == "rejected" and huge.error == "insufficientAvailableFunds"
    mk = store.market(PRODUCT)
    assert mk.book is not None and mk.instrument is not None
    ask = mk.book.best_ask()
    assert ask is not None
    cross = await trading.add_order(
        OrderParams(
            "limit",
            "buy",
            Decimal("0.0010"),
            PRODUCT,
            limit_price=mk.instrument.price_decimal(ask[0]),
            post_only=True,
        )
    )
    assert not cross.ok and cross.error == "postWouldExecute"
    iceberg = await trading.add_order(
        OrderParams(
            "iceberg", "buy", Decimal("0.01"), PRODUCT, limit_price=Decimal(1), display_qty=Decimal("0.001")
        )
    )
    assert not iceberg.ok and iceberg.outcome == "not-sent"
    assert not [o for o in store.account.orders.values() if o.symbol == PRODUCT]


async def test_a_lost_reply_is_looked_up_by_client_id_not_resent(
    ffeed: tuple[Feed, Store], fx_exchange: RunningExchange
) -> None:
    f, store = ffeed
    assert f.futures is not None
    trading = f.futures.trading
    await wait_for(lambda: store.market(PRODUCT).book_state == "ok" and store.account.futures_authenticated)
    mk = store.market(PRODUCT)
    assert mk.book is not None and mk.instrument is not None
    bid = mk.book.best_bid()
    assert bid is not None
    price = mk.instrument.price_decimal(bid[0] - 40 * mk.instrument.price_increment)
    placed = await trading.add_order(
        OrderParams("limit", "buy", Decimal("0.0010"), PRODUCT, limit_price=price, cl_ord_id="lost-1")
    )
    assert placed.ok
    found = await trading._reconcile(
        FuturesOrder("lmt", PRODUCT, "buy", Decimal("0.0010"), limit_price=price, cli_ord_id="lost-1"),
        "test",
        time.perf_counter(),
    )
    assert (
        found.ok
        and found.outcome == "lost-then-found"
        and found.result["order_id"] == placed.result["order_id"]
    )
    never = await trading._reconcile(
        FuturesOrder("lmt", PRODUCT, "buy", Decimal("0.0010"), limit_price=price, cli_ord_id="never-sent"),
        "test",
        time.perf_counter(),
    )
    assert not never.ok and never.outcome == "unknown"  # absence from openorders proves nothing
    assert trading.sent_count >= 1


async def test_a_wrong_futures_secret_is_refused_and_shown(fx_exchange: RunningExchange) -> None:
    store = Store("DEMO")
    settings = fast_settings(symbols=["BTC/USD"], futures_symbols=[PRODUCT])
    bad = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
    f = Feed(settings, store, urls=futures_urls(fx_exchange, secret=bad))
    task = asyncio.create_task(f.run())
    try:
        await wait_for(lambda: (store.account.auth_error or "").startswith("futures"))
        assert store.account.futures_margin is None and not store.account.positions
        await wait_for(lambda: store.market(PRODUCT).book_state == "ok")  # public data still flows
        assert not store.account.futures_authenticated
        assert f.futures is not None
        reply = await f.futures.trading.add_order(OrderParams("market", "buy", Decimal("0.001"), PRODUCT))
        assert not reply.ok and reply.error == "authenticationError"
    finally:
        await f.stop()
        task.cancel()


async def test_a_lost_reply_of_a_filled_order_is_found_from_what_the_feed_showed(
    ffeed: tuple[Feed, Store], fx_exchange: RunningExchange
) -> None:
    f, store = ffeed
    assert f.futures is not None
    trading = f.futures.trading
    await wait_for(lambda: store.market(PRODUCT).book_state == "ok" and store.account.futures_authenticated)
    placed = await trading.add_order(
        OrderParams("market", "buy", Decimal("0.0010"), PRODUCT, cl_ord_id="mkt-1")
    )
    assert placed.ok, placed.error
    await wait_for(lambda: any(x.order_id == placed.result["order_id"] for x in store.account.fills))
    # the order is no longer open: only the private feed's evidence can say it existed
    found = await trading._reconcile(
        FuturesOrder("mkt", PRODUCT, "buy", Decimal("0.0010"), cli_ord_id="mkt-1"),
        "test",
        time.perf_counter(),
    )
    assert found.ok and found.outcome == "lost-then-found", found
    assert found.result["order_id"] == placed.result["order_id"]
