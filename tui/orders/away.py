"""Orders that went while the app was away: what was open at quit, compared after the next start.

Kraken's executions snapshot (``snap_orders``) lists open orders only, and Kraken Futures'
``open_orders_snapshot`` likewise: an order the dead-man's switch cancelled while no app was
running is simply absent, its cancel reason (``CancelAllOrdersAfter Timeout`` on spot,
``dead_man_switch`` on futures) went out to nobody. So at quit the App saves the open orders and
the switch's trigger time (``saved_orders``); after the next start, once each venue holding one of
them has authenticated and sent its snapshot, ``AwayCheck`` says once which are gone: cancelled by
the switch when its trigger time passed while away, filled when the fills snapshot shows it,
otherwise closed (cancelled elsewhere, or expired).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tui.kraken.futures import is_futures
from tui.orders.announce import Announcement, plain
from tui.store import Store

__all__ = ["AwayCheck", "saved_orders"]

# The executions snapshot follows authentication within ~100 ms; this much later it has surely
# been applied (an early comparison would report every saved order as gone).
SETTLE_S = 1.5


def saved_orders(store: Store, account: str) -> dict[str, Any] | None:
    """What to write at quit (None: no open order, nothing to check later). ``account`` tells the
    venues apart (the private endpoint); no credential is ever part of it."""
    acct = store.account
    orders = [
        {
            "order_id": o.order_id,
            "symbol": o.symbol,
            "side": o.side,
            "qty": plain(o.remaining),
            "price": plain(o.limit_price) if o.limit_price is not None else None,
        }
        for o in acct.orders.values()
        if o.is_open
    ]
    if not orders:
        return None
    return {
        "mode": store.mode,
        "account": account,
        "saved_at": time.time(),
        "dms_trigger_at": acct.dms_trigger_at if acct.dms_armed else None,
        "orders": orders,
    }


@dataclass
class AwayCheck:
    saved: dict[str, Any]
    started_version: int
    authenticated_at: float | None = None
    done: bool = False

    def poll(self, store: Store, now: float | None = None) -> Announcement | None:
        """None until the snapshots are in (or when nothing went); then the report, once."""
        if self.done:
            return None
        now = time.time() if now is None else now
        orders = [o for o in self.saved.get("orders", []) if isinstance(o, dict) and o.get("order_id")]
        acct = store.account
        spot = any(not is_futures(str(o.get("symbol", ""))) for o in orders)
        futures = any(is_futures(str(o.get("symbol", ""))) for o in orders)
        if (spot and not acct.authenticated) or (futures and not acct.futures_authenticated):
            return None
        if "orders" not in store.changes_since(self.started_version).account:
            return None
        if self.authenticated_at is None:
            self.authenticated_at = now
        if now - self.authenticated_at < SETTLE_S:
            return None
        self.done = True
        gone = [o for o in orders if o["order_id"] not in acct.orders]
        if not gone:
            return None
        filled = {f.order_id for f in acct.fills}
        trigger = self.saved.get("dms_trigger_at")
        fired = isinstance(trigger, int | float) and trigger <= now
        lines = []
        for o in gone:
            what = f"{o.get('side')} {o.get('qty')} {o.get('symbol')}" + (
                f" @ {o['price']}" if o.get("price") else ""
            )
            if o["order_id"] in filled:
                why = "filled"
            elif fired:
                why = "cancelled by the dead-man's switch"
            else:
                why = "closed (cancelled or expired)"
            lines.append(f"{o['order_id']} {what}: {why}")
        when = time.strftime("%H:%M:%S", time.localtime(trigger)) if fired and trigger else ""
        head = f"While the app was away {len(gone)} of {len(orders)} orders open at quit went"
        if fired:
            head += f" (the dead-man's switch was armed at quit and fired at {when})"
        return Announcement("dms", head + ": " + "; ".join(lines), "warning")
