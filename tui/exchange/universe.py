"""Kraken's whole spot market as the venue listed it, for ``--pairs all``.

``data/instruments.json.gz`` is the ``instrument`` snapshot Kraken sent on 2024-03-29 (683 pairs,
296 assets; recorded by torquey66/kraken-data-recorder, see ``../shared/recorded/README.md``) with
the whitespace outside strings removed and every token left as the venue wrote it (``1E-8``,
``0.025000``). It is package data, so an installed wheel serves it without the recordings beside it.

The snapshot has no prices. Each pair gets a synthetic mid (``start_prices``): a pair the default
demo already trades keeps its reference price, the others are derived from one USD value per
asset, so the crosses agree with each other (``ETH/BTC`` is ``ETH/USD`` over ``BTC/USD``). And a
market this wide gets Kraken's shape of activity (``long_tail``): a few pairs busy, most quiet.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from tui.exchange.market import Activity
from tui.exchange.pairs import DEFAULT_PAIRS, START_PRICES
from tui.kraken.instrument import Instrument

__all__ = [
    "WIDE",
    "Universe",
    "listed_pairs",
    "long_tail",
    "recorded",
    "snapshot_frame",
    "start_prices",
]

# More pairs than this and the market is "wide": long-tail activity, candle history made on demand.
WIDE = 32

_PREFIX = '{"channel":"instrument","type":"snapshot","data":'

# USD value of one unit: round late-2024 figures for fiat, stable coins and some majors (synthetic
# reference points, not quotes); the default demo's own pairs come from START_PRICES below.
_REFERENCE_USD = {
    "USD": "1",
    "EUR": "1.05",
    "GBP": "1.27",
    "CHF": "1.13",
    "AUD": "0.65",
    "CAD": "0.71",
    "JPY": "0.0066",
    "AED": "0.2723",
    "USDT": "1",
    "USDC": "1",
    "DAI": "1",
    "PYUSD": "1",
    "LTC": "118",
    "DOT": "8.9",
    "LINK": "24.5",
    "AVAX": "49",
    "XLM": "0.52",
    "BCH": "520",
    "ATOM": "9.4",
    "ETC": "34",
    "TRX": "0.27",
    "UNI": "17",
    "XMR": "190",
    "MATIC": "0.62",
    "SHIB": "0.000029",
    "PEPE": "0.000021",
    "PAXG": "2650",
    "GST": "0.0165",  # the recorded GST/USD book (2024-07-01) sits there
    "LUNA": "0.0000921",  # and the recorded LUNA/USD book (2024-07-19)
}

# Wrapped and staked forms trade at (about) the asset they stand for.
_SAME_AS = {"WBTC": "BTC", "TBTC": "BTC", "ETH2": "ETH", "ETH2.S": "ETH", "MSOL": "SOL"}

# Busiest first: Kraken's volume leaders; every other pair follows in a seeded order.
_LEADERS = (
    "BTC/USD",
    "ETH/USD",
    "SOL/USD",
    "BTC/EUR",
    "XRP/USD",
    "USDT/USD",
    "ETH/EUR",
    "DOGE/USD",
    "ADA/USD",
    "USDC/USD",
    "XRP/EUR",
    "SOL/EUR",
    "LTC/USD",
    "ETH/BTC",
    "DOT/USD",
    "LINK/USD",
    "AVAX/USD",
    "BTC/USDT",
    "PEPE/USD",
    "SHIB/USD",
)


@dataclass(frozen=True)
class Universe:
    pairs: dict[str, Instrument]
    asset_precision: dict[str, int]
    frame_text: str  # the whole snapshot frame, tokens as recorded


@cache
def recorded() -> Universe:
    """The packaged snapshot, read once (about 20 ms)."""
    blob = resources.files("tui.exchange").joinpath("data/instruments.json.gz").read_bytes()
    text = gzip.decompress(blob).decode()
    if not text.startswith(_PREFIX):
        raise ValueError("data/instruments.json.gz is not an instrument snapshot frame")
    data = json.loads(text, parse_float=str, parse_int=str)["data"]
    pairs = {row["symbol"]: Instrument.from_wire(row) for row in data["pairs"]}
    precision = {a["id"]: int(a["precision"]) for a in data["assets"]}
    return Universe(pairs, precision, text)


def listed_pairs(symbols: list[str], all_pairs: bool) -> dict[str, Instrument]:
    """What the exchange lists: the whole recorded market, or the named pairs.

    A named pair the default demo defines keeps that definition (the default demo is unchanged);
    any other must be one of Kraken's recorded pairs. KeyError names the first unknown one."""
    if all_pairs:
        return dict(recorded().pairs)
    out: dict[str, Instrument] = {}
    for s in symbols:
        out[s] = DEFAULT_PAIRS[s] if s in DEFAULT_PAIRS else recorded().pairs[s]
    return out


def snapshot_frame(pairs: dict[str, Instrument]) -> str | None:
    """The venue's own snapshot frame when exactly the recorded market is listed, else None."""
    if len(pairs) <= WIDE:
        return None
    rec = recorded().pairs
    if pairs.keys() != rec.keys() or any(pairs[s] != p for s, p in rec.items()):
        return None
    return recorded().frame_text


def _usd_values(pairs: dict[str, Instrument], seed: int) -> dict[str, Decimal]:
    """One USD value per asset of ``pairs``: the references, else derived from its order minimum.

    Kraken sets an asset's order minimum near 10 USD worth (BTC 0.0001, ADA 10, SHIB 500,000 ...;
    3 to 60 USD across the references), so ``10 / qty_min`` is the size of its price, spread by
    a seeded factor between 0.4 and 2.5."""
    usd = {a: Decimal(v) for a, v in _REFERENCE_USD.items()}
    for s, start in START_PRICES.items():
        p = DEFAULT_PAIRS.get(s)
        if p is not None and p.quote in usd:
            usd[p.base] = start * usd[p.quote]
    for alias, asset in _SAME_AS.items():
        usd[alias] = usd[asset]
    minimum: dict[str, Decimal] = {}
    for p in pairs.values():
        if p.qty_min > 0:
            minimum.setdefault(p.base, p.qty_decimal(p.qty_min))
    for base in sorted(minimum):
        if base not in usd:
            spread = Decimal(random.Random(f"{seed}:{base}").randrange(-400, 401)) / 1000
            usd[base] = Decimal(10) / minimum[base] * Decimal(10) ** spread
    return usd


def start_prices(pairs: dict[str, Instrument], seed: int) -> dict[str, Decimal]:
    """A synthetic mid per pair (quote units), at least 10 price increments above zero (the
    synthetic market's own floor; Kraken has pairs that coarse, GST/USD trades near 16 ticks)."""
    usd = _usd_values(pairs, seed)
    out: dict[str, Decimal] = {}
    for s, p in pairs.items():
        if s in START_PRICES:
            out[s] = START_PRICES[s]
            continue
        base, quote = usd.get(p.base), usd.get(p.quote)
        mid = base / quote if base and quote else Decimal(1)
        floor = p.price_decimal(p.price_increment * 10)
        out[s] = max(mid, floor).quantize(Decimal(1).scaleb(-p.price_precision))
    return out


def long_tail(pairs: dict[str, Instrument], seed: int) -> dict[str, Activity]:
    """Each pair's share of the market's actions, book depth and order size.

    Shares fall as ``rank ** -1.1`` (Kraken's volume is that lopsided): the leader takes about a
    fifth of everything, the median pair a few actions a minute. Busy books are seeded 200 levels
    deep, quiet ones 30, which also keeps a 683-pair start near a second."""
    usd = _usd_values(pairs, seed)
    rest = sorted(s for s in pairs if s not in _LEADERS)
    random.Random(f"{seed}:activity").shuffle(rest)
    ranked = [s for s in _LEADERS if s in pairs] + rest
    out: dict[str, Activity] = {}
    for rank, s in enumerate(ranked, start=1):
        quote_usd = usd.get(pairs[s].quote) or Decimal(1)
        levels = 200 if rank <= 10 else 100 if rank <= 50 else 30
        out[s] = Activity(weight=rank**-1.1, levels=levels, notional=Decimal(500) / quote_usd)
    return out
