"""The App's wiring: its desk journals to the file it was given, and quitting commits what is queued."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.app.conftest import app_settings, exchange, until, urls_of
from tests.journal.test_session import _order
from tui.app import KrakenApp
from tui.exchange.server import RunningExchange

__all__ = ["exchange"]


async def test_the_app_journals_its_orders_and_their_fills(exchange: RunningExchange, tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    app = KrakenApp(app_settings(), "DEMO", urls=urls_of(exchange), journal=db)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(
            pilot, lambda: app.store.market("BTC/USD").book_state == "ok" and bool(app.store.account.totals)
        )
        assert app.desk.journal is app.journal is not None
        assert app.desk.place(_order(app.store, app.desk, "BTC/USD", "buy", "0.001", "+1%"))
        await until(pilot, lambda: bool(app.store.account.fills) and not app.desk.requests_in_flight)
        await until(pilot, lambda: not any(o.is_open for o in app.store.account.orders.values()))
        await pilot.pause(0.6)  # the announce tick (4 Hz) hands the fill and the close to the journal
    conn = sqlite3.connect(db)  # the app has quit: nothing may still be waiting in the queue
    rows = conn.execute(
        "SELECT o.mode, o.outcome, c.status, count(f.exec_id) FROM orders o"
        " JOIN closes c USING (order_id) JOIN fills f USING (order_id) GROUP BY o.jid"
    ).fetchall()
    assert rows == [("DEMO", "acked", "filled", rows[0][3])] and rows[0][3] >= 1
    assert conn.execute("SELECT count(*) FROM book_levels").fetchone() == (20,)
