"""Typed decoding of every Kraken v2 frame the client sees.

Numbers are decoded as their exact wire text (msgspec ``float_hook=str``): ``0.10000000`` stays
``"0.10000000"`` so checksums and display never go through a binary float. Integers stay ``int``
(``connection_id`` exceeds 2**53). Unknown channels and fields are carried, never fatal; only
frames that are not JSON objects or lack the fields their kind requires raise ``DecodeError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

from tui.kraken.events import BookDelta, BookLevel, MethodResponse, Pong
from tui.kraken.numbers import NumberError, exact
from tui.kraken.vocab import TRADING_METHODS

__all__ = [
    "Ack",
    "BalancesMessage",
    "BookEntry",
    "BookLevel",
    "BookMessage",
    "DecodeError",
    "ExecutionsMessage",
    "Heartbeat",
    "InstrumentMessage",
    "Level3Entry",
    "Level3Message",
    "Message",
    "MethodResponse",
    "OhlcMessage",
    "Pong",
    "Status",
    "TickerMessage",
    "TradeMessage",
    "Unknown",
    "dec",
    "decode",
]


class DecodeError(ValueError):
    """A frame we cannot interpret: not JSON, not an object, or missing required fields."""


def dec(text: Any) -> Decimal:
    """Exact, finite, bounded Decimal from wire number text (or int); DecodeError on anything else."""
    try:
        return exact(text)
    except NumberError as exc:
        raise DecodeError(str(exc)) from None


# The entries are the venue-neutral book events themselves: decoded once, never copied.
BookEntry = BookDelta


class BookMessage(msgspec.Struct, frozen=True):
    channel: str
    type: str
    data: list[BookEntry]

    @property
    def entries(self) -> list[BookEntry]:
        return self.data

    @property
    def is_snapshot(self) -> bool:
        return self.type == "snapshot"


_generic = msgspec.json.Decoder(float_hook=str)
_book = msgspec.json.Decoder(BookMessage, float_hook=str)


# --- message types ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    system: str
    version: str | None
    api_version: str | None
    connection_id: int | None
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    pass


@dataclass(frozen=True, slots=True)
class Ack:
    """A subscribe/unsubscribe answer (one per symbol)."""

    method: str
    success: bool
    req_id: int | None
    result: dict[str, Any]
    error: str | None
    symbol: str | None
    time_in: str | None
    time_out: str | None

    @property
    def channel(self) -> str | None:
        ch = self.result.get("channel") if self.result else self.raw_channel
        return ch if isinstance(ch, str) else None

    raw_channel: str | None = None
    status: str | None = None  # top-level "error" on an ESession refusal (recorded)


@dataclass(frozen=True, slots=True)
class TickerMessage:
    type: str
    data: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class TradeMessage:
    type: str
    data: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class OhlcMessage:
    type: str
    data: list[dict[str, Any]]
    timestamp: str | None


@dataclass(frozen=True, slots=True)
class InstrumentMessage:
    type: str
    assets: list[dict[str, Any]]
    pairs: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Level3Entry:
    symbol: str
    bids: list[dict[str, Any]]
    asks: list[dict[str, Any]]
    checksum: int | None
    timestamp: str | None


@dataclass(frozen=True, slots=True)
class Level3Message:
    type: str
    entries: list[Level3Entry]


@dataclass(frozen=True, slots=True)
class ExecutionsMessage:
    """Execution reports, sparse on updates: merge them by ``order_id``."""

    type: str
    data: list[dict[str, Any]]
    sequence: int | None


@dataclass(frozen=True, slots=True)
class BalancesMessage:
    type: str
    data: list[dict[str, Any]]
    sequence: int | None


@dataclass(frozen=True, slots=True)
class Unknown:
    """A well-formed frame of a channel or method we do not know; counted by the caller."""

    raw: dict[str, Any]


Message = (
    Status
    | Heartbeat
    | Pong
    | Ack
    | MethodResponse
    | BookMessage
    | TickerMessage
    | TradeMessage
    | OhlcMessage
    | InstrumentMessage
    | Level3Message
    | ExecutionsMessage
    | BalancesMessage
    | Unknown
)

_HEARTBEAT = Heartbeat()


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _data_list(obj: dict[str, Any]) -> list[dict[str, Any]]:
    data = obj.get("data")
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise DecodeError(f"{obj.get('channel')}: data must be a list of objects")
    return data


def _fast_book(raw: bytes | str) -> BookMessage | None:
    try:
        frame = _book.decode(raw)
    except msgspec.ValidationError:
        return None
    except (msgspec.DecodeError, RecursionError) as exc:
        raise DecodeError(f"invalid JSON: {type(exc).__name__}") from None
    return frame if frame.channel == "book" else None


def decode(raw: bytes | str) -> Message:
    """Decode one text frame. Raises DecodeError for malformed input."""
    head = raw[:48]
    if (b'"channel":"book"' in head) if isinstance(head, bytes) else ('"channel":"book"' in head):
        fast = _fast_book(raw)
        if fast is not None:
            return fast
    try:
        obj = _generic.decode(raw)
    except msgspec.DecodeError as exc:
        raise DecodeError(f"invalid JSON: {exc}") from None
    except RecursionError:  # nesting deeper than any frame Kraken sends
        raise DecodeError("invalid JSON: nested too deeply") from None
    if not isinstance(obj, dict):
        raise DecodeError("frame is not a JSON object")
    return classify(obj)


def classify(obj: dict[str, Any]) -> Message:
    """Turn an already-parsed frame (numbers as text) into a typed message."""
    method = obj.get("method")
    if isinstance(method, str):
        return _method_frame(obj, method)
    channel = obj.get("channel")
    if not isinstance(channel, str):
        if "error" in obj and "success" in obj:
            return Unknown(obj)
        raise DecodeError("frame has neither channel nor method")
    return _channel_frame(obj, channel)


def _method_frame(obj: dict[str, Any], method: str) -> Message:
    """A reply: pong, a subscription ack or a trading method's answer."""
    if method == "pong" or (method == "ping" and "error" in obj):  # recorded: a refused ping names "ping"
        return Pong(
            _opt_int(obj.get("req_id")),
            _opt_str(obj.get("time_in")),
            _opt_str(obj.get("time_out")),
            _opt_str(obj.get("error")),
        )
    success = obj.get("success")
    if not isinstance(success, bool):
        raise DecodeError(f"{method} response without a boolean success")
    if method in ("subscribe", "unsubscribe"):
        result = obj.get("result")
        return Ack(
            method,
            success,
            _opt_int(obj.get("req_id")),
            result if isinstance(result, dict) else {},
            _opt_str(obj.get("error")),
            _opt_str(obj.get("symbol"))
            or (_opt_str(result.get("symbol")) if isinstance(result, dict) else None),
            _opt_str(obj.get("time_in")),
            _opt_str(obj.get("time_out")),
            _opt_str(obj.get("channel")),
            _opt_str(obj.get("status")),
        )
    if method in TRADING_METHODS:
        return MethodResponse(
            method,
            success,
            _opt_int(obj.get("req_id")),
            obj.get("result"),
            _opt_str(obj.get("error")),
            _opt_str(obj.get("time_in")),
            _opt_str(obj.get("time_out")),
            obj,
        )
    return Unknown(obj)


def _channel_frame(obj: dict[str, Any], channel: str) -> Message:
    """A channel message: market data, account data, status or heartbeat."""
    kind = obj.get("type")
    kind = kind if isinstance(kind, str) else "update"
    if channel == "heartbeat":
        return _HEARTBEAT
    if channel == "status":
        data = _data_list(obj)
        first = data[0] if data else {}
        system = first.get("system")
        if not isinstance(system, str):
            raise DecodeError("status without system")
        return Status(
            system,
            _opt_str(first.get("version")),
            _opt_str(first.get("api_version")),
            _opt_int(first.get("connection_id")),
            first,
        )
    if channel == "book":
        try:
            return msgspec.convert(obj, BookMessage)
        except msgspec.ValidationError as exc:
            raise DecodeError(f"book: {exc}") from None
    if channel == "ticker":
        return TickerMessage(kind, _symbol_rows(obj))
    if channel == "trade":
        return TradeMessage(kind, _symbol_rows(obj))
    if channel == "ohlc":
        return OhlcMessage(kind, _symbol_rows(obj), _opt_str(obj.get("timestamp")))
    if channel == "instrument":
        idata = obj.get("data")
        if not isinstance(idata, dict):
            raise DecodeError("instrument data must be an object")
        assets, pairs = idata.get("assets", []), idata.get("pairs", [])
        if not isinstance(assets, list) or not isinstance(pairs, list):
            raise DecodeError("instrument assets/pairs must be lists")
        return InstrumentMessage(kind, assets, pairs)
    if channel == "level3":
        return Level3Message(kind, [_level3_entry(d) for d in _data_list(obj)])
    if channel == "executions":
        return ExecutionsMessage(kind, _data_list(obj), _opt_int(obj.get("sequence")))
    if channel == "balances":
        return BalancesMessage(kind, _data_list(obj), _opt_int(obj.get("sequence")))
    return Unknown(obj)


def _level3_entry(d: dict[str, Any]) -> Level3Entry:
    symbol = d.get("symbol")
    bids, asks = d.get("bids", []), d.get("asks", [])
    if not isinstance(symbol, str) or not isinstance(bids, list) or not isinstance(asks, list):
        raise DecodeError("level3 entry needs symbol, bids and asks")
    return Level3Entry(symbol, bids, asks, _opt_int(d.get("checksum")), _opt_str(d.get("timestamp")))


def _symbol_rows(obj: dict[str, Any]) -> list[dict[str, Any]]:
    rows = _data_list(obj)
    for row in rows:
        if not isinstance(row.get("symbol"), str):
            raise DecodeError(f"{obj.get('channel')} entry without symbol")
    return rows
