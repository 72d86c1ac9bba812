"""Kraken Futures WebSocket v1 (protocol reference §9) for the embedded exchange, at ``/ws/v1``.

Public feeds ``book`` (full-depth ``book_snapshot``, then one ``book`` frame per changed level,
``seq`` +1 per frame per product), ``ticker``, ``ticker_lite``, ``trade`` and ``heartbeat``;
private feeds ``open_orders``, ``fills``, ``open_positions`` and ``balances`` behind the
challenge flow (a challenge is valid only on the connection it was issued to). Numbers are exact
JSON numbers, timestamps integer milliseconds.

Choices where the reference leaves room:
- an unknown product id in a (un)subscribe is answered with
  ``{"event":"subscribed_failed"|"unsubscribed_failed","feed":F,"product_ids":[unknown...]}``;
  the known ids of the same request are subscribed normally. Subscribing again resends the
  snapshot (the way to resync after a ``seq`` gap).
- ``heartbeat`` every ``ExchangeConfig.heartbeat_interval`` (1 s by default).
- ``premium`` = (mark - index) / index in percent (2 decimals); ``relative_funding_rate`` =
  (mark - index) / index / 8, clamped to ±0.0025 and rounded to 12 decimals;
  ``funding_rate`` = ``funding_rate_prediction`` = relative rate * index (USD per contract).
  No funding is ever paid. Mark = mid of the product's best bid/ask (last trade as fallback),
  index = mid of the matching spot pair when listed here, else the mark.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tui.exchange.events import Event, FuturesFill, FuturesOrderEvent, L3Changed, LevelChanged, PublicTrade
from tui.exchange.orders import Order
from tui.exchange.pairs import START_PRICES
from tui.exchange.positions import IM_RATE, MM_RATE
from tui.exchange.stats import Candle, MarketStats
from tui.kraken.auth import sign_futures_challenge
from tui.kraken.instrument import Instrument
from tui.kraken.jsontext import dumps
from tui.kraken.rfc3339 import format_rfc3339 as rfc3339

if TYPE_CHECKING:
    from tui.exchange.server import RunningExchange, _Conn

__all__ = ["FuturesGateway", "ms"]

PUBLIC_FEEDS = ("book", "ticker", "ticker_lite", "trade")
# candles_trade_<resolution> (+ ``_snapshot``): the resolutions both venues have
CANDLE_FEEDS = {
    "candles_trade_1m": 1,
    "candles_trade_5m": 5,
    "candles_trade_15m": 15,
    "candles_trade_30m": 30,
    "candles_trade_1h": 60,
    "candles_trade_4h": 240,
    "candles_trade_1d": 1440,
    "candles_trade_1w": 10080,
}
_FEED_OF_INTERVAL = {m: f for f, m in CANDLE_FEEDS.items()}
PRIVATE_FEEDS = ("open_orders", "fills", "open_positions", "balances")
FAILED_AUTH = "Failed to subscribe to authenticated feed"
MAX_RELATIVE_FUNDING = Decimal("0.0025")
ZERO = Decimal(0)


def _unsigned_zero(d: Decimal) -> Decimal:
    """``-0.00`` -> ``0.00`` (a rounded tiny negative must not print as ``-0``)."""
    return d if d else abs(d)


def ms(ts: float) -> int:
    return int(ts * 1000)


def iso(ts: float) -> str:
    return rfc3339(ts, 3)


def pair_name(symbol: str) -> str:
    """``PF_XBTUSD`` -> ``XBT:USD``."""
    core = symbol.split("_", 1)[-1]
    return f"{core[:-3]}:{core[-3:]}"


def order_type_code(order_type: str, time_in_force: str, post_only: bool) -> str:
    """The REST ``orderType`` an engine order was placed as."""
    if order_type.startswith("stop-loss"):
        return "stp"
    if order_type.startswith("take-profit"):
        return "take_profit"
    if order_type == "market":
        return "mkt"
    if post_only:
        return "post"
    return "ioc" if time_in_force == "ioc" else "lmt"


def feed_type(order_type: str) -> str:
    if order_type.startswith("stop-loss"):
        return "stop"
    if order_type.startswith("take-profit"):
        return "take_profit"
    return "limit"


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


@dataclass
class _State:
    """Per-connection futures state: challenges issued here, the authenticated user, sequences."""

    challenges: set[str] = field(default_factory=set)
    user: str | None = None
    api_key: str | None = None
    seq: dict[str, int] = field(default_factory=dict)
    last_push: float = 0.0
    pushed: dict[str, str] = field(default_factory=dict)  # feed -> last payload (without seq/time)

    def next_seq(self, feed: str) -> int:
        self.seq[feed] = self.seq.get(feed, 0) + 1
        return self.seq[feed]


class FuturesGateway:
    """The futures venue: WS v1 feeds and (through ``FuturesRest``) REST v3 order entry."""

    def __init__(self, ex: RunningExchange, products: dict[str, Instrument]) -> None:
        from tui.exchange.futures_rest import FuturesRest

        self.ex = ex
        self.engine = ex.engine
        self.products = products
        self.stats = {s: MarketStats(p) for s, p in products.items()}
        self.book_seq = dict.fromkeys(products, 0)
        self.state: dict[_Conn, _State] = {}
        self.new_challenge: Callable[[], str] = lambda: str(uuid.uuid4())
        self.rest = FuturesRest(self)
        self._last_bbo: dict[str, tuple[Any, Any]] = {}

    # --- setup ------------------------------------------------------------------------------
    def seed(self, now: float, seed: int) -> None:
        for i, (s, st) in enumerate(self.stats.items()):
            # a history of its own, not a copy of the spot pair's seeded walk
            st.seed_history(
                now, self.products[s].round_price(START_PRICES[s], up=False), seed + 7919 * (i + 1)
            )

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/ws/v1", self.ws)
        self.rest.add_routes(app)

    # --- numbers ------------------------------------------------------------------------------
    def ticker(self, symbol: str) -> dict[str, Any]:
        pair = self.products[symbol]
        eng = self.engine
        bid = eng.levels(symbol, "bid", 1)
        ask = eng.levels(symbol, "ask", 1)
        spot = self.stats[symbol].ticker(bid[0] if bid else None, ask[0] if ask else None)
        mark = eng.mark_price(symbol) or ZERO
        index = eng.index_price(symbol) or mark
        premium = relative = ZERO
        if index:
            premium = ((mark - index) / index * 100).quantize(Decimal("0.01"))
            relative = max(-MAX_RELATIVE_FUNDING, min(MAX_RELATIVE_FUNDING, (mark - index) / index / 8))
        relative = _unsigned_zero(relative.quantize(Decimal("1e-12")))
        funding = _unsigned_zero((relative * index).quantize(Decimal("1e-12")))
        premium = _unsigned_zero(premium)
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
            "volumeQuote": self.stats[symbol].notional,
            "last": spot["last"],
            "change": spot["change_pct"],
            "index": index,
            "markPrice": mark,
            "premium": premium,
            "funding_rate": funding,
            "relative_funding_rate": relative,
            "funding_rate_prediction": funding,
            "relative_funding_rate_prediction": relative,
            "next_funding_rate_time": ms(now - now % 3600 + 3600),
            "openInterest": self.open_interest(symbol),
            "dtm": 0,
            "leverage": "50x",
            "tag": "perpetual",
            "pair": pair_name(symbol),
            "suspended": False,
            "post_only": False,
            "maturityTime": 0,
        }

    def ticker_lite(self, row: dict[str, Any]) -> dict[str, Any]:
        keys = ("product_id", "bid", "ask", "change", "premium", "volume", "volumeQuote", "tag", "pair")
        out = {"feed": "ticker_lite", **{k: row[k] for k in keys}}
        out.update(dtm=0, maturityTime=0, markPrice=row["markPrice"])
        return out

    def open_interest(self, symbol: str) -> Decimal:
        total = ZERO
        for per_user in self.engine.ledger.positions.values():
            pos = per_user.get(symbol)
            if pos is not None:
                q = pos.qty
                if q > 0:
                    total += q
        return total

    def order_wire(self, o: Order) -> dict[str, Any]:
        pair = self.products[o.symbol]
        stop = o.trigger_price is not None and feed_type(o.order_type) != "limit"
        limit = o.limit_price if o.limit_price is not None else o.trigger_price
        row: dict[str, Any] = {
            "instrument": o.symbol,
            "time": ms(o.created),
            "last_update_time": ms(o.updated or o.created),
            "qty": pair.qty_decimal(o.remaining),
            "filled": pair.qty_decimal(o.filled),
            "limit_price": pair.price_decimal(limit) if limit is not None else ZERO,
            "type": feed_type(o.order_type),
            "order_id": o.order_id,
            "cli_ord_id": o.cl_ord_id,
            "direction": 0 if o.side == "buy" else 1,
            "reduce_only": o.reduce_only,
        }
        if stop:
            assert o.trigger_price is not None
            row["stop_price"] = pair.price_decimal(o.trigger_price)
            row["triggerSignal"] = "last"
        return row

    def fill_wire(self, f: FuturesFill) -> dict[str, Any]:
        pair = self.products[f.symbol]
        return {
            "instrument": f.symbol,
            "time": ms(f.timestamp),
            "price": pair.price_decimal(f.price),
            "seq": f.seq,
            "buy": f.side == "buy",
            "qty": pair.qty_decimal(f.qty),
            "remaining_order_qty": pair.qty_decimal(f.remaining),
            "order_id": f.order_id,
            "cli_ord_id": f.cl_ord_id,
            "fill_id": f.fill_id,
            "fill_type": f.liquidity,
            "fee_paid": f.fee,
            "fee_currency": "USD",
            "order_type": order_type_code(f.order_type, f.time_in_force, f.post_only),
        }

    def positions(self, user: str) -> list[dict[str, Any]]:
        eng = self.engine
        margin = eng.futures_margin(user)
        rows = []
        mms = {}
        marks = {s: eng.mark_price(s) for s in self.products}
        open_positions = eng.ledger.open_positions(user)
        for s, pos in open_positions.items():
            mark = marks[s] or pos.entry_price
            mms[s] = abs(pos.qty) * mark * MM_RATE
        for s, pos in open_positions.items():
            pair = self.products[s]
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
                    "index_price": eng.index_price(s) or mark,
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

    def flex(self, user: str) -> dict[str, Any]:
        m = self.engine.futures_margin(user)
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

    # --- WebSocket ----------------------------------------------------------------------------
    async def ws(self, request: web.Request) -> web.StreamResponse:
        from tui.exchange.server import _Conn

        if time.time() < self.ex.faults.refuse_until:
            return web.Response(status=503, text="refused by fault injection")
        ws = web.WebSocketResponse(max_msg_size=1 << 20, autoping=False)
        await ws.prepare(request)
        conn = _Conn(self.ex, ws, "futures")
        st = self.state[conn] = _State()
        self.ex.conns.add(conn)
        writer = asyncio.create_task(conn.writer())
        conn.send({"event": "info", "version": 1})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.PING:
                    conn.last_rx = time.monotonic()
                    await ws.pong(msg.data)
                    continue
                if msg.type != WSMsgType.TEXT:
                    continue
                conn.last_rx = time.monotonic()
                try:
                    self._handle(conn, st, msg.data)
                except Exception:  # a bad request must never take the server down
                    import logging

                    logging.getLogger("tui.exchange").exception("futures request failed")
                    conn.send({"event": "error", "message": "Internal error"})
                self.ex.publish()
        finally:
            self.state.pop(conn, None)
            self.ex.conns.discard(conn)
            await conn.close()
            writer.cancel()
        return ws

    def _handle(self, conn: _Conn, st: _State, text: str) -> None:
        try:
            req = json.loads(text, parse_float=Decimal)
        except ValueError:
            req = None
        if not isinstance(req, dict):
            conn.send({"event": "error", "message": "Json Error"})
            return
        event = req.get("event")
        if event == "challenge":
            if not isinstance(req.get("api_key"), str):
                conn.send({"event": "error", "message": "Json Error"})
                return
            challenge = self.new_challenge()
            st.challenges.add(challenge)
            conn.send({"event": "challenge", "message": challenge})
            return
        if event not in ("subscribe", "unsubscribe"):
            conn.send({"event": "error", "message": "Json Error"})
            return
        feed = req.get("feed")
        sub = event == "subscribe"
        if feed == "heartbeat":
            (conn.subs.add if sub else conn.subs.discard)(("f", "heartbeat"))
            conn.send({"event": "subscribed" if sub else "unsubscribed", "feed": "heartbeat"})
            return
        if feed in PRIVATE_FEEDS:
            self._private(conn, st, feed, sub, req)
            return
        if feed not in PUBLIC_FEEDS and feed not in CANDLE_FEEDS:
            verb = "subscribe to" if sub else "unsubscribe from"
            conn.send({"event": "alert", "message": f"Couldn't {verb} invalid feed"})
            return
        ids = req.get("product_ids")
        if not isinstance(ids, list) or not all(isinstance(p, str) for p in ids):
            conn.send({"event": "error", "message": "Json Error"})
            return
        known = [p for p in ids if p in self.products]
        unknown = [p for p in ids if p not in self.products]
        if unknown:
            conn.send(
                {
                    "event": "subscribed_failed" if sub else "unsubscribed_failed",
                    "feed": feed,
                    "product_ids": unknown,
                }
            )
        if not known:
            return
        if not sub:
            for p in known:
                conn.subs.discard(("f", feed, p))
            conn.send({"event": "unsubscribed", "feed": feed, "product_ids": known})
            return
        self.ex.publish()  # bring every feed up to date before a snapshot is cut
        conn.send({"event": "subscribed", "feed": feed, "product_ids": known})
        for p in known:
            conn.subs.add(("f", feed, p))
            self._snapshot(conn, feed, p)

    def _snapshot(self, conn: _Conn, feed: str, symbol: str) -> None:
        pair = self.products[symbol]
        if feed == "book":
            conn.send(
                {
                    "feed": "book_snapshot",
                    "product_id": symbol,
                    "timestamp": ms(time.time()),
                    "seq": self.book_seq[symbol],
                    "tickSize": None,
                    "bids": [
                        {"price": pair.price_decimal(p), "qty": pair.qty_decimal(q)}
                        for p, q in self.engine.levels(symbol, "bid")
                    ],
                    "asks": [
                        {"price": pair.price_decimal(p), "qty": pair.qty_decimal(q)}
                        for p, q in self.engine.levels(symbol, "ask")
                    ],
                }
            )
        elif feed == "trade":
            trades = [self._trade_row(t) for t in reversed(self.engine.trades(symbol, 100))]
            conn.send({"feed": "trade_snapshot", "product_id": symbol, "trades": trades})
        elif feed in CANDLE_FEEDS:
            candles = self.stats[symbol].candles[CANDLE_FEEDS[feed]]
            conn.send(
                {
                    "feed": f"{feed}_snapshot",
                    "product_id": symbol,
                    "candles": [self._candle_row(pair, c) for c in candles],
                }
            )
        elif feed == "ticker":
            conn.send(self.ticker(symbol))
        elif feed == "ticker_lite":
            conn.send(self.ticker_lite(self.ticker(symbol)))

    @staticmethod
    def _candle_row(pair: Instrument, c: Candle) -> dict[str, Any]:
        """Prices as text, as Kraken's futures candle feed sends them; volume in contracts."""
        return {
            "time": ms(c.begin),
            "open": format(pair.price_decimal(c.open), "f"),
            "high": format(pair.price_decimal(c.high), "f"),
            "low": format(pair.price_decimal(c.low), "f"),
            "close": format(pair.price_decimal(c.close), "f"),
            "volume": pair.qty_decimal(c.volume),
        }

    def _trade_row(self, t: PublicTrade) -> dict[str, Any]:
        pair = self.products[t.symbol]
        return {
            "feed": "trade",
            "product_id": t.symbol,
            "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kraken-tui:{t.symbol}:{t.trade_id}")),
            "side": t.side,
            "type": "fill",
            "seq": t.trade_id,
            "time": ms(t.timestamp),
            "qty": pair.qty_decimal(t.qty),
            "price": pair.price_decimal(t.price),
        }

    # --- private --------------------------------------------------------------------------------
    def verify(self, st: _State, req: dict[str, Any]) -> str | None:
        """The user of a private (un)subscribe, or None when its challenge does not check out."""
        key, original, signed = req.get("api_key"), req.get("original_challenge"), req.get("signed_challenge")
        if not (isinstance(key, str) and isinstance(original, str) and isinstance(signed, str)):
            return None
        entry = self.ex.users.get(key)
        if entry is None or original not in st.challenges:
            return None
        secret, user = entry
        try:
            expected = sign_futures_challenge(original, secret)
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(expected, signed):
            return None
        return user

    def _private(self, conn: _Conn, st: _State, feed: str, sub: bool, req: dict[str, Any]) -> None:
        user = self.verify(st, req)
        if user is None or (st.user is not None and st.user != user):
            conn.send({"event": "alert", "message": FAILED_AUTH})
            return
        st.user, st.api_key = user, req["api_key"]
        conn.user = user
        ack = {
            "event": "subscribed" if sub else "unsubscribed",
            "feed": feed,
            "api_key": req["api_key"],
            "original_challenge": req["original_challenge"],
            "signed_challenge": req["signed_challenge"],
        }
        if not sub:
            conn.subs.discard(("f", feed))
            conn.send(ack)
            return
        self.ex.publish()
        conn.subs.add(("f", feed))
        conn.send(ack)
        if feed == "open_orders":
            orders = [self.order_wire(o) for o in self.engine.futures_orders(user)]
            conn.send({"feed": "open_orders_snapshot", "account": user, "orders": orders})
        elif feed == "fills":
            fills = [self.fill_wire(f) for f in self.engine.futures_fills(user, 100)]
            conn.send({"feed": "fills_snapshot", "account": user, "fills": fills})
        elif feed == "open_positions":
            self._send_positions(conn, st, user, force=True)
        elif feed == "balances":
            self._send_balances(conn, st, user, "balances_snapshot", force=True)

    def _send_positions(self, conn: _Conn, st: _State, user: str, *, force: bool = False) -> None:
        self._push(
            conn, st, "open_positions", "open_positions", user, "positions", self.positions(user), force
        )

    def _send_balances(self, conn: _Conn, st: _State, user: str, feed: str, *, force: bool = False) -> None:
        self._push(conn, st, "balances", feed, user, "flex_futures", self.flex(user), force)

    def _push(
        self, conn: _Conn, st: _State, key: str, feed: str, user: str, name: str, body: Any, force: bool
    ) -> None:
        """Send an account frame only when its numbers changed (or on subscribe), with the
        feed's own ``seq``: mark moves re-evaluate these every second."""
        text = dumps(body)
        if not force and st.pushed.get(key) == text:
            return
        st.pushed[key] = text
        conn.send(
            {
                "feed": feed,
                "account": user,
                name: body,
                "seq": st.next_seq(key),
                "timestamp": ms(time.time()),
            }
        )

    def _user_conns(self, user: str) -> list[tuple[_Conn, _State]]:
        return [(c, st) for c, st in self.state.items() if st.user == user]

    # --- publishing -----------------------------------------------------------------------------
    def route(self, events: list[Event]) -> list[Event]:
        """Publish the futures events; return the rest (spot) for the v2 publisher."""
        products = self.products
        rest: list[Event] = []
        touched: set[str] = set()
        traded: set[str] = set()
        filled_users: set[str] = set()
        account_users: set[str] = set()
        subscribers = [c for c in self.state if c.subs]
        for e in events:
            if isinstance(e, LevelChanged | L3Changed | PublicTrade) and e.symbol not in products:
                rest.append(e)
                continue
            if isinstance(e, LevelChanged):
                self.book_seq[e.symbol] += 1
                touched.add(e.symbol)
                key = ("f", "book", e.symbol)
                subs = [c for c in subscribers if key in c.subs]
                if subs:
                    pair = products[e.symbol]
                    frame = {
                        "feed": "book",
                        "product_id": e.symbol,
                        "side": "buy" if e.side == "bid" else "sell",
                        "seq": self.book_seq[e.symbol],
                        "price": pair.price_decimal(e.price),
                        "qty": pair.qty_decimal(e.qty),
                        "timestamp": ms(time.time()),
                    }
                    for c in subs:
                        c.send(frame, data=True)
            elif isinstance(e, PublicTrade):
                for candle in self.stats[e.symbol].on_trade(e.timestamp, e.price, e.qty):
                    cfeed = _FEED_OF_INTERVAL.get(candle.interval)
                    ckey = ("f", cfeed, e.symbol)
                    csubs = [c for c in subscribers if ckey in c.subs] if cfeed else []
                    if csubs:
                        crow = {
                            "feed": cfeed,
                            "candle": self._candle_row(products[e.symbol], candle),
                            "product_id": e.symbol,
                        }
                        for c in csubs:
                            c.send(crow, data=True)
                traded.add(e.symbol)
                key = ("f", "trade", e.symbol)
                subs = [c for c in subscribers if key in c.subs]
                if subs:
                    row = self._trade_row(e)
                    for c in subs:
                        c.send(row, data=True)
            elif isinstance(e, FuturesOrderEvent):
                account_users.add(e.user)
                update = self._order_update(e)
                if update is not None:
                    for c, _st in self._user_conns(e.user):
                        if ("f", "open_orders") in c.subs:
                            c.send(update)
            elif isinstance(e, FuturesFill):
                filled_users.add(e.user)
                account_users.add(e.user)
                for c, _st in self._user_conns(e.user):
                    if ("f", "fills") in c.subs:
                        c.send({"feed": "fills", "username": e.user, "fills": [self.fill_wire(e)]})
            elif isinstance(e, L3Changed):
                continue  # no per-order feed on the futures side
            else:
                rest.append(e)
        for symbol in touched | traded:
            self._tickers(symbol, symbol in traded, subscribers)
        for user in account_users:
            for c, st in self._user_conns(user):
                if user in filled_users and ("f", "open_positions") in c.subs:
                    self._send_positions(c, st, user, force=True)
                if ("f", "balances") in c.subs:
                    self._send_balances(c, st, user, "balances")
        return rest

    def _tickers(self, symbol: str, traded: bool, subscribers: list[_Conn]) -> None:
        full = [c for c in subscribers if ("f", "ticker", symbol) in c.subs]
        lite = [c for c in subscribers if ("f", "ticker_lite", symbol) in c.subs]
        if not full and not lite:
            return
        bid = self.engine.levels(symbol, "bid", 1)
        ask = self.engine.levels(symbol, "ask", 1)
        bbo = (bid[0] if bid else None, ask[0] if ask else None)
        if not traded and self._last_bbo.get(symbol) == bbo:
            return
        self._last_bbo[symbol] = bbo
        row = self.ticker(symbol)
        for c in full:
            c.send(row, data=True)
        if lite:
            lite_row = self.ticker_lite(row)
            for c in lite:
                c.send(lite_row, data=True)

    def _order_update(self, e: FuturesOrderEvent) -> dict[str, Any] | None:
        o = e.order
        if o.order_type == "market":
            return None  # never rests: its fills tell the story
        if e.exec_type in ("canceled", "filled", "expired"):
            reason = (
                "full_fill"
                if e.exec_type == "filled"
                else CANCEL_REASONS.get(e.reason or "", "cancelled_by_user")
            )
            return {
                "feed": "open_orders",
                "order_id": o.order_id,
                "cli_ord_id": o.cl_ord_id,
                "is_cancel": True,
                "reason": reason,
            }
        why = {
            "new": "new_placed_order_by_user",
            "amended": "edited_by_user",
            "trade": "partial_fill",
            "status": "stop_order_triggered",
        }.get(e.exec_type)
        if why is None:
            return None
        return {"feed": "open_orders", "order": self.order_wire(o), "is_cancel": False, "reason": why}

    def on_clock(self, heartbeat: bool) -> None:
        """Heartbeats, and open_positions / balances when marks moved (at most once a second)."""
        now = time.monotonic()
        for c, st in list(self.state.items()):
            if heartbeat and ("f", "heartbeat") in c.subs:
                c.send({"feed": "heartbeat", "time": ms(time.time())})
            if st.user is None or now - st.last_push < 1.0:
                continue
            if not self.engine.ledger.open_positions(st.user):
                continue
            st.last_push = now
            if ("f", "open_positions") in c.subs:
                self._send_positions(c, st, st.user)
            if ("f", "balances") in c.subs:
                self._send_balances(c, st, st.user, "balances")


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
