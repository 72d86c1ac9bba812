"""The Feed: Kraken's public, private and level3 sockets filling the store.

Everything the user sees is either verified or visibly flagged: a book is ``ok`` only after its
checksum matched; a mismatch puts that one symbol into ``resyncing`` and resubscribes its book
alone (once per episode), leaving every other symbol on the socket untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp

from tui.book.l2 import L2Book
from tui.book.l3 import L3Book
from tui.config import Settings
from tui.feed.connection import AuthFailure, Connection
from tui.feed.endpoints import Urls
from tui.feed.futures import FuturesFeed
from tui.feed.record import Recorder
from tui.feed.token import TokenError, fetch_ws_token
from tui.feed.trading import DeadMansSwitch, Trading
from tui.feed.venue import OrderVenue
from tui.feed.watch import check_symbols
from tui.kraken import messages as m
from tui.kraken import requests as rq
from tui.kraken.auth import NonceSource
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument
from tui.store import Candle, Fill, OrderView, Store, Ticker, Trade

__all__ = ["Feed", "Urls"]

log = logging.getLogger("tui.feed")
AUTH_ERRORS = ("EAPI:Invalid key", "EGeneral:Permission denied", "EAPI:Invalid signature", "EAccount:")
TERMINAL = ("filled", "canceled", "expired")


def _dec(v: Any) -> Decimal:
    return Decimal(v) if isinstance(v, str | int) and not isinstance(v, bool) else Decimal(0)


def _decimals(text: str) -> int:
    dot = text.find(".")
    return 0 if dot < 0 else len(text) - dot - 1


class Feed:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        urls: Urls | None = None,
        record: Path | None = None,
        l3: bool = False,
    ) -> None:
        self.settings = settings
        self.store = store
        self.urls = urls or Urls(
            settings.ws_public_url,
            settings.ws_private_url,
            settings.ws_l3_url,
            settings.rest_url,
            settings.api_key.get_secret_value() if settings.api_key else None,
            settings.api_secret.get_secret_value() if settings.api_secret else None,
            settings.ws_futures_url,
            settings.futures_rest_url,
            settings.futures_api_key.get_secret_value() if settings.futures_api_key else None,
            settings.futures_api_secret.get_secret_value() if settings.futures_api_secret else None,
        )
        self.symbols: list[str] = list(settings.symbols)
        self.depth: dict[str, int] = dict.fromkeys(self.symbols, settings.book_depth)
        self.interval: dict[str, int] = dict.fromkeys(self.symbols, settings.ohlc_interval)
        self.l3_symbols: set[str] = set(self.symbols[:1]) if l3 else set()
        self.recorder = Recorder(record) if record else None
        self.session: aiohttp.ClientSession | None = None
        self.public: Connection | None = None
        self.private: Connection | None = None
        self.level3: Connection | None = None
        self.token: str | None = None
        self.nonce = NonceSource()
        self._req_ids = itertools.count(1)
        self._tasks: list[asyncio.Task[None]] = []
        self._resync_pending: dict[str, float] = {}
        self.trading = Trading(self)
        self.futures: FuturesFeed | None = None
        if self.urls.futures and self.urls.futures_rest and settings.futures_symbols:
            self.futures = FuturesFeed(
                settings,
                store,
                url=self.urls.futures,
                rest_url=self.urls.futures_rest,
                api_key=self.urls.futures_api_key,
                api_secret=self.urls.futures_api_secret,
                record=self._record if self.recorder is not None else None,
            )
        for s in self.symbols:
            mk = store.market(s)
            mk.book_depth = self.depth[s]
            mk.ohlc_interval = self.interval[s]

    @property
    def has_credentials(self) -> bool:
        return bool(self.urls.api_key and self.urls.api_secret)

    def venue_for(self, symbol: str) -> OrderVenue | None:
        """The venue that trades ``symbol``: futures REST for futures products, else the spot socket."""
        if is_futures(symbol):
            return self.futures.trading if self.futures is not None else None
        return self.trading

    def dead_mans_switches(self) -> list[DeadMansSwitch]:
        """Every venue's switch that can be armed with the credentials at hand (spot first)."""
        out = [self.trading.dead_mans_switch] if self.has_credentials else []
        if self.futures is not None and self.futures.has_credentials:
            out.append(self.futures.trading.dead_mans_switch)
        return out

    def next_req_id(self) -> int:
        return next(self._req_ids)

    # --- lifecycle --------------------------------------------------------------------------------
    async def run(self) -> None:
        fs = self.settings.feed
        self.session = aiohttp.ClientSession()
        try:
            common: dict[str, Any] = {
                "stale_after": fs.connection_stale_after,
                "ping_interval": fs.ping_interval,
                "min_delay": fs.reconnect_min_delay,
                "max_delay": fs.reconnect_max_delay,
            }
            self.public = Connection(
                "public",
                self.urls.public,
                self.session,
                self.store.health.conn("public"),
                self._on_frame,
                self._public_connected,
                self._disconnected,
                **common,
            )
            self._tasks.append(asyncio.create_task(self.public.run()))
            if self.has_credentials:
                self.private = Connection(
                    "private",
                    self.urls.private,
                    self.session,
                    self.store.health.conn("private"),
                    self._on_frame,
                    self._private_connected,
                    self._disconnected,
                    prepare=self._fresh_token,
                    **common,
                )
                self._tasks.append(asyncio.create_task(self.private.run()))
                self.level3 = Connection(
                    "level3",
                    self.urls.level3,
                    self.session,
                    self.store.health.conn("level3"),
                    self._on_frame,
                    self._l3_connected,
                    self._disconnected,
                    prepare=self._fresh_token,
                    **common,
                )
                if self.l3_symbols:
                    self._tasks.append(asyncio.create_task(self.level3.run()))
            for c in (self.public, self.private, self.level3):
                if c is not None and self.recorder is not None:
                    c.sent = lambda text, name=c.name: self._record(name, "out", text)
            if self.futures is not None:
                self._tasks.append(asyncio.create_task(self.futures.run(self.session)))
            self._tasks.append(asyncio.create_task(self._watch_symbols()))
            await asyncio.gather(*self._tasks)
        finally:
            await self._close()

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await self._close()

    async def _close(self) -> None:
        self.trading.stop()
        if self.futures is not None:
            self.futures.trading.stop()
        if self.recorder is not None:
            self.recorder.close()
        if self.session is not None and not self.session.closed:
            await self.session.close()

    def _record(self, conn: str, direction: str, text: str) -> None:
        if self.recorder is not None:
            self.recorder.write(conn, direction, text)

    async def _fresh_token(self) -> None:
        """A new token for every private (re)connection, as Kraken asks."""
        assert self.session is not None
        try:
            self.token = await fetch_ws_token(
                self.session, self.urls.rest, self.urls.api_key or "", self.urls.api_secret or "", self.nonce
            )
        except TokenError as exc:
            text = str(exc)
            self.store.account.auth_error = text
            self.store.mark("account", "auth")
            if any(text.startswith(p) for p in AUTH_ERRORS):
                raise AuthFailure(f"authentication failed: {text}") from None
            raise aiohttp.ClientError(text) from None
        self.store.account.auth_error = None

    # --- subscriptions ------------------------------------------------------------------------------
    async def _send(self, conn: Connection | None, text: str) -> None:
        if conn is None:
            return
        with contextlib.suppress(ConnectionError, aiohttp.ClientError, RuntimeError):
            await conn.send(text)

    async def _public_connected(self, conn: Connection) -> None:
        for s in self.symbols:
            mk = self.store.market(s)
            mk.book_state = "waiting"
            self.store.mark(s, "status")
        await self._send(conn, rq.subscribe("instrument", None, req_id=self.next_req_id()))
        by_depth: dict[int, list[str]] = {}
        for s in self.symbols:
            by_depth.setdefault(self.depth[s], []).append(s)
        for depth, syms in by_depth.items():
            await self._send(conn, rq.subscribe("book", syms, req_id=self.next_req_id(), depth=depth))
        await self._send(conn, rq.subscribe("ticker", self.symbols, req_id=self.next_req_id()))
        await self._send(conn, rq.subscribe("trade", self.symbols, req_id=self.next_req_id(), snapshot=True))
        by_interval: dict[int, list[str]] = {}
        for s in self.symbols:
            by_interval.setdefault(self.interval[s], []).append(s)
        for interval, syms in by_interval.items():
            await self._send(conn, rq.subscribe("ohlc", syms, req_id=self.next_req_id(), interval=interval))

    async def _private_connected(self, conn: Connection) -> None:
        self.store.account.authenticated = True
        await self._send(
            conn,
            rq.subscribe(
                "executions",
                None,
                req_id=self.next_req_id(),
                token=self.token,
                snap_orders=True,
                snap_trades=True,
            ),
        )
        await self._send(conn, rq.subscribe("balances", None, req_id=self.next_req_id(), token=self.token))
        self.trading.on_connected()

    async def _l3_connected(self, conn: Connection) -> None:
        if self.l3_symbols:
            await self._send(
                conn,
                rq.subscribe(
                    "level3", sorted(self.l3_symbols), req_id=self.next_req_id(), token=self.token, depth=10
                ),
            )

    def _disconnected(self, conn: Connection) -> None:
        if conn is self.public:
            for s in self.symbols:
                mk = self.store.market(s)
                mk.book_state = "waiting"
                self.store.mark(s, "status")
        elif conn is self.private:
            self.store.account.authenticated = False
            self.trading.on_disconnected()
        self.store.mark("health", "conn")
        self.store.flush()

    def set_book_depth(self, symbol: str, depth: int) -> None:
        if is_futures(symbol):
            return  # futures books are full depth and have no level 3
        old = self.depth.get(symbol)
        if old == depth:
            return
        self.depth[symbol] = depth
        mk = self.store.market(symbol)
        mk.book_depth = depth
        mk.book_state = "waiting"
        self.store.mark(symbol, "status")
        asyncio.get_running_loop().create_task(self._resubscribe_book(symbol, old, depth))

    async def _resubscribe_book(self, symbol: str, old: int | None, depth: int) -> None:
        if old is not None:
            await self._send(
                self.public, rq.unsubscribe("book", [symbol], req_id=self.next_req_id(), depth=old)
            )
        await self._send(self.public, rq.subscribe("book", [symbol], req_id=self.next_req_id(), depth=depth))

    def set_ohlc_interval(self, symbol: str, interval: int) -> None:
        if is_futures(symbol):
            if self.futures is not None and not self.futures.set_ohlc_interval(symbol, interval):
                self.store.log("warning", f"{symbol}: futures have no {interval}-minute candles")
            return
        old = self.interval.get(symbol)
        if old == interval:
            return
        self.interval[symbol] = interval
        mk = self.store.market(symbol)
        mk.ohlc_interval = interval
        mk.candles.pop(interval, None)
        self.store.mark(symbol, "candles")

        async def swap() -> None:
            if old is not None:
                await self._send(
                    self.public, rq.unsubscribe("ohlc", [symbol], req_id=self.next_req_id(), interval=old)
                )
            await self._send(
                self.public, rq.subscribe("ohlc", [symbol], req_id=self.next_req_id(), interval=interval)
            )

        asyncio.get_running_loop().create_task(swap())

    def set_l3(self, symbol: str, enabled: bool) -> None:
        if is_futures(symbol):
            return  # futures books are full depth and have no level 3
        if not self.has_credentials or self.level3 is None:
            return
        if enabled and symbol not in self.l3_symbols:
            self.l3_symbols.add(symbol)
            if not any(t for t in self._tasks if getattr(t, "_l3", False)):
                task = asyncio.get_running_loop().create_task(self.level3.run())
                task._l3 = True  # type: ignore[attr-defined]
                self._tasks.append(task)
            elif self.level3.is_open:
                asyncio.get_running_loop().create_task(
                    self._send(
                        self.level3,
                        rq.subscribe(
                            "level3", [symbol], req_id=self.next_req_id(), token=self.token, depth=10
                        ),
                    )
                )
        elif not enabled and symbol in self.l3_symbols:
            self.l3_symbols.discard(symbol)
            self.store.market(symbol).l3 = None
            asyncio.get_running_loop().create_task(
                self._send(
                    self.level3,
                    rq.unsubscribe("level3", [symbol], req_id=self.next_req_id(), token=self.token, depth=10),
                )
            )

    def resync(self, symbol: str) -> None:
        """Resubscribe one symbol's book (once per desync episode)."""
        if is_futures(symbol):
            if self.futures is not None:
                self.futures.resync(symbol)
            return
        mk = self.store.market(symbol)
        if mk.book_state == "resyncing" and time.monotonic() - self._resync_pending.get(symbol, 0) < 5:
            return
        mk.book_state = "resyncing"
        mk.resyncs += 1
        self._resync_pending[symbol] = time.monotonic()
        self.store.mark(symbol, "status")
        self.store.log("warning", f"{symbol}: checksum mismatch, resyncing its book")
        depth = self.depth.get(symbol, mk.book_depth)
        asyncio.get_running_loop().create_task(self._resubscribe_book(symbol, depth, depth))

    async def _watch_symbols(self) -> None:
        """Per-symbol staleness: a book with no update for longer than expected is flagged."""
        after = self.settings.feed.symbol_stale_after
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            check_symbols(self.store, self.symbols, self._resync_pending, after, self.resync, now)
            for c in self.store.health.connections.values():
                c.rate(now)
            self.store.mark("health", "tick")
            self.store.flush()

    def ingest(self, conn_name: str, text: str, now: float | None = None) -> None:
        """Apply one recorded frame as if it had arrived on ``conn_name`` (recordings, snapshot tests)."""
        if conn_name == "futures":
            if self.futures is not None:
                self.futures.ingest(text, now)
            return
        conn = {"public": self.public, "private": self.private, "level3": self.level3}.get(conn_name)
        if conn is None:
            conn = _Offline(conn_name, self.store.health.conn(conn_name))  # type: ignore[assignment]
        self._on_frame(conn, text, time.monotonic() if now is None else now)  # type: ignore[arg-type]

    # --- frames -------------------------------------------------------------------------------------
    def _on_frame(self, conn: Connection, text: str, now: float) -> None:
        if self.recorder is not None:
            self._record(conn.name, "in", text)
        try:
            msg = m.decode(text)
            self._dispatch(conn, msg, now)
        except (m.DecodeError, ValueError, TypeError, KeyError, AttributeError) as exc:
            conn.health.malformed += 1
            log.warning("%s: malformed frame (%s): %.200s", conn.name, exc, text)
            self.store.mark("health", "malformed")
        self.store.flush()

    def _dispatch(self, conn: Connection, msg: m.Message, now: float) -> None:
        if isinstance(msg, m.BookMessage):
            for entry in msg.data:
                self._book(entry, msg.type == "snapshot", now)
        elif isinstance(msg, m.Heartbeat):
            return
        elif isinstance(msg, m.TickerMessage):
            for row in msg.data:
                self._ticker(row)
        elif isinstance(msg, m.TradeMessage):
            self._trades(msg)
        elif isinstance(msg, m.OhlcMessage):
            self._ohlc(msg)
        elif isinstance(msg, m.Pong):
            conn.pong(msg.req_id)
            self.store.mark("health", "rtt")
        elif isinstance(msg, m.Status):
            self.store.health.system_status = msg.system
            self.store.mark("health", "status")
        elif isinstance(msg, m.Ack):
            self._ack(conn, msg)
        elif isinstance(msg, m.MethodResponse):
            self.trading.on_response(msg)
        elif isinstance(msg, m.ExecutionsMessage):
            self._executions(msg)
        elif isinstance(msg, m.BalancesMessage):
            self._balances(msg)
        elif isinstance(msg, m.InstrumentMessage):
            self._instruments(msg)
        elif isinstance(msg, m.Level3Message):
            self._level3(msg)
        else:
            conn.health.unknown += 1
            self.store.mark("health", "unknown")

    def _ack(self, conn: Connection, ack: m.Ack) -> None:
        if ack.success:
            return
        text = ack.error or "subscription refused"
        if text.startswith("ESession"):
            self.store.account.auth_error = text
            self.store.mark("account", "auth")
            conn.health.error = text
            # a refused token: a fresh one on a new connection
            if conn.ws is not None:
                asyncio.get_running_loop().create_task(conn.ws.close())
            return
        if "Exceeded msg rate" in text and ack.symbol:
            self.store.log("warning", f"{ack.symbol}: subscription rate-limited; retrying")
            sym = ack.symbol
            asyncio.get_running_loop().call_later(2.0, self.resync, sym)
            return
        if text in ("Already subscribed", "Subscription Not Found"):
            return
        self.store.log("error", f"{conn.name}: {text}" + (f" ({ack.symbol})" if ack.symbol else ""))

    def _instruments(self, msg: m.InstrumentMessage) -> None:
        for pair in msg.pairs:
            try:
                inst = Instrument.from_wire(pair)
            except (KeyError, ValueError, TypeError):
                continue
            self.store.instruments[inst.symbol] = inst
            if inst.symbol in self.store.markets:
                self.store.market(inst.symbol).instrument = inst
                self.store.mark(inst.symbol, "instrument")

    def _book(self, entry: m.BookEntry, snapshot: bool, now: float) -> None:
        mk = self.store.markets.get(entry.symbol)
        if mk is None:
            return
        if snapshot:
            inst = mk.instrument
            if inst is not None:
                pp, qp = inst.price_precision, inst.qty_precision
            else:  # no reference data yet: the wire text carries the precision
                pp = max((_decimals(str(lv.price)) for lv in entry.bids + entry.asks), default=1)
                qp = max((_decimals(str(lv.qty)) for lv in entry.bids + entry.asks), default=8)
            book = L2Book(entry.symbol, pp, qp, self.depth.get(entry.symbol, mk.book_depth))
            book.apply_snapshot(entry.bids, entry.asks)
            mk.book = book
        else:
            if mk.book is None or mk.book_state in ("waiting",):
                return
            if mk.book_state == "resyncing":
                return  # discard until the fresh snapshot verifies
            mk.book.apply_update(entry.bids, entry.asks)
        mk.checksum_checks += 1
        book = mk.book
        assert book is not None
        if book.verify(entry.checksum) and not book.is_crossed():
            if mk.book_state != "ok":
                mk.book_state = "ok"
                self.store.mark(entry.symbol, "status")
        else:
            if book.is_crossed():
                mk.crossed += 1
            mk.checksum_mismatches += 1
            self.resync(entry.symbol)
        mk.last_update = now
        mk.book_updates += 1
        self.store.mark(entry.symbol, "book")

    def _ticker(self, row: dict[str, Any]) -> None:
        mk = self.store.markets.get(row["symbol"])
        if mk is None:
            return
        mk.ticker = Ticker(
            _dec(row.get("bid")),
            _dec(row.get("bid_qty")),
            _dec(row.get("ask")),
            _dec(row.get("ask_qty")),
            _dec(row.get("last")),
            _dec(row.get("volume")),
            _dec(row.get("vwap")),
            _dec(row.get("low")),
            _dec(row.get("high")),
            _dec(row.get("change")),
            _dec(row.get("change_pct")),
            row.get("timestamp"),
        )
        self.store.mark(mk.symbol, "ticker")

    def _trades(self, msg: m.TradeMessage) -> None:
        for row in msg.data:
            mk = self.store.markets.get(row["symbol"])
            if mk is None:
                continue
            tid = row.get("trade_id")
            added = mk.add_trade(
                Trade(
                    _dec(row.get("price")),
                    _dec(row.get("qty")),
                    str(row.get("side")),
                    str(row.get("ord_type", "")),
                    tid if isinstance(tid, int) else 0,
                    str(row.get("timestamp", "")),
                )
            )
            if added:
                self.store.mark(mk.symbol, "trades")

    def _ohlc(self, msg: m.OhlcMessage) -> None:
        for row in msg.data:
            mk = self.store.markets.get(row["symbol"])
            if mk is None:
                continue
            interval = row.get("interval")
            if not isinstance(interval, int):
                continue
            c = Candle(
                str(row.get("interval_begin", "")),
                interval,
                _dec(row.get("open")),
                _dec(row.get("high")),
                _dec(row.get("low")),
                _dec(row.get("close")),
                _dec(row.get("vwap")),
                _dec(row.get("volume")),
                int(row.get("trades") or 0),
            )
            candles = mk.candles.setdefault(interval, [])
            if candles and candles[-1].interval_begin == c.interval_begin:
                candles[-1] = c
            elif not candles or candles[-1].interval_begin < c.interval_begin:
                candles.append(c)
                del candles[:-720]
            self.store.mark(mk.symbol, "candles")

    def _level3(self, msg: m.Level3Message) -> None:
        for e in msg.entries:
            mk = self.store.markets.get(e.symbol)
            if mk is None:
                continue
            inst = mk.instrument or self.store.instruments.get(e.symbol)
            if msg.type == "snapshot" or mk.l3 is None:
                if inst is None:
                    continue
                mk.l3 = L3Book(e.symbol, inst.price_precision, inst.qty_precision, 10)
                mk.l3.apply_snapshot(e.bids, e.asks)
            else:
                mk.l3.apply_update(e.bids, e.asks)
            if not mk.l3.verify(e.checksum):
                self.store.log("warning", f"{e.symbol}: level3 checksum mismatch, resubscribing")
                mk.l3 = None
                if self.level3 is not None:
                    asyncio.get_running_loop().create_task(self._resub_l3(e.symbol))
            self.store.mark(e.symbol, "l3")

    async def _resub_l3(self, symbol: str) -> None:
        await self._send(
            self.level3,
            rq.unsubscribe("level3", [symbol], req_id=self.next_req_id(), token=self.token, depth=10),
        )
        await self._send(
            self.level3,
            rq.subscribe("level3", [symbol], req_id=self.next_req_id(), token=self.token, depth=10),
        )

    def _executions(self, msg: m.ExecutionsMessage) -> None:
        acct = self.store.account
        if msg.type == "snapshot":
            for spot_id in [k for k, o in acct.orders.items() if not is_futures(o.symbol)]:
                del acct.orders[spot_id]
        for raw in msg.data:
            row = {k: (Decimal(v) if isinstance(v, str) and k in _NUMERIC else v) for k, v in raw.items()}
            oid = row.get("order_id")
            if not isinstance(oid, str):
                continue
            exec_type = row.get("exec_type")
            if exec_type == "trade":
                fill = Fill(
                    oid,
                    str(row.get("exec_id", "")),
                    raw.get("trade_id") if isinstance(raw.get("trade_id"), int) else None,
                    str(row.get("symbol", "")),
                    str(row.get("side", "")),
                    _dec(raw.get("last_qty")),
                    _dec(raw.get("last_price")),
                    _dec(raw.get("cost")),
                    sum(
                        (_dec(f.get("qty")) for f in raw.get("fees") or [] if isinstance(f, dict)), Decimal(0)
                    ),
                    next((str(f.get("asset")) for f in raw.get("fees") or [] if isinstance(f, dict)), ""),
                    str(row.get("liquidity_ind", "")),
                    str(row.get("timestamp", "")),
                )
                if not any(f.exec_id == fill.exec_id for f in acct.fills):
                    acct.fills.append(fill)
                    self.store.mark("account", "fills")
                if msg.type == "snapshot" and oid not in acct.orders:
                    self.trading.seen_in_snapshot(row)
                    continue
            view = acct.orders.get(oid)
            if view is None:
                if msg.type != "snapshot" and exec_type not in ("pending_new", "new"):
                    # an update for an order we have no record of (e.g. filled during a gap)
                    view = OrderView(oid)
                else:
                    view = OrderView(oid)
                view.seen_at(row.get("effective_time") or row.get("timestamp"))
                acct.orders[oid] = view
            view.fields.update(row)
            if msg.type == "snapshot":
                self.trading.seen_in_snapshot(view.fields)
            if view.status in TERMINAL:
                acct.orders.pop(oid, None)
                acct.history.append(view)
            self.store.mark("account", "orders")
        if msg.type == "snapshot":
            self.trading.on_snapshot()

    def _balances(self, msg: m.BalancesMessage) -> None:
        acct = self.store.account
        for row in msg.data:
            asset = row.get("asset")
            if isinstance(asset, str) and "balance" in row:
                acct.totals[asset] = _dec(row["balance"])
        self.store.mark("account", "balances")


class _Offline:
    """Stands in for a socket when frames come from a recording: a name and a health record."""

    def __init__(self, name: str, health: Any) -> None:
        self.name = name
        self.health = health
        self.ws = None

    def pong(self, req_id: int | None) -> bool:
        return False


_NUMERIC = frozenset(
    {
        "order_qty",
        "limit_price",
        "cum_qty",
        "cum_cost",
        "avg_price",
        "last_qty",
        "last_price",
        "cost",
        "fee_usd_equiv",
        "display_qty",
        "cash_order_qty",
    }
)
