"""What the desk may ask of a venue: the one surface spot and futures order entry share.

The desk routes by instrument and never knows whether an order travels over the private v2
socket or over signed v3 REST; each venue is built with the narrow channel it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from tui.kraken import requests as rq

__all__ = ["OrderVenue", "Outcome", "Reply", "summarize"]

# acked | rejected | lost-then-found | lost-not-placed | unknown | lost | timeout | not-sent
# (unknown: the reply was lost and no evidence either way; the order may have been placed)
Outcome = str


@dataclass
class Reply:
    ok: bool
    result: Any = None
    error: str | None = None
    latency_ms: float = 0.0
    outcome: Outcome = "acked"
    responses: list[Any] = field(default_factory=list)


class OrderVenue(Protocol):
    """Order entry on one venue. Every method answers with a Reply, never raises for a refusal."""

    sent_count: int

    async def add_order(self, order: rq.OrderParams) -> Reply: ...

    async def amend_order(
        self,
        *,
        order_id: str | None = None,
        cl_ord_id: str | None = None,
        order_qty: Decimal | None = None,
        limit_price: Decimal | None = None,
        post_only: bool | None = None,
        trigger_price: Decimal | None = None,
    ) -> Reply: ...

    async def cancel_order(self, order_ids: Sequence[str] = (), cl_ord_ids: Sequence[str] = ()) -> Reply: ...

    async def batch_cancel(self, order_ids: Sequence[str]) -> Reply: ...

    async def cancel_all(self) -> Reply: ...

    async def cancel_all_orders_after(self, timeout: int) -> Reply: ...


def summarize(result: Any) -> str:
    """A reply's result in one short line for the activity log."""
    if isinstance(result, dict):
        return ", ".join(f"{k}={v}" for k, v in result.items())[:120]
    return str(result)[:120]
