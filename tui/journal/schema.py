"""The journal's tables: one SQLite file that analysis tools (sqlite3, pandas, DuckDB) read as is.

Every number is TEXT holding the exact decimal string from the wire or the request (never a
float: ``0.1`` stays ``0.1``); every time is RFC 3339 UTC text, so ``WHERE sent_at >= '2026-11-01'``
works. WAL mode lets a reader (``kraken-tui export``) run while the app writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["SCHEMA", "connect"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    jid TEXT PRIMARY KEY,            -- the journal's id of one request
    mode TEXT NOT NULL,              -- LIVE, DEMO, PAPER, REPLAY
    venue TEXT NOT NULL,             -- spot or futures
    label TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    order_type TEXT NOT NULL,
    qty TEXT NOT NULL,
    limit_price TEXT,
    trigger_price TEXT,
    request TEXT NOT NULL,           -- JSON of every field sent, decimals as strings
    sent_at TEXT NOT NULL,
    book_state TEXT NOT NULL,        -- ok, resyncing, stale, waiting, empty at the send
    book_verified INTEGER NOT NULL,  -- 1 when the book was verified (checksum / sequence) at the send
    verified_levels INTEGER,         -- levels per side the check covers (NULL: all)
    mid TEXT,
    last_trade_price TEXT,
    last_trade_qty TEXT,
    last_trade_side TEXT,
    last_trade_time TEXT,
    ack_at TEXT,
    outcome TEXT,                    -- acked, rejected, not-sent, lost-then-found, ...
    error TEXT,
    latency_ms REAL,
    order_id TEXT,
    cl_ord_id TEXT
);
CREATE INDEX IF NOT EXISTS orders_order_id ON orders(order_id);
CREATE INDEX IF NOT EXISTS orders_sent_at ON orders(sent_at);
CREATE TABLE IF NOT EXISTS book_levels (
    jid TEXT NOT NULL REFERENCES orders(jid),
    side TEXT NOT NULL,              -- bid or ask
    level INTEGER NOT NULL,          -- 1 = best
    price TEXT NOT NULL,
    qty TEXT NOT NULL,
    PRIMARY KEY (jid, side, level)
);
CREATE TABLE IF NOT EXISTS closes (  -- the final state of each order seen closed, by order_id
    order_id TEXT PRIMARY KEY,       -- (its own table: a close may be seen before the ack)
    status TEXT NOT NULL,            -- filled, canceled, expired, ...
    closed_at TEXT NOT NULL,
    filled_qty TEXT NOT NULL,
    avg_price TEXT,
    reason TEXT
);
CREATE TABLE IF NOT EXISTS fills (
    exec_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    cl_ord_id TEXT,
    trade_id INTEGER,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty TEXT NOT NULL,
    price TEXT NOT NULL,
    cost TEXT NOT NULL,
    fee TEXT NOT NULL,
    fee_asset TEXT NOT NULL,
    liquidity TEXT NOT NULL,         -- m (maker) or t (taker)
    timestamp TEXT NOT NULL,         -- the venue's time of the fill
    seen_at TEXT NOT NULL            -- when this session saw it
);
CREATE INDEX IF NOT EXISTS fills_order_id ON fills(order_id);
CREATE INDEX IF NOT EXISTS fills_timestamp ON fills(timestamp);
CREATE TABLE IF NOT EXISTS notes (   -- the trader's own words on an order or a fill (key n)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,            -- order or fill
    ref TEXT NOT NULL,               -- its order_id or exec_id
    kind TEXT NOT NULL,              -- note (free text) or tag (a #word, stored without the #)
    text TEXT NOT NULL,
    at TEXT NOT NULL                 -- when it was written
);
CREATE INDEX IF NOT EXISTS notes_ref ON notes(ref);
"""


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the schema in place, WAL on, and full fsync at each commit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.executescript(SCHEMA)
    return conn
