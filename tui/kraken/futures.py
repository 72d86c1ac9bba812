"""Kraken Futures: the v1 WebSocket frames and the v3 REST order requests (protocol §9).

Futures speak a different dialect from spot v2: ``event``/``feed`` envelopes, JSON numbers (not
text) for prices, millisecond timestamps, a per-product ``seq`` on book frames instead of a
checksum, and order entry over signed REST. Numbers are decoded straight from the JSON text into
Decimal so nothing passes through a binary float.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from tui.kraken.events import BookLevel  # Decimal price/qty: what the L2 book's loader reads
from tui.kraken.numbers import NumberError, exact

__all__ = [
    "ORDER_TYPES",
    "PRIVATE_FEEDS",
    "PUBLIC_FEEDS",
    "BookLevel",
    "BookSnapshot",
    "BookUpdate",
    "FrameError",
    "FuturesOrder",
    "SendStatus",
    "SignedChallenge",
    "decode",
    "encode_form",
    "is_futures",
    "parse_book",
    "parse_send_status",
    "product_instrument_fields",
    "request_challenge",
    "subscribe",
    "unsubscribe",
]

PUBLIC_FEEDS = ("book", "ticker", "trade", "heartbeat")
PRIVATE_FEEDS = ("open_orders", "fills", "open_positions", "balances")
# sendorder's orderType values and what each means in spot terms (for the shared order form)
ORDER_TYPES = ("lmt", "post", "ioc", "mkt", "stp", "take_profit")
_PREFIXES = ("PF_", "PI_", "FF_", "FI_")


class FrameError(ValueError):
    """A frame that is not JSON or not an object: counted and logged by the caller."""


def is_futures(symbol: str) -> bool:
    """Futures product ids (``PF_XBTUSD``) never contain a slash; spot v2 symbols always do."""
    return symbol[:3].upper() in _PREFIXES


def decode(text: str | bytes) -> dict[str, Any]:
    """JSON with every non-integer number as an exact Decimal of its wire text."""
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise FrameError(f"not JSON: {type(exc).__name__}: {str(exc)[:80]}") from None
    if not isinstance(value, dict):
        raise FrameError("not a JSON object")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number Kraken sends")


def dec(value: Any) -> Decimal | None:
    """A wire number (int, Decimal, or numeric text) as a finite, bounded Decimal; None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)  # only from Python callers; decode() never makes floats
    try:
        return exact(value)
    except NumberError:
        return None


# --- requests over the socket -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SignedChallenge:
    api_key: str
    original_challenge: str
    signed_challenge: str


def _sub(event: str, feed: str, product_ids: Iterable[str] | None, auth: SignedChallenge | None) -> str:
    frame: dict[str, Any] = {"event": event, "feed": feed}
    if product_ids is not None:
        frame["product_ids"] = list(product_ids)
    if auth is not None:
        frame["api_key"] = auth.api_key
        frame["original_challenge"] = auth.original_challenge
        frame["signed_challenge"] = auth.signed_challenge
    return json.dumps(frame, separators=(",", ":"))


def subscribe(
    feed: str, product_ids: Iterable[str] | None = None, auth: SignedChallenge | None = None
) -> str:
    return _sub("subscribe", feed, product_ids, auth)


def unsubscribe(
    feed: str, product_ids: Iterable[str] | None = None, auth: SignedChallenge | None = None
) -> str:
    return _sub("unsubscribe", feed, product_ids, auth)


def request_challenge(api_key: str) -> str:
    return json.dumps({"event": "challenge", "api_key": api_key}, separators=(",", ":"))


# --- the book ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BookSnapshot:
    product_id: str
    seq: int
    bids: list[BookLevel]
    asks: list[BookLevel]
    timestamp: int


@dataclass(frozen=True, slots=True)
class BookUpdate:
    product_id: str
    seq: int
    side: str  # "buy" | "sell"
    level: BookLevel
    timestamp: int


def _levels(rows: Any) -> list[BookLevel]:
    out = []
    for row in rows or ():
        price, qty = dec(row.get("price")), dec(row.get("qty"))
        if price is None or qty is None:
            raise FrameError("book level without a numeric price and qty")
        out.append(BookLevel(price, qty))
    return out


def parse_book(frame: Mapping[str, Any]) -> BookSnapshot | BookUpdate:
    """A ``book_snapshot`` or one-level ``book`` frame; FrameError if a field is missing."""
    try:
        product = str(frame["product_id"])
        seq = int(frame["seq"])
        ts = int(frame.get("timestamp") or 0)
        if frame.get("feed") == "book_snapshot":
            return BookSnapshot(product, seq, _levels(frame.get("bids")), _levels(frame.get("asks")), ts)
        side = frame["side"]
        if side not in ("buy", "sell"):
            raise FrameError(f"book side {side!r}")
        price, qty = dec(frame["price"]), dec(frame["qty"])
        if price is None or qty is None:
            raise FrameError("book frame without a numeric price and qty")
        return BookUpdate(product, seq, side, BookLevel(price, qty), ts)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, FrameError):
            raise
        raise FrameError(f"bad book frame: {exc}") from None


# --- REST orders ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FuturesOrder:
    """A sendorder request with the documented field names; validated before it can be sent."""

    order_type: str
    symbol: str
    side: str
    size: Decimal
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    cli_ord_id: str | None = None
    reduce_only: bool = False
    trigger_signal: str | None = None

    def __post_init__(self) -> None:
        if self.order_type not in ORDER_TYPES:
            raise ValueError(f"orderType must be one of {', '.join(ORDER_TYPES)}")
        if self.side not in ("buy", "sell"):
            raise ValueError("side must be buy or sell")
        if self.size <= 0:
            raise ValueError("size must be above zero")
        if self.order_type in ("lmt", "post", "ioc") and self.limit_price is None:
            raise ValueError(f"{self.order_type} needs a limitPrice")
        if self.order_type in ("stp", "take_profit") and self.stop_price is None:
            raise ValueError(f"{self.order_type} needs a stopPrice")
        if self.order_type == "mkt" and self.limit_price is not None:
            raise ValueError("mkt takes no limitPrice")
        if self.trigger_signal not in (None, "mark", "index", "last"):
            raise ValueError("triggerSignal must be mark, index or last")

    def form(self) -> dict[str, str]:
        out = {
            "orderType": self.order_type,
            "symbol": self.symbol,
            "side": self.side,
            "size": format(self.size, "f"),
        }
        if self.limit_price is not None:
            out["limitPrice"] = format(self.limit_price, "f")
        if self.stop_price is not None:
            out["stopPrice"] = format(self.stop_price, "f")
        if self.cli_ord_id is not None:
            out["cliOrdId"] = self.cli_ord_id
        if self.reduce_only:
            out["reduceOnly"] = "true"
        if self.trigger_signal is not None:
            out["triggerSignal"] = self.trigger_signal
        return out


def encode_form(fields: Mapping[str, Any]) -> str:
    """The exact body text that is both sent and signed (Authent covers these bytes)."""
    return urlencode([(k, v if isinstance(v, str) else format(v, "f")) for k, v in fields.items()])


# Statuses that mean the order is on the book or traded; everything else is a refusal.
ACCEPTED = frozenset({"placed", "filled", "partiallyFilled", "edited", "cancelled", "attempted"})


@dataclass(frozen=True, slots=True)
class SendStatus:
    ok: bool
    status: str
    order_id: str | None
    error: str | None
    raw: dict[str, Any]


def parse_send_status(body: Mapping[str, Any], key: str = "sendStatus") -> SendStatus:
    """A v3 REST reply: ``result`` error, or the status inside ``sendStatus``/``editStatus``/``cancelStatus``."""
    if body.get("result") != "success":
        err = str(body.get("error") or "unknown error")
        return SendStatus(False, "error", None, err, dict(body))
    inner = body.get(key)
    if not isinstance(inner, Mapping):
        return SendStatus(True, "success", None, None, dict(body))
    status = str(inner.get("status", ""))
    oid = inner.get("order_id") or inner.get("orderId")
    ok = status in ACCEPTED
    return SendStatus(ok, status, str(oid) if oid else None, None if ok else status, dict(inner))


def product_instrument_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """An ``/instruments`` row as the fields ``Instrument.from_wire`` reads.

    Futures give ``tickSize`` and ``contractValueTradePrecision``; spot-shaped precisions are
    derived from them so the same order checks and formatting apply to both.
    """
    tick = dec(row.get("tickSize")) or Decimal(1)
    pp = max(0, -tick.normalize().as_tuple().exponent)  # type: ignore[operator]
    qp = int(row.get("contractValueTradePrecision") or 0)
    qp = max(qp, 0)
    base = str(row.get("base") or str(row.get("symbol", ""))[3:-3])
    quote = str(row.get("quote") or "USD")
    return {
        "symbol": str(row["symbol"]).upper(),
        "base": base,
        "quote": quote,
        "status": "online" if row.get("tradeable", True) else "cancel_only",
        "price_precision": pp,
        "qty_precision": qp,
        "cost_precision": 2,
        "price_increment": format(tick, "f"),
        "qty_increment": format(Decimal(1).scaleb(-qp), "f"),
        "qty_min": format(Decimal(1).scaleb(-qp), "f"),
        "cost_min": "0",
        "marginable": True,
    }
