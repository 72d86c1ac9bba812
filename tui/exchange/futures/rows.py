"""Futures v1 / REST v3 wire rows built from engine objects: orders, fills, trades, candles."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from tui.exchange.events import FuturesFill, FuturesOrderEvent, PublicTrade
from tui.exchange.orders import Order, order_type_code
from tui.exchange.positions import IM_RATE, MM_RATE
from tui.exchange.stats import Candle
from tui.kraken.instrument import Instrument
from tui.kraken.rfc3339 import format_rfc3339
from tui.kraken.vocab import FUTURES_CANDLE_FEEDS, OHLC_INTERVALS

__all__ = [
    "CANDLE_FEEDS",
    "FEED_OF_INTERVAL",
    "MAX_RELATIVE_FUNDING",
    "ZERO",
    "candle_row",
    "feed_type",
    "fill_wire",
    "instrument_row",
    "iso",
    "ms",
    "order_type_code",
    "order_update",
    "order_wire",
    "pair_name",
    "short",
    "trade_row",
]

# candles_trade_<resolution> (+ ``_snapshot``): the resolutions both venues have (the stats keep
# the spot intervals' candles)
CANDLE_FEEDS = {
    f"candles_trade_{label}": minutes
    for minutes, label in FUTURES_CANDLE_FEEDS.items()
    if minutes in OHLC_INTERVALS
}
FEED_OF_INTERVAL = {m: f for f, m in CANDLE_FEEDS.items()}
MAX_RELATIVE_FUNDING = Decimal("0.0025")
ZERO = Decimal(0)

CANCEL_REASONS = {
    "User requested": "cancelled_by_user",
    "Post only order": "post_order_failed_because_it_would_filled",
    "IOC": "ioc_order_failed_because_it_would_not_be_executed",
    "Insufficient liquidity": "ioc_order_failed_because_it_would_not_be_executed",
    "Self trade prevention": "would_execute_self",
    "Reduce only": "would_not_reduce_position",
    "CancelAllOrdersAfter Timeout": "dead_man_switch",
    "Order expired": "contract_expired",
}
_UPDATE_REASONS = {
    "new": "new_placed_order_by_user",
    "amended": "edited_by_user",
    "trade": "partial_fill",
    "status": "stop_order_triggered",
}


def short(d: Decimal) -> Decimal:
    """The shortest form of a number with at least one decimal (``0.0010`` -> ``0.001``,
    ``5000`` -> ``5000.0``), as the futures venue writes it (recorded fills); exact, no float."""
    n = d.normalize()
    exp = n.as_tuple().exponent
    return n if isinstance(exp, int) and exp < 0 else n.quantize(Decimal("0.1"))


def ms(ts: float) -> int:
    return int(ts * 1000)


def iso(ts: float) -> str:
    return format_rfc3339(ts, 3)


def pair_name(symbol: str) -> str:
    """``PF_XBTUSD`` -> ``XBT:USD``."""
    core = symbol.split("_", 1)[-1]
    return f"{core[:-3]}:{core[-3:]}"


def feed_type(order_type: str) -> str:
    if order_type.startswith("stop-loss"):
        return "stop"
    if order_type.startswith("take-profit"):
        return "take_profit"
    return "limit"


def order_wire(pair: Instrument, o: Order) -> dict[str, Any]:
    """An ``open_orders`` feed order."""
    stop = o.trigger_price is not None and feed_type(o.order_type) != "limit"
    limit = o.limit_price if o.limit_price is not None else o.trigger_price
    # recorded: shortest-form numbers, stop_price 0.0 on a limit order, no cli_ord_id when unset
    row: dict[str, Any] = {
        "instrument": o.symbol,
        "time": ms(o.created),
        "last_update_time": ms(o.updated or o.created),
        "qty": short(pair.qty_decimal(o.remaining)),
        "filled": short(pair.qty_decimal(o.filled)),
        "limit_price": short(pair.price_decimal(limit)) if limit is not None else short(ZERO),
        "stop_price": short(pair.price_decimal(o.trigger_price)) if stop and o.trigger_price else short(ZERO),
        "type": feed_type(o.order_type),
        "order_id": o.order_id,
    }
    if o.cl_ord_id is not None:
        row["cli_ord_id"] = o.cl_ord_id
    row["direction"] = 0 if o.side == "buy" else 1
    row["reduce_only"] = o.reduce_only
    if stop:
        row["triggerSignal"] = o.trigger_reference
    return row


def order_update(pair: Instrument, e: FuturesOrderEvent) -> dict[str, Any] | None:
    """The ``open_orders`` delta for an order event (None: the feed says nothing about it)."""
    o = e.order
    if o.order_type == "market":
        return None  # never rests: its fills tell the story
    if e.exec_type in ("canceled", "filled", "expired"):
        reason = (
            "full_fill"
            if e.exec_type == "filled"
            else CANCEL_REASONS.get(e.reason or "", "cancelled_by_user")
        )
        row: dict[str, Any] = {"feed": "open_orders", "order_id": o.order_id}
        if o.cl_ord_id is not None:
            row["cli_ord_id"] = o.cl_ord_id
        row.update(is_cancel=True, reason=reason)
        return row
    why = _UPDATE_REASONS.get(e.exec_type)
    if why is None:
        return None
    return {"feed": "open_orders", "order": order_wire(pair, o), "is_cancel": False, "reason": why}


def fill_wire(pair: Instrument, f: FuturesFill) -> dict[str, Any]:
    row: dict[str, Any] = {
        "instrument": f.symbol,
        "time": ms(f.timestamp),
        "price": short(pair.price_decimal(f.price)),
        "seq": f.seq,
        "buy": f.side == "buy",
        "qty": short(pair.qty_decimal(f.qty)),
        "remaining_order_qty": short(pair.qty_decimal(f.remaining)),
        "order_id": f.order_id,
    }
    if f.cl_ord_id is not None:  # recorded: absent, never null, when unset
        row["cli_ord_id"] = f.cl_ord_id
    row.update(
        fill_id=f.fill_id,
        fill_type=f.liquidity,
        fee_paid=short(f.fee),
        fee_currency="USD",
        taker_order_type=f.taker_order_type,
        order_type=order_type_code(f.order_type, f.time_in_force, f.post_only),
    )
    return row


def candle_row(pair: Instrument, c: Candle) -> dict[str, Any]:
    """Prices as text, as Kraken's futures candle feed sends them; volume in contracts."""
    return {
        "time": ms(c.begin),
        "open": format(pair.price_decimal(c.open), "f"),
        "high": format(pair.price_decimal(c.high), "f"),
        "low": format(pair.price_decimal(c.low), "f"),
        "close": format(pair.price_decimal(c.close), "f"),
        "volume": pair.qty_decimal(c.volume),
    }


def trade_row(pair: Instrument, t: PublicTrade) -> dict[str, Any]:
    return {
        "feed": "trade",
        "product_id": t.symbol,
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kraken-tui:{t.symbol}:{t.trade_id}")),
        "side": t.side,
        "type": "fill",
        "seq": t.trade_id,
        "time": ms(t.timestamp),
        "qty": short(pair.qty_decimal(t.qty)),
        "price": short(pair.price_decimal(t.price)),
    }


def instrument_row(pair: Instrument) -> dict[str, Any]:
    """A ``/derivatives/api/v3/instruments`` row."""
    base = pair_name(pair.symbol).split(":")[0]
    levels = [{"contracts": 0, "initialMargin": IM_RATE, "maintenanceMargin": MM_RATE}]
    return {
        "symbol": pair.symbol,
        "type": "flexible_futures",
        "tradeable": True,
        "tickSize": pair.price_decimal(pair.price_increment),
        "contractSize": 1,
        "contractValueTradePrecision": pair.qty_precision,
        "impactMidSize": 1,
        "maxPositionSize": 1000000,
        "openingDate": "2022-01-01T00:00:00.000Z",
        "marginLevels": levels,
        "fundingRateCoefficient": 8,
        "maxRelativeFundingRate": MAX_RELATIVE_FUNDING,
        "isin": None,
        "retailMarginLevels": levels,
        "category": "",
        "tags": [],
        "base": base,
        "quote": pair.quote,
        "pair": pair_name(pair.symbol),
        "postOnly": False,
    }
