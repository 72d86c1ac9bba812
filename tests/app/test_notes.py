"""``n`` on the market screen: a note and #tags on the selected fill and order, stored in the
journal's notes table and exported with the journal (fills, orders and journal exports)."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

from tests.app.conftest import app_settings, exchange, until, urls_of
from tests.journal.test_session import _order
from tui.app import KrakenApp
from tui.cli.export import write
from tui.exchange.server import RunningExchange
from tui.journal import read
from tui.screens.confirm import AskValue
from tui.widgets.account import FillsTable, OrdersTable

__all__ = ["exchange"]


async def note(pilot: Any, app: Any, text: str) -> None:
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, AskValue))
    await pilot.press(*text, "enter")
    await until(pilot, lambda: not isinstance(app.screen, AskValue))


async def test_notes_and_tags_on_a_fill_and_an_order_reach_the_journal_and_its_exports(
    exchange: RunningExchange, tmp_path: Path
) -> None:
    db = tmp_path / "journal.sqlite3"
    app = KrakenApp(app_settings(), "DEMO", urls=urls_of(exchange), journal=db)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(
            pilot, lambda: app.store.market("BTC/USD").book_state == "ok" and bool(app.store.account.totals)
        )
        assert app.desk.place(_order(app.store, app.desk, "BTC/USD", "buy", "0.001", "+1%"))
        await until(pilot, lambda: bool(app.store.account.fills))
        exec_id = app.store.account.fills[-1].exec_id
        assert app.desk.place(_order(app.store, app.desk, "BTC/USD", "buy", "0.001", "-3%"))
        await until(pilot, lambda: bool(app.store.account.orders))
        (resting,) = app.store.account.orders

        await pilot.press("f")
        await until(pilot, lambda: app.screen.focused is app.screen.query_one(FillsTable))
        await until(pilot, lambda: app.screen.query_one(FillsTable).selected_key == exec_id)
        await note(pilot, app, "late entry #fomo")
        await pilot.press("o")
        await until(pilot, lambda: app.screen.query_one(OrdersTable).selected_key == resting)
        await note(pilot, app, "#scalp #btc")
        assert app.journal is not None
        app.journal.flush()
        app.desk.cancel([resting])
        await until(pilot, lambda: not app.store.account.orders)
        await pilot.pause(0.6)

    conn = sqlite3.connect(db)
    assert conn.execute("SELECT target, ref, kind, text FROM notes ORDER BY id").fetchall() == [
        ("fill", exec_id, "note", "late entry"),
        ("fill", exec_id, "tag", "fomo"),
        ("order", resting, "tag", "scalp"),
        ("order", resting, "tag", "btc"),
    ]
    ro = read.open_read(db)
    fills = read.fills(ro)
    assert [f["notes"] for f in fills if f["exec_id"] == exec_id] == ["late entry #fomo"]
    orders = {o["order_id"]: o for o in read.journal(ro)}
    assert [n["text"] for n in orders[resting]["notes"]] == ["scalp", "btc"]
    filled = next(o for o in orders.values() if o["fills"])
    assert [n["text"] for n in filled["fills"][0]["notes"]] == ["late entry", "fomo"]
    out = io.StringIO()
    write(read.orders(ro), "orders", "csv", out)
    row = next(r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["order_id"] == resting)
    assert row["notes"] == "#scalp #btc"
