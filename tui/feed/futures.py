"""The Kraken Futures socket (WS v1) filling the same store as spot.

Books are trusted by sequence number: each product's ``book`` frames must follow the snapshot's
``seq`` one by one. A gap resubscribes that product's book alone and flags it ``resyncing`` until
a fresh snapshot lands; other products on the socket are not touched. Private feeds authenticate
with a challenge signed by the futures secret; every (re)connection asks for a new challenge,
because Kraken refuses a challenge from an earlier connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import aiohttp

from tui.book.sequenced import SequencedBook
from tui.feed.connection import Connection
from tui.feed.futures_trading import FuturesTrading
from tui.feed.watch import check_symbols
from tui.kraken import futures as fx
from tui.kraken.auth import sign_futures_challenge
from tui.kraken.instrument import Instrument
from tui.store import Candle, Derivatives, Fill, FuturesMargin, OrderView, Position, Store, Ticker, Trade

if TYPE_CHECKING:
    from tui.config import Settings

__all__ = ["FuturesFeed"]

log = logging.getLogger("tui.feed.futures")
CHALLENGE_TIMEOUT = 5.0
AUTH_ALERT = "Failed to subscribe to authenticated feed"
# candle feeds by interval in minutes (the spot intervals futures also have)
CANDLE_FEEDS = {
    1: "1m",
    5: "5m",
    15: "15m",
    30: "30m",
    60: "1h",
    240: "4h",
    720: "12h",
    1440: "1d",
    10080: "1w",
}
_CANDLE_MINUTES = {v: k for k, v in CANDLE_FEEDS.items()}


def _iso(ms: Any) -> str:
    if not isinstance(ms, int | Decimal):
        return ""
    return datetime.fromtimestamp(float(ms) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _d(value: Any) -> Decimal:
    return fx.dec(value) or Decimal(0)


class FuturesFeed:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        url: str,
        rest_url: str,
        api_key: str | None = None,
        api_secret: str | None = None,
        record: Callable[[str, str, str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.url = url
        self.rest_url = rest_url.rstrip("/")
        self.api_key = api_key
        self.api_secret = api_secret
        self.record = record
        self.symbols = list(settings.futures_symbols)
        self.session: aiohttp.ClientSession | None = None
        self.conn: Connection | None = None
        self.auth: fx.SignedChallenge | None = None
        self._challenge: asyncio.Future[str] | None = None
        self._resync_pending: dict[str, float] = {}
        self.trading = FuturesTrading(self)
        for s in self.symbols:
            store.market(s)

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key and self.api_secret)

    # --- lifecycle --------------------------------------------------------------------------------
    async def run(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        fs = self.settings.feed
        self.conn = Connection(
            "futures",
            self.url,
            session,
            self.store.health.conn("futures"),
            self._on_frame,
            self._connected,
            self._disconnected,
            stale_after=fs.connection_stale_after,
            ping_interval=fs.ping_interval,
            min_delay=fs.reconnect_min_delay,
            max_delay=fs.reconnect_max_delay,
            prepare=self._load_instruments,
            app_ping=False,
        )
        if self.record is not None:
            self.conn.sent = lambda text: self._rec("out", text)
        await asyncio.gather(self.conn.run(), self._watch())

    def _rec(self, direction: str, text: str) -> None:
        if self.record is not None:
            self.record("futures", direction, text)

    async def _load_instruments(self) -> None:
        """Tick sizes and size precision come from REST: the book snapshot carries no precision."""
        if all(s in self.store.instruments for s in self.symbols):
            return
        assert self.session is not None
        timeout = aiohttp.ClientTimeout(total=self.settings.feed.request_timeout * 2)
        async with self.session.get(f"{self.rest_url}/api/v3/instruments", timeout=timeout) as resp:
            text = await resp.text()
        self._rec("in", text)  # a replay needs the precisions too
        try:
            body = fx.decode(text)
        except fx.FrameError as exc:  # e.g. an HTML error page from a proxy: retry with backoff
            raise aiohttp.ClientError(f"futures instruments: {exc}") from None
        if body.get("result") != "success":
            raise aiohttp.ClientError(f"futures instruments: {body.get('error')}")
        self._instruments(body)

    def _instruments(self, body: Mapping[str, Any]) -> None:
        for row in body.get("instruments") or ():
            if not isinstance(row, Mapping) or "symbol" not in row:
                continue
            symbol = str(row["symbol"]).upper()
            if symbol not in self.symbols:
                continue
            inst = Instrument.from_wire(fx.product_instrument_fields(row))
            self.store.instruments[symbol] = inst
            self.store.market(symbol).instrument = inst
            self.store.mark(symbol, "instrument")
        missing = [s for s in self.symbols if s not in self.store.instruments]
        if missing:
            self.store.log("warning", f"futures: unknown products {', '.join(missing)}")
            self.symbols = [s for s in self.symbols if s not in missing]

    async def _send(self, text: str) -> None:
        if self.conn is None:
            return
        with contextlib.suppress(ConnectionError, aiohttp.ClientError, RuntimeError):
            await self.conn.send(text)

    async def _connected(self, conn: Connection) -> None:
        for s in self.symbols:
            self.store.market(s).book_state = "waiting"
            self.store.mark(s, "status")
        await self._send(fx.subscribe("heartbeat"))
        if self.symbols:
            for feed in ("book", "ticker", "trade"):
                await self._send(fx.subscribe(feed, self.symbols))
            by_interval: dict[int, list[str]] = {}
            for s in self.symbols:
                by_interval.setdefault(self._interval(s), []).append(s)
            for interval, syms in by_interval.items():
                await self._send(fx.subscribe(f"candles_trade_{CANDLE_FEEDS[interval]}", syms))
        if self.has_credentials:
            await self._authenticate()

    async def _authenticate(self) -> None:
        assert self.api_key and self.api_secret
        self.auth = None
        self._challenge = asyncio.get_running_loop().create_future()
        await self._send(fx.request_challenge(self.api_key))
        try:
            challenge = await asyncio.wait_for(self._challenge, CHALLENGE_TIMEOUT)
        except TimeoutError:
            self.store.account.auth_error = "futures: no challenge from the server"
            self.store.mark("account", "auth")
            return
        try:
            signed = sign_futures_challenge(challenge, self.api_secret)
        except (ValueError, TypeError):
            self.store.account.auth_error = "futures: the API secret is not valid base64"
            self.store.mark("account", "auth")
            return
        self.auth = fx.SignedChallenge(self.api_key, challenge, signed)
        for feed in fx.PRIVATE_FEEDS:
            await self._send(fx.subscribe(feed, auth=self.auth))

    def _disconnected(self, conn: Connection) -> None:
        for s in self.symbols:
            self.store.market(s).book_state = "waiting"
            self.store.mark(s, "status")
        self.auth = None
        self.store.account.futures_authenticated = False
        self.store.mark("health", "conn")
        self.store.flush()

    def _interval(self, symbol: str) -> int:
        interval = self.store.market(symbol).ohlc_interval
        return interval if interval in CANDLE_FEEDS else 1

    def set_ohlc_interval(self, symbol: str, interval: int) -> bool:
        """Swap one product's candle feed; False if futures have no such interval."""
        if interval not in CANDLE_FEEDS:
            return False
        mk = self.store.market(symbol)
        old = self._interval(symbol)
        mk.ohlc_interval = interval
        self.store.mark(symbol, "candles")
        if self.conn is not None and self.conn.is_open and old != interval:

            async def swap() -> None:
                await self._send(fx.unsubscribe(f"candles_trade_{CANDLE_FEEDS[old]}", [symbol]))
                await self._send(fx.subscribe(f"candles_trade_{CANDLE_FEEDS[interval]}", [symbol]))

            asyncio.get_running_loop().create_task(swap())
        return True

    def resync(self, symbol: str) -> None:
        """Resubscribe one product's book: unsubscribe, then subscribe (a repeat subscribe is refused)."""
        if self.conn is None or not self.conn.is_open or symbol not in self.symbols:
            return
        mk = self.store.market(symbol)
        mk.book_state = "resyncing"
        mk.resyncs += 1
        self._resync_pending[symbol] = time.monotonic()
        self.store.mark(symbol, "status")

        async def go() -> None:
            await self._send(fx.unsubscribe("book", [symbol]))
            await self._send(fx.subscribe("book", [symbol]))

        asyncio.get_running_loop().create_task(go())

    async def _watch(self) -> None:
        after = self.settings.feed.symbol_stale_after
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            check_symbols(self.store, self.symbols, self._resync_pending, after, self.resync, now)

    # --- frames -------------------------------------------------------------------------------------
    def ingest(self, text: str, now: float | None = None) -> None:
        """Apply a recorded frame as if it had arrived now (recordings, snapshot tests)."""
        self._handle(text, time.monotonic() if now is None else now)
        self.store.flush()

    def _on_frame(self, conn: Connection, text: str, now: float) -> None:
        self._rec("in", text)
        self._handle(text, now)
        self.store.flush()

    def _handle(self, text: str, now: float) -> None:
        health = self.store.health.conn("futures")
        try:
            frame = fx.decode(text)
            self._dispatch(frame, now)
        except (fx.FrameError, ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as exc:
            health.malformed += 1
            log.warning("futures: malformed frame (%s): %.200s", exc, text)
            self.store.mark("health", "malformed")

    def _dispatch(self, f: dict[str, Any], now: float) -> None:
        feed = f.get("feed")
        event = f.get("event")
        if (event is not None and feed is None) or event in ("subscribed", "unsubscribed"):
            self._event(str(event), f)
        elif feed in ("book", "book_snapshot"):
            self._book(f, now)
        elif feed == "ticker":
            self._ticker(f)
        elif feed in ("trade", "trade_snapshot"):
            self._trades(f)
        elif feed == "heartbeat":
            return
        elif isinstance(feed, str) and feed.startswith("candles_trade_"):
            self._candles(feed, f)
        elif feed is None and "instruments" in f:
            self._instruments(f)
        elif feed in ("open_orders", "open_orders_snapshot"):
            self._orders(f)
        elif feed in ("fills", "fills_snapshot"):
            self._fills(f)
        elif feed == "open_positions":
            self._positions(f)
        elif feed in ("balances", "balances_snapshot"):
            self._balances(f)
        else:
            self.store.health.conn("futures").unknown += 1
            self.store.mark("health", "unknown")

    def _event(self, event: str, f: dict[str, Any]) -> None:
        if event == "challenge":
            if (
                self._challenge is not None
                and not self._challenge.done()
                and isinstance(f.get("message"), str)
            ):
                self._challenge.set_result(f["message"])
            return
        if event == "subscribed" and f.get("feed") in fx.PRIVATE_FEEDS:
            self.store.account.futures_authenticated = True
            if (self.store.account.auth_error or "").startswith("futures"):
                self.store.account.auth_error = None
            self.store.mark("account", "auth")
            return
        if event in ("info", "subscribed", "unsubscribed"):
            return
        message = str(f.get("message") or event)
        if message == AUTH_ALERT:
            self.store.account.futures_authenticated = False
            self.store.account.auth_error = f"futures: {message}"
            self.store.mark("account", "auth")
        self.store.log("warning", f"futures {event}: {message}")

    def _book(self, f: dict[str, Any], now: float) -> None:
        msg = fx.parse_book(f)
        mk = self.store.markets.get(msg.product_id)
        inst = self.store.instruments.get(msg.product_id)
        if mk is None or inst is None:
            return
        if isinstance(msg, fx.BookSnapshot):
            fresh = SequencedBook(msg.product_id, inst.price_precision, inst.qty_precision)
            fresh.load_snapshot(msg.seq, msg.bids, msg.asks)
            mk.book = fresh
            mk.book_depth = len(fresh)
            mk.book_state = "ok"
            self._resync_pending.pop(msg.product_id, None)
            self.store.mark(msg.product_id, "status")
        else:
            book = mk.book if isinstance(mk.book, SequencedBook) else None
            if book is None or mk.book_state == "resyncing":
                return
            mk.checksum_checks += 1
            if not book.apply_level(msg.seq, msg.side, msg.level):
                mk.sequence_gaps += 1
                mk.checksum_mismatches += 1
                self.store.log("warning", f"{msg.product_id}: sequence gap at {msg.seq}, resyncing")
                self.resync(msg.product_id)
                return
            if mk.book_state == "stale":
                mk.book_state = "ok"
                self.store.mark(msg.product_id, "status")
        mk.last_update = now
        mk.book_updates += 1
        self.store.mark(msg.product_id, "book")

    def _ticker(self, f: dict[str, Any]) -> None:
        mk = self.store.markets.get(str(f.get("product_id", "")).upper())
        if mk is None:
            return
        last = _d(f.get("last"))
        change_pct = _d(f.get("change"))
        mk.ticker = Ticker(
            _d(f.get("bid")),
            _d(f.get("bid_size")),
            _d(f.get("ask")),
            _d(f.get("ask_size")),
            last,
            _d(f.get("volume")),
            last,
            Decimal(0),
            Decimal(0),
            (last * change_pct / (100 + change_pct)) if change_pct > -100 else Decimal(0),
            change_pct,
            _iso(f.get("time")),
        )
        nft = f.get("next_funding_rate_time")
        mk.derivatives = Derivatives(
            fx.dec(f.get("markPrice")),
            fx.dec(f.get("index")),
            fx.dec(f.get("funding_rate")),
            fx.dec(f.get("relative_funding_rate")),
            float(nft) / 1000 if isinstance(nft, int | Decimal) else None,
            fx.dec(f.get("openInterest")),
        )
        self.store.mark(mk.symbol, "ticker")

    def _trades(self, f: dict[str, Any]) -> None:
        symbol = str(f.get("product_id", "")).upper()
        mk = self.store.markets.get(symbol)
        if mk is None:
            return
        rows = f.get("trades") if f.get("feed") == "trade_snapshot" else [f]
        if not isinstance(rows, list):
            raise fx.FrameError("trade_snapshot without a trades list")
        ordered = sorted(rows, key=lambda r: int(r.get("seq") or 0))  # snapshots come newest first
        for r in ordered:
            mk.add_trade(
                Trade(
                    _d(r.get("price")),
                    _d(r.get("qty")),
                    str(r.get("side")),
                    str(r.get("type", "")),
                    int(r.get("seq") or 0),
                    _iso(r.get("time")),
                )
            )
        self.store.mark(symbol, "trades")

    def _candles(self, feed: str, f: dict[str, Any]) -> None:
        symbol = str(f.get("product_id", "")).upper()
        mk = self.store.markets.get(symbol)
        res = feed.removeprefix("candles_trade_").removesuffix("_snapshot")
        interval = _CANDLE_MINUTES.get(res)
        if mk is None or interval is None:
            return
        rows = f.get("candles") if feed.endswith("_snapshot") else [f.get("candle")]
        if not isinstance(rows, list):
            raise fx.FrameError(f"{feed} without candles")
        candles = mk.candles.setdefault(interval, [])
        for r in sorted((r for r in rows if isinstance(r, Mapping)), key=lambda r: int(r.get("time") or 0)):
            c = Candle(
                _iso(r.get("time")),
                interval,
                _d(r.get("open")),
                _d(r.get("high")),
                _d(r.get("low")),
                _d(r.get("close")),
                _d(r.get("close")),  # futures candles carry no VWAP
                _d(r.get("volume")),
                0,
            )
            if candles and candles[-1].interval_begin == c.interval_begin:
                candles[-1] = c
            elif not candles or candles[-1].interval_begin < c.interval_begin:
                candles.append(c)
        del candles[:-720]
        self.store.mark(symbol, "candles")

    # --- private ------------------------------------------------------------------------------------
    def _order_fields(self, o: Mapping[str, Any], status: str) -> dict[str, Any]:
        remaining, filled = _d(o.get("qty")), _d(o.get("filled"))
        kind = str(o.get("type", "limit"))
        fields: dict[str, Any] = {
            "order_id": str(o.get("order_id")),
            "symbol": str(o.get("instrument", "")).upper(),
            "side": "sell" if o.get("direction") == 1 else "buy",
            "order_type": {"stop": "stop-loss", "take_profit": "take-profit"}.get(kind, kind),
            "order_qty": remaining + filled,
            "cum_qty": filled,
            "order_status": status,
            "reduce_only": bool(o.get("reduce_only")),
            "timestamp": _iso(o.get("time")),
        }
        if o.get("limit_price") is not None:
            fields["limit_price"] = _d(o.get("limit_price"))
        if o.get("stop_price") is not None:
            fields["trigger_price"] = _d(o.get("stop_price"))
        if isinstance(o.get("cli_ord_id"), str):
            fields["cl_ord_id"] = o["cli_ord_id"]
        return fields

    def _orders(self, f: dict[str, Any]) -> None:
        acct = self.store.account
        if f.get("feed") == "open_orders_snapshot":
            for old in [k for k, o in acct.orders.items() if fx.is_futures(o.symbol)]:
                del acct.orders[old]
            for o in f.get("orders") or ():
                status = "partially_filled" if _d(o.get("filled")) > 0 else "new"
                view = OrderView(str(o["order_id"]), self._order_fields(o, status))
                view.seen_at(view.fields["timestamp"])
                acct.orders[view.order_id] = view
        elif f.get("is_cancel") or "order" not in f:
            closed = acct.orders.pop(str(f.get("order_id", "")), None)
            if closed is not None:
                reason = str(f.get("reason", ""))
                closed.fields["order_status"] = "filled" if "fill" in reason else "canceled"
                closed.fields["reason"] = reason
                acct.history.append(closed)
        else:
            o = f["order"]
            status = "partially_filled" if _d(o.get("filled")) > 0 else "new"
            oid = str(o["order_id"])
            live = acct.orders.get(oid)
            if live is None:
                live = acct.orders[oid] = OrderView(oid)
            live.fields.update(self._order_fields(o, status))
            live.seen_at(live.fields["timestamp"])
        self.store.mark("account", "orders")

    def _fills(self, f: dict[str, Any]) -> None:
        acct = self.store.account
        seen = {x.exec_id for x in acct.fills}
        for r in f.get("fills") or ():
            fid = str(r.get("fill_id", ""))
            if fid in seen:
                continue
            qty, price = _d(r.get("qty")), _d(r.get("price"))
            acct.fills.append(
                Fill(
                    str(r.get("order_id", "")),
                    fid,
                    int(r["seq"]) if isinstance(r.get("seq"), int) else None,
                    str(r.get("instrument", "")).upper(),
                    "buy" if r.get("buy") else "sell",
                    qty,
                    price,
                    qty * price,
                    _d(r.get("fee_paid")),
                    str(r.get("fee_currency") or "USD"),
                    "m" if r.get("fill_type") == "maker" else "t",
                    _iso(r.get("time")),
                )
            )
        self.store.mark("account", "fills")

    def _positions(self, f: dict[str, Any]) -> None:
        acct = self.store.account
        acct.positions = {}
        for r in f.get("positions") or ():
            size = _d(r.get("balance"))
            if not size:
                continue
            symbol = str(r.get("instrument", "")).upper()
            acct.positions[symbol] = Position(
                symbol,
                size,
                _d(r.get("entry_price")),
                fx.dec(r.get("mark_price")),
                fx.dec(r.get("pnl")),
                fx.dec(r.get("liquidation_threshold")),
                fx.dec(r.get("initial_margin")),
                fx.dec(r.get("effective_leverage")),
            )
        self.store.mark("account", "positions")

    def _balances(self, f: dict[str, Any]) -> None:
        flex = f.get("flex_futures")
        if not isinstance(flex, Mapping):
            return
        currencies = flex.get("currencies") or {}
        currency = next(iter(currencies), "USD") if isinstance(currencies, Mapping) else "USD"
        self.store.account.futures_margin = FuturesMargin(
            str(currency),
            _d(flex.get("collateral_value") or flex.get("balance_value")),
            _d(flex.get("margin_equity")),
            _d(flex.get("available_margin")),
            _d(flex.get("initial_margin")),
            _d(flex.get("maintenance_margin")),
            _d(flex.get("total_unrealized") or flex.get("pnl")),
        )
        self.store.mark("account", "balances")
