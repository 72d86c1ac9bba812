"""Export from the palette: a CSV of the journal's fills in the user's data directory, the place
said in a notification, the same exact decimals as the journal, realised P&L included."""

from __future__ import annotations

import csv
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from textual.command import CommandPalette

from tests.app.conftest import app_settings, exchange, until, urls_of
from tests.journal.test_session import _order
from tui.app import KrakenApp
from tui.exchange.server import RunningExchange
from tui.journal.read import FILL_COLUMNS

__all__ = ["exchange"]


async def test_the_palette_exports_fills_to_the_data_directory(
    exchange: RunningExchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    db = tmp_path / "journal.sqlite3"
    app = KrakenApp(app_settings(), "DEMO", urls=urls_of(exchange), journal=db)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(
            pilot, lambda: app.store.market("BTC/USD").book_state == "ok" and bool(app.store.account.totals)
        )
        assert app.desk.place(_order(app.store, app.desk, "BTC/USD", "buy", "0.002", "+1%"))
        assert app.desk.place(_order(app.store, app.desk, "BTC/USD", "sell", "0.001", "-1%"))
        await until(pilot, lambda: sum(1 for f in app.store.account.fills if f.symbol == "BTC/USD") >= 2)
        await pilot.pause(0.6)  # the announce tick hands the fills to the journal
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Export: fills", "enter")
        await until(pilot, lambda: any("Exported" in str(n.message) for n in app._notifications), timeout=8)
        said = next(str(n.message) for n in app._notifications if "Exported" in str(n.message))
    folder = tmp_path / "data" / "kraken-tui" / "exports"
    (path,) = folder.glob("fills-*.csv")
    assert str(path) in said
    with path.open() as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == FILL_COLUMNS and "realised_pnl" in FILL_COLUMNS
    journal = dict(sqlite3.connect(db).execute("SELECT exec_id, price FROM fills").fetchall())
    assert {r["exec_id"]: Decimal(r["price"]) for r in rows} == {k: Decimal(v) for k, v in journal.items()}
    sells = [r for r in rows if r["side"] == "sell"]
    assert sells and all(r["realised_pnl"] for r in sells)  # a sell after a buy realises a figure
