"""What happened to the account and the connections, said once: fills, dead-man's switch firings,
connections lost and back.

Pure code over the store (no Textual): the App polls it on its timer and turns each
``Announcement`` into a toast, an Activity line and, for fills, the bell or a desktop
notification. Each fill is announced once, by its ``exec_id`` (the store already drops repeated
frames); fills that happened before this session started (the executions snapshot's history on
connect, or a reconnect's overlap) are taken as known, never announced as news.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from tui.kraken.rfc3339 import parse_rfc3339
from tui.store import Fill, OrderView, Store

__all__ = ["Announcement", "Announcer", "fill_text", "is_dead_mans_switch", "plain"]

Severity = Literal["information", "warning", "error"]
# What each venue gives as the reason of a cancel by the dead-man's switch: spot's executions
# feed, and Kraken Futures' open_orders feed.
_DMS_REASONS = ("cancelallordersafter", "dead_man_switch", "dead man")
_LOST = ("reconnecting", "disconnected", "auth-error")


@dataclass(frozen=True, slots=True)
class Announcement:
    kind: Literal["fill", "dms", "connection", "alert"]
    text: str
    severity: Severity = "information"


def is_dead_mans_switch(reason: str | None) -> bool:
    r = (reason or "").lower()
    return any(k in r for k in _DMS_REASONS)


def fill_text(fill: Fill, order: OrderView | None) -> str:
    """``Filled BUY 0.002 BTC/USD @ 97250.0 · remaining 0 · fee 0.78 USD`` (exact numbers)."""
    remaining = order.remaining if order is not None else None
    done = remaining is not None and remaining <= 0
    head = "Filled" if done else "Partly filled" if remaining is not None else "Fill"
    parts = [f"{head} {fill.side.upper()} {plain(fill.qty)} {fill.symbol} @ {plain(fill.price)}"]
    if remaining is not None:
        parts.append(f"remaining {plain(max(remaining, Decimal(0)))}")
    parts.append(f"fee {plain(fill.fee)} {fill.fee_asset}")
    return " · ".join(parts)


def plain(d: Decimal) -> str:
    """An exact number without trailing zeros (``0.00100000`` -> ``0.001``)."""
    return format(d.normalize(), "f") if d == d.to_integral() else format(d, "f").rstrip("0")


class Announcer:
    """``since``: wall time the session started; older fills are history, not news."""

    def __init__(
        self,
        store: Store,
        since: float | None = None,
        *,
        on_fill: Callable[[Fill], None] | None = None,
        on_closed: Callable[[OrderView], None] | None = None,
    ) -> None:
        self.store = store
        self.on_fill = on_fill  # the journal: every fill seen, history included
        self.on_closed = on_closed  # the journal: every order seen closed
        self.since = time.time() if since is None else since
        self._seen_version = -1
        self._fills: set[str] = set()
        self._closed: set[str] = set()
        self._conn: dict[str, str] = {}
        self._lost_at: dict[str, float] = {}
        self._reconnects: dict[str, int] = {}

    def poll(self) -> list[Announcement]:
        store = self.store
        ch = store.changes_since(self._seen_version)
        self._seen_version = ch.version
        out: list[Announcement] = []
        if "fills" in ch.account:
            out += self._new_fills(store.account.fills)
        if "orders" in ch.account:
            out += self._dms_firings(store.account.history)
        if ch.health:
            out += self._connections()
        return out

    def _new_fills(self, fills: Iterable[Fill]) -> list[Announcement]:
        acct = self.store.account
        out = []
        for f in fills:
            key = f.exec_id or f"{f.order_id}-{f.trade_id}"
            if key in self._fills:
                continue
            self._fills.add(key)
            if self.on_fill is not None:
                self.on_fill(f)
            at = parse_rfc3339(f.timestamp) if f.timestamp else None
            if at is not None and at < self.since:
                continue  # history from a snapshot, not news
            order = acct.orders.get(f.order_id) or _in_history(acct.history, f.order_id)
            out.append(Announcement("fill", fill_text(f, order)))
        return out

    def _dms_firings(self, history: Iterable[OrderView]) -> list[Announcement]:
        fired = []
        for o in history:
            if o.order_id in self._closed:
                continue
            self._closed.add(o.order_id)
            if self.on_closed is not None:
                self.on_closed(o)
            if o.status == "canceled" and is_dead_mans_switch(o.reason):
                fired.append(o)
        if not fired:
            return []
        what = ", ".join(f"{o.side} {plain(o.remaining)} {o.symbol}" for o in fired[:3])
        more = f" and {len(fired) - 3} more" if len(fired) > 3 else ""
        noun = "order" if len(fired) == 1 else "orders"
        text = f"Dead-man's switch fired: {len(fired)} {noun} cancelled by the exchange ({what}{more})"
        return [Announcement("dms", text, "warning")]

    def _connections(self) -> list[Announcement]:
        """A connection lost (it was up, now it is not) and back (its reconnect count moved on).
        A drop and reconnect between two polls still shows as one line."""
        out = []
        now = time.monotonic()
        for name, c in self.store.health.connections.items():
            before = self._conn.get(name)
            seen = self._reconnects.get(name)
            self._conn[name] = c.state
            if seen is None or c.state == "connected":
                # the count a reconnect is measured against moves on only once the socket is up:
                # a poll that lands mid-reconnect ("connecting", count already moved) must not eat it
                self._reconnects[name] = c.reconnects
            if c.state in _LOST and name not in self._lost_at and before is not None:
                self._lost_at[name] = now
                why = f": {c.error}" if c.error else ""
                out.append(Announcement("connection", f"{name}: connection lost{why}; {c.state}", "error"))
            elif c.state == "connected" and seen is not None and c.reconnects > seen:
                lost = self._lost_at.pop(name, None)
                if lost is None:
                    text = f"{name}: connection dropped and came back at once (reconnect {c.reconnects})"
                else:
                    text = f"{name}: connected again after {now - lost:.1f} s (reconnect {c.reconnects})"
                out.append(Announcement("connection", text))
        return out


def _in_history(history: Iterable[OrderView], order_id: str) -> OrderView | None:
    for o in reversed(list(history)):
        if o.order_id == order_id:
            return o
    return None
