"""Futures v1 publishing: the engine's futures events become book, trade, candle, ticker and
account frames; the spot events are handed back for the v2 publisher."""

from __future__ import annotations

import time
from typing import Any

from tui.exchange.conn import Conn
from tui.exchange.events import Event, FuturesFill, FuturesOrderEvent, L3Changed, LevelChanged, PublicTrade
from tui.exchange.futures.account import ticker, ticker_lite
from tui.exchange.futures.rows import FEED_OF_INTERVAL, candle_row, fill_wire, ms, order_update, trade_row
from tui.exchange.futures.state import FuturesVenue

__all__ = ["FuturesPublisher"]


class FuturesPublisher:
    def __init__(self, venue: FuturesVenue) -> None:
        self.venue = venue
        self.engine = venue.engine
        self.products = venue.products
        self._last_bbo: dict[str, tuple[Any, Any]] = {}

    def route(self, events: list[Event]) -> list[Event]:
        """Publish the futures events; return the rest (spot) for the v2 publisher."""
        rest: list[Event] = []
        touched: set[str] = set()
        traded: set[str] = set()
        filled_users: set[str] = set()
        account_users: set[str] = set()
        subscribers = [c for c in self.venue.state if c.subs]
        for e in events:
            if isinstance(e, LevelChanged | L3Changed | PublicTrade) and e.symbol not in self.products:
                rest.append(e)
            elif isinstance(e, LevelChanged):
                touched.add(e.symbol)
                self._level(e, subscribers)
            elif isinstance(e, PublicTrade):
                traded.add(e.symbol)
                self._trade(e, subscribers)
            elif isinstance(e, FuturesOrderEvent):
                account_users.add(e.user)
                self._order(e)
            elif isinstance(e, FuturesFill):
                filled_users.add(e.user)
                account_users.add(e.user)
                self._fill(e)
            elif not isinstance(e, L3Changed):  # no per-order feed on the futures side
                rest.append(e)
        for symbol in touched | traded:
            self._tickers(symbol, symbol in traded, subscribers)
        for user in account_users:
            for c, st in self.venue.user_conns(user):
                if user in filled_users and ("f", "open_positions") in c.subs:
                    self.venue.send_positions(c, st, user, force=True)
                if ("f", "balances") in c.subs:
                    self.venue.send_balances(c, st, user, "balances")
        return rest

    def _level(self, e: LevelChanged, subscribers: list[Conn]) -> None:
        self.venue.book_seq[e.symbol] += 1
        key = ("f", "book", e.symbol)
        subs = [c for c in subscribers if key in c.subs]
        if not subs:
            return
        pair = self.products[e.symbol]
        frame = {
            "feed": "book",
            "product_id": e.symbol,
            "side": "buy" if e.side == "bid" else "sell",
            "seq": self.venue.book_seq[e.symbol],
            "price": pair.price_decimal(e.price),
            "qty": pair.qty_decimal(e.qty),
            "timestamp": ms(time.time()),
        }
        for c in subs:
            c.send(frame, data=True)

    def _trade(self, e: PublicTrade, subscribers: list[Conn]) -> None:
        pair = self.products[e.symbol]
        for candle in self.venue.stats[e.symbol].on_trade(e.timestamp, e.price, e.qty):
            cfeed = FEED_OF_INTERVAL.get(candle.interval)
            ckey = ("f", cfeed, e.symbol)
            csubs = [c for c in subscribers if ckey in c.subs] if cfeed else []
            if csubs:
                crow = {"feed": cfeed, "candle": candle_row(pair, candle), "product_id": e.symbol}
                for c in csubs:
                    c.send(crow, data=True)
        key = ("f", "trade", e.symbol)
        subs = [c for c in subscribers if key in c.subs]
        if subs:
            row = trade_row(pair, e)
            for c in subs:
                c.send(row, data=True)

    def _order(self, e: FuturesOrderEvent) -> None:
        update = order_update(self.products[e.order.symbol], e)
        if update is None:
            return
        for c, _st in self.venue.user_conns(e.user):
            if ("f", "open_orders") in c.subs:
                c.send(update)

    def _fill(self, e: FuturesFill) -> None:
        for c, _st in self.venue.user_conns(e.user):
            if ("f", "fills") in c.subs:
                fill = fill_wire(self.products[e.symbol], e)
                c.send({"feed": "fills", "username": e.user, "fills": [fill]})

    def _tickers(self, symbol: str, traded: bool, subscribers: list[Conn]) -> None:
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
        row = ticker(self.engine, self.venue.stats[symbol], self.products[symbol])
        for c in full:
            c.send(row, data=True)
        if lite:
            lite_row = ticker_lite(row)
            for c in lite:
                c.send(lite_row, data=True)

    def on_clock(self, heartbeat: bool) -> None:
        """Heartbeats, and open_positions / balances when marks moved (at most once a second)."""
        now = time.monotonic()
        for c, st in list(self.venue.state.items()):
            if heartbeat and ("f", "heartbeat") in c.subs:
                c.send({"feed": "heartbeat", "time": ms(time.time())})
            if st.user is None or now - st.last_push < 1.0:
                continue
            if not self.engine.ledger.open_positions(st.user):
                continue
            st.last_push = now
            if ("f", "open_positions") in c.subs:
                self.venue.send_positions(c, st, st.user)
            if ("f", "balances") in c.subs:
                self.venue.send_balances(c, st, st.user, "balances")
