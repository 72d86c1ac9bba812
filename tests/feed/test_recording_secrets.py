"""A recording of a session on both venues holds no credential: grep the file for each secret."""

from __future__ import annotations

import asyncio
import gzip
from decimal import Decimal
from pathlib import Path

from tests.feed.conftest import fast_settings, wait_for
from tui.exchange.server import ExchangeConfig, start_exchange
from tui.feed.client import Feed
from tui.kraken.requests import OrderParams
from tui.modes import exchange_urls
from tui.store import Store


async def test_a_recording_keeps_no_key_token_challenge_or_signature(tmp_path: Path) -> None:
    ex = await start_exchange(
        ExchangeConfig(port=0, rate=50, seed=3, symbols=["BTC/USD"], futures_symbols=["PF_XBTUSD"])
    )
    path = tmp_path / "session.ndjson.gz"
    store = Store("DEMO")
    urls = exchange_urls(ex)
    f = Feed(fast_settings(symbols=["BTC/USD"], futures_symbols=["PF_XBTUSD"]), store, urls=urls, record=path)
    task = asyncio.create_task(f.run())
    secrets: dict[str, str] = {"api key": ex.api_key, "api secret": ex.api_secret}
    try:
        await wait_for(
            lambda: store.account.authenticated and store.account.futures_authenticated, timeout=10
        )
        assert f.token is not None and f.futures is not None and f.futures.auth is not None
        secrets |= {
            "session token": f.token,
            "challenge": f.futures.auth.original_challenge,
            "signed challenge": f.futures.auth.signed_challenge,
        }
        reply = await f.trading.add_order(
            OrderParams("limit", "buy", Decimal("0.0001"), "BTC/USD", limit_price=Decimal("50000.0"))
        )
        assert reply.ok, reply.error
    finally:
        await f.stop()
        task.cancel()
        await ex.stop()
    text = gzip.decompress(path.read_bytes()).decode()
    assert '\\"feed\\":\\"open_orders\\"' in text and '\\"method\\":\\"add_order\\"' in text, (
        "the frames are there"
    )
    assert '\\"signed_challenge\\":\\"***\\"' in text and '\\"token\\":\\"***\\"' in text
    leaked = [name for name, value in secrets.items() if value in text]
    assert not leaked, leaked
