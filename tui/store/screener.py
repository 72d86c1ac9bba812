"""The screener's rows: one per listed pair, from its instrument and its last ticker.

Pure (no Textual), so sorting, filtering and the volume conversion are tested directly.

Volume in one quote (USD): Kraken's ticker ``volume`` is 24 h in the **base** asset. Times the
24 h ``vwap`` it is the traded value in the pair's quote; that is converted to USD with the last
price of ``<QUOTE>/USD`` (or 1 / the last of ``USD/<QUOTE>``) when that pair is listed and has a
ticker; a quote with neither (or no ticker yet) has an unknown volume, shown as "unknown" and
sorted last, never a guessed number. All arithmetic is Decimal from the wire text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from tui.kraken.events import Ticker
from tui.kraken.instrument import Instrument

__all__ = [
    "COLUMNS",
    "COMMON_QUOTE",
    "ScreenerRow",
    "Sort",
    "build_rows",
    "select_rows",
    "usd_rates",
]

COMMON_QUOTE = "USD"
# (key, header); the sort keys 1-6 follow this order
COLUMNS = (
    ("pair", "Pair"),
    ("last", "Last"),
    ("change", "24h %"),
    ("volume", f"24h vol {COMMON_QUOTE}"),
    ("spread", "Spread bp"),
    ("status", "Status"),
)
_BP = Decimal(10000)


@dataclass(frozen=True, slots=True)
class ScreenerRow:
    symbol: str
    quote: str
    status: str
    last: Decimal | None  # None: no ticker yet
    change_pct: Decimal | None
    volume: Decimal | None  # 24 h traded value in COMMON_QUOTE; None: unknown
    spread_bp: Decimal | None  # (ask - bid) / mid in basis points, from the ticker's best prices
    price_precision: int


@dataclass(frozen=True, slots=True)
class Sort:
    column: str = "volume"
    descending: bool = True


def usd_rates(instruments: Iterable[Instrument], tickers: Mapping[str, Ticker]) -> dict[str, Decimal]:
    """USD per one unit of each quote currency that can be converted (USD itself: 1)."""
    rates = {COMMON_QUOTE: Decimal(1)}
    for inst in instruments:
        t = tickers.get(inst.symbol)
        if t is None or t.last <= 0:
            continue
        if inst.quote == COMMON_QUOTE and inst.base not in rates:
            rates[inst.base] = t.last
        elif inst.base == COMMON_QUOTE and inst.quote not in rates:
            rates[inst.quote] = 1 / t.last
    return rates


def _spread_bp(t: Ticker) -> Decimal | None:
    if t.bid <= 0 or t.ask <= 0 or t.ask < t.bid:
        return None
    return (t.ask - t.bid) / ((t.ask + t.bid) / 2) * _BP


def build_rows(
    instruments: list[Instrument],
    tickers: Mapping[str, Ticker],
    rates: Mapping[str, Decimal] | None = None,
) -> list[ScreenerRow]:
    """One row per instrument; ``rates`` (from every listed pair) when only a few rows are built."""
    if rates is None:
        rates = usd_rates(instruments, tickers)
    out = []
    for inst in instruments:
        t = tickers.get(inst.symbol)
        volume = None
        if t is not None and (rate := rates.get(inst.quote)) is not None:
            price = t.vwap if t.vwap > 0 else t.last
            volume = t.volume * price * rate
        out.append(
            ScreenerRow(
                symbol=inst.symbol,
                quote=inst.quote,
                status=inst.status,
                last=t.last if t is not None else None,
                change_pct=t.change_pct if t is not None else None,
                volume=volume,
                spread_bp=_spread_bp(t) if t is not None else None,
                price_precision=inst.price_precision,
            )
        )
    return out


def _key(row: ScreenerRow, column: str) -> str | Decimal | None:
    return {
        "pair": row.symbol,
        "last": row.last,
        "change": row.change_pct,
        "volume": row.volume,
        "spread": row.spread_bp,
        "status": row.status,
    }[column]


def select_rows(
    rows: list[ScreenerRow],
    sort: Sort,
    *,
    quote: str | None = None,
    status: str | None = None,
    text: str = "",
) -> list[ScreenerRow]:
    """Filtered (quote currency, status, text in the symbol) and sorted; unknown values last
    whichever the direction, ties by symbol."""
    needle = text.strip().upper()
    kept = [
        r
        for r in rows
        if (quote is None or r.quote == quote)
        and (status is None or r.status == status)
        and (not needle or needle in r.symbol)
    ]
    kept.sort(key=lambda r: r.symbol)
    known = [r for r in kept if _key(r, sort.column) is not None]
    unknown = [r for r in kept if _key(r, sort.column) is None]
    known.sort(key=lambda r: _key(r, sort.column), reverse=sort.descending)  # type: ignore[arg-type,return-value]
    return known + unknown
