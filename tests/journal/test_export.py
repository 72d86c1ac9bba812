"""``kraken-tui export``: the journal's exact decimals out as CSV/NDJSON, and back as the same Decimals."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from tui.journal import Journal
from tui.kraken.events import Fill
from tui.kraken.requests import OrderParams
from tui.store import MarketState, OrderView

D = Decimal
# (exec_id, order_id, side, qty, price, fee, timestamp)
FILLS = [
    ("E1", "O1", "buy", "0.50000000", "100.10", "0.05005", "2026-10-30T12:00:00.000001Z"),
    ("E2", "O2", "buy", "0.25000000", "102.40", "0.0256", "2026-11-02T09:30:00.5Z"),
    ("E3", "O3", "sell", "0.30000000", "105.70", "0.031710", "2026-11-03T16:45:10.25Z"),
]


def _journal(db: Path) -> None:
    journal = Journal(db, "DEMO")
    market = MarketState("SOL/USD")
    for exec_id, order_id, side, qty, price, fee, ts in FILLS:
        params = OrderParams(
            "limit", side, D(qty), "SOL/USD", limit_price=D(price), cl_ord_id=f"c-{order_id}"
        )
        jid = journal.order_sent(f"{side} {qty}", params, market)
        journal.order_acked(
            jid, ok=True, outcome="acked", error=None, latency_ms=1.5, result={"order_id": order_id}
        )
        cost = D(qty) * D(price)
        journal.fill(
            Fill(order_id, exec_id, 1, "SOL/USD", side, D(qty), D(price), cost, D(fee), "USD", "t", ts)
        )
        journal.order_closed(
            OrderView(order_id, symbol="SOL/USD", status="filled", filled=D(qty), avg_price=D(price))
        )
    journal.close()


def _export(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KRAKEN_TUI_", "XDG_"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"))
    out = subprocess.run(
        [sys.executable, "-m", "tui", "export", *args, "--journal", str(tmp_path / "j.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def _hand_realised() -> Decimal:
    """Average cost, fees in: both buys' cost with their fees, the sell's share of it, its fee out."""
    cost = D("0.5") * D("100.10") + D("0.05005") + D("0.25") * D("102.40") + D("0.0256")
    held = D("0.75")
    return D("0.3") * D("105.70") - D("0.031710") - cost * D("0.3") / held


def test_fills_csv_round_trips_to_the_same_decimals(tmp_path: Path) -> None:
    _journal(tmp_path / "j.sqlite3")
    rows = list(csv.DictReader(io.StringIO(_export(tmp_path, "fills", "--format", "csv"))))
    assert [r["exec_id"] for r in rows] == ["E1", "E2", "E3"]
    for r, (_exec_id, order_id, side, qty, price, fee, ts) in zip(rows, FILLS, strict=True):
        assert (r["order_id"], r["cl_ord_id"], r["side"], r["timestamp"]) == (
            order_id,
            f"c-{order_id}",
            side,
            ts,
        )
        assert (D(r["qty"]), D(r["price"]), D(r["fee"])) == (D(qty), D(price), D(fee))
        assert (r["qty"], r["price"], r["fee"]) == (qty, price, fee)  # the very text, trailing zeros kept
        assert (r["fee_currency"], r["liquidity"]) == ("USD", "t")
    assert [r["realised_pnl"] for r in rows[:2]] == ["", ""]
    assert D(rows[2]["realised_pnl"]) == _hand_realised()


def test_since_cuts_rows_but_not_the_cost_basis(tmp_path: Path) -> None:
    _journal(tmp_path / "j.sqlite3")
    lines = _export(tmp_path, "fills", "--since", "2026-11-01", "--format", "ndjson").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["exec_id"] for r in rows] == ["E2", "E3"]
    assert D(rows[1]["realised_pnl"]) == _hand_realised()  # the October buy still counts


def test_orders_and_journal_exports(tmp_path: Path) -> None:
    _journal(tmp_path / "j.sqlite3")
    orders = list(csv.DictReader(io.StringIO(_export(tmp_path, "orders"))))
    assert [(o["order_id"], o["final_status"], o["limit_price"]) for o in orders] == [
        ("O1", "filled", "100.10"),
        ("O2", "filled", "102.40"),
        ("O3", "filled", "105.70"),
    ]
    full = [json.loads(x) for x in _export(tmp_path, "journal", "--format", "ndjson").splitlines()]
    assert full[2]["request"]["order_qty"] == "0.30000000" and full[2]["fills"][0]["fee"] == "0.031710"
    assert full[0]["book_verified"] == 0 and full[0]["bids"] == []  # no book: said, not invented
