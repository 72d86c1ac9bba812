"""The desk without any UI: a real Feed against the embedded exchange, requests routed by venue."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from tests.app.conftest import app_settings, live_app, until, urls_of
from tui.desk import Desk, Severity
from tui.exchange.server import RunningExchange
from tui.feed.client import Feed
from tui.orders import FormInput, Reviewed, build_order
from tui.screens.confirm import Confirm
from tui.store import Store


class Notices:
    def __init__(self) -> None:
        self.seen: list[tuple[Severity, str]] = []

    def __call__(
        self, message: str, *, severity: Severity = "information", timeout: float | None = None
    ) -> None:
        self.seen.append((severity, message))


async def wait_for(pred: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def reviewed(store: Store, desk: Desk, symbol: str, qty: str, price: str) -> Reviewed:
    mk = store.market(symbol)
    assert mk.instrument is not None and mk.book is not None
    margin = store.account.futures_margin
    draft = build_order(
        FormInput("buy", qty=qty, price=price),
        mk.instrument,
        mk.book,
        store.account.balances(store.instruments),
        desk.settings.guards,
        margin_available=margin.available_margin if margin is not None else None,
    )
    assert draft.ok and draft.params is not None and draft.review is not None, draft.errors
    return Reviewed(draft.params, draft.review)


async def test_nothing_is_sent_without_a_connection() -> None:
    notices = Notices()
    store = Store("DEMO")
    desk = Desk(store, app_settings(), notices, can_trade=False)
    assert not desk.send("cancel all", lambda v: v.cancel_all(), "BTC/USD")
    desk.toggle_dead_mans_switch()
    assert notices.seen == [
        ("error", "Not connected yet: nothing was sent."),
        ("warning", "The dead-man's switch needs a private connection."),
    ]
    assert desk.request_log == [] and desk.requests_in_flight == 0


async def test_orders_go_to_the_venue_of_their_instrument(exchange: RunningExchange) -> None:
    notices = Notices()
    settings = app_settings()
    store = Store("DEMO")
    desk = Desk(store, settings, notices, can_trade=True)
    feed = Feed(settings, store, urls=urls_of(exchange))
    runner = asyncio.create_task(feed.run())
    desk.attach(feed)
    try:
        await wait_for(
            lambda: (
                store.market("BTC/USD").book_state == "ok"
                and store.market("PF_XBTUSD").book_state == "ok"
                and store.account.totals
                and store.account.futures_margin is not None
            )
        )
        assert desk.place(reviewed(store, desk, "BTC/USD", "0.001", "-2%"))
        assert desk.place(reviewed(store, desk, "PF_XBTUSD", "0.0100", "-2%"))
        assert desk.requests_in_flight == 2  # both on their way at once; no key waited for either
        engine = exchange.engine
        await wait_for(lambda: len(engine.open_orders("demo")) == 2)
        spot = [o for o in engine.open_orders("demo") if o.symbol == "BTC/USD"]
        futures = engine.futures_orders("demo", "PF_XBTUSD")
        assert len(spot) == 1 and len(futures) == 1 and spot[0].qty == 100_000
        methods = [r["method"] for r in exchange.requests_received]
        assert methods.count("add_order") == 1  # the futures order went over REST, not the spot socket
        await wait_for(lambda: desk.requests_in_flight == 0 and len(desk.request_log) == 2)
        assert all(r.reply.ok for r in desk.request_log)

        # one cancel per venue, each routed by the order's instrument
        ids = [spot[0].order_id, futures[0].order_id]
        await wait_for(lambda: all(i in store.account.orders for i in ids))
        desk.cancel(ids)
        await wait_for(lambda: not engine.open_orders("demo"))
        await wait_for(lambda: len(desk.request_log) == 4)
        assert sorted(r.label for r in desk.request_log[2:]) == sorted(f"cancel {i}" for i in ids)
        assert [t for s, t in notices.seen if s == "error"] == []
        logged = [e.text for e in store.activity if e.text.startswith("cancel ")]
        assert len(logged) == 2
    finally:
        desk.detach()
        await feed.stop()
        runner.cancel()


async def test_a_stopped_feed_is_detached_from_the_desk(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
        assert app.desk.feed is app.feed is not None
        worker = app._feed_worker
        assert worker is not None
        worker.cancel()
        await until(pilot, lambda: app.desk.feed is None)
        sent = len(exchange.requests_received)
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: any("Not connected yet" in n.message for n in app._notifications))
        assert len(exchange.requests_received) == sent
