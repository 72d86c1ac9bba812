"""Account events into the store: one merge rule for orders, one de-duplication for fills.

Orders arrive as sparse reports from either venue; each report's fields are merged into the
order's typed view, a terminal status moves the view to history. A snapshot replaces that venue's
open orders and proves which orders exist: that evidence is returned (``OrdersSeen``) so the
session can settle requests whose replies were lost, instead of the store calling back into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from tui.kraken import events as ev
from tui.store.data import StoreData
from tui.store.model import TERMINAL, OrderView
from tui.store.outcomes import OrdersSeen, Outcome, SeenOrder

__all__ = ["balances", "fills", "margin", "orders", "positions", "rate_counter"]

_NONE: tuple[Outcome, ...] = ()


def orders(store: StoreData, e: ev.OrderUpdate) -> Sequence[Outcome]:
    acct = store.account
    if e.snapshot:
        for oid in [k for k, o in acct.orders.items() if o.venue == e.venue]:
            del acct.orders[oid]
    seen: list[SeenOrder] = []
    for r in e.reports:
        view = acct.orders.get(r.order_id)
        if view is None:
            if r.if_known:
                continue  # a closure notice for an order we never saw: nothing to show
            if e.snapshot and r.exec_type == "trade":
                # a recent fill of an order that is no longer open: evidence, not an open order
                seen.append(SeenOrder(r.order_id, r.cl_ord_id, r.status or "filled"))
                continue
            view = OrderView(r.order_id, e.venue)
            view.seen_at(r.timestamp)
            acct.orders[r.order_id] = view
        view.merge(r)
        seen.append(SeenOrder(view.order_id, view.cl_ord_id, view.status))
        if view.status in TERMINAL:
            acct.orders.pop(view.order_id, None)
            acct.history.append(view)
    store.mark("account", "orders")
    open_ids = frozenset(k for k, o in acct.orders.items() if o.venue == e.venue)
    return (OrdersSeen(e.venue, e.snapshot, tuple(seen), open_ids),)


def fills(store: StoreData, e: ev.FillReport) -> Sequence[Outcome]:
    acct = store.account
    known = {f.exec_id for f in acct.fills}
    added = False
    for f in e.fills:
        if f.exec_id in known:
            continue  # a repeated frame, or a snapshot overlapping what we have
        known.add(f.exec_id)
        acct.fills.append(f)
        added = True
    if added or (e.snapshot and e.venue == "futures"):
        store.mark("account", "fills")
    # a fill proves its order existed (evidence for a lost reply), whatever became of it since
    seen = tuple(SeenOrder(f.order_id, f.cl_ord_id, "traded") for f in e.fills if f.cl_ord_id)
    return (OrdersSeen(e.venue, False, seen, frozenset()),) if seen else _NONE


def balances(store: StoreData, e: ev.BalancesUpdate) -> Sequence[Outcome]:
    acct = store.account
    acct.totals.update(e.totals)
    for asset, total in e.totals.items():
        # the venue's split (the spot wallet alone when none is given); what it does not list
        # (an unlisted Earn balance, recorded) is kept as the remainder "other"
        split = dict(e.wallets.get(asset) or {"spot:main": total})
        rest = total - sum(split.values(), Decimal(0))
        if rest:
            split["other"] = rest
        acct.wallets[asset] = split
    for asset, split in e.wallets.items():
        if asset in e.totals:
            continue
        # a ledger entry moved one wallet: the asset's total is the sum of its wallets
        known = acct.wallets.setdefault(asset, {})
        known.update(split)
        acct.totals[asset] = sum(known.values(), Decimal(0))
    store.mark("account", "balances")
    return _NONE


def positions(store: StoreData, e: ev.PositionsUpdate) -> Sequence[Outcome]:
    store.account.positions = {p.symbol: p for p in e.positions}
    store.mark("account", "positions")
    return _NONE


def margin(store: StoreData, e: ev.MarginUpdate) -> Sequence[Outcome]:
    store.account.futures_margin = e.margin
    store.mark("account", "balances")
    return _NONE


def rate_counter(store: StoreData, e: ev.RateCounter, now: float) -> Sequence[Outcome]:
    """The tier's maximum (from the ack) and each pair's counter with the moment it was received
    (monotonic), so a reader can decay it to the present."""
    acct = store.account
    if e.max_count is not None:
        acct.rate_max = e.max_count
    if e.symbol is not None and e.count is not None:
        acct.rate_counters[e.symbol] = (e.count, now)
    store.mark("account", "rate")
    return _NONE
