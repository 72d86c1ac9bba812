"""Reading the journal back for ``kraken-tui export``: rows of exact decimal strings.

Realised P&L needs every earlier fill of the symbol (the cost basis), so it is computed over the
whole journal and only then cut at ``since``.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tui.kraken.futures import is_futures
from tui.orders.pnl import futures_fifo, split_symbol, spot_average_cost

__all__ = ["FILL_COLUMNS", "fills", "journal", "notes_of", "notes_text", "open_read", "orders"]

FILL_COLUMNS = (
    "timestamp",
    "symbol",
    "order_id",
    "cl_ord_id",
    "exec_id",
    "side",
    "price",
    "qty",
    "fee",
    "fee_currency",
    "liquidity",
    "realised_pnl",
    "notes",
)


@dataclass(frozen=True, slots=True)
class _Fill:
    side: str
    qty: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str


def open_read(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def fills(conn: sqlite3.Connection, since: str = "") -> list[dict[str, Any]]:
    """One row per fill, oldest first, with the P&L it realised (empty for an opening fill)."""
    rows = conn.execute(
        "SELECT f.*, coalesce(f.cl_ord_id, o.cl_ord_id) AS any_cl_ord_id FROM fills f"
        " LEFT JOIN orders o ON o.order_id = f.order_id ORDER BY f.timestamp, f.rowid"
    ).fetchall()
    by_symbol: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for r in rows:
        by_symbol[r["symbol"]].append(r)
    realised: dict[str, Decimal | None] = {}
    for symbol, group in by_symbol.items():
        typed = [
            _Fill(r["side"], Decimal(r["qty"]), Decimal(r["price"]), Decimal(r["fee"]), r["fee_asset"])
            for r in group
        ]
        per = (
            futures_fifo(typed)[1]
            if is_futures(symbol)
            else spot_average_cost(typed, *split_symbol(symbol))[1]
        )
        for r, p in zip(group, per, strict=True):
            realised[r["exec_id"]] = p
    out = []
    for r in rows:
        if r["timestamp"] < since:
            continue
        pnl = realised.get(r["exec_id"])
        out.append(
            {
                "timestamp": r["timestamp"],
                "symbol": r["symbol"],
                "order_id": r["order_id"],
                "cl_ord_id": r["any_cl_ord_id"] or "",
                "exec_id": r["exec_id"],
                "side": r["side"],
                "price": r["price"],
                "qty": r["qty"],
                "fee": r["fee"],
                "fee_currency": r["fee_asset"],
                "liquidity": r["liquidity"],
                "realised_pnl": "" if pnl is None else format(pnl, "f"),
                "notes": notes_text(conn, r["exec_id"]),
            }
        )
    return out


def notes_of(conn: sqlite3.Connection, ref: str) -> list[dict[str, Any]]:
    """The notes and tags on one order or fill, oldest first (none in a journal written before
    notes existed, which a read-only export cannot add the table to)."""
    try:
        rows = conn.execute("SELECT kind, text, at FROM notes WHERE ref = ? ORDER BY id", (ref,)).fetchall()
    except sqlite3.OperationalError:
        return []
    return [dict(r) for r in rows]


def notes_text(conn: sqlite3.Connection, ref: str) -> str:
    """One cell: ``late entry #fomo`` (the notes, then the tags)."""
    found = notes_of(conn, ref)
    return " ".join(
        [n["text"] for n in found if n["kind"] == "note"]
        + [f"#{n['text']}" for n in found if n["kind"] == "tag"]
    )


def orders(conn: sqlite3.Connection, since: str = "") -> list[dict[str, Any]]:
    """One row per order sent, as the ``orders`` table holds it."""
    rows = conn.execute(
        "SELECT o.*, c.status AS final_status, c.closed_at, c.filled_qty, c.avg_price, c.reason AS final_reason"
        " FROM orders o LEFT JOIN closes c ON c.order_id = o.order_id WHERE o.sent_at >= ? ORDER BY o.sent_at",
        (since,),
    ).fetchall()
    qty: dict[str, Decimal] = defaultdict(Decimal)
    for order_id, q in conn.execute("SELECT order_id, qty FROM fills"):
        qty[order_id] += Decimal(q)
    out = []
    for r in rows:
        row = {k: ("" if v is None else v) for k, v in dict(r).items()}
        # what the fills add up to (a venue's closed report may not carry the filled quantity)
        row["fills_qty"] = format(qty[r["order_id"]], "f") if r["order_id"] in qty else ""
        row["notes"] = notes_text(conn, r["order_id"]) if r["order_id"] else ""
        out.append(row)
    return out


def journal(conn: sqlite3.Connection, since: str = "") -> list[dict[str, Any]]:
    """Each order with the book it was sent into and its fills: nested (JSON text in a CSV)."""
    out = orders(conn, since)
    for o in out:
        levels = conn.execute(
            "SELECT side, price, qty FROM book_levels WHERE jid = ? ORDER BY side, level", (o["jid"],)
        ).fetchall()
        o["bids"] = [[r["price"], r["qty"]] for r in levels if r["side"] == "bid"]
        o["asks"] = [[r["price"], r["qty"]] for r in levels if r["side"] == "ask"]
        o["request"] = json.loads(o["request"])
        fl = conn.execute(
            "SELECT exec_id, qty, price, fee, fee_asset, liquidity, timestamp FROM fills"
            " WHERE order_id = ? ORDER BY timestamp",
            (o["order_id"],),
        ).fetchall()
        o["fills"] = [dict(r) | {"notes": notes_of(conn, r["exec_id"])} for r in fl]
        o["notes"] = notes_of(conn, o["order_id"]) if o["order_id"] else []
    return out
