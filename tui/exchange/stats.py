"""Per-symbol ticker statistics and OHLC candles, built from the engine's public trades."""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tui.kraken.instrument import Instrument
from tui.kraken.rfc3339 import format_rfc3339
from tui.kraken.vocab import OHLC_INTERVALS

__all__ = ["DAY", "Candle", "MarketStats"]

DAY = 86400.0


@dataclass
class Candle:
    begin: float
    interval: int
    open: int
    high: int
    low: int
    close: int
    volume: int = 0  # qty ticks
    notional: Decimal = Decimal(0)
    trades: int = 0


class MarketStats:
    """Rolling 24 h ticker numbers, kept per minute.

    Per minute, not per trade: a demo or paper session runs for days at several trades a second,
    and a per-trade window grew to hundreds of thousands of entries that every ticker message
    scanned for its high and low. The window holds the 1-minute candles themselves (at most
    1,441), so it is 24 h to within a minute, as exact as a ticker needs.
    """

    def __init__(self, pair: Instrument) -> None:
        self.pair = pair
        self.window: deque[Candle] = deque()
        self.volume = 0
        self.notional = Decimal(0)
        self.count = 0
        self.last: int | None = None
        self.candles: dict[int, deque[Candle]] = {i: deque(maxlen=720) for i in OHLC_INTERVALS}
        self._seed: str | None = None  # set by seed_lazily: series are then made on demand

    def seed_history(self, ts: float, price: int, seed: int = 0) -> None:
        """A seeded past: candle histories and a 24 h window, all ending at ``price``.

        A synthetic market has no past of its own; without one the chart would start empty and
        the 24 h change would be meaningless.
        """
        rng = random.Random(seed)
        for interval, candles in self.candles.items():
            candles.extend(self._path(rng, ts, price, interval, 120))
        # the rolling window gets the seeded past too, from the 15-minute series (which, like
        # every series here, closes at ``price``), so the 24 h change, high and low roll out of
        # it over the day as a real past would, instead of jumping when the first trade lands
        self.window.extend(c for c in self.candles[15] if c.begin > ts - DAY)
        if not self.window:
            self.window.append(Candle(ts - ts % 60, 1, price, price, price, price))
        self.last = price  # the history closes at the current price: "last" before any trade

    def seed_lazily(self, ts: float, price: int, seed: int = 0) -> None:
        """``seed_history`` for a wide market, where almost no pair is ever charted.

        Seeding 683 pairs' nine series up front took seconds and hundreds of MB. Here the 24 h
        window is 24 seeded hourly candles, and each series is made when first asked for, ending
        at the last price of that moment (seeded per symbol and interval, so runs repeat)."""
        self._seed = f"{seed}:{self.pair.symbol}"
        self.candles = _SeriesOnDemand(self._series)
        self.window.extend(self._path(random.Random(f"{self._seed}:day"), ts, price, 60, 24))
        self.last = price

    def _series(self, interval: int) -> deque[Candle]:
        price = self.last if self.last is not None else self.pair.price_increment
        rng = random.Random(f"{self._seed}:{interval}")
        return deque(self._path(rng, time.time(), price, interval, 120), maxlen=720)

    def _path(self, rng: random.Random, ts: float, price: int, interval: int, n: int) -> list[Candle]:
        """``n`` seeded candles of ``interval`` minutes before the one holding ``ts``, oldest first,
        the newest closing at ``price``."""
        step = max(self.pair.price_increment, price // 4000)
        inc = self.pair.price_increment
        close = price
        rows = []
        for k in range(n):
            begin = ts - ts % (interval * 60) - (k + 1) * interval * 60
            move = int(rng.gauss(0, 1) * step * (interval**0.5))
            open_ = max(step, close - move)
            high = max(open_, close) + abs(int(rng.gauss(0, 0.6) * step * interval**0.5))
            low = max(step, min(open_, close) - abs(int(rng.gauss(0, 0.6) * step * interval**0.5)))
            rows.append(
                Candle(
                    begin,
                    interval,
                    open_ // inc * inc,
                    high // inc * inc,
                    low // inc * inc,
                    close // inc * inc,
                )
            )
            close = open_
        rows.reverse()
        return rows

    def on_trade(self, ts: float, price: int, qty: int) -> list[Candle]:
        self.last = price
        notional = self.pair.qty_decimal(qty) * self.pair.price_decimal(price)
        touched = [
            _add_trade(candles, interval, ts, price, qty, notional)
            for interval, candles in self.candles.items()
        ]
        window = self.window
        if self._seed is None:
            minute = self.candles[1][-1]
        else:  # the window keeps its own minutes: the 1-minute series may never be made
            begin = ts - ts % 60
            last = window[-1] if window else None
            if last is not None and last.interval == 1 and last.begin == begin:
                minute = last
                _extend(minute, price, qty, notional)
            else:
                minute = Candle(begin, 1, price, price, price, price, qty, notional, 1)
        if not window or window[-1] is not minute:
            window.append(minute)
        self.volume += qty
        self.notional += notional
        self.count += 1
        while len(window) > 1 and window[0].begin + 60 <= ts - DAY:
            gone = window.popleft()
            self.volume -= gone.volume
            self.notional -= gone.notional
            self.count -= gone.trades
        return touched

    def ticker(self, bid: tuple[int, int] | None, ask: tuple[int, int] | None) -> dict[str, object]:
        p = self.pair
        window = self.window
        first = window[0].open if window else 0
        high = max((m.high for m in window), default=0)
        low = min((m.low for m in window), default=0)
        last = self.last if self.last is not None else first
        pz = Decimal(1).scaleb(-p.price_precision)
        change = p.price_decimal(last - first)
        pct = (change / p.price_decimal(first) * 100).quantize(Decimal("0.01")) if first else Decimal("0.00")
        vwap = (
            (self.notional / p.qty_decimal(self.volume)).quantize(pz)
            if self.volume
            else p.price_decimal(last)
        )
        return {
            "symbol": p.symbol,
            "bid": p.price_decimal(bid[0]) if bid else Decimal(0).quantize(pz),
            "bid_qty": p.qty_decimal(bid[1]) if bid else p.qty_decimal(0),
            "ask": p.price_decimal(ask[0]) if ask else Decimal(0).quantize(pz),
            "ask_qty": p.qty_decimal(ask[1]) if ask else p.qty_decimal(0),
            "last": p.price_decimal(last),
            "volume": p.qty_decimal(self.volume),
            "vwap": vwap,
            "low": p.price_decimal(low),
            "high": p.price_decimal(high),
            "change": change,
            "change_pct": pct,
        }

    def candle_wire(self, c: Candle) -> dict[str, object]:
        p = self.pair
        pz = Decimal(1).scaleb(-p.price_precision)
        vwap = (c.notional / p.qty_decimal(c.volume)).quantize(pz) if c.volume else p.price_decimal(c.close)
        return {
            "symbol": p.symbol,
            "open": p.price_decimal(c.open),
            "high": p.price_decimal(c.high),
            "low": p.price_decimal(c.low),
            "close": p.price_decimal(c.close),
            "trades": c.trades,
            "volume": p.qty_decimal(c.volume),
            "vwap": vwap,
            "interval_begin": format_rfc3339(c.begin, 9),
            "interval": c.interval,
            "timestamp": format_rfc3339(c.begin + c.interval * 60, 6),
        }


class _SeriesOnDemand(dict[int, deque[Candle]]):
    """Interval -> candles, each series made the first time it is looked up; iterating yields only
    the series made so far, so a trade updates what exists and nothing more."""

    def __init__(self, make: Callable[[int], deque[Candle]]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, interval: int) -> deque[Candle]:
        if interval not in OHLC_INTERVALS:
            raise KeyError(interval)
        series = self[interval] = self._make(interval)
        return series


def _extend(c: Candle, price: int, qty: int, notional: Decimal) -> None:
    c.high = max(c.high, price)
    c.low = min(c.low, price)
    c.close = price
    c.volume += qty
    c.notional += notional
    c.trades += 1


def _add_trade(
    candles: deque[Candle], interval: int, ts: float, price: int, qty: int, notional: Decimal
) -> Candle:
    """The trade into its interval's current candle (a new one when the interval has turned)."""
    begin = ts - ts % (interval * 60)
    if candles and candles[-1].begin == begin:
        c = candles[-1]
        _extend(c, price, qty, notional)
    else:
        c = Candle(begin, interval, price, price, price, price, qty, notional, 1)
        candles.append(c)
    return c
