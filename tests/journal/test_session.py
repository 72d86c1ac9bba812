"""A trading session on the embedded exchange, journaled: a real Feed and Desk over loopback."""

from __future__ import annotations

import asyncio
import sqlite3
from decimal import Decimal
from functools import partial
from pathlib import Path

from tests.app.conftest import app_settings, exchange, urls_of
from tests.app.test_desk import Notices, wait_for
from tui.desk import Desk
from tui.exchange.server import RunningExchange
from tui.feed.client import Feed
from tui.journal import Journal, read
from tui.orders import FormInput, Reviewed, build_order
from tui.store import Store

__all__ = ["exchange"]  # the fixture, re-exported for pytest


def _order(store: Store, desk: Desk, symbol: str, side: str, qty: str, price: str) -> Reviewed:
    mk = store.market(symbol)
    assert mk.instrument is not None and mk.book is not None
    margin = store.account.futures_margin
    draft = build_order(
        FormInput(side, qty=qty, price=price),
        mk.instrument,
        mk.book,
        store.account.balances(store.instruments),
        desk.settings.guards,
        margin_available=margin.available_margin if margin is not None else None,
    )
    assert draft.ok and draft.params is not None and draft.review is not None, draft.errors
    return Reviewed(draft.params, draft.review)


async def _session(ex: RunningExchange, db: Path, plan: list[tuple[str, str, str, str]]) -> Store:
    """Send each (symbol, side, qty, price) order, wait for its answer and fill, announce as the
    App's timer does, and close the journal."""
    settings = app_settings()
    store = Store("DEMO")
    journal = Journal(db, "DEMO")
    desk = Desk(store, settings, Notices(), can_trade=True, journal=journal)
    feed = Feed(settings, store, urls=urls_of(ex))
    runner = asyncio.create_task(feed.run())
    desk.attach(feed)
    try:
        await wait_for(
            lambda: (
                all(
                    store.market(s).book_state == "ok" and store.market(s).trades
                    for s in {p[0] for p in plan}
                )
                and bool(store.account.totals)
                and store.account.futures_margin is not None
            )
        )
        for n, (symbol, side, qty, price) in enumerate(plan, 1):
            assert desk.place(_order(store, desk, symbol, side, qty, price))
            await wait_for(partial(_answered, desk, n))
            desk.announce()
        acked = [r.reply.result["order_id"] for r in desk.request_log]
        await wait_for(lambda: all(any(f.order_id == o for f in store.account.fills) for o in acked))
        await wait_for(lambda: not any(o.is_open for o in store.account.orders.values()))
        await asyncio.sleep(0.3)
        desk.announce()
    finally:
        desk.detach()
        await feed.stop()
        runner.cancel()
        journal.close()
    return store


def _answered(desk: Desk, n: int) -> bool:
    return len(desk.request_log) == n and desk.requests_in_flight == 0


def _plan(n_spot: int, n_futures: int) -> list[tuple[str, str, str, str]]:
    plan = [
        ("BTC/USD", "buy" if i % 2 == 0 else "sell", "0.001", "+1%" if i % 2 == 0 else "-1%")
        for i in range(n_spot)
    ]
    plan += [
        ("PF_XBTUSD", "buy" if i % 2 == 0 else "sell", "0.0100", "+1%" if i % 2 == 0 else "-1%")
        for i in range(n_futures)
    ]
    return plan


async def test_twenty_orders_are_journaled_with_their_book(exchange: RunningExchange, tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    await _session(exchange, db, _plan(16, 4))
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    orders = conn.execute("SELECT * FROM orders ORDER BY sent_at").fetchall()
    assert len(orders) == 20
    assert {o["venue"] for o in orders} == {"spot", "futures"}
    for o in orders:
        assert o["outcome"] == "acked" and o["order_id"] and o["ack_at"] >= o["sent_at"], dict(o)
        assert o["book_verified"] == 1 and o["book_state"] == "ok"
        assert o["last_trade_price"] and Decimal(o["last_trade_price"]) > 0, sorted(dict(o).items())
        assert Decimal(o["qty"]) == Decimal("0.001" if o["venue"] == "spot" else "0.0100")
        levels = conn.execute(
            "SELECT side, level, price, qty FROM book_levels WHERE jid = ? ORDER BY side, level", (o["jid"],)
        ).fetchall()
        bids = [Decimal(r["price"]) for r in levels if r["side"] == "bid"]
        asks = [Decimal(r["price"]) for r in levels if r["side"] == "ask"]
        assert len(bids) == 10 and len(asks) == 10
        assert bids == sorted(bids, reverse=True) and asks == sorted(asks) and bids[0] < asks[0]
        assert Decimal(o["mid"]) == (bids[0] + asks[0]) / 2
        # the limit price is the +/-1% the trader asked for, from that very mid
        assert abs(Decimal(o["limit_price"]) / Decimal(o["mid"]) - 1) < Decimal("0.0101")
        fills = conn.execute("SELECT * FROM fills WHERE order_id = ?", (o["order_id"],)).fetchall()
        assert fills and sum(Decimal(f["qty"]) for f in fills) == Decimal(o["qty"])
        assert all(Decimal(f["fee"]) > 0 for f in fills)
        close = conn.execute("SELECT * FROM closes WHERE order_id = ?", (o["order_id"],)).fetchone()
        assert close is not None and close["status"] == "filled", o["order_id"]
        if o["venue"] == "spot":  # the futures feed reports a closed order with filled 0 (store side)
            assert Decimal(close["filled_qty"]) == Decimal(o["qty"])
    exported = read.orders(read.open_read(db))
    assert len(exported) == 20 and all(Decimal(e["fills_qty"]) == Decimal(e["qty"]) for e in exported)


async def test_the_journal_holds_no_credential(exchange: RunningExchange, tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    await _session(exchange, db, _plan(2, 1))
    tokens = list(exchange.credentials.tokens)
    assert tokens  # the private socket did authenticate with one
    secrets = [exchange.api_key, exchange.api_secret, *tokens]
    files = [tmp_path / n for n in ("journal.sqlite3", "journal.sqlite3-wal") if (tmp_path / n).exists()]
    blob = b"".join(p.read_bytes() for p in files)
    assert b"BTC/USD" in blob and b"PF_XBTUSD" in blob  # the grep reads what was written
    for s in secrets:
        assert s.encode() not in blob
