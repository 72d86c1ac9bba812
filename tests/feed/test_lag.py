"""A book delayed behind the exchange is flagged lagging, over real sockets, and recovers."""

from __future__ import annotations

from tests.feed.conftest import wait_for
from tui.exchange.server import RunningExchange
from tui.feed.client import Feed
from tui.store import Store


async def test_a_delayed_feed_flags_its_books_lagging_and_recovers(
    feed: tuple[Feed, Store], exchange: RunningExchange
) -> None:
    _, store = feed
    mk, public = store.market("BTC/USD"), store.health.conn("public")
    await wait_for(lambda: mk.book_state == "ok" and mk.lag_s is not None)
    assert not mk.lagging and public.lag_s is not None and public.lag_s < 1.0
    exchange.faults.delay_ms = 3000  # every frame arrives 3 s after the exchange stamped it
    await wait_for(lambda: mk.lagging, timeout=10)
    assert mk.book_state == "ok", "it still verifies: only its timestamps show how old it is"
    assert (mk.lag_s or 0) > 2.0 and (public.lag_s or 0) > 2.0 and not mk.trusted
    exchange.faults.delay_ms = 0
    await wait_for(lambda: not mk.lagging, timeout=15)
    assert public.reconnects == 0
