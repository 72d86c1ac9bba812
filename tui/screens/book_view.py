"""The ladder's rows for one symbol, read from the store: pure (no widgets), so it is cheap to test.

Own orders are marked at their price (in the grouped bucket when levels are grouped), the level 3
view interleaves each level's orders with the queue ahead of the user's own, and the spread row
says whether the book is verified.
"""

from __future__ import annotations

from decimal import Decimal

from tui.store import Store
from tui.widgets.ladder import LadderRow, LadderView

__all__ = ["GROUPS", "build_ladder"]

# Price-level grouping steps, in ticks.
GROUPS = (1, 2, 5, 10, 25, 50, 100, 250, 1000)


def build_ladder(store: Store, symbol: str, group: int, l3: bool) -> LadderView | None:
    """The ladder rows for one symbol, from the store (pure: no widgets involved)."""
    mk = store.markets.get(symbol)
    if mk is None or mk.book is None:
        return None
    book = mk.book
    inst = mk.instrument
    inc = inst.price_increment if inst else 1
    n = mk.book_depth
    step = group * inc
    asks = book.grouped("asks", step, n) if group > 1 else book.asks(n)
    bids = book.grouped("bids", step, n) if group > 1 else book.bids(n)
    own: dict[str, set[int]] = {"buy": set(), "sell": set()}
    own_ids: set[str] = set()
    for o in store.account.orders.values():
        if o.symbol == symbol and o.limit_price is not None and o.is_open and inst is not None:
            ticks = inst.price_ticks(o.limit_price) if inst else 0
            if group > 1:
                ticks = (ticks // step) * step if o.side == "buy" else -((-ticks) // step) * step
            own[o.side].add(ticks)
            own_ids.add(o.order_id)
    rows: list[LadderRow] = []
    cum = 0
    ask_rows = []
    for price, qty in asks:
        cum += qty
        ask_rows.append(LadderRow("ask", price, qty, cum, price in own["sell"]))
    max_cum = cum
    l3book = mk.l3 if l3 else None

    def l3_rows(side: str, price: int) -> list[LadderRow]:
        if l3book is None or group > 1:
            return []
        out = []
        for p, orders in l3book.levels(side, 1000):
            if p != price:
                continue
            ahead = 0
            for o in orders:
                mine = o.order_id in own_ids
                note = f"{o.order_id}" + (
                    f"  ahead {format(Decimal(ahead).scaleb(-book.qty_precision), 'f')}" if mine else ""
                )
                out.append(LadderRow("order", p, o.qty, 0, mine, note))
                ahead += o.qty
        return out

    for r in reversed(ask_rows):
        rows.extend(reversed(l3_rows("asks", r.price)))
        rows.append(r)
    spread = book.spread_ticks()
    mid = book.mid()
    pp = book.price_precision
    state = {
        "ok": "",
        "resyncing": "  RESYNCING: not verified",
        "stale": "  STALE",
        "waiting": "  WAITING",
    }.get(mk.book_state, "")
    if spread is not None and mid is not None:
        bps = (Decimal(spread).scaleb(-pp) / mid * 10000).quantize(Decimal("0.1")) if mid else Decimal(0)
        note = f"spread {format(Decimal(spread).scaleb(-pp), 'f')} ({bps} bp)   mid {format(mid, 'f')}{state}"
    else:
        note = f"one-sided book{state}"
    if group > 1 and inst is not None:
        note += f"   group ×{group} ({inst.format_price(step)})"
    spread_index = len(rows)
    rows.append(LadderRow("spread", note=note))
    cum = 0
    for price, qty in bids:
        cum += qty
        rows.append(LadderRow("bid", price, qty, cum, price in own["buy"]))
        rows.extend(l3_rows("bids", price))
    max_cum = max(max_cum, cum)
    return LadderView(tuple(rows), pp, book.qty_precision, max_cum, spread_index)
