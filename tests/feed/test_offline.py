"""Issue 12 points 4 and 6: a feed that cannot connect says why and when it retries; the L3
socket closes when the last L3 view is left."""

from __future__ import annotations

import asyncio
import io
import logging
import socket

import aiohttp
import pytest

from tests.feed.conftest import fast_settings, urls_of, wait_for
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.client import Feed, Urls
from tui.feed.problems import ProblemReporter
from tui.kraken.reach import unreachable_reason
from tui.store import Store


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_reasons_read_like_words_not_reprs() -> None:
    dns = aiohttp.ClientConnectorDNSError(
        aiohttp.client_reqrep.ConnectionKey("ws.kraken.com", 443, True, True, None, None, None),
        socket.gaierror(-2, "Name or service not known"),
    )
    assert unreachable_reason(dns, "wss://ws.kraken.com/v2") == "cannot reach ws.kraken.com (DNS)"
    assert (
        unreachable_reason(ConnectionRefusedError(), "ws://127.0.0.1:9/v2")
        == "cannot reach 127.0.0.1 (refused)"
    )
    assert (
        unreachable_reason(TimeoutError(), "wss://x.example/v2?token=SECRET")
        == "cannot reach x.example (timeout)"
    )


async def test_an_unreachable_feed_shows_the_reason_and_the_retry_plan(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tui.feed")
    port = _closed_port()
    url = f"ws://127.0.0.1:{port}/v2"
    store = Store("LIVE")
    feed = Feed(fast_settings(), store, urls=Urls(url, url, url, f"http://127.0.0.1:{port}"))
    task = asyncio.create_task(feed.run())
    try:
        pub = store.health.conn("public")
        await wait_for(lambda: (pub.error or "").startswith("cannot reach 127.0.0.1 (refused) — retry 3 in "))
        assert "Error" not in (pub.error or "")  # no exception repr on the bar
        logged = [e for e in store.activity if e.text.startswith("public: cannot reach 127.0.0.1 (refused)")]
        assert len(logged) == 1 and logged[0].level == "warning"  # once per reason, not per retry
        # stderr (the line tools log warnings there) hears of it once, then the retries are routine
        warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len([m for m in warned if m.startswith("public: cannot reach 127.0.0.1 (refused)")]) == 1
        assert ProblemReporter(store, io.StringIO()).poll() is False  # not fatal: it keeps retrying
    finally:
        await feed.stop()
        task.cancel()


async def test_a_refused_symbol_ends_the_stream_with_status_2(exchange: RunningExchange) -> None:
    from tui.cli.stream import stream

    err = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err):
        status = await asyncio.wait_for(
            stream(fast_settings(), "book", ["FOO/BAR"], 10, 0, urls_of(exchange)), timeout=10
        )
    assert status == 2
    assert "kraken-tui: public: Currency pair not supported FOO/BAR" in err.getvalue()


async def test_leaving_the_l3_view_closes_its_socket() -> None:
    ex = await start_exchange(ExchangeConfig(port=0, rate=200, seed=2, symbols=["BTC/USD"]))
    store = Store("DEMO")
    feed = Feed(fast_settings(symbols=["BTC/USD"]), store, urls=urls_of(ex))
    task = asyncio.create_task(feed.run())
    try:
        await wait_for(lambda: store.market("BTC/USD").book_state == "ok")
        feed.set_l3("BTC/USD", True)
        await wait_for(lambda: store.market("BTC/USD").l3 is not None)
        assert any(c.kind == "l3" for c in ex.conns if not c.closed)
        feed.set_l3("BTC/USD", False)
        await wait_for(lambda: not any(c.kind == "l3" and not c.closed for c in ex.conns))
        await wait_for(lambda: store.health.conn("level3").state == "idle")
        await asyncio.sleep(0.5)
        assert store.health.conn("level3").state == "idle"  # not "reconnecting" later on
        feed.set_l3("BTC/USD", True)  # and it opens again when asked
        await wait_for(lambda: store.market("BTC/USD").l3 is not None)
    finally:
        await feed.stop()
        task.cancel()
        await ex.stop()
