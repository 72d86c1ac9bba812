"""Futures v1 WebSocket at ``/ws/v1``: the challenge, (un)subscribe, and each feed's snapshot."""

from __future__ import annotations

import hmac
import json
import time
from decimal import Decimal
from typing import Any

from aiohttp import web

from tui.exchange.conn import Conn
from tui.exchange.futures.account import ticker, ticker_lite
from tui.exchange.futures.rows import CANDLE_FEEDS, candle_row, fill_wire, ms, order_wire, trade_row
from tui.exchange.futures.state import ConnState, FuturesVenue
from tui.exchange.sockets import serve_socket
from tui.kraken.auth import sign_futures_challenge

__all__ = ["FuturesWs"]

PUBLIC_FEEDS = ("book", "ticker", "ticker_lite", "trade")
PRIVATE_FEEDS = ("open_orders", "fills", "open_positions", "balances")
FAILED_AUTH = "Failed to subscribe to authenticated feed"
JSON_ERROR = {"event": "error", "message": "Json Error"}


class FuturesWs:
    def __init__(self, venue: FuturesVenue) -> None:
        self.venue = venue
        self.ctx = venue.ctx
        self.engine = venue.engine
        self.products = venue.products

    async def serve(self, request: web.Request) -> web.StreamResponse:
        return await serve_socket(
            self.ctx,
            request,
            "futures",
            greeting={"event": "info", "version": 1},
            handle=self.handle,
            internal_error=lambda _time_in: {"event": "error", "message": "Internal error"},
            on_open=self._open,
            on_close=self._close,
            on_binary=lambda conn, _time_in: conn.send(JSON_ERROR),
            autoping=False,
        )

    def _open(self, conn: Conn) -> None:
        self.venue.state[conn] = ConnState()

    def _close(self, conn: Conn) -> None:
        self.venue.state.pop(conn, None)

    def handle(self, conn: Conn, text: str, _time_in: str) -> None:
        st = self.venue.state[conn]
        try:
            req = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError):  # not JSON, an int of 4,300+ digits, nested too deep
            req = None
        if not isinstance(req, dict):
            conn.send(JSON_ERROR)
            return
        event = req.get("event")
        if event == "challenge":
            if not isinstance(req.get("api_key"), str):
                conn.send(JSON_ERROR)
                return
            challenge = self.venue.new_challenge()
            st.add_challenge(challenge)
            conn.send({"event": "challenge", "message": challenge})
            return
        if event not in ("subscribe", "unsubscribe"):
            conn.send(JSON_ERROR)
            return
        feed = req.get("feed")
        sub = event == "subscribe"
        if feed == "heartbeat":
            (conn.subs.add if sub else conn.subs.discard)(("f", "heartbeat"))
            conn.send({"event": "subscribed" if sub else "unsubscribed", "feed": "heartbeat"})
        elif feed in PRIVATE_FEEDS:
            self._private(conn, st, str(feed), sub, req)
        elif isinstance(feed, str) and (feed in PUBLIC_FEEDS or feed in CANDLE_FEEDS):
            self._public(conn, str(feed), sub, req)
        else:
            verb = "subscribe to" if sub else "unsubscribe from"
            conn.send({"event": "alert", "message": f"Couldn't {verb} invalid feed"})

    def _public(self, conn: Conn, feed: str, sub: bool, req: dict[str, Any]) -> None:
        ids = req.get("product_ids")
        if not isinstance(ids, list) or not all(isinstance(p, str) for p in ids):
            conn.send(JSON_ERROR)
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
        self.ctx.publish()  # bring every feed up to date before a snapshot is cut
        conn.send({"event": "subscribed", "feed": feed, "product_ids": known})
        for p in known:
            conn.subs.add(("f", feed, p))
            self._snapshot(conn, feed, p)

    def _snapshot(self, conn: Conn, feed: str, symbol: str) -> None:
        pair = self.products[symbol]
        if feed == "book":
            conn.send(
                {
                    "feed": "book_snapshot",
                    "product_id": symbol,
                    "timestamp": ms(time.time()),
                    "seq": self.venue.book_seq[symbol],
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
            trades = [trade_row(pair, t) for t in reversed(self.engine.trades(symbol, 100))]
            conn.send({"feed": "trade_snapshot", "product_id": symbol, "trades": trades})
        elif feed in CANDLE_FEEDS:
            candles = self.venue.stats[symbol].candles[CANDLE_FEEDS[feed]]
            conn.send(
                {
                    "feed": f"{feed}_snapshot",
                    "product_id": symbol,
                    "candles": [candle_row(pair, c) for c in candles],
                }
            )
        elif feed == "ticker":
            conn.send(ticker(self.engine, self.venue.stats[symbol], pair))
        elif feed == "ticker_lite":
            conn.send(ticker_lite(ticker(self.engine, self.venue.stats[symbol], pair)))

    # --- private --------------------------------------------------------------------------------
    def verify(self, st: ConnState, req: dict[str, Any]) -> str | None:
        """The user of a private (un)subscribe, or None when its challenge does not check out."""
        key, original, signed = req.get("api_key"), req.get("original_challenge"), req.get("signed_challenge")
        if not (isinstance(key, str) and isinstance(original, str) and isinstance(signed, str)):
            return None
        entry = self.ctx.credentials.lookup(key)
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

    def _private(self, conn: Conn, st: ConnState, feed: str, sub: bool, req: dict[str, Any]) -> None:
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
        self.ctx.publish()
        conn.subs.add(("f", feed))
        conn.send(ack)
        self._private_snapshot(conn, st, feed, user)

    def _private_snapshot(self, conn: Conn, st: ConnState, feed: str, user: str) -> None:
        if feed == "open_orders":
            orders = [order_wire(self.products[o.symbol], o) for o in self.engine.futures_orders(user)]
            conn.send({"feed": "open_orders_snapshot", "account": user, "orders": orders})
        elif feed == "fills":
            fills = [fill_wire(self.products[f.symbol], f) for f in self.engine.futures_fills(user, 100)]
            conn.send({"feed": "fills_snapshot", "account": user, "fills": fills})
        elif feed == "open_positions":
            self.venue.send_positions(conn, st, user, force=True)
        elif feed == "balances":
            self.venue.send_balances(conn, st, user, "balances_snapshot", force=True)
