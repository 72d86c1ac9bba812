"""What one moment of trading becomes in the journal: SQL statements with exact text values.

Pure (no connection, no thread): the desk and the announcer call these on the UI's loop, which
costs a few dict reads, and hand the statements to the writer thread.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tui.kraken.futures import is_futures
from tui.kraken.numbers import ticks_to_decimal
from tui.kraken.requests import OrderParams
from tui.store import Fill, MarketState, OrderView

__all__ = ["BOOK_LEVELS", "Statement", "acked", "closed", "filled", "noted", "sent", "split_note", "utc_text"]

BOOK_LEVELS = 10
Statement = tuple[str, tuple[Any, ...]]


def utc_text(epoch: float) -> str:
    """RFC 3339 UTC to the microsecond: sorts as text, and ``--since 2026-11-01`` compares as text."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def _request_json(params: OrderParams) -> str:
    fields = {
        k: (_text(v) if isinstance(v, Decimal) else v)
        for k, v in dataclasses.asdict(params).items()
        if v is not None
    }
    return json.dumps(fields, sort_keys=True, default=_text)  # a nested Decimal (conditional) as text


def _book(jid: str, market: MarketState) -> list[Statement]:
    book = market.book
    if book is None:
        return []
    out: list[Statement] = []
    pp, qp = book.price_precision, book.qty_precision
    for side, levels in (("bid", book.bids(BOOK_LEVELS)), ("ask", book.asks(BOOK_LEVELS))):
        for i, (price, qty) in enumerate(levels, 1):
            out.append(
                (
                    "INSERT INTO book_levels (jid, side, level, price, qty) VALUES (?, ?, ?, ?, ?)",
                    (jid, side, i, _text(ticks_to_decimal(price, pp)), _text(ticks_to_decimal(qty, qp))),
                )
            )
    return out


def sent(
    jid: str, mode: str, label: str, params: OrderParams, market: MarketState, now: float
) -> list[Statement]:
    """The request as sent, and the market it was sent into: the top of the book and the last print."""
    last = market.trades[-1] if market.trades else None
    mid = market.book.mid() if market.book is not None else None
    row = (
        jid,
        mode,
        "futures" if is_futures(params.symbol) else "spot",
        label,
        params.symbol,
        params.side,
        params.order_type,
        _text(params.order_qty),
        _text(params.limit_price),
        _text(params.trigger_price),
        _request_json(params),
        utc_text(now),
        market.book_state,
        int(market.book_state == "ok"),
        market.verified_levels,
        _text(mid),
        _text(last.price) if last else None,
        _text(last.qty) if last else None,
        last.side if last else None,
        last.timestamp if last else None,
        params.cl_ord_id,
    )
    insert = (
        "INSERT INTO orders (jid, mode, venue, label, symbol, side, order_type, qty, limit_price,"
        " trigger_price, request, sent_at, book_state, book_verified, verified_levels, mid,"
        " last_trade_price, last_trade_qty, last_trade_side, last_trade_time, cl_ord_id)"
        " VALUES (" + ", ".join("?" * len(row)) + ")"
    )
    return [(insert, row), *_book(jid, market)]


def acked(
    jid: str, outcome: str, ok: bool, error: str | None, latency_ms: float, result: Any, now: float
) -> list[Statement]:
    ids = result if isinstance(result, dict) else {}
    return [
        (
            "UPDATE orders SET ack_at = ?, outcome = ?, error = ?, latency_ms = ?,"
            " order_id = coalesce(?, order_id), cl_ord_id = coalesce(?, cl_ord_id) WHERE jid = ?",
            (
                utc_text(now),
                outcome if ok else (outcome if outcome != "acked" else "rejected"),
                error,
                latency_ms,
                _str_or_none(ids.get("order_id")),
                _str_or_none(ids.get("cl_ord_id")),
                jid,
            ),
        )
    ]


def filled(fill: Fill, now: float) -> list[Statement]:
    row = (
        fill.exec_id or f"{fill.order_id}-{fill.trade_id}",
        fill.order_id,
        fill.cl_ord_id,
        fill.trade_id,
        fill.symbol,
        fill.side,
        _text(fill.qty),
        _text(fill.price),
        _text(fill.cost),
        _text(fill.fee),
        fill.fee_asset,
        fill.liquidity,
        fill.timestamp,
        utc_text(now),
    )
    return [
        (
            "INSERT OR IGNORE INTO fills (exec_id, order_id, cl_ord_id, trade_id, symbol, side, qty,"
            " price, cost, fee, fee_asset, liquidity, timestamp, seen_at) VALUES ("
            + ", ".join("?" * len(row))
            + ")",
            row,
        )
    ]


def closed(order: OrderView, now: float) -> list[Statement]:
    """The final state of an order, kept by its id (an order this journal did not send joins no row)."""
    return [
        (
            "INSERT OR REPLACE INTO closes (order_id, status, closed_at, filled_qty, avg_price, reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                order.order_id,
                order.status,
                utc_text(now),
                _text(order.filled),
                _text(order.avg_price),
                order.reason,
            ),
        )
    ]


def _str_or_none(v: object) -> str | None:
    return None if v is None or v == "" else str(v)


def split_note(text: str) -> list[tuple[str, str]]:
    """``"late entry #fomo #btc"`` -> the tags (``fomo``, ``btc``) and the note (``late entry``)."""
    words = text.split()
    tags = [("tag", w[1:]) for w in words if w.startswith("#") and len(w) > 1]
    note = " ".join(w for w in words if not (w.startswith("#") and len(w) > 1))
    return ([("note", note)] if note else []) + tags


def noted(target: str, ref: str, text: str, now: float) -> list[Statement]:
    """A note and its tags on one order (``target`` "order") or fill ("fill")."""
    if target not in ("order", "fill"):
        raise ValueError(f"a note is on an order or a fill, not {target!r}")
    at = utc_text(now)
    return [
        (
            "INSERT INTO notes (target, ref, kind, text, at) VALUES (?, ?, ?, ?, ?)",
            (target, ref, kind, body, at),
        )
        for kind, body in split_note(text)
    ]
