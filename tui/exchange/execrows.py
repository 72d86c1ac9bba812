"""The key order of each kind of executions row, as the venue sent it (recorded 2024-05..10).

Clients that match raw text or compare frames see key order; the engine fills a row's fields and
this lays them out. A key a template does not name goes at the end, in the order it was added.
Where no recording exists (trade updates) the docs' example is followed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["layout"]

_ID = ["order_userref", "cl_ord_id"]
_TEMPLATES: dict[str, list[str]] = {
    "new": ["timestamp", "order_status", "exec_type", *_ID, "order_id"],
    "canceled": [
        "timestamp", "order_status", "exec_type", "cum_qty", "cum_cost", "fee_usd_equiv", "avg_price",
        *_ID, "cancel_reason", "reason", "order_id",
    ],
    "amended": [
        "timestamp", "exec_type", "order_status", "cum_qty", "reason", "amended", "order_qty",
        "limit_price", "limit_price_type", *_ID, "order_id",
    ],
    "pending_new": [
        "order_id", "cl_ord_id", "symbol", "order_qty", "cum_cost", "time_in_force", "exec_type", "side",
        "order_type", "order_userref", "limit_price_type", "limit_price", "stop_price", "order_status",
        "fee_usd_equiv", "fee_ccy_pref", "timestamp",
    ],
    "pending_new_triggered": [
        "order_id", "cl_ord_id", "symbol", "order_qty", "cum_cost", "time_in_force", "exec_type", "side",
        "order_type", "order_userref", "limit_price_type", "triggers", "stop_price", "limit_price",
        "trigger", "order_status", "fee_usd_equiv", "fee_ccy_pref", "timestamp",
    ],
    "trade": [
        "order_id", *_ID, "exec_id", "exec_type", "trade_id", "symbol", "side", "last_qty", "last_price",
        "liquidity_ind", "cost", "order_type", "sender_sub_id", "timestamp", "order_status", "cum_qty", "cum_cost",
        "avg_price", "fee_usd_equiv", "fees",
    ],
}  # fmt: skip


def layout(row: dict[str, Any]) -> dict[str, Any]:
    kind = row.get("exec_type", "")
    if kind == "pending_new" and "triggers" in row:
        kind = "pending_new_triggered"
    template = _TEMPLATES.get(kind)
    if template is None:
        return row
    out = {k: row[k] for k in template if k in row}
    out.update((k, v) for k, v in row.items() if k not in out)
    return out
