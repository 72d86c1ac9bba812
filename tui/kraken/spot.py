"""Spot v2 frames to events: ``messages`` reads the wire, this says what each frame means.

Decoding finishes here, not in the feed or the store: every number is an exact, finite, bounded
Decimal (``NumberError`` for ``"abc"``, ``NaN`` or ``1E+300000``, and the frame is dropped), every
row a typed value. A book update's entries already are ``BookDelta`` events (decoded in one pass
by msgspec); a snapshot's are re-labelled ``BookSnapshot`` (once per subscription, not hot).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tui.kraken import events as ev
from tui.kraken import messages as m
from tui.kraken.instrument import Instrument
from tui.kraken.numbers import exact, exact_or_none

__all__ = ["decode_events", "to_events"]

_ZERO = Decimal(0)
_TRADE = "trade"


def decode_events(raw: bytes | str) -> list[Any]:
    """One frame as its events (state events and control replies alike); DecodeError/ValueError if malformed."""
    msg = m.decode(raw)
    if type(msg) is m.BookMessage and msg.type == "update":
        return msg.data  # the hot path: the decoded entries are the events
    return to_events(msg)


def to_events(msg: m.Message) -> list[Any]:
    if isinstance(msg, m.BookMessage):
        if msg.type == "snapshot":
            return [ev.BookSnapshot(e.symbol, e.bids, e.asks, e.checksum, e.timestamp) for e in msg.data]
        return msg.data  # list[BookDelta]: the events themselves, not a copy
    convert: Callable[[Any], list[Any]] | None = _CONVERT.get(type(msg))
    if convert is None:
        return [msg]  # Pong, MethodResponse: already typed replies
    return convert(msg)


def _num(row: Mapping[str, Any], key: str) -> Decimal:
    """A required-by-display number: absent reads as zero, present must be a real number."""
    v = row.get(key)
    return _ZERO if v is None else exact(v)


def _str(row: Mapping[str, Any], key: str, default: str = "") -> str:
    v = row.get(key)
    return v if isinstance(v, str) else default


def _opt_str(row: Mapping[str, Any], key: str) -> str | None:
    v = row.get(key)
    return v if isinstance(v, str) else None


def _opt_bool(row: Mapping[str, Any], key: str) -> bool | None:
    v = row.get(key)
    return v if isinstance(v, bool) else None


def _ticker(msg: m.TickerMessage) -> list[Any]:
    return [
        ev.TickerUpdate(
            row["symbol"],
            ev.Ticker(
                _num(row, "bid"),
                _num(row, "bid_qty"),
                _num(row, "ask"),
                _num(row, "ask_qty"),
                _num(row, "last"),
                _num(row, "volume"),
                _num(row, "vwap"),
                _num(row, "low"),
                _num(row, "high"),
                _num(row, "change"),
                _num(row, "change_pct"),
                _opt_str(row, "timestamp"),
            ),
        )
        for row in msg.data
    ]


def _trades(msg: m.TradeMessage) -> list[Any]:
    by_symbol: dict[str, list[ev.Trade]] = {}
    for row in msg.data:
        tid = row.get("trade_id")
        by_symbol.setdefault(row["symbol"], []).append(
            ev.Trade(
                _num(row, "price"),
                _num(row, "qty"),
                str(row.get("side")),
                _str(row, "ord_type"),
                tid if isinstance(tid, int) and not isinstance(tid, bool) else 0,
                _str(row, "timestamp"),
            )
        )
    return [ev.TradePrints(s, tuple(ts)) for s, ts in by_symbol.items()]


def _ohlc(msg: m.OhlcMessage) -> list[Any]:
    out: list[Any] = []
    for row in msg.data:
        interval = row.get("interval")
        if not isinstance(interval, int) or isinstance(interval, bool):
            continue
        trades = row.get("trades")
        candle = ev.Candle(
            _str(row, "interval_begin"),
            interval,
            _num(row, "open"),
            _num(row, "high"),
            _num(row, "low"),
            _num(row, "close"),
            _num(row, "vwap"),
            _num(row, "volume"),
            trades if isinstance(trades, int) and not isinstance(trades, bool) else 0,
        )
        out.append(ev.CandleUpdate(row["symbol"], interval, (candle,)))
    return out


def _instruments(msg: m.InstrumentMessage) -> list[Any]:
    found = []
    for pair in msg.pairs:
        try:
            found.append(Instrument.from_wire(pair))
        except (KeyError, ValueError, TypeError, ArithmeticError):
            continue  # one odd pair must not hide the others
    shown = tuple(
        (str(a["id"]), a["precision_display"])
        for a in msg.assets
        if isinstance(a, dict)
        and isinstance(a.get("id"), str)
        and type(a.get("precision_display")) is int
        and 0 <= a["precision_display"] <= 18
    )
    return [ev.InstrumentsUpdate(tuple(found), shown)]


def _level3(msg: m.Level3Message) -> list[Any]:
    return [
        ev.Level3Update(e.symbol, msg.type == "snapshot", e.bids, e.asks, e.checksum) for e in msg.entries
    ]


def _fees(raw: Any) -> tuple[Decimal, str]:
    fees = [f for f in raw or () if isinstance(f, Mapping)] if isinstance(raw, list) else []
    total = sum((_num(f, "qty") for f in fees), _ZERO)
    asset = next((str(f.get("asset")) for f in fees), "")
    return total, asset


def _fill(row: Mapping[str, Any], oid: str) -> ev.Fill:
    fee, fee_asset = _fees(row.get("fees"))
    tid = row.get("trade_id")
    return ev.Fill(
        oid,
        _str(row, "exec_id"),
        tid if isinstance(tid, int) and not isinstance(tid, bool) else None,
        _str(row, "symbol"),
        _str(row, "side"),
        _num(row, "last_qty"),
        _num(row, "last_price"),
        _num(row, "cost"),
        fee,
        fee_asset,
        _str(row, "liquidity_ind"),
        _str(row, "timestamp"),
        _opt_str(row, "cl_ord_id"),
    )


def _report(row: Mapping[str, Any], oid: str) -> ev.OrderReport:
    triggers = row.get("triggers")
    trigger = exact_or_none(triggers.get("price")) if isinstance(triggers, Mapping) else None
    return ev.OrderReport(
        oid,
        symbol=_opt_str(row, "symbol"),
        side=_opt_str(row, "side"),
        order_type=_opt_str(row, "order_type"),
        status=_opt_str(row, "order_status"),
        qty=exact_or_none(row.get("order_qty")),
        filled=exact_or_none(row.get("cum_qty")),
        limit_price=exact_or_none(row.get("limit_price")),
        trigger_price=trigger,
        avg_price=exact_or_none(row.get("avg_price")),
        cl_ord_id=_opt_str(row, "cl_ord_id"),
        time_in_force=_opt_str(row, "time_in_force"),
        post_only=_opt_bool(row, "post_only"),
        reduce_only=_opt_bool(row, "reduce_only"),
        display_qty=exact_or_none(row.get("display_qty")),
        exec_type=_opt_str(row, "exec_type"),
        reason=_opt_str(row, "reason"),
        timestamp=_opt_str(row, "effective_time") or _opt_str(row, "timestamp"),
        ord_ref_id=_opt_str(row, "ord_ref_id"),
    )


def _executions(msg: m.ExecutionsMessage) -> list[Any]:
    snapshot = msg.type == "snapshot"
    fills: list[ev.Fill] = []
    reports: list[ev.OrderReport] = []
    counters: list[Any] = []
    for row in msg.data:
        if "ratecount" in row:
            counters.extend(_rate_count(row))
        oid = row.get("order_id")
        if not isinstance(oid, str):
            continue
        if row.get("exec_type") == _TRADE:
            fills.append(_fill(row, oid))
        reports.append(_report(row, oid))
    out: list[Any] = []
    if fills or reports or not counters:
        out += [
            ev.FillReport("spot", snapshot, tuple(fills)),
            ev.OrderUpdate("spot", snapshot, tuple(reports)),
        ]
    return out + counters


def _rate_count(row: Mapping[str, Any]) -> list[Any]:
    """A pair's trading rate counter (``ratecounter: true``): a row of its own, or a ``ratecount``
    on an execution row. A counter that cannot be read is dropped; the rows around it stay."""
    symbol, value = row.get("symbol"), row.get("ratecount")
    if not isinstance(symbol, str) or isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        return []
    try:
        count = exact(value)
    except ValueError:
        return []
    return [ev.RateCounter(symbol, count)] if 0 <= count <= 1_000_000 else []


def _balances(msg: m.BalancesMessage) -> list[Any]:
    totals: dict[str, Decimal] = {}
    wallets: dict[str, dict[str, Decimal]] = {}
    for row in msg.data:
        asset = row.get("asset")
        if not isinstance(asset, str) or row.get("balance") is None:
            continue
        balance = exact(row["balance"])
        if isinstance(row.get("wallet_type"), str):  # a ledger entry: the balance of the wallet it names
            wallets.setdefault(asset, {})[f"{row['wallet_type']}:{row.get('wallet_id', 'main')}"] = balance
            continue
        totals[asset] = balance
        split = row.get("wallets")
        if isinstance(split, list) and split:
            wallets[asset] = {
                f"{w.get('type')}:{w.get('id', 'main')}": exact(w["balance"])
                for w in split
                if isinstance(w, dict) and w.get("balance") is not None
            }
    return [ev.BalancesUpdate(totals, msg.type == "snapshot", wallets)]


def _status(msg: m.Status) -> list[Any]:
    return [ev.SystemStatus(msg.system, msg.version, msg.connection_id)]


def _ack(msg: m.Ack) -> list[Any]:
    out: list[Any] = [
        ev.Ack(msg.method, msg.success, msg.error, msg.symbol, msg.channel, msg.req_id, msg.status)
    ]
    limit = msg.result.get("maxratecount") if msg.success and msg.result else None
    if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit <= 100_000:
        out.append(ev.RateCounter(max_count=limit))  # the executions ack: the tier's maximum
    return out


_HEARTBEAT = ev.Heartbeat()

_CONVERT: dict[type, Callable[[Any], list[Any]]] = {
    m.TickerMessage: _ticker,
    m.TradeMessage: _trades,
    m.OhlcMessage: _ohlc,
    m.InstrumentMessage: _instruments,
    m.Level3Message: _level3,
    m.ExecutionsMessage: _executions,
    m.BalancesMessage: _balances,
    m.Status: _status,
    m.Ack: _ack,
    m.Heartbeat: lambda _msg: [_HEARTBEAT],
    m.Unknown: lambda msg: [ev.Unknown(msg.raw)],
}
