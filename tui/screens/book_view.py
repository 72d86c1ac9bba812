"""The ladder's rows for one symbol, read from the store: pure (no widgets), so it is cheap to test.

Own orders are marked at their price (in the grouped bucket when levels are grouped), the level 3
view interleaves each level's orders with the queue ahead of the user's own, and the spread row
says whether the book is verified.
"""

from __future__ import annotations

from decimal import Decimal

from tui.book.l2 import L2Book
from tui.book.l3 import L3Book
from tui.kraken.instrument import Instrument
from tui.orders.context import verified_levels
from tui.store import MarketState, Store
from tui.widgets.ladder import LadderRow, LadderView

__all__ = ["GROUPS", "bucket", "build_grid", "build_ladder", "grid_anchor", "lag_text", "verified_levels"]

# Price-level grouping steps, in ticks.
GROUPS = (1, 2, 5, 10, 25, 50, 100, 250, 1000)


def lag_text(mk: MarketState) -> str:
    """The symbol's lag (exchange time to applied), to a tenth of a second, when the feed reports it."""
    lag = getattr(mk, "lag_s", None)
    return f"lag {lag:.1f}s" if isinstance(lag, int | float) else ""


def _own_prices(
    store: Store, symbol: str, inst: Instrument | None, step: int
) -> tuple[dict[str, set[int]], set[str]]:
    """The user's open order prices per side (bucketed like the rows when grouped), and their ids."""
    own: dict[str, set[int]] = {"buy": set(), "sell": set()}
    ids: set[str] = set()
    for o in store.account.orders.values():
        if o.symbol == symbol and o.limit_price is not None and o.is_open and inst is not None:
            ticks = inst.price_ticks(o.limit_price)
            if step > inst.price_increment:
                ticks = (ticks // step) * step if o.side == "buy" else -((-ticks) // step) * step
            own[o.side].add(ticks)
            ids.add(o.order_id)
    return own, ids


def _own_sizes(store: Store, symbol: str, inst: Instrument | None, step: int) -> dict[str, dict[int, int]]:
    """The user's resting quantity (qty ticks, what is left to fill) per side and price bucket."""
    out: dict[str, dict[int, int]] = {"buy": {}, "sell": {}}
    if inst is None:
        return out
    for o in store.account.orders.values():
        if o.symbol != symbol or o.limit_price is None or not o.is_open or o.side not in out:
            continue
        ticks = bucket(inst.price_ticks(o.limit_price), step, o.side == "buy")
        side = out[o.side]
        side[ticks] = side.get(ticks, 0) + inst.qty_ticks(o.remaining)
    return out


def bucket(ticks: int, step: int, down: bool) -> int:
    """Bids bucket down and asks up, as the book groups them (never better than their levels)."""
    if step <= 1:
        return ticks
    return (ticks // step) * step if down else -((-ticks) // step) * step


def _l3_rows(
    l3book: L3Book | None, side: str, price: int, own_ids: set[str], qty_precision: int
) -> list[LadderRow]:
    """One level's orders, in queue order, with the quantity ahead of each of the user's own."""
    if l3book is None:
        return []
    out = []
    for p, orders in l3book.levels(side, 1000):
        if p != price:
            continue
        ahead = 0
        for o in orders:
            mine = o.order_id in own_ids
            note = f"{o.order_id}" + (
                f"  ahead {format(Decimal(ahead).scaleb(-qty_precision), 'f')}" if mine else ""
            )
            out.append(LadderRow("order", p, o.qty, 0, mine, note))
            ahead += o.qty
    return out


def _spread_note(mk: MarketState, book: L2Book, inst: Instrument | None, group: int, step: int) -> str:
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
    return note


def _boundary(book: L2Book, side: str, verified: int | None) -> int | None:
    """The worst verified price on one side, or None when every level shown is verified."""
    if verified is None:
        return None
    top = book.asks(verified + 1) if side == "asks" else book.bids(verified + 1)
    return top[verified - 1][0] if len(top) > verified else None


def _unverified(side: str, price: int, boundary: int | None) -> bool:
    """Beyond the boundary; a grouped bucket that reaches past it counts as unverified (never the
    other way round: a row is never shown as verified when some of its levels are not)."""
    if boundary is None:
        return False
    return price > boundary if side == "asks" else price < boundary


def build_ladder(store: Store, symbol: str, group: int, l3: bool) -> LadderView | None:
    """The ladder rows for one symbol, from the store (pure: no widgets involved).

    Asks from the worst shown down to the best, the spread line, then bids best first. Levels past
    what the book's checksum covers are flagged, and a marker line says where they begin.
    """
    mk = store.markets.get(symbol)
    if mk is None or mk.book is None:
        return None
    book = mk.book
    inst = mk.instrument
    step = group * (inst.price_increment if inst else 1)
    n = mk.book_depth
    asks = book.grouped("asks", step, n) if group > 1 else book.asks(n)
    bids = book.grouped("bids", step, n) if group > 1 else book.bids(n)
    own, own_ids = _own_prices(store, symbol, inst, step)
    mine = _own_sizes(store, symbol, inst, step)
    l3book = mk.l3 if l3 and group == 1 else None
    verified = verified_levels(mk)
    marker = LadderRow("marker", note=f"levels {(verified or 0) + 1}+ unverified")
    qp = book.qty_precision
    ask_bound, bid_bound = _boundary(book, "asks", verified), _boundary(book, "bids", verified)
    # 200 rows 16 times a second at depth 100: the lookups are bound once, outside the loops
    own_sell, mine_sell = own["sell"], mine["sell"].get
    ask_rows = []
    cum = 0
    for price, qty in asks:
        cum += qty
        unverified = _unverified("asks", price, ask_bound)
        ask_rows.append(
            LadderRow("ask", price, qty, cum, price in own_sell, "", unverified, mine_sell(price, 0))
        )
    max_cum = cum
    rows: list[LadderRow] = []
    pending = any(r.unverified for r in ask_rows)
    for r in reversed(ask_rows):
        if pending and not r.unverified:
            rows.append(marker)  # between the last unverified ask and the first verified one
            pending = False
        if l3book is not None:
            rows.extend(reversed(_l3_rows(l3book, "asks", r.price, own_ids, qp)))
        rows.append(r)
    spread_index = len(rows)
    rows.append(LadderRow("spread", note=_spread_note(mk, book, inst, group, step)))
    pending = True
    own_buy, mine_buy = own["buy"], mine["buy"].get
    cum = 0
    for price, qty in bids:
        cum += qty
        unverified = _unverified("bids", price, bid_bound)
        if pending and unverified:
            rows.append(marker)  # above the first unverified bid
            pending = False
        rows.append(LadderRow("bid", price, qty, cum, price in own_buy, "", unverified, mine_buy(price, 0)))
        if l3book is not None:
            rows.extend(_l3_rows(l3book, "bids", price, own_ids, qp))
    max_cum = max(max_cum, cum)
    return LadderView(tuple(rows), book.price_precision, qp, max_cum, spread_index)


def grid_anchor(store: Store, symbol: str, group: int) -> int | None:
    """The grid's centre: the mid, on the grouping step (None until the book has both sides)."""
    mk = store.markets.get(symbol)
    if mk is None or mk.book is None:
        return None
    b, a = mk.book.best_bid(), mk.book.best_ask()
    if b is None and a is None:
        return None
    step = group * (mk.instrument.price_increment if mk.instrument else 1)
    mid = (b[0] + a[0]) // 2 if b is not None and a is not None else (b or a)[0]  # type: ignore[index]
    return bucket(mid, step, True)


def build_grid(store: Store, symbol: str, group: int, anchor: int, span: int) -> LadderView | None:
    """Every price step from ``span`` steps above ``anchor`` to ``span`` below, empty ones too.

    The rows are fixed by the anchor, not by the book: a level coming or going changes a size,
    never which price a row stands for, so the cursor moves by one known step. Cumulative sizes
    run outward from the touch; the spread (and the book's integrity state) is a line of its own.
    """
    mk = store.markets.get(symbol)
    if mk is None or mk.book is None:
        return None
    book, inst = mk.book, mk.instrument
    step = group * (inst.price_increment if inst else 1)
    n = mk.book_depth
    asks = dict(book.grouped("asks", step, n) if group > 1 else book.asks(n))
    bids = dict(book.grouped("bids", step, n) if group > 1 else book.bids(n))
    best_ask = min(asks) if asks else None
    best_bid = max(bids) if bids else None
    mine = _own_sizes(store, symbol, inst, step)
    verified = verified_levels(mk)
    ask_bound, bid_bound = _boundary(book, "asks", verified), _boundary(book, "bids", verified)
    top, bottom = anchor + span * step, anchor - span * step

    def row(kind: str, price: int, qty: int, cum: int, bound: int | None) -> LadderRow:
        own = mine["sell" if kind == "ask" else "buy"].get(price, 0)
        unverified = _unverified("asks" if kind == "ask" else "bids", price, bound)
        return LadderRow(kind, price, qty, cum, bool(own), "", unverified, own)

    ask_rows: list[LadderRow] = []
    if best_ask is not None:
        start = max(best_ask, bottom)
        cum = sum(q for p, q in asks.items() if p < start)  # asks accumulate upward from the best
        for price in range(start, top + 1, step):
            cum += asks.get(price, 0)
            ask_rows.append(row("ask", price, asks.get(price, 0), cum, ask_bound))
    rows = ask_rows[::-1]
    first_gap = len(rows)
    hi = min(top, best_ask - step) if best_ask is not None else top
    cum = sum(q for p, q in bids.items() if p > hi)
    for price in range(hi, bottom - 1, -step):
        if best_bid is not None and price <= best_bid:
            cum += bids.get(price, 0)
            rows.append(row("bid", price, bids.get(price, 0), cum, bid_bound))
        else:
            rows.append(LadderRow("gap", price))
    gaps = sum(1 for r in rows if r.kind == "gap")
    max_cum = max((r.cum for r in rows), default=0)
    note = _spread_note(mk, book, inst, group, step)
    return LadderView(
        tuple(rows),
        book.price_precision,
        book.qty_precision,
        max_cum,
        first_gap + gaps // 2,
        True,
        note,
        step,
        (best_bid, best_ask),
    )
