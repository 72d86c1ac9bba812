"""The v2 wire rows the spot venue sends: trades, ticker, balances, the instrument snapshot."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tui.exchange.engine import Engine
from tui.exchange.events import PublicTrade
from tui.exchange.pairs import ASSET_PRECISION, pair_to_wire
from tui.exchange.spot.assetpairs import altname, rest_asset, wsname
from tui.exchange.stats import MarketStats
from tui.kraken.instrument import Instrument
from tui.kraken.rfc3339 import format_rfc3339
from tui.kraken.vocab import SPOT_MAKER_FEE, SPOT_TAKER_FEE

FIAT = frozenset({"USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD"})

__all__ = ["asset_pair_row", "balance_rows", "instrument_snapshot", "ticker_row", "trade_rows"]


def trade_rows(pair: Instrument, trades: Iterable[PublicTrade]) -> list[dict[str, Any]]:
    return [
        {
            "symbol": pair.symbol,
            "side": t.side,
            "price": pair.price_decimal(t.price),
            "qty": pair.qty_decimal(t.qty),
            "ord_type": t.ord_type,
            "trade_id": t.trade_id,
            "timestamp": format_rfc3339(t.timestamp),
        }
        for t in trades
    ]


def ticker_row(engine: Engine, stats: MarketStats, symbol: str, now: str) -> dict[str, Any]:
    bid = engine.levels(symbol, "bid", 1)
    ask = engine.levels(symbol, "ask", 1)
    # recorded: ticker rows carry no timestamp (the docs' example does); ``now`` is kept for callers
    return stats.ticker(bid[0] if bid else None, ask[0] if ask else None)


def balance_rows(engine: Engine, user: str) -> list[dict[str, Any]]:
    rows = []
    for asset, (total, _reserved) in engine.balances(user).items():
        t = total.quantize(Decimal(1).scaleb(-ASSET_PRECISION.get(asset, 8)))
        rows.append(
            {
                "asset": asset,
                "asset_class": "currency",
                "balance": t,
                "wallets": [{"type": "spot", "id": "main", "balance": t}],
            }
        )
    return rows


def instrument_snapshot(pairs: Iterable[Instrument]) -> dict[str, Any]:
    return {
        "assets": [
            {
                "id": a,
                "status": "enabled",
                "precision": prec,
                "precision_display": 2 if a in FIAT else min(prec, 5),
                "borrowable": False,
                "collateral_value": Decimal("1.00"),
                "margin_rate": Decimal("0.000000"),  # recorded: six decimals (0.025000)
            }
            for a, prec in ASSET_PRECISION.items()
        ],
        "pairs": [pair_to_wire(p) for p in pairs],
    }


def asset_pair_row(symbol: str, p: Instrument) -> dict[str, Any]:
    """A ``/0/public/AssetPairs`` result entry."""
    return {
        "altname": altname(symbol),
        "wsname": wsname(symbol),
        "aclass_base": "currency",
        "base": rest_asset(p.base),
        "aclass_quote": "currency",
        "quote": rest_asset(p.quote),
        "lot": "unit",
        "pair_decimals": p.price_precision,
        "lot_decimals": p.qty_precision,
        "cost_decimals": p.cost_precision,
        "ordermin": format(p.qty_decimal(p.qty_min), "f"),
        "costmin": format(p.cost_min, "f"),
        "tick_size": format(p.price_decimal(p.price_increment), "f"),
        "status": p.status,
        "fees": [[0, _percent(SPOT_TAKER_FEE)]],
        "fees_maker": [[0, _percent(SPOT_MAKER_FEE)]],
    }


def _percent(fee: Decimal) -> Decimal:
    """``0.0040`` -> ``0.40``: AssetPairs gives fee tiers in percent, two decimals."""
    return (fee * 100).quantize(Decimal("0.01"))
