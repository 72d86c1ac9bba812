"""How the v2 venue answers a request: one frame with ``method``, ``success`` and the times."""

from __future__ import annotations

import time
from typing import Any

from tui.exchange.conn import Conn
from tui.kraken.rfc3339 import format_rfc3339

__all__ = ["PRIVATE_ERR", "PUBLIC_ERR", "bare_error", "now_iso", "reply"]

PRIVATE_ERR = "Private data and trading are unavailable on this endpoint. Try ws-auth.kraken.com"
PUBLIC_ERR = "Public market data subscriptions are unavailable on this endpoint. Try ws.kraken.com"


def now_iso() -> str:
    return format_rfc3339(time.time())


def reply(
    conn: Conn,
    method: str,
    req_id: Any,
    time_in: str,
    *,
    result: Any = None,
    error: str | None = None,
    top: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    """``top`` replaces ``result`` for the replies the venue flattens (batch_cancel's ``orders_cancelled``)."""
    frame: dict[str, Any] = {"method": method}
    if error is None:
        if top is None:
            sub_ack = method in ("subscribe", "unsubscribe") and isinstance(result, dict)
            frame["result"] = dict(sorted(result.items())) if sub_ack else result  # recorded order
        else:
            frame.update(top)
        frame["success"] = True
    else:
        frame["error"] = error
        frame["success"] = False
    frame.update(extra)
    if req_id is not None:
        frame["req_id"] = req_id
    frame["time_in"] = time_in
    frame["time_out"] = now_iso()
    # the venue's acks and responses are alphabetical (error, method, req_id, result, success, ...);
    # some clients match substrings of the raw text, so the order is part of the protocol
    conn.send(dict(sorted(frame.items())))


def bare_error(conn: Conn, error: str, time_in: str, *, req_id: int | None = None) -> None:
    """An error for a frame with no method to name (not JSON, not an object)."""
    frame: dict[str, Any] = {"error": error, "success": False}
    if req_id is not None:
        frame["req_id"] = req_id
    frame.update(time_in=time_in, time_out=now_iso())
    conn.send(frame)
