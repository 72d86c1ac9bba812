"""Spot v2 ``subscribe`` / ``unsubscribe``: the public channels, level3, and the private ones."""

from __future__ import annotations

import time
from typing import Any

from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.exchange.feeds import BookFeed, L3Feed, l3_checksum_of
from tui.exchange.spot.publish import RATECOUNTER, SpotPublisher, rate_row
from tui.exchange.spot.replies import PRIVATE_ERR, PUBLIC_ERR, reply
from tui.exchange.spot.rows import instrument_snapshot
from tui.kraken.rfc3339 import format_rfc3339
from tui.kraken.vocab import BOOK_DEPTHS, L3_DEPTHS, OHLC_INTERVALS

EXECUTIONS_WARNINGS = [
    "cancel_reason is deprecated, use reason",
    "stop_price is deprecated, use triggers.price",
    "trigger is deprecated use triggers.reference",
    "triggered_price is deprecated use triggers.last_price",
]

__all__ = ["SpotSubscriptions"]

PUBLIC_CHANNELS = ("ticker", "book", "trade", "ohlc", "instrument")
PRIVATE_CHANNELS = ("executions", "balances")
SUB_FIELDS = frozenset(
    {
        "channel",
        "symbol",
        "snapshot",
        "req_id",
        "token",
        "depth",
        "interval",
        "event_trigger",
        "include_tokenized_assets",
        "execution_venue",
    }
)


class _Refused(Exception):
    """A subscription refused before any symbol is looked at; ``extra`` goes into the reply."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class SpotSubscriptions:
    def __init__(self, ctx: ExchangeContext, publisher: SpotPublisher) -> None:
        self.ctx = ctx
        self.engine = ctx.engine
        self.pairs = ctx.pairs
        self.publisher = publisher

    def handle(self, conn: Conn, method: str, params: dict[str, Any], req_id: Any, time_in: str) -> None:
        channel = params.get("channel")
        sub = method == "subscribe"
        faults = self.ctx.faults
        if faults.chance(faults.rate_limited):
            reply(conn, method, req_id, time_in, error="Exceeded msg rate")
            return
        try:
            user = self._gate(conn, channel, params)
            if channel in PRIVATE_CHANNELS:
                assert user is not None
                conn.user = user
                self._private(conn, user, str(channel), sub, params, req_id, time_in)
                return
            snapshot = self._check_fields(method, str(channel), params)
        except _Refused as exc:
            reply(conn, method, req_id, time_in, error=exc.error, **exc.extra)
            return
        if channel == "instrument":
            self._instrument(conn, sub, snapshot, req_id, time_in)
            return
        symbols = params.get("symbol")
        if not isinstance(symbols, list):
            reply(conn, method, req_id, time_in, error="Symbol field must be an array")
            return
        if not symbols:  # one ack per symbol would be no answer at all
            reply(conn, method, req_id, time_in, error="Symbol field must be a non-empty array")
            return
        for symbol in symbols:
            self._one(conn, method, str(channel), symbol, params, snapshot, req_id, time_in)

    def _gate(self, conn: Conn, channel: Any, params: dict[str, Any]) -> str | None:
        """Is this channel served on this endpoint, and for whom; the user of a private channel."""
        invalid = {"status": "error", "channel": channel}
        if channel in PRIVATE_CHANNELS:
            if conn.kind != "private":
                raise _Refused(PRIVATE_ERR)
            user = self.ctx.credentials.user_of(params.get("token"))
            if user is None:
                raise _Refused("ESession:Invalid session", **invalid)
            return user
        if channel == "level3":
            if conn.kind == "public":
                raise _Refused(PRIVATE_ERR)
            if self.ctx.credentials.user_of(params.get("token")) is None:
                raise _Refused("ESession:Invalid session", **invalid)
            return None
        if channel in PUBLIC_CHANNELS:
            if conn.kind != "public":
                raise _Refused(PUBLIC_ERR)
            return None
        raise _Refused(
            f"Channel {channel} is not supported" if isinstance(channel, str) else "Unsupported event"
        )

    @staticmethod
    def _check_fields(method: str, channel: str, params: dict[str, Any]) -> bool:
        """Refuse unknown fields; the ``snapshot`` flag asked for."""
        for key in params:
            if key not in SUB_FIELDS:
                raise _Refused(f"Unsupported field: '{key}' for the given msg type: {method}")
        snapshot = params.get("snapshot", channel != "trade")
        if not isinstance(snapshot, bool):
            raise _Refused("Snapshot field must be a boolean")
        return snapshot

    def _instrument(self, conn: Conn, sub: bool, snapshot: bool, req_id: Any, time_in: str) -> None:
        method = "subscribe" if sub else "unsubscribe"
        ikey: tuple[Any, ...] = ("instrument",)
        if not sub:
            if ikey not in conn.subs:
                reply(conn, method, req_id, time_in, error="Subscription Not Found")
                return
            conn.subs.discard(ikey)
            reply(conn, method, req_id, time_in, result={"channel": "instrument"})
            return
        if ikey in conn.subs:
            reply(conn, method, req_id, time_in, error="Already subscribed")
            return
        conn.subs.add(ikey)
        result = {
            "channel": "instrument",
            "snapshot": snapshot,
            "warnings": ["tick_size is deprecated, use price_increment"],
        }
        reply(conn, method, req_id, time_in, result=result)
        if snapshot:
            data = instrument_snapshot(self.pairs.values())
            conn.send({"channel": "instrument", "type": "snapshot", "data": data})

    def _key(
        self, channel: str, symbol: str, params: dict[str, Any], conn: Conn, result: dict[str, Any]
    ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        """The subscription key of (channel, symbol, options), and what this socket holds already.

        Fills the channel's options into ``result``; raises _Refused for an option not offered."""
        if channel in ("book", "level3"):
            depth = params.get("depth", 10)
            if isinstance(depth, bool) or depth not in (BOOK_DEPTHS if channel == "book" else L3_DEPTHS):
                raise _Refused("Subscription depth not supported", symbol=symbol)
            if channel == "book":  # recorded: the level3 ack names no depth
                result["depth"] = depth
            return (channel, symbol, depth), [k for k in conn.subs if k[:2] == (channel, symbol)]
        if channel == "ohlc":
            interval = params.get("interval", 1)
            if isinstance(interval, bool) or interval not in OHLC_INTERVALS:
                raise _Refused("Subscription ohlc interval not supported", symbol=symbol)
            key: tuple[Any, ...] = ("ohlc", symbol, interval)
            result["interval"] = interval
            result["warnings"] = ["timestamp is deprecated, use interval_begin"]
            return key, [key] if key in conn.subs else []
        if channel == "ticker":
            trigger = params.get("event_trigger", "trades")
            if trigger not in ("trades", "bbo"):
                raise _Refused("Event_trigger field must be trades or bbo")
            result["event_trigger"] = trigger
            return ("ticker", symbol, trigger), [k for k in conn.subs if k[:2] == ("ticker", symbol)]
        key = (channel, symbol)
        return key, [key] if key in conn.subs else []

    def _one(
        self,
        conn: Conn,
        method: str,
        channel: str,
        symbol: Any,
        params: dict[str, Any],
        snapshot: bool,
        req_id: Any,
        time_in: str,
    ) -> None:
        if not isinstance(symbol, str) or symbol not in self.pairs:
            reply(conn, method, req_id, time_in, error=f"Currency pair not supported {symbol}", symbol=symbol)
            return
        result: dict[str, Any] = {"channel": channel, "symbol": symbol}
        try:
            key, existing = self._key(channel, symbol, params, conn, result)
        except _Refused as exc:
            reply(conn, method, req_id, time_in, error=exc.error, **exc.extra)
            return
        if method != "subscribe":
            self._unsubscribe(conn, method, channel, symbol, key, result, req_id, time_in)
            return
        if existing:
            reply(conn, method, req_id, time_in, error="Already subscribed", symbol=symbol)
            return
        conn.subs.add(key)
        result["snapshot"] = snapshot
        reply(conn, method, req_id, time_in, result=result)
        self.ctx.publish()  # bring every feed up to date before a snapshot is cut
        self._start(conn, channel, symbol, key, snapshot)

    def _unsubscribe(
        self,
        conn: Conn,
        method: str,
        channel: str,
        symbol: str,
        key: tuple[Any, ...],
        result: dict[str, Any],
        req_id: Any,
        time_in: str,
    ) -> None:
        if key not in conn.subs:
            reply(conn, "subscribe", req_id, time_in, error="Subscription Not Found", symbol=symbol)
            return
        conn.subs.discard(key)
        if channel == "book":
            self.publisher.book_feeds[(symbol, key[2])].subscribers.discard(conn)
        if channel == "level3":
            self.publisher.l3_feeds[(symbol, key[2])].subscribers.discard(conn)
        reply(conn, method, req_id, time_in, result=result)

    def _start(self, conn: Conn, channel: str, symbol: str, key: tuple[Any, ...], snapshot: bool) -> None:
        """Join the channel's feed and send its snapshot when one was asked for."""
        pub = self.publisher
        if channel == "book":
            feed = pub.book_feeds.get((symbol, key[2]))
            if feed is None:
                feed = pub.book_feeds[(symbol, key[2])] = BookFeed(self.engine, self.pairs[symbol], key[2])
            if not feed.subscribers:
                feed.reset()
            feed.subscribers.add(conn)
            if snapshot:
                pub.send_book_snapshot(conn, feed)
        elif channel == "level3":
            l3 = pub.l3_feeds.get((symbol, key[2]))
            if l3 is None:
                l3 = pub.l3_feeds[(symbol, key[2])] = L3Feed(self.engine, self.pairs[symbol], key[2])
            l3.subscribers.add(conn)
            if snapshot:
                snap = l3.snapshot(l3_checksum_of(self.engine, symbol))
                conn.send({"channel": "level3", "type": "snapshot", "data": [snap]})
        elif channel in ("ticker", "trade", "ohlc") and snapshot:
            rows = pub.public_snapshot(channel, symbol, key[2] if channel == "ohlc" else 1)
            if channel == "ticker" and not rows:
                return  # an external source with nothing yet: no made-up ticker
            frame: dict[str, Any] = {"channel": channel, "type": "snapshot", "data": rows}
            if channel == "ohlc":
                frame["timestamp"] = format_rfc3339(time.time(), 9)
            conn.send(frame)

    def _private(
        self,
        conn: Conn,
        user: str,
        channel: str,
        sub: bool,
        params: dict[str, Any],
        req_id: Any,
        time_in: str,
    ) -> None:
        method = "subscribe" if sub else "unsubscribe"
        key = (channel,)
        if not sub:
            if key not in conn.subs:
                reply(conn, "subscribe", req_id, time_in, error="Subscription Not Found")
                return
            conn.subs.discard(key)
            if channel == "executions":
                conn.subs.discard(RATECOUNTER)
            reply(conn, "unsubscribe", req_id, time_in, result={"channel": channel})
            return
        if key in conn.subs:
            reply(conn, method, req_id, time_in, error="Already subscribed")
            return
        ratecounter = params.get("ratecounter", False) if channel == "executions" else False
        if not isinstance(ratecounter, bool):
            reply(conn, method, req_id, time_in, error="Ratecounter field must be a boolean")
            return
        conn.subs.add(key)
        if ratecounter:
            conn.subs.add(RATECOUNTER)
        conn.seq[channel] = 0
        if channel == "executions":
            self._executions(conn, user, params, req_id, time_in)
            return
        snapshot = params.get("snapshot", True)
        reply(conn, method, req_id, time_in, result={"channel": "balances", "snapshot": snapshot})
        if snapshot:
            conn.seq[channel] = 1
            data = self.publisher.private_snapshot(conn, user, "balances")
            conn.send({"channel": "balances", "type": "snapshot", "data": data, "sequence": 1})

    def _executions(self, conn: Conn, user: str, params: dict[str, Any], req_id: Any, time_in: str) -> None:
        snap_orders = params.get("snap_orders", params.get("snapshot", True))
        snap_trades = params.get("snap_trades", params.get("snapshot_trades", False))
        result = {  # as recorded (2024-05): no snap_orders / snap_trades echo, the deprecations warned
            "channel": "executions",
            "maxratecount": self.engine.max_rate_count,
            "snapshot": snap_orders,
            "warnings": EXECUTIONS_WARNINGS,
        }
        reply(conn, "subscribe", req_id, time_in, result=result)
        data = self.publisher.private_snapshot(conn, user, "executions", snap_orders, snap_trades)
        conn.seq["executions"] = 1
        conn.send({"channel": "executions", "type": "snapshot", "data": data, "sequence": 1})
        if RATECOUNTER in conn.subs:  # where each pair's counter stands now
            now = self.engine.now()
            rows = [rate_row(s, v, now) for s, v in sorted(self.engine.rate_counts(user).items())]
            if rows:
                conn.seq["executions"] = 2
                conn.send({"channel": "executions", "type": "update", "data": rows, "sequence": 2})
