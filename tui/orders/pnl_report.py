"""Where the trader stands, read from the store: spot average cost, futures FIFO lots, the
portfolio in one quote currency, and the liquidation estimate.

The figures come from ``tui.orders.pnl`` (pure ``Decimal``); this module only decides which
prices may be used and says when one may not: unrealised P&L is at the VERIFIED mid of the
symbol's own book (never a resyncing or stale one), and an asset the portfolio cannot value is
named with the reason, never left out silently. The history is what the store holds: the
executions snapshot (``snap_trades``, the venue's recent fills) plus the fills this session saw;
a holding larger than those fills explain is reported as partial.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from tui.kraken.futures import is_futures
from tui.kraken.rfc3339 import parse_rfc3339
from tui.orders.pnl import (
    FuturesBook,
    SpotPosition,
    futures_fifo,
    futures_unrealised,
    split_symbol,
    spot_average_cost,
    spot_unrealised,
)
from tui.store import Fill, FuturesMargin, MarketState, Position, Store

__all__ = [
    "FuturesLine",
    "PnlReport",
    "Portfolio",
    "SpotLine",
    "liquidation_estimate",
    "pnl_report",
    "portfolio",
    "verified_mid",
]

ZERO = Decimal(0)
METHOD = "average cost"


@dataclass(frozen=True, slots=True)
class SpotLine:
    symbol: str
    base: str
    quote: str
    position: SpotPosition
    fills: int
    mid: Decimal | None  # the verified mid, None when the book is not verified
    why_no_mid: str  # "" when mid is known
    held: Decimal | None  # the balance of the base asset, when known
    sells: tuple[tuple[str, Decimal, Decimal, Decimal | None], ...]  # time, qty, price, realised

    @property
    def unrealised(self) -> Decimal | None:
        if self.mid is None or self.position.qty <= 0:
            return None
        return spot_unrealised(self.position, self.mid)

    @property
    def partial(self) -> bool:
        """Older fills are not known: a sell exceeded the known holding, or more is held than the
        known buys account for."""
        return self.position.partial or (self.held is not None and self.held > self.position.qty)


@dataclass(frozen=True, slots=True)
class FuturesLine:
    symbol: str
    book: FuturesBook
    fills: int
    session_realised: Decimal  # closed by fills seen in this session
    mark: Decimal | None
    position: Position | None  # what the venue reports
    liquidation: Decimal | None  # our estimate from the margin model
    liquidation_note: str

    @property
    def unrealised(self) -> Decimal | None:
        return None if self.mark is None else futures_unrealised(self.book.lots, self.mark)


@dataclass(frozen=True, slots=True)
class Portfolio:
    quote: str
    value: Decimal
    valued: tuple[tuple[str, Decimal], ...]  # asset, value in ``quote``
    not_valued: tuple[tuple[str, Decimal, str], ...]  # asset, total, why


@dataclass(frozen=True, slots=True)
class PnlReport:
    method: str
    spot: tuple[SpotLine, ...]
    futures: tuple[FuturesLine, ...]
    portfolio: Portfolio
    history: str  # where the fills behind the figures come from
    realised_total: dict[str, Decimal] = field(default_factory=dict)  # by quote currency


def verified_mid(mk: MarketState | None) -> tuple[Decimal | None, str]:
    """The mid of a verified two-sided book, or None and why not."""
    if mk is None:
        return None, "not watched"
    if mk.book is None or mk.book_state == "waiting":
        return None, "no book yet"
    if mk.book_state != "ok":
        return None, f"book {mk.book_state}"
    if mk.lagging:
        return None, "book lagging"
    if not mk.has_two_sides:
        return None, "one-sided book"
    return mk.book.mid(), ""


def _ordered(fills: Iterable[Fill]) -> list[Fill]:
    """Oldest first: the venue's own timestamps (RFC 3339 text sorts), then its trade ids."""
    return sorted(fills, key=lambda f: (f.timestamp, f.trade_id or 0))


def _spot_lines(store: Store, by_symbol: Mapping[str, list[Fill]]) -> list[SpotLine]:
    out = []
    for sym, fs in sorted(by_symbol.items()):
        inst = store.instruments.get(sym)
        base, quote = (inst.base, inst.quote) if inst is not None else split_symbol(sym)
        pos, per_fill = spot_average_cost(fs, base, quote)
        sells = tuple(
            (f.timestamp, f.qty, f.price, r) for f, r in zip(fs, per_fill, strict=True) if f.side == "sell"
        )
        mid, why = verified_mid(store.markets.get(sym))
        held = store.account.totals.get(base)
        out.append(SpotLine(sym, base, quote, pos, len(fs), mid, why, held, sells))
    return out


def _futures_lines(store: Store, by_symbol: Mapping[str, list[Fill]], since: float) -> list[FuturesLine]:
    acct = store.account
    out = []
    for sym in sorted(set(by_symbol) | set(acct.positions)):
        fs = by_symbol.get(sym, [])
        book, per_fill = futures_fifo(fs)
        in_session = sum(
            (r for f, r in zip(fs, per_fill, strict=True) if r is not None and _at(f) >= since), ZERO
        )
        pos = acct.positions.get(sym)
        mk = store.markets.get(sym)
        mark = pos.mark_price if pos is not None and pos.mark_price is not None else None
        if mark is None and mk is not None and mk.derivatives is not None:
            mark = mk.derivatives.mark_price
        liq, note = liquidation_estimate(pos, acct.positions, acct.futures_margin, mark)
        out.append(FuturesLine(sym, book, len(fs), in_session, mark, pos, liq, note))
    return out


def liquidation_estimate(
    pos: Position | None,
    positions: Mapping[str, Position],
    margin: FuturesMargin | None,
    mark: Decimal | None,
) -> tuple[Decimal | None, str]:
    """The price at which the flex account's equity would fall to its maintenance margin, this
    position's price alone moving (the others held at their marks); an estimate.

    The margin model in use is the flex account's: maintenance margin proportional to notional,
    its rate read off the account (maintenance margin / notional of the open positions), so a
    venue that changes its rate moves the estimate with it. Solving
    ``E + s*(P - m) = MM + r*|s|*(P - m)`` for ``P`` gives ``P = m - (E - MM) / (s - r*|s|)``.
    """
    if pos is None or not pos.size:
        return None, ""
    if margin is None:
        return None, "no margin account"
    m = mark if mark is not None else pos.mark_price
    if m is None:
        return None, "no mark price"
    notional = sum((abs(p.size) * (p.mark_price or m) for p in positions.values()), ZERO)
    if not notional:
        return None, "no notional"
    rate = margin.maintenance_margin / notional
    s = pos.size
    denominator = s - rate * abs(s)
    if not denominator:
        return None, "no estimate"
    price = m - (margin.margin_equity - margin.maintenance_margin) / denominator
    if price <= 0:
        return None, f"none: equity covers a fall to 0 (MM {rate * 100:.2f}%)"
    return price, f"estimate, MM {rate * 100:.2f}% of notional"


def portfolio(store: Store, quote: str) -> Portfolio:
    """Every balance valued in ``quote`` at a verified mid, directly (``X/quote``) or inverted
    (``quote/X``); what cannot be valued is named with why."""
    value = ZERO
    valued: list[tuple[str, Decimal]] = []
    missing: list[tuple[str, Decimal, str]] = []
    for asset, total in sorted(store.account.totals.items()):
        if not total:
            continue
        if asset == quote:
            value += total
            valued.append((asset, total))
            continue
        price, why = _price_in(store, asset, quote)
        if price is None:
            missing.append((asset, total, why))
        else:
            value += total * price
            valued.append((asset, total * price))
    return Portfolio(quote, value, tuple(valued), tuple(missing))


def _price_in(store: Store, asset: str, quote: str) -> tuple[Decimal | None, str]:
    direct, inverse = f"{asset}/{quote}", f"{quote}/{asset}"
    for sym, invert in ((direct, False), (inverse, True)):
        if sym in store.markets or sym in store.instruments:
            mid, why = verified_mid(store.markets.get(sym))
            if mid is None:
                return None, f"{sym} {why}"
            return (1 / mid if invert else mid), ""
    return None, f"no {direct} price"


def _at(fill: Fill) -> float:
    return (parse_rfc3339(fill.timestamp) if fill.timestamp else None) or 0.0


def pnl_report(store: Store, quote: str = "USD", since: float = 0.0) -> PnlReport:
    """``since``: wall time the session started (the announcer's); older fills came with the
    executions snapshot."""
    spot: dict[str, list[Fill]] = defaultdict(list)
    fut: dict[str, list[Fill]] = defaultdict(list)
    fills = _ordered(store.account.fills)
    for f in fills:
        (fut if is_futures(f.symbol) else spot)[f.symbol].append(f)
    spot_lines = _spot_lines(store, spot)
    realised: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in spot_lines:
        realised[line.quote] += line.position.realised
    snapshot = sum(1 for f in fills if _at(f) < since)
    history = (
        f"{len(fills)} fills: {snapshot} from the executions snapshot, {len(fills) - snapshot} this session"
    )
    return PnlReport(
        METHOD,
        tuple(spot_lines),
        tuple(_futures_lines(store, fut, since)),
        portfolio(store, quote),
        history,
        dict(realised),
    )
