"""Levels below the checksummed top 10 cannot drift for long: deep books are fetched afresh."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.feed.conftest import fast_settings, urls_of, wait_for
from tui.exchange.server import RunningExchange
from tui.feed.client import Feed
from tui.kraken.events import BookLevel
from tui.kraken.numbers import format_ticks
from tui.store import Store


@pytest.fixture
async def deep_feed(exchange: RunningExchange) -> AsyncIterator[tuple[Feed, Store]]:
    store = Store("DEMO")
    f = Feed(fast_settings(book_depth=25), store, urls=urls_of(exchange))
    f.deep_refresh = 1.5
    task = asyncio.create_task(f.run())
    yield f, store
    await f.stop()
    task.cancel()


async def test_a_drifted_level_below_the_top_10_heals_without_a_resync(
    deep_feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    _, store = deep_feed
    mk = store.market("BTC/USD")
    await wait_for(lambda: mk.book_state == "ok" and mk.book is not None and len(mk.book.bids(25)) == 25)
    assert mk.verified_levels == 10
    exchange.config.rate = 0  # a still market: only the refresh can change the book now
    await asyncio.sleep(0.5)
    book = mk.book
    assert book is not None
    price, qty = book.bids(25)[20]
    # what a dropped frame touching only level 21 leaves behind: wrong, and every checksum still matches
    book.apply_update(
        [BookLevel(format_ticks(price, book.price_precision), format_ticks(qty + 7, book.qty_precision))], []
    )
    assert book.verify(book.checksum()) and book.bids(25) != exchange.engine.levels("BTC/USD", "bid", 25)
    await wait_for(lambda: mk.book is not book, timeout=6)
    await wait_for(
        lambda: mk.book is not None and mk.book.bids(25) == exchange.engine.levels("BTC/USD", "bid", 25)
    )
    assert mk.book_state == "ok" and mk.resyncs == 0 and mk.checksum_mismatches == 0
