"""Price alerts over loopback: set with ``@`` as a user would, the exchange's price driven through
the level by other users' orders, the notification counted; a resyncing book holds an alert back
until it verifies; alerts survive a restart of the App."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import SYMBOLS, app_settings, until, urls_of
from tui.alerts import AlertBook
from tui.app import KrakenApp
from tui.exchange.orders import OrderRequest
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.screens.confirm import AskValue
from tui.screens.order_form import ReviewScreen
from tui.store import Store

D = Decimal
SYM = "BTC/USD"


@pytest.fixture
async def quiet() -> AsyncIterator[RunningExchange]:
    """No synthetic market: bid 49000 / ask 51000 (mid 50000), then 55000 behind the ask."""
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, seed=5, symbols=SYMBOLS, source="none"))
    for user in ("mm", "mm2"):
        ex.add_user(f"{user}-key", "bW0tc2VjcmV0LW1tLXNlY3JldA==", user, {"USD": D(10**7), "BTC": D(100)})
    post(ex, "mm", "sell", "1", "51000.0")
    post(ex, "mm", "sell", "1", "55000.0")
    post(ex, "mm", "buy", "1", "49000.0")
    yield ex
    await ex.stop()


def post(ex: RunningExchange, user: str, side: str, qty: str, price: str) -> None:
    pair = ex.pairs[SYM]
    ex.engine.add_order_unchecked(
        user, OrderRequest("limit", side, SYM, pair.qty_ticks(qty), pair.price_ticks(price))
    )
    ex.publish()


def alert_toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications if str(n.message).startswith("Alert: ")]


def mid(app: Any) -> Decimal | None:
    book = app.store.market(SYM).book
    return None if book is None else book.mid()


async def set_alert(pilot: Any, app: Any, text: str) -> None:
    await pilot.press("at")
    await until(pilot, lambda: isinstance(app.screen, AskValue))
    await pilot.press("ctrl+u", *text, "enter")
    await until(pilot, lambda: not isinstance(app.screen, AskValue))


async def ready(pilot: Any, app: Any) -> None:
    await until(pilot, lambda: app.store.market(SYM).book_state == "ok" and mid(app) == D(50000))


def make_app(ex: RunningExchange, alerts: Path | None = None) -> KrakenApp:
    return KrakenApp(app_settings(), "DEMO", urls=urls_of(ex), alerts=alerts)


async def test_a_price_driven_through_the_level_fires_exactly_once(quiet: RunningExchange) -> None:
    app = make_app(quiet)
    rang: list[str] = []
    written: list[str] = []
    async with app.run_test(size=(160, 45)) as pilot:
        app.bell = lambda: rang.append("bell")  # type: ignore[method-assign]
        app.terminal_write = written.append  # type: ignore[method-assign,assignment]
        app.terminal_focused = False  # the trader is in another pane: a desktop notification too
        await ready(pilot, app)
        await set_alert(pilot, app, "mid 52000")
        (alert,) = app.desk.alerts.alerts
        assert (alert.kind, alert.level, alert.direction, alert.mode) == ("mid", D(52000), "up", "DEMO")
        await pilot.pause(0.6)
        assert alert_toasts(app) == []  # 50000: not there yet
        post(quiet, "mm2", "buy", "1", "51000.0")  # takes the 51000 ask: mid (49000 + 55000) / 2
        await until(pilot, lambda: mid(app) == D(52000))
        await until(pilot, lambda: len(alert_toasts(app)) == 1)
        post(quiet, "mm2", "buy", "1", "53000.0")  # further through the level: no second one
        await until(pilot, lambda: mid(app) == D(54000))
        await pilot.pause(0.8)
        assert alert_toasts(app) == ["Alert: BTC/USD mid 52000.0 crossed 52000 (BTC/USD mid rises to 52000)"]
        assert [e.text for e in app.store.activity if e.text.startswith("Alert: ")] == alert_toasts(app)
        assert not app.desk.alerts.active
        assert rang == ["bell"]  # [alerts] bell = true by default, once
        assert (
            len(written) == 1 and "\x1b]9;kraken-tui: Alert: BTC/USD mid 52000.0 crossed 52000" in written[0]
        )


async def test_an_alert_waits_for_a_resyncing_book_to_verify(quiet: RunningExchange) -> None:
    app = make_app(quiet)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await set_alert(pilot, app, "mid >52000")
        states: list[str] = []
        book: AlertBook = app.desk.alerts
        poll = book.poll

        def watched(store: Store) -> Any:
            fired = poll(store)
            if fired:
                states.append(store.market(SYM).book_state)
            return fired

        book.poll = watched  # type: ignore[method-assign]
        quiet.faults.corrupt_checksum = 1.0
        # the update that moves the mid through the level carries a wrong checksum: resync
        post(quiet, "mm2", "buy", "1", "51000.0")
        await until(pilot, lambda: app.store.market(SYM).book_state != "ok")
        await until(pilot, lambda: mid(app) == D(52000))  # shown crossed, but not verified
        for _ in range(12):  # three seconds of announce ticks on an unverified book
            await pilot.pause(0.25)
            assert app.store.market(SYM).book_state != "ok"
            assert alert_toasts(app) == []
        quiet.faults.corrupt_checksum = 0.0
        await until(pilot, lambda: app.store.market(SYM).book_state == "ok", timeout=10)
        await until(pilot, lambda: len(alert_toasts(app)) == 1)
        await pilot.pause(0.6)
        assert len(alert_toasts(app)) == 1 and states == ["ok"]


async def test_alerts_survive_a_restart_and_a_fired_one_stays_fired(
    quiet: RunningExchange, tmp_path: Path
) -> None:
    path = tmp_path / "alerts.json"
    app = make_app(quiet, path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await set_alert(pilot, app, "mid 52000 sell 0.01 @ 52000")
        await set_alert(pilot, app, "spread 100000")
    assert path.exists()

    app = make_app(quiet, path)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        kept = app.desk.alerts.alerts
        assert [(a.kind, a.level, a.ticks) for a in kept] == [
            ("mid", D(52000), None),
            ("spread", None, 100000),
        ]
        assert kept[0].staged is not None and (kept[0].staged.side, kept[0].staged.price) == ("sell", "52000")
        post(quiet, "mm2", "buy", "1", "51000.0")
        await until(pilot, lambda: len(alert_toasts(app)) == 1)
        # the staged order opens in the review; nothing is sent until the trader confirms
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        sent = len(quiet.requests_received)
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert len(quiet.requests_received) == sent

    app = make_app(quiet, path)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.store.market(SYM).book_state == "ok")
        await pilot.pause(0.8)
        assert alert_toasts(app) == []  # fired before the restart: not again
        fired, waiting = app.desk.alerts.alerts
        assert not fired.active and fired.fired_text and waiting.active


async def test_a_staged_order_is_sent_only_from_the_review(quiet: RunningExchange) -> None:
    app = make_app(quiet)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await set_alert(pilot, app, "mid 52000 sell 0.01 @ 54000")
        before = [r for r in quiet.requests_received if r.get("method") == "add_order"]
        post(quiet, "mm2", "buy", "1", "51000.0")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.pause(0.5)
        assert [r for r in quiet.requests_received if r.get("method") == "add_order"] == before
        await pilot.press("enter")  # the trader's own confirmation
        await until(
            pilot,
            lambda: any(
                o.side == "sell" and o.limit_price == 54000 for o in app.store.account.orders.values()
            ),
        )
        sent = [r for r in quiet.requests_received if r.get("method") == "add_order"]
        assert len(sent) == len(before) + 1
