"""The synthetic market: seeded participants who post, cancel and take liquidity.

Each symbol has a fair value following a seeded random walk. Makers quote around it (more size
further out), cancel stale quotes, and takers hit the book now and then, so book, trades, ticker
and candles move like a real market at a chosen message rate. All of it goes through the same
matching engine as the user's orders, so a user's order can trade with the synthetic flow.
"""

from __future__ import annotations

import contextlib
import random
from bisect import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from tui.exchange.engine import Engine
from tui.exchange.orders import OrderError, OrderRequest
from tui.kraken.instrument import Instrument

__all__ = ["MAKER", "TAKER", "Activity", "SyntheticMarket"]

MAKER = "__market_maker__"
TAKER = "__market_taker__"
HUGE = Decimal(10) ** 15


@dataclass(frozen=True)
class Activity:
    """One symbol's place in a wide market: its share of the actions, how deep its book is
    seeded, and a typical order's value in quote units (500 USD worth)."""

    weight: float
    levels: int = 200
    notional: Decimal = Decimal(500)


class _SymbolMarket:
    def __init__(
        self,
        engine: Engine,
        pair: Instrument,
        start: Decimal,
        rng: random.Random,
        levels: int,
        notional: Decimal = Decimal(500),
    ) -> None:
        self.engine = engine
        self.pair = pair
        self.rng = rng
        self.fair = pair.round_price(start, up=False)
        step = pair.price_increment
        # a tick spacing that gives a realistic ~1-2 bp between levels at every price scale
        self.spacing = max(step, (self.fair // 20000) // step * step)
        self.levels = levels
        # typical order size: ~ $50-5000 notional, at least the pair minimum
        self.unit = max(
            pair.qty_min,
            pair.qty_ticks(
                (notional / pair.price_decimal(self.fair)).quantize(Decimal(1).scaleb(-pair.qty_precision))
            ),
        )
        self.orders: list[str] = []

    def _qty(self) -> int:
        q = int(self.unit * self.rng.lognormvariate(0, 1.0)) + self.pair.qty_min
        return q - q % self.pair.qty_increment or self.pair.qty_increment

    def post(self, side: str | None = None) -> None:
        side = side or self.rng.choice(("buy", "sell"))
        # most activity sits at the touch, as on a real book; now and then the depth is refilled
        if self.rng.random() < 0.85:
            dist = 1 + int(self.rng.expovariate(1 / 4))
        else:
            dist = self.rng.randint(1, self.levels * 2)
        price = self.fair - dist * self.spacing if side == "buy" else self.fair + dist * self.spacing
        if price <= 0:
            return
        qty = self._qty() * (1 + dist // 20)
        try:
            o = self.engine.add_order(MAKER, OrderRequest("limit", side, self.pair.symbol, qty, price))
        except OrderError:
            return
        if o.is_open:
            self.orders.append(o.order_id)

    def cancel(self) -> None:
        if self.rng.random() < 0.75:
            side = self.rng.choice(("bid", "ask"))
            near = [
                o
                for _, orders in self.engine.l3_levels(self.pair.symbol, side, 10)
                for o in orders
                if o.user == MAKER
            ]
            if near:
                with contextlib.suppress(OrderError):
                    self.engine.cancel_orders(MAKER, [self.rng.choice(near).order_id])
                return
        while self.orders:
            i = self.rng.randrange(len(self.orders))
            oid = self.orders[i]
            self.orders[i] = self.orders[-1]
            self.orders.pop()
            if self.engine.order(oid) is not None:
                with contextlib.suppress(OrderError):
                    self.engine.cancel_orders(MAKER, [oid])
                return

    def take(self) -> None:
        side = "buy" if self.rng.random() < 0.5 + (0.1 if self.drift > 0 else -0.1) else "sell"
        qty = self._qty()
        with contextlib.suppress(OrderError):
            self.engine.add_order(TAKER, OrderRequest("market", side, self.pair.symbol, qty))

    drift = 0

    def walk(self) -> None:
        self.drift = self.rng.choice((-1, 0, 1))
        self.fair += self.drift * self.spacing
        self.fair = max(self.fair, self.spacing * 10)

    def step(self) -> None:
        r = self.rng.random()
        if len(self.orders) < self.levels:
            r *= 0.55
        if r < 0.5:
            self.post()
        elif r < 0.88:
            self.cancel()
        elif r < 0.97:
            self.take()
        else:
            self.walk()

    def seed(self) -> None:
        for i in range(1, self.levels + 1):
            for side in ("buy", "sell"):
                price = self.fair - i * self.spacing if side == "buy" else self.fair + i * self.spacing
                if price > 0:
                    try:
                        o = self.engine.add_order(
                            MAKER,
                            OrderRequest("limit", side, self.pair.symbol, self._qty() * (1 + i // 20), price),
                        )
                        self.orders.append(o.order_id)
                    except OrderError:
                        pass


class SyntheticMarket:
    """Drives every symbol's participants; ``tick(n)`` performs about ``n`` book-changing actions.

    Without ``activity`` every symbol is as busy as the next (the default demo's few pairs); with
    it each symbol gets its weight's share of the actions and its own seeded depth and order size.
    """

    def __init__(
        self,
        engine: Engine,
        symbols: list[str],
        starts: Mapping[str, Decimal],
        seed: int,
        levels: int = 200,
        activity: Mapping[str, Activity] | None = None,
    ) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        engine.open_account(MAKER, {a: HUGE for a in _assets(engine, symbols)})
        engine.open_account(TAKER, {a: HUGE for a in _assets(engine, symbols)})
        engine.unlimited.update({MAKER, TAKER})
        shape = activity or {}
        self.markets = [
            _SymbolMarket(
                engine,
                engine.pairs[s],
                starts[s],
                random.Random(self.rng.random()),
                shape[s].levels if s in shape else levels,
                shape[s].notional if s in shape else Decimal(500),
            )
            for s in symbols
        ]
        for m in self.markets:
            m.seed()
        # cumulative weights for a weighted pick; None: the uniform pick the default demo has always made
        self._cum: list[float] | None = (
            list(accumulate(shape[s].weight for s in symbols)) if activity is not None else None
        )
        self._carry = 0.0

    def _pick(self) -> _SymbolMarket:
        if self._cum is None:
            return self.rng.choice(self.markets)
        return self.markets[min(bisect(self._cum, self.rng.random() * self._cum[-1]), len(self.markets) - 1)]

    def tick(self, actions: float, after_each: Callable[[], None] | None = None) -> None:
        """About ``actions`` book-changing actions; ``after_each`` publishes each one on its own,
        as Kraken sends one update per engine event rather than one per batch."""
        self._carry += actions
        n = int(self._carry)
        self._carry -= n
        for _ in range(n):
            self._pick().step()
            if after_each is not None:
                after_each()


def _assets(engine: Engine, symbols: list[str]) -> set[str]:
    out: set[str] = set()
    for s in symbols:
        out.update((engine.pairs[s].base, engine.pairs[s].quote))
    return out
