"""Futures numbers computed from the engine: ticker (mark, index, funding), positions, margin.

See the package docstring for the formulas; no funding is ever paid.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from tui.exchange.engine import Engine
from tui.exchange.futures.rows import MAX_RELATIVE_FUNDING, ZERO, ms, pair_name
from tui.exchange.positions import IM_RATE, MM_RATE
from tui.exchange.stats import MarketStats
from tui.kraken.instrument import Instrument

__all__ = ["flex", "open_interest", "positions", "ticker", "ticker_lite"]


def _unsigned_zero(d: Decimal) -> Decimal:
    """``-0.00`` -> ``0.00`` (a rounded tiny negative must not print as ``-0``)."""
    return d if d else abs(d)


def _funding(mark: Decimal, index: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(premium %, relative funding rate, funding rate in USD per contract)."""
    premium = relative = ZERO
    if index:
        premium = ((mark - index) / index * 100).quantize(Decimal("0.01"))
        relative = max(-MAX_RELATIVE_FUNDING, min(MAX_RELATIVE_FUNDING, (mark - index) / index / 8))
    relative = _unsigned_zero(relative.quantize(Decimal("1e-12")))
    funding = _unsigned_zero((relative * index).quantize(Decimal("1e-12")))
    return _unsigned_zero(premium), relative, funding


def ticker(engine: Engine, stats: MarketStats, pair: Instrument) -> dict[str, Any]:
    symbol = pair.symbol
    bid = engine.levels(symbol, "bid", 1)
    ask = engine.levels(symbol, "ask", 1)
    spot = stats.ticker(bid[0] if bid else None, ask[0] if ask else None)
    mark = engine.mark_price(symbol) or ZERO
    index = engine.index_price(symbol) or mark
    premium, relative, funding = _funding(mark, index)
    now = time.time()
    return {
        "time": ms(now),
        "product_id": symbol,
        "feed": "ticker",
        "bid": pair.price_decimal(bid[0][0]) if bid else ZERO,
        "ask": pair.price_decimal(ask[0][0]) if ask else ZERO,
        "bid_size": pair.qty_decimal(bid[0][1]) if bid else ZERO,
        "ask_size": pair.qty_decimal(ask[0][1]) if ask else ZERO,
        "volume": spot["volume"],
        "volumeQuote": stats.notional,
        "last": spot["last"],
        "open": spot["last"] - spot["change"],  # type: ignore[operator]  # the window's first price
        "high": spot["high"],
        "low": spot["low"],
        "change": spot["change_pct"],
        "index": index,
        "markPrice": mark,
        "premium": premium,
        "funding_rate": funding,
        "relative_funding_rate": relative,
        "funding_rate_prediction": funding,
        "relative_funding_rate_prediction": relative,
        "next_funding_rate_time": ms(now - now % 3600 + 3600),
        "openInterest": open_interest(engine, symbol),
        "dtm": 0,
        "leverage": "50x",
        "tag": "perpetual",
        "pair": pair_name(symbol),
        "suspended": False,
        "post_only": False,
        "maturityTime": 0,
    }


def ticker_lite(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("product_id", "bid", "ask", "change", "premium", "volume", "volumeQuote", "tag", "pair")
    out = {"feed": "ticker_lite", **{k: row[k] for k in keys}}
    out.update(dtm=0, maturityTime=0, markPrice=row["markPrice"])
    return out


def open_interest(engine: Engine, symbol: str) -> Decimal:
    total = ZERO
    for per_user in engine.ledger.positions.values():
        pos = per_user.get(symbol)
        if pos is not None:
            q = pos.qty
            if q > 0:
                total += q
    return total


def positions(engine: Engine, products: dict[str, Instrument], user: str) -> list[dict[str, Any]]:
    margin = engine.futures_margin(user)
    rows = []
    mms = {}
    marks = {s: engine.mark_price(s) for s in products}
    open_positions = engine.ledger.open_positions(user)
    for s, pos in open_positions.items():
        mark = marks[s] or pos.entry_price
        mms[s] = abs(pos.qty) * mark * MM_RATE
    for s, pos in open_positions.items():
        pair = products[s]
        q = pos.qty
        mark = marks[s] or pos.entry_price
        notional = abs(q) * mark
        mm_other = sum((v for k, v in mms.items() if k != s), ZERO)
        liq = (q * mark - margin.equity + mm_other) / (q - MM_RATE * abs(q))
        liq = max(ZERO, liq).quantize(Decimal(1).scaleb(-pair.price_precision))
        rows.append(
            {
                "instrument": s,
                "balance": q,
                "pnl": pos.unrealized(mark),
                "entry_price": pos.entry_price,
                "mark_price": mark,
                "index_price": engine.index_price(s) or mark,
                "liquidation_threshold": liq,
                "effective_leverage": (notional / margin.equity).quantize(Decimal("0.0001"))
                if margin.equity > 0
                else ZERO,
                "initial_margin": notional * IM_RATE,
                "maintenance_margin": notional * MM_RATE,
                "return_on_equity": ZERO,
                "unrealized_funding": ZERO,
                "pnl_currency": "USD",
            }
        )
    return rows


def flex(engine: Engine, user: str) -> dict[str, Any]:
    m = engine.futures_margin(user)
    c = m.collateral
    return {
        "currencies": {
            "USD": {
                "quantity": c,
                "value": c,
                "collateral_value": c,
                "available": max(ZERO, min(c, m.available)),
                "haircut": ZERO,
                "conversion_spread": ZERO,
            }
        },
        "balance_value": c,
        "portfolio_value": m.equity,
        "collateral_value": c,
        "initial_margin": m.initial_margin,
        "initial_margin_without_orders": m.initial_margin,
        "initial_margin_with_orders": m.initial_margin + m.order_margin,
        "maintenance_margin": m.maintenance_margin,
        "pnl": m.unrealized,
        "unrealized_funding": ZERO,
        "total_unrealized": m.unrealized,
        "total_unrealized_as_margin": m.unrealized,
        "margin_equity": m.equity,
        "available_margin": m.available,
    }
