"""The journal's writer: a thread of its own with its own SQLite connection.

The UI's loop only puts statements on a queue (no disk, no lock held while a key waits); the
thread takes everything queued, runs it in one transaction and commits, so a crash loses at most
what was not committed yet and never half of one event. ``flush`` waits for what was queued so
far to be committed (tests, and quitting).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui.journal import rows
from tui.journal.rows import Statement
from tui.journal.schema import connect
from tui.kraken.requests import OrderParams
from tui.store import Fill, MarketState, OrderView

__all__ = ["Journal"]

log = logging.getLogger("tui.journal")
_STOP = object()


class Journal:
    def __init__(self, path: Path, mode: str = "LIVE") -> None:
        self.path = path
        self.mode = mode
        self.committed = 0  # transactions committed
        self.errors = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="journal-writer", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._failed is not None:
            raise self._failed

    # --- what the desk and the announcer record (cheap: build rows, queue them) -------------
    def order_sent(self, label: str, params: OrderParams, market: MarketState) -> str:
        jid = uuid.uuid4().hex
        self._put(rows.sent(jid, self.mode, label, params, market, time.time()))
        return jid

    def order_acked(
        self, jid: str, *, ok: bool, outcome: str, error: str | None, latency_ms: float, result: Any
    ) -> None:
        self._put(rows.acked(jid, outcome, ok, error, latency_ms, result, time.time()))

    def fill(self, fill: Fill) -> None:
        self._put(rows.filled(fill, time.time()))

    def order_closed(self, order: OrderView) -> None:
        self._put(rows.closed(order, time.time()))

    def note(self, target: str, ref: str, text: str) -> None:
        """The trader's note or ``#tag`` on an order (its order_id) or a fill (its exec_id)."""
        self._put(rows.noted(target, ref, text, time.time()))

    # --- lifecycle ---------------------------------------------------------------------------
    def flush(self, timeout: float = 10.0) -> None:
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(10)

    def _put(self, statements: Sequence[Statement]) -> None:
        self._queue.put(statements)

    # --- the thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            conn = connect(self.path)
        except (OSError, sqlite3.Error) as exc:
            self._failed = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                batch, waiters, stop = self._take()
                if batch:
                    self._commit(conn, batch)
                for w in waiters:
                    w.set()
                if stop:
                    return
        finally:
            conn.close()

    def _take(self) -> tuple[list[Statement], list[threading.Event], bool]:
        """Block for one item, then everything else already queued: one transaction for all."""
        batch: list[Statement] = []
        waiters: list[threading.Event] = []
        item = self._queue.get()
        while True:
            if item is _STOP:
                return batch, waiters, True
            if isinstance(item, threading.Event):
                waiters.append(item)
            else:
                batch.extend(item)
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, waiters, False

    def _commit(self, conn: sqlite3.Connection, batch: list[Statement]) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql, params in batch:
                conn.execute(sql, params)
            conn.execute("COMMIT")
            self.committed += 1
        except sqlite3.Error:
            self.errors += 1
            log.exception("journal: a transaction of %d statements failed; rolled back", len(batch))
            if conn.in_transaction:
                conn.execute("ROLLBACK")
