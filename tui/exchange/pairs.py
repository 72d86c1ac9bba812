"""The embedded exchange's instruments, with Kraken's real precisions, increments and minimums.

Served on the ``instrument`` channel and ``/0/public/AssetPairs``; the client validates orders
against exactly these, so the demo refuses what Kraken would refuse.
"""

from __future__ import annotations

from decimal import Decimal

from tui.kraken.instrument import Instrument

__all__ = [
    "ASSET_PRECISION",
    "DEFAULT_PAIRS",
    "FUTURES_INDEX",
    "FUTURES_PRODUCTS",
    "START_PRICES",
    "pair_to_wire",
]


def _pair(symbol: str, pp: int, qp: int, cp: int, price_inc: str, qty_min: str, cost_min: str) -> Instrument:
    base, quote = symbol.split("/")
    return Instrument.from_wire(
        {
            "symbol": symbol,
            "base": base,
            "quote": quote,
            "status": "online",
            "price_precision": pp,
            "qty_precision": qp,
            "cost_precision": cp,
            "price_increment": price_inc,
            "qty_increment": format(Decimal(1).scaleb(-qp), "f"),
            "qty_min": qty_min,
            "cost_min": cost_min,
            "marginable": False,
            "has_index": True,
        }
    )


DEFAULT_PAIRS: dict[str, Instrument] = {
    p.symbol: p
    for p in (
        _pair("BTC/USD", 1, 8, 5, "0.1", "0.0001", "0.5"),
        _pair("ETH/USD", 2, 8, 5, "0.01", "0.002", "0.5"),
        _pair("SOL/USD", 2, 8, 5, "0.01", "0.02", "0.5"),
        _pair("XRP/EUR", 5, 8, 5, "0.00001", "5", "0.5"),
        _pair("DOGE/USD", 7, 8, 5, "0.0000001", "30", "0.5"),
        _pair("ADA/USD", 6, 8, 5, "0.000001", "10", "0.5"),
    )
}


def _perpetual(symbol: str, pp: int, tick: str, qp: int, qty_min: str) -> Instrument:
    """A linear perpetual: quantities in contracts of 1 base unit, prices in USD.

    ``base`` is the product id itself (a futures position is not an asset the spot ledger holds),
    so nothing that walks spot assets ever moves it.
    """
    return Instrument.from_wire(
        {
            "symbol": symbol,
            "base": symbol,
            "quote": "USD",
            "status": "online",
            "price_precision": pp,
            "qty_precision": qp,
            "cost_precision": 8,
            "price_increment": tick,
            "qty_increment": format(Decimal(1).scaleb(-qp), "f"),
            "qty_min": qty_min,
            "cost_min": "0",
            "marginable": True,
            "has_index": True,
        }
    )


# Kraken Futures linear perpetuals (multi-collateral "flex" account, 50x max leverage).
FUTURES_PRODUCTS: dict[str, Instrument] = {
    p.symbol: p
    for p in (
        _perpetual("PF_XBTUSD", 1, "0.5", 4, "0.0001"),
        _perpetual("PF_ETHUSD", 1, "0.1", 3, "0.001"),
    )
}

# The spot pair whose mid price is each perpetual's index (when that pair is listed).
FUTURES_INDEX: dict[str, str] = {"PF_XBTUSD": "BTC/USD", "PF_ETHUSD": "ETH/USD"}

# Where each synthetic market starts (quote units).
START_PRICES: dict[str, Decimal] = {
    "BTC/USD": Decimal("97250.0"),
    "ETH/USD": Decimal("3412.50"),
    "SOL/USD": Decimal("187.25"),
    "XRP/EUR": Decimal("2.14250"),
    "DOGE/USD": Decimal("0.3821500"),
    "ADA/USD": Decimal("0.912000"),
    "PF_XBTUSD": Decimal("97250.0"),
    "PF_ETHUSD": Decimal("3412.5"),
}

# Ledger decimals per asset (Kraken's asset `precision`).
ASSET_PRECISION: dict[str, int] = {
    "USD": 4,
    "EUR": 4,
    "BTC": 10,
    "ETH": 10,
    "SOL": 10,
    "XRP": 8,
    "DOGE": 8,
    "ADA": 8,
}


def pair_to_wire(p: Instrument) -> dict[str, object]:
    """An instrument-channel pair element; numbers as Decimal so the encoder prints them exactly."""
    return {
        "symbol": p.symbol,
        "base": p.base,
        "quote": p.quote,
        "status": p.status,
        "qty_precision": p.qty_precision,
        "qty_increment": p.qty_decimal(p.qty_increment),
        "price_precision": p.price_precision,
        "cost_precision": p.cost_precision,
        "marginable": p.marginable,
        "has_index": p.has_index,
        "cost_min": p.cost_min,
        "tick_size": p.price_decimal(p.price_increment),
        "price_increment": p.price_decimal(p.price_increment),
        "qty_min": p.qty_decimal(p.qty_min),
    }
