"""Futures v1 frames to the same events as spot: a ``book`` frame is a ``BookDelta`` with a ``seq``.

The futures dialect differs (``feed``/``event`` envelopes, JSON numbers, millisecond times, one
level per book frame, ``direction`` 1 for sell); after this module nothing downstream can tell
which venue an event came from, except where it matters (``OrderUpdate.venue``). Numbers are
exact, finite and bounded (``exact``): a bad one drops the frame, never half-applies it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tui.kraken import events as ev
from tui.kraken import futures as fx
from tui.kraken.instrument import Instrument
from tui.kraken.numbers import exact, exact_or_none
from tui.kraken.rfc3339 import format_rfc3339
from tui.kraken.vocab import FUTURES_CANDLE_MINUTES

__all__ = ["AUTH_ALERT", "decode_events", "frame_events", "instruments_event"]

AUTH_ALERT = "Failed to subscribe to authenticated feed"
_ZERO = Decimal(0)
_ORDER_TYPES = {"stop": "stop-loss", "take_profit": "take-profit"}


def decode_events(text: str | bytes) -> list[Any]:
    """One futures frame as its events; FrameError/ValueError if malformed."""
    return frame_events(fx.decode(text))


def _iso(ms: Any) -> str:
    if isinstance(ms, bool) or not isinstance(ms, int | Decimal):
        return ""
    return format_rfc3339(float(exact(ms)) / 1000)


def _num(row: Mapping[str, Any], key: str) -> Decimal:
    v = row.get(key)
    return _ZERO if v is None else exact(v)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _product(f: Mapping[str, Any]) -> str:
    return str(f.get("product_id", "")).upper()


def frame_events(f: dict[str, Any]) -> list[Any]:
    feed = f.get("feed")
    event = f.get("event")
    if (event is not None and feed is None) or event in ("subscribed", "unsubscribed"):
        return _event(str(event), f)
    if not isinstance(feed, str):
        return [instruments_event(f)] if "instruments" in f else [ev.Unknown(f)]
    handler: Callable[[dict[str, Any]], list[Any]] | None = _FEEDS.get(feed)
    if handler is not None:
        return handler(f)
    if feed.startswith("candles_trade_"):
        return _candles(feed, f)
    return [ev.Unknown(f)]


def _event(event: str, f: Mapping[str, Any]) -> list[Any]:
    if event == "challenge":
        message = f.get("message")
        return [ev.Challenge(message)] if isinstance(message, str) else [ev.Unknown(dict(f))]
    if event in ("subscribed", "unsubscribed"):
        feed = str(f.get("feed", ""))
        return [ev.Subscribed(feed, feed in fx.PRIVATE_FEEDS, event == "subscribed")]
    if event == "info":
        return [ev.Heartbeat()]
    return [ev.Alert(event, str(f.get("message") or event))]


def _book(f: dict[str, Any]) -> list[Any]:
    msg = fx.parse_book(f)
    if isinstance(msg, fx.BookSnapshot):
        return [ev.BookSnapshot(msg.product_id, msg.bids, msg.asks, seq=msg.seq, time_ms=msg.timestamp)]
    level = [msg.level]
    bids, asks = (level, []) if msg.side == "buy" else ([], level)
    return [ev.BookDelta(msg.product_id, bids, asks, seq=msg.seq, time_ms=msg.timestamp)]


def _ticker(f: dict[str, Any]) -> list[Any]:
    last = _num(f, "last")
    change_pct = _num(f, "change")
    ticker = ev.Ticker(
        _num(f, "bid"),
        _num(f, "bid_size"),
        _num(f, "ask"),
        _num(f, "ask_size"),
        last,
        _num(f, "volume"),
        last,
        _ZERO,
        _ZERO,
        (last * change_pct / (100 + change_pct)) if change_pct > -100 else _ZERO,
        change_pct,
        _iso(f.get("time")),
    )
    nft = f.get("next_funding_rate_time")
    derivatives = ev.Derivatives(
        exact_or_none(f.get("markPrice")),
        exact_or_none(f.get("index")),
        exact_or_none(f.get("funding_rate")),
        exact_or_none(f.get("relative_funding_rate")),
        float(exact(nft)) / 1000 if isinstance(nft, int | Decimal) and not isinstance(nft, bool) else None,
        exact_or_none(f.get("openInterest")),
    )
    return [ev.TickerUpdate(_product(f), ticker, derivatives)]


def _trades(f: dict[str, Any]) -> list[Any]:
    rows = f.get("trades") if f.get("feed") == "trade_snapshot" else [f]
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise fx.FrameError("trade_snapshot without a trades list")
    ordered = sorted(rows, key=lambda r: _int(r.get("seq")))  # snapshots come newest first
    trades = tuple(
        ev.Trade(
            _num(r, "price"),
            _num(r, "qty"),
            str(r.get("side")),
            str(r.get("type", "")),
            _int(r.get("seq")),
            _iso(r.get("time")),
        )
        for r in ordered
    )
    return [ev.TradePrints(_product(f), trades)]


def _candles(feed: str, f: dict[str, Any]) -> list[Any]:
    res = feed.removeprefix("candles_trade_").removesuffix("_snapshot")
    interval = FUTURES_CANDLE_MINUTES.get(res)
    if interval is None:
        return [ev.Unknown(f)]
    rows = f.get("candles") if feed.endswith("_snapshot") else [f.get("candle")]
    if not isinstance(rows, list):
        raise fx.FrameError(f"{feed} without candles")
    candles = tuple(
        ev.Candle(
            _iso(r.get("time")),
            interval,
            _num(r, "open"),
            _num(r, "high"),
            _num(r, "low"),
            _num(r, "close"),
            _num(r, "close"),  # futures candles carry no VWAP
            _num(r, "volume"),
            0,
        )
        for r in sorted((r for r in rows if isinstance(r, Mapping)), key=lambda r: _int(r.get("time")))
    )
    return [ev.CandleUpdate(_product(f), interval, candles)]


def _order_report(o: Mapping[str, Any]) -> ev.OrderReport:
    remaining, filled = _num(o, "qty"), _num(o, "filled")
    kind = str(o.get("type", "limit"))
    cid = o.get("cli_ord_id")
    return ev.OrderReport(
        str(o["order_id"]),
        symbol=str(o.get("instrument", "")).upper(),
        side="sell" if o.get("direction") == 1 else "buy",
        order_type=_ORDER_TYPES.get(kind, kind),
        status="partially_filled" if filled > 0 else "new",
        qty=remaining + filled,
        filled=filled,
        limit_price=exact_or_none(o.get("limit_price")),
        trigger_price=exact_or_none(o.get("stop_price")),
        cl_ord_id=cid if isinstance(cid, str) else None,
        reduce_only=bool(o.get("reduce_only")),
        timestamp=_iso(o.get("time")),
    )


def _orders(f: dict[str, Any]) -> list[Any]:
    if f.get("feed") == "open_orders_snapshot":
        rows = [o for o in f.get("orders") or () if isinstance(o, Mapping)]
        return [ev.OrderUpdate("futures", True, tuple(_order_report(o) for o in rows))]
    order = f.get("order")
    if f.get("is_cancel") or not isinstance(order, Mapping):
        reason = str(f.get("reason", ""))
        status = "filled" if "fill" in reason else "canceled"
        closed = ev.OrderReport(str(f.get("order_id", "")), status=status, reason=reason, if_known=True)
        return [ev.OrderUpdate("futures", False, (closed,))]
    return [ev.OrderUpdate("futures", False, (_order_report(order),))]


def _fills(f: dict[str, Any]) -> list[Any]:
    fills = []
    for r in f.get("fills") or ():
        if not isinstance(r, Mapping):
            continue
        qty, price = _num(r, "qty"), _num(r, "price")
        seq = r.get("seq")
        fills.append(
            ev.Fill(
                str(r.get("order_id", "")),
                str(r.get("fill_id", "")),
                seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
                str(r.get("instrument", "")).upper(),
                "buy" if r.get("buy") else "sell",
                qty,
                price,
                qty * price,
                _num(r, "fee_paid"),
                str(r.get("fee_currency") or "USD"),
                "m" if r.get("fill_type") == "maker" else "t",
                _iso(r.get("time")),
                r["cli_ord_id"] if isinstance(r.get("cli_ord_id"), str) else None,
            )
        )
    return [ev.FillReport("futures", f.get("feed") == "fills_snapshot", tuple(fills))]


def _positions(f: dict[str, Any]) -> list[Any]:
    out = []
    for r in f.get("positions") or ():
        if not isinstance(r, Mapping):
            continue
        size = _num(r, "balance")
        if not size:
            continue
        out.append(
            ev.Position(
                str(r.get("instrument", "")).upper(),
                size,
                _num(r, "entry_price"),
                exact_or_none(r.get("mark_price")),
                exact_or_none(r.get("pnl")),
                exact_or_none(r.get("liquidation_threshold")),
                exact_or_none(r.get("initial_margin")),
                exact_or_none(r.get("effective_leverage")),
            )
        )
    return [ev.PositionsUpdate(tuple(out))]


def _first(flex: Mapping[str, Any], *keys: str) -> Decimal:
    for k in keys:
        if flex.get(k):
            return exact(flex[k])
    return _ZERO


def _balances(f: dict[str, Any]) -> list[Any]:
    flex = f.get("flex_futures")
    if not isinstance(flex, Mapping):
        return []  # a cash-account-only frame: nothing the dashboard shows
    currencies = flex.get("currencies") or {}
    currency = next(iter(currencies), "USD") if isinstance(currencies, Mapping) else "USD"
    margin = ev.FuturesMargin(
        str(currency),
        _first(flex, "collateral_value", "balance_value"),
        _num(flex, "margin_equity"),
        _num(flex, "available_margin"),
        _num(flex, "initial_margin"),
        _num(flex, "maintenance_margin"),
        _first(flex, "total_unrealized", "pnl"),
    )
    return [ev.MarginUpdate(margin)]


def instruments_event(body: Mapping[str, Any]) -> ev.InstrumentsUpdate:
    """The ``/api/v3/instruments`` answer (the book snapshot carries no precision)."""
    found = []
    for row in body.get("instruments") or ():
        if not isinstance(row, Mapping) or "symbol" not in row:
            continue
        try:
            found.append(Instrument.from_wire(fx.product_instrument_fields(row)))
        except (KeyError, ValueError, TypeError, ArithmeticError):
            continue
    return ev.InstrumentsUpdate(tuple(found))


_FEEDS: dict[str, Callable[[dict[str, Any]], list[Any]]] = {
    "book": _book,
    "book_snapshot": _book,
    "ticker": _ticker,
    "trade": _trades,
    "trade_snapshot": _trades,
    "heartbeat": lambda f: [ev.Heartbeat(f["time"] if isinstance(f.get("time"), int) else None)],
    "open_orders": _orders,
    "open_orders_snapshot": _orders,
    "fills": _fills,
    "fills_snapshot": _fills,
    "open_positions": _positions,
    "balances": _balances,
    "balances_snapshot": _balances,
}
