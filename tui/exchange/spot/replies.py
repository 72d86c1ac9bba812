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
    **extra: Any,
) -> None:
    frame: dict[str, Any] = {"method": method}
    if error is None:
        frame["result"] = result
        frame["success"] = True
    else:
        frame["error"] = error
        frame["success"] = False
    frame.update(extra)
    if req_id is not None:
        frame["req_id"] = req_id
    frame["time_in"] = time_in
    frame["time_out"] = now_iso()
    conn.send(frame)


def bare_error(conn: Conn, error: str, time_in: str, *, req_id: int | None = None) -> None:
    """An error for a frame with no method to name (not JSON, not an object)."""
    frame: dict[str, Any] = {"error": error, "success": False}
    if req_id is not None:
        frame["req_id"] = req_id
    frame.update(time_in=time_in, time_out=now_iso())
    conn.send(frame)
