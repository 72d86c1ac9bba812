"""The embedded exchange's matching engine: price-time priority, fees, balances, triggers.

Pure and synchronous (an injectable clock, no I/O), so it can be property-tested and driven by the
server, the synthetic market and the mirror source alike. Every state change is appended to
``events`` in the order it happened; the server drains them after each call and turns them into
wire frames. Prices and quantities are integer ticks at the pair's precision; money is Decimal.

Futures products (``futures=``) trade in the same books with the same matching, but settle into
positions and USD collateral (``tui.exchange.positions``) instead of moving spot assets; their
orders are margin-checked instead of funds-checked and report ``FuturesOrderEvent`` /
``FuturesFill`` instead of spot executions and ledger entries.
"""

from __future__ import annotations

import copy
import itertools
import random
import string
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Any

from sortedcontainers import SortedDict

from tui.exchange.events import (
    Event,
    Execution,
    FuturesFill,
    FuturesOrderEvent,
    L3Changed,
    Ledger,
    LevelChanged,
    PublicTrade,
    RateCount,
)
from tui.exchange.execrows import layout
from tui.exchange.orders import Order, OrderError, OrderRequest, order_type_code
from tui.exchange.oto import check_conditional, contingent_fields, secondary_request
from tui.exchange.pairs import ASSET_PRECISION, FUTURES_INDEX
from tui.exchange.positions import FuturesLedger, MarginSummary
from tui.kraken.instrument import Instrument
from tui.kraken.rfc3339 import format_rfc3339
from tui.kraken.vocab import (
    FUTURES_MAKER_FEE,
    FUTURES_TAKER_FEE,
    LIMIT_PRICED_TYPES,
    ORDER_TYPES,
    SPOT_MAKER_FEE,
    SPOT_TAKER_FEE,
    TIME_IN_FORCE,
    TRIGGERED_TYPES,
)

__all__ = ["FEE_ACCOUNT", "Engine"]

FEE_ACCOUNT = "__fees__"
# Kraken "Intermediate" verification tier (protocol §1.6).
RATE_THRESHOLD = Decimal(125)
RATE_DECAY_PER_S = Decimal("2.34")
_CENT = Decimal("0.01")
_STP = "Self trade prevention"  # the reason on every STP cancel (Kraken's text is not documented)
_STP_TYPES = (
    "cancel_newest",
    "cancel_oldest",
    "cancel_both",
)  # the counter is kept (and reported) at two decimals


@dataclass
class _Account:
    total: dict[str, Decimal] = field(default_factory=dict)
    reserved: dict[str, Decimal] = field(default_factory=dict)

    def available(self, asset: str) -> Decimal:
        return self.total.get(asset, Decimal(0)) - self.reserved.get(asset, Decimal(0))


class _Book:
    """One symbol's resting orders: price key (negated for bids) -> {order_id: Order} in queue order."""

    def __init__(self) -> None:
        self.bids: SortedDict[int, dict[str, Order]] = SortedDict()
        self.asks: SortedDict[int, dict[str, Order]] = SortedDict()

    def side(self, side: str) -> SortedDict[int, dict[str, Order]]:
        return self.bids if side == "buy" else self.asks

    def opposite(self, side: str) -> SortedDict[int, dict[str, Order]]:
        return self.asks if side == "buy" else self.bids


def _key(side: str, price: int) -> int:
    return -price if side == "buy" else price


_ID_CHARS = string.ascii_uppercase + string.digits


def _new_id(rng: random.Random) -> str:
    """A Kraken-shaped id (``OXXXXX-XXXXX-XXXXXX``), seeded so runs are reproducible."""
    n = rng.getrandbits(88)
    out = []
    for i in range(17):
        n, r = divmod(n, 36)
        out.append(_ID_CHARS[r])
        if i in (5, 10):
            out.append("-")
    return "".join(out)


def _at(amount: Decimal, asset: str) -> Decimal:
    """An amount written at its asset's precision, as the venue's ledger rows are."""
    return amount.quantize(Decimal(1).scaleb(-ASSET_PRECISION.get(asset, 8)))


class Engine:
    def __init__(
        self,
        pairs: Mapping[str, Instrument],
        *,
        maker_fee: Decimal = SPOT_MAKER_FEE,
        taker_fee: Decimal = SPOT_TAKER_FEE,
        now: Callable[[], float] = time.time,
        max_open_orders: int = 80,
        seed: int = 0,
        rate_limits: bool = True,
        futures: Mapping[str, Instrument] | None = None,
        futures_maker_fee: Decimal = FUTURES_MAKER_FEE,
        futures_taker_fee: Decimal = FUTURES_TAKER_FEE,
    ) -> None:
        self.pairs = {**pairs, **(futures or {})}
        self.futures = frozenset(futures or ())
        self.futures_maker_fee = futures_maker_fee
        self.futures_taker_fee = futures_taker_fee
        self.ledger = FuturesLedger()
        self._frng = random.Random(seed + 1)  # futures ids: the spot id sequence stays as it was
        self._ffills: dict[str, deque[FuturesFill]] = {}
        self._fdms: dict[str, float] = {}
        self.maker_fee = maker_fee
        self.taker_fee = taker_fee
        self.now = now
        self.max_open_orders = max_open_orders
        self.rate_limits = rate_limits
        self._rng = random.Random(seed)
        self._books = {s: _Book() for s in self.pairs}
        self._orders: dict[str, Order] = {}
        self._untriggered: dict[str, dict[str, Order]] = {s: {} for s in self.pairs}
        self._closed: deque[Order] = deque(maxlen=5000)
        self._accounts: dict[str, _Account] = {FEE_ACCOUNT: _Account()}
        self._fills: dict[str, deque[dict[str, Any]]] = {}
        self._trades: dict[str, deque[PublicTrade]] = {s: deque(maxlen=1000) for s in self.pairs}
        self._trade_seq = dict.fromkeys(self.pairs, 0)
        self._last_price: dict[str, int | None] = dict.fromkeys(self.pairs, None)
        self._dms: dict[str, float] = {}
        self._rate: dict[tuple[str, str], tuple[Decimal, float]] = {}
        self._rate_changed: dict[tuple[str, str], None] = {}  # reported at the next drain
        self._rate_reported: dict[tuple[str, str], float] = {}
        self._dirty: dict[tuple[str, str, int], None] = {}
        self._ids = itertools.count(1)
        self.events: list[Event] = []
        self.unlimited: set[str] = set()
        self._held: dict[str, Order] = {}  # effective_time still ahead: validated, not in the book
        self._spawns: list[tuple[Order, int]] = []  # (OTO primary, filled qty) awaiting its secondary
        self._spawning = False

    # --- accounts ---------------------------------------------------------------------------
    def open_account(self, user: str, balances: Mapping[str, Decimal]) -> None:
        acct = self._accounts.setdefault(user, _Account())
        for asset, amount in balances.items():
            acct.total[asset] = acct.total.get(asset, Decimal(0)) + Decimal(amount)

    def has_account(self, user: str) -> bool:
        return user in self._accounts

    def balances(self, user: str) -> dict[str, tuple[Decimal, Decimal]]:
        """asset -> (total, reserved for open orders)."""
        acct = self._accounts.get(user, _Account())
        assets = set(acct.total) | set(acct.reserved)
        return {a: (acct.total.get(a, Decimal(0)), acct.reserved.get(a, Decimal(0))) for a in sorted(assets)}

    def totals(self) -> dict[str, Decimal]:
        """Sum of every account per asset (conservation check)."""
        out: dict[str, Decimal] = {}
        for acct in self._accounts.values():
            for asset, amount in acct.total.items():
                out[asset] = out.get(asset, Decimal(0)) + amount
        return out

    # --- futures -------------------------------------------------------------------------------
    def open_futures_account(self, user: str, collateral: Decimal) -> None:
        self.ledger.deposit(user, Decimal(collateral))

    def is_futures(self, symbol: str) -> bool:
        return symbol in self.futures

    def mid(self, symbol: str) -> Decimal | None:
        bid, ask = self.best(symbol, "bid"), self.best(symbol, "ask")
        if bid is None or ask is None:
            return None
        pair = self.pairs[symbol]
        return (pair.price_decimal(bid) + pair.price_decimal(ask)) / 2

    def mark_price(self, symbol: str) -> Decimal | None:
        """Mid of the product's best bid and ask; the last trade when one side is empty."""
        mid = self.mid(symbol)
        if mid is not None:
            return mid
        last = self._last_price.get(symbol)
        return self.pairs[symbol].price_decimal(last) if last is not None else None

    def index_price(self, symbol: str) -> Decimal | None:
        """The matching spot pair's mid when it is listed here, else the mark price."""
        spot = FUTURES_INDEX.get(symbol)
        if spot is not None and spot in self.pairs and spot not in self.futures:
            mid = self.mid(spot)
            if mid is not None:
                return mid
        return self.mark_price(symbol)

    def futures_orders(self, user: str, symbol: str | None = None) -> list[Order]:
        return [
            o
            for o in self._orders.values()
            if o.user == user and o.symbol in self.futures and (symbol is None or o.symbol == symbol)
        ]

    def _order_rows(
        self, user: str, extra: Order | None = None, skip: Order | None = None
    ) -> dict[str, list[tuple[str, Decimal, Decimal]]]:
        rows: dict[str, list[tuple[str, Decimal, Decimal]]] = {}
        orders = [o for o in self.futures_orders(user) if o is not skip]
        if extra is not None:
            orders.append(extra)
        for o in orders:
            price = self._margin_price(o)
            if price is not None:
                pair = self.pairs[o.symbol]
                rows.setdefault(o.symbol, []).append((o.side, pair.qty_decimal(o.remaining), price))
        return rows

    def _margin_price(self, o: Order) -> Decimal | None:
        pair = self.pairs[o.symbol]
        ticks = o.limit_price if o.limit_price is not None else o.trigger_price
        if ticks is None:
            ticks = self.best(o.symbol, "ask" if o.side == "buy" else "bid") or self._last_price[o.symbol]
        if ticks is not None:
            return pair.price_decimal(ticks)
        return self.mark_price(o.symbol)

    def futures_margin(
        self, user: str, extra: Order | None = None, skip: Order | None = None
    ) -> MarginSummary:
        marks = {s: self.mark_price(s) for s in self.futures}
        return self.ledger.margin(user, marks, self._order_rows(user, extra, skip))

    def futures_fills(self, user: str, n: int = 100) -> list[FuturesFill]:
        return list(self._ffills.get(user, ()))[-n:]

    def _check_margin(self, user: str, o: Order, skip: Order | None = None) -> None:
        """Refuse an order whose added initial margin exceeds the available margin."""
        if user in self.unlimited:
            return
        before = self.futures_margin(user, skip=skip if skip is not None else o)
        after = self.futures_margin(user, extra=o, skip=skip if skip is not None else o)
        added = after.order_margin - before.order_margin
        if added > 0 and before.available < added:
            raise OrderError("insufficientAvailableFunds")

    def _reducible(self, o: Order) -> int:
        """Ticks of ``o`` that would still only reduce its user's position."""
        pos = self.ledger.qty(o.user, o.symbol)
        if (o.side == "buy" and pos >= 0) or (o.side == "sell" and pos <= 0):
            return 0
        return self.pairs[o.symbol].qty_ticks(abs(pos))

    # --- queries ------------------------------------------------------------------------------
    def levels(self, symbol: str, side: str, n: int | None = None) -> list[tuple[int, int]]:
        """(price ticks, visible qty ticks) best first; side is "bid" or "ask"."""
        book = self._books[symbol].bids if side == "bid" else self._books[symbol].asks
        out = []
        for key, level in book.items():
            qty = sum(o.visible for o in level.values())
            if qty:
                out.append((abs(key), qty))
                if n is not None and len(out) >= n:
                    break
        return out

    def book_side(self, symbol: str, side: str) -> SortedDict[int, dict[str, Order]]:
        """The resting levels of one side ("bid" | "ask"), keyed best first (bids negated): read only."""
        return self._books[symbol].bids if side == "bid" else self._books[symbol].asks

    def level_qty(self, symbol: str, side: str, price: int) -> int:
        book = self._books[symbol].bids if side == "bid" else self._books[symbol].asks
        level = book.get(-price if side == "bid" else price)
        return sum(o.visible for o in level.values()) if level else 0

    def l3_levels(self, symbol: str, side: str, n: int) -> list[tuple[int, list[Order]]]:
        book = self._books[symbol].bids if side == "bid" else self._books[symbol].asks
        out = []
        for key, level in book.items():
            orders = [o for o in level.values() if o.visible]
            if orders:
                out.append((abs(key), orders))
                if len(out) >= n:
                    break
        return out

    def open_orders(self, user: str) -> list[Order]:
        return [o for o in self._orders.values() if o.user == user]

    def order(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def fills(self, user: str, n: int = 50) -> list[dict[str, Any]]:
        return list(self._fills.get(user, ()))[-n:]

    def trades(self, symbol: str, n: int = 50) -> list[PublicTrade]:
        return list(self._trades[symbol])[-n:]

    def last_price(self, symbol: str) -> int | None:
        return self._last_price[symbol]

    def best(self, symbol: str, side: str) -> int | None:
        lv = self.levels(symbol, side, 1)
        return lv[0][0] if lv else None

    def drain_events(self) -> list[Event]:
        self._flush_levels()
        self._flush_rates()
        out, self.events = self.events, []
        return out

    # --- the trading rate counter (protocol §1.6) -------------------------------------------------
    max_rate_count = int(RATE_THRESHOLD)  # the executions ack's ``maxratecount``

    def rate_count(self, user: str, symbol: str) -> Decimal:
        """The user's counter on ``symbol`` now (decayed), the value the next transaction meets."""
        return self._decayed(user, symbol, self.now())

    def rate_counts(self, user: str) -> dict[str, Decimal]:
        """Every pair whose counter is above zero for ``user``."""
        now = self.now()
        out = {s: self._decayed(u, s, now) for (u, s) in self._rate if u == user}
        return {s: v for s, v in out.items() if v > 0}

    def _decayed(self, user: str, symbol: str, now: float) -> Decimal:
        value, at = self._rate.get((user, symbol), (Decimal(0), now))
        decay = RATE_DECAY_PER_S * Decimal(str(round(max(0.0, now - at), 3)))
        return max(Decimal(0), value - decay).quantize(_CENT)

    def _charge_rate(self, user: str, symbol: str, cost: Decimal) -> None:
        if not self.rate_limits or user in self.unlimited or symbol in self.futures:
            return
        now = self.now()
        value = self._decayed(user, symbol, now)
        refused = value + cost > RATE_THRESHOLD
        if refused:  # the fixed part is charged even on a refusal
            cost = min(cost, Decimal(1))
        self._rate[(user, symbol)] = ((value + cost).quantize(_CENT), now)
        self._rate_changed[(user, symbol)] = None
        if refused:
            raise OrderError("EOrder:Rate limit exceeded")

    def _flush_rates(self) -> None:
        for user, symbol in self._rate_changed:
            value, at = self._rate[(user, symbol)]
            self.events.append(RateCount(user, symbol, value, at))
            self._rate_reported[(user, symbol)] = at
        self._rate_changed.clear()

    def _decay_rates(self, now: float) -> None:
        """Once a second, each counter above zero takes its decayed value, which is reported."""
        for key, (value, at) in list(self._rate.items()):
            if value <= 0 or now - self._rate_reported.get(key, at) < 1.0:
                continue
            self._rate[key] = (self._decayed(*key, now), now)
            self._rate_changed[key] = None

    # --- helpers ------------------------------------------------------------------------------
    def _pair(self, symbol: str) -> Instrument:
        pair = self.pairs.get(symbol)
        if pair is None:
            raise OrderError(f"EQuery:Unknown asset pair {symbol}")
        return pair

    def _acct(self, user: str) -> _Account:
        acct = self._accounts.get(user)
        if acct is None:
            acct = self._accounts[user] = _Account()
        return acct

    def _q(self, value: Decimal, asset: str, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-ASSET_PRECISION.get(asset, 8)), rounding=rounding)

    def _move(self, user: str, asset: str, amount: Decimal) -> None:
        acct = self._acct(user)
        acct.total[asset] = acct.total.get(asset, Decimal(0)) + amount

    def _reserve_need(self, o: Order, pair: Instrument) -> tuple[str, Decimal]:
        if o.side == "sell":  # a fee taken in base is held too
            qty = pair.qty_decimal(o.remaining) * (1 + self.taker_fee if o.fee_in_base else 1)
            return pair.base, self._q(qty, pair.base, ROUND_CEILING)
        price = o.limit_price if o.limit_price is not None else o.trigger_price
        if price is None:
            return pair.quote, Decimal(0)
        cost = pair.qty_decimal(o.remaining) * pair.price_decimal(price) * (1 + self.taker_fee)
        return pair.quote, self._q(cost, pair.quote, ROUND_CEILING)

    def _rereserve(self, o: Order) -> None:
        if o.symbol in self.futures:
            return  # futures orders reserve margin, computed on demand (futures_margin)
        pair = self.pairs[o.symbol]
        acct = self._acct(o.user)
        if o.reserved:
            acct.reserved[o.reserved_asset] = acct.reserved.get(o.reserved_asset, Decimal(0)) - o.reserved
        if o.is_open and not (o.order_type == "market" and o.side == "buy"):
            asset, need = self._reserve_need(o, pair)
        else:
            asset, need = o.reserved_asset or pair.quote, Decimal(0)
        o.reserved, o.reserved_asset = need, asset
        if need:
            acct.reserved[asset] = acct.reserved.get(asset, Decimal(0)) + need

    @staticmethod
    def _age_penalty(age: float, table: tuple[int, ...]) -> int:
        for limit, extra in zip((5, 10, 15, 45, 90, 300), table, strict=True):
            if age < limit:
                return extra
        return 0

    def _report(self, o: Order, exec_type: str, *, full: bool = False, **extra: Any) -> None:
        if o.user in self.unlimited:
            return  # the synthetic participants have no private feed
        if o.symbol in self.futures:
            if exec_type != "pending_new":
                self.events.append(FuturesOrderEvent(o.user, exec_type, copy.copy(o), extra.get("reason")))
            return
        ts = format_rfc3339(self.now())
        # recorded: order_userref on every row, 0 when the order has none
        r: dict[str, Any] = {"order_id": o.order_id, "exec_type": exec_type, "order_status": o.status}
        r["order_userref"] = o.order_userref if o.order_userref is not None else 0
        if o.cl_ord_id is not None:
            r["cl_ord_id"] = o.cl_ord_id
        if full:
            r.update(self.pending_fields(o))
        r.update(extra)
        r["timestamp"] = ts
        self.events.append(Execution(o.user, layout(r)))

    def pending_fields(self, o: Order) -> dict[str, Any]:
        """A pending_new row's fields, as recorded: no cum_qty, effective_time, post_only or
        reduce_only; ``stop_price`` always, ``trigger`` and a ``triggers`` of four keys when triggered."""
        pair = self.pairs[o.symbol]
        r: dict[str, Any] = {
            "symbol": o.symbol,
            "order_qty": pair.qty_decimal(o.qty),
            "cum_cost": self._q(o.cum_cost, pair.quote),
            "time_in_force": o.time_in_force.upper(),
            "side": o.side,
            "order_type": o.order_type,
            "fee_usd_equiv": self._q(o.fees, pair.quote),
            "fee_ccy_pref": o.fee_ccy_pref,
        }
        if o.limit_price is not None:
            r["limit_price"] = pair.price_decimal(o.limit_price)
            r["limit_price_type"] = "static"
        stop = o.trigger_price if o.order_type in TRIGGERED_TYPES and o.trigger_price is not None else 0
        r["stop_price"] = pair.price_decimal(stop)
        if o.order_type in TRIGGERED_TYPES:
            r["triggers"] = {
                "price": pair.price_decimal(o.trigger_price)
                if o.trigger_price is not None
                else o.trigger_offset,
                "price_type": o.trigger_price_type,
                "reference": o.trigger_reference,
                "status": "untriggered",
            }
            r["trigger"] = o.trigger_reference
        if o.display_qty is not None:
            r["display_qty"] = pair.qty_decimal(o.display_qty)
        if o.expire_time is not None:
            r["expire_time"] = format_rfc3339(o.expire_time, 0)
        if o.effective_time is not None:  # a scheduled order names its start (documented field)
            r["effective_time"] = format_rfc3339(o.effective_time, 0)
        self._oto_fields(o, r)
        return r

    def _oto_fields(self, o: Order, r: dict[str, Any]) -> None:
        """``contingent`` on a primary (its secondaries' template), ``ord_ref_id`` on a secondary."""
        if o.conditional is not None:
            r["contingent"] = contingent_fields(o.conditional, self.pairs[o.symbol])
        if o.ord_ref_id is not None:
            r["ord_ref_id"] = o.ord_ref_id

    def _price_fields(self, o: Order) -> dict[str, Any]:
        if o.limit_price is None:
            return {}
        return {
            "limit_price": self.pairs[o.symbol].price_decimal(o.limit_price),
            "limit_price_type": "static",
        }

    def order_fields(self, o: Order) -> dict[str, Any]:
        """Full execution-report view of an order (snapshot and pending_new)."""
        pair = self.pairs[o.symbol]
        r: dict[str, Any] = {
            "order_id": o.order_id,
            "symbol": o.symbol,
            "side": o.side,
            "order_type": o.order_type,
            "order_qty": pair.qty_decimal(o.qty),
            "time_in_force": o.time_in_force.upper(),
            "order_status": o.status,
            "cum_qty": pair.qty_decimal(o.filled),
            "cum_cost": self._q(o.cum_cost, pair.quote),
            "fee_usd_equiv": self._q(o.fees, pair.quote),
            "fee_ccy_pref": o.fee_ccy_pref,
            "post_only": o.post_only,
            "reduce_only": o.reduce_only,
            "timestamp": format_rfc3339(o.updated or o.created),
            "effective_time": format_rfc3339(o.effective_time or o.created),
        }
        if o.cl_ord_id is not None:
            r["cl_ord_id"] = o.cl_ord_id
        if o.order_userref is not None:
            r["order_userref"] = o.order_userref
        if o.limit_price is not None:
            r["limit_price"] = pair.price_decimal(o.limit_price)
            r["limit_price_type"] = "static"
        if o.filled:
            r["avg_price"] = self._avg(o)
        if o.display_qty is not None:
            r["display_qty"] = pair.qty_decimal(o.display_qty)
        if o.expire_time is not None:
            r["expire_time"] = format_rfc3339(o.expire_time, 0)
        if o.order_type in TRIGGERED_TYPES:
            trig: dict[str, Any] = {
                "reference": o.trigger_reference,
                "price": pair.price_decimal(o.trigger_price)
                if o.trigger_price is not None
                else o.trigger_offset,
                "price_type": o.trigger_price_type,
                "status": "triggered" if o.triggered else "untriggered",
                "timestamp": format_rfc3339(o.updated or o.created),
            }
            if o.peak is not None:
                trig["peak_price"] = pair.price_decimal(o.peak)
            last = self._last_price[o.symbol]
            if last is not None:
                trig["last_price"] = pair.price_decimal(last)
            r["triggers"] = trig
        self._oto_fields(o, r)
        return r

    def _avg(self, o: Order) -> Decimal:
        pair = self.pairs[o.symbol]
        if not o.filled:
            return Decimal(0).quantize(Decimal(1).scaleb(-pair.price_precision))  # recorded: 0.00000
        return (o.cum_cost / pair.qty_decimal(o.filled)).quantize(
            Decimal(1).scaleb(-pair.price_precision), rounding=ROUND_HALF_EVEN
        )

    def _touch(self, symbol: str, side: str, price: int) -> None:
        self._dirty[(symbol, "bid" if side == "buy" else "ask", price)] = None

    def _flush_levels(self) -> None:
        for symbol, side, price in self._dirty:
            self.events.append(LevelChanged(symbol, side, price, self.level_qty(symbol, side, price)))
        self._dirty.clear()

    def _l3(self, o: Order, event: str) -> None:
        if o.limit_price is None:
            return
        self.events.append(
            L3Changed(
                o.symbol,
                "bid" if o.side == "buy" else "ask",
                event,
                o.order_id,
                o.limit_price,
                o.visible if event != "delete" else 0,
                o.queued_at,
            )
        )

    # --- resting ---------------------------------------------------------------------------------
    def _rest(self, o: Order) -> None:
        assert o.limit_price is not None
        book = self._books[o.symbol].side(o.side)
        key = _key(o.side, o.limit_price)
        level = book.get(key)
        if level is None:
            level = book[key] = {}
        o.queued_at = self.now()
        level[o.order_id] = o
        self._touch(o.symbol, o.side, o.limit_price)
        self._l3(o, "add")

    def _unrest(self, o: Order) -> None:
        if o.limit_price is None:
            return
        book = self._books[o.symbol].side(o.side)
        key = _key(o.side, o.limit_price)
        level = book.get(key)
        if level is not None and o.order_id in level:
            self._l3(o, "delete")
            del level[o.order_id]
            if not level:
                del book[key]
            self._touch(o.symbol, o.side, o.limit_price)

    def _close(self, o: Order, status: str, exec_type: str, reason: str | None = None) -> None:
        self._unrest(o)
        o.status = status
        o.updated = self.now()
        self._rereserve(o)
        self._orders.pop(o.order_id, None)
        self._untriggered[o.symbol].pop(o.order_id, None)
        self._held.pop(o.order_id, None)
        self._closed.append(o)
        extra: dict[str, Any] = {}
        pair = self.pairs[o.symbol]
        if exec_type != "filled":
            extra.update(cum_qty=pair.qty_decimal(o.filled), cum_cost=self._q(o.cum_cost, pair.quote))
        if exec_type == "canceled":  # recorded: a canceled row carries the fill totals and both reasons
            extra.update(fee_usd_equiv=self._q(o.fees, pair.quote), avg_price=self._avg(o))
            if reason:
                extra["cancel_reason"] = reason
        if reason:
            extra["reason"] = reason
        self._report(o, exec_type, **extra)

    # --- order entry -----------------------------------------------------------------------------
    def _validate(self, user: str, req: OrderRequest) -> Instrument:
        pair = self._pair(req.symbol)
        if req.order_type not in ORDER_TYPES:
            raise OrderError("EGeneral:Invalid arguments:order_type")
        if req.side not in ("buy", "sell"):
            raise OrderError("EGeneral:Invalid arguments:side")
        if req.order_type == "settle-position":
            raise OrderError("EOrder:Reduce only:No position exists")
        futures = req.symbol in self.futures
        if req.reduce_only and not futures:
            raise OrderError("EOrder:Reduce only:No position exists")
        if pair.status in ("cancel_only", "maintenance"):
            raise OrderError(f"EService:Market in {pair.status} mode")
        if pair.status == "post_only" and not req.post_only:
            raise OrderError("EService:Market in post_only mode")
        if pair.status == "limit_only" and req.order_type != "limit":
            raise OrderError("EService:Market in limit_only mode")
        if req.deadline is not None and req.deadline < self.now():
            raise OrderError("EService:Deadline elapsed")
        if (
            req.order_type in LIMIT_PRICED_TYPES
            and req.limit_price is None
            and req.order_type != "trailing-stop-limit"
        ):
            raise OrderError("EGeneral:Invalid arguments:limit_price")
        if req.order_type in TRIGGERED_TYPES and req.trigger_price is None:
            raise OrderError("EGeneral:Invalid arguments:triggers")
        if req.limit_price is not None and req.order_type != "trailing-stop-limit":
            if req.limit_price <= 0:
                raise OrderError("EOrder:Invalid price")
            if req.limit_price % pair.price_increment:
                raise OrderError("EOrder:Tick size check failed")
        if req.cash_order_qty is not None:
            if req.order_type != "market" or req.side != "buy":
                raise OrderError("EGeneral:Invalid arguments:cash_order_qty is only for market buys")
        elif req.qty <= 0 or req.qty % pair.qty_increment:
            raise OrderError("EGeneral:Invalid arguments:order_qty")
        elif req.qty < pair.qty_min and req.ord_ref_id is None:  # a secondary closes what was filled
            raise OrderError("EOrder:Order minimum not met")
        if req.time_in_force not in TIME_IN_FORCE:
            raise OrderError("EGeneral:Invalid arguments:time_in_force")
        if req.time_in_force == "gtd" and (req.expire_time is None or req.expire_time <= self.now()):
            raise OrderError("EGeneral:Invalid arguments:expire_time")
        if req.effective_time is not None and req.expire_time is not None:
            if req.time_in_force == "gtd" and req.expire_time <= req.effective_time:
                raise OrderError("EGeneral:Invalid arguments:expire_time must be after effective_time")
        if req.time_in_force == "fok" and req.order_type != "limit":
            raise OrderError("EGeneral:Invalid arguments:fok is only for limit orders")
        if req.display_qty is not None:
            if req.order_type != "iceberg":
                raise OrderError("EGeneral:Invalid arguments:display_qty is only for iceberg orders")
            if req.display_qty * 15 < req.qty:
                raise OrderError("EGeneral:Invalid arguments:display_qty must be at least 1/15 of order_qty")
        if req.post_only and req.order_type not in ("limit", "iceberg"):
            raise OrderError("EGeneral:Invalid arguments:post_only is only for limit orders")
        if req.fee_preference not in ("base", "quote"):
            raise OrderError("EGeneral:Invalid arguments:fee_preference")
        if req.stp_type not in _STP_TYPES:
            raise OrderError("EGeneral:Invalid arguments:stp_type")
        if req.conditional is not None:
            if futures:
                raise OrderError("EGeneral:Invalid arguments:conditional")
            check_conditional(req.conditional, pair)
        if req.cl_ord_id is not None and req.order_userref is not None:
            raise OrderError("EGeneral:Invalid arguments:cl_ord_id and order_userref are mutually exclusive")
        if req.cl_ord_id is not None:
            if any(o.cl_ord_id == req.cl_ord_id and o.user == user for o in self._orders.values()):
                raise OrderError("EOrder:Duplicate cl_ord_id")
        price = req.limit_price
        if (
            price is not None
            and req.cash_order_qty is None
            and req.order_type in ("limit", "iceberg")
            and req.ord_ref_id is None
        ):
            if pair.notional(req.qty, price) < pair.cost_min:
                raise OrderError("EOrder:Cost minimum not met")
        if (
            user not in self.unlimited
            and sum(1 for o in self._orders.values() if o.user == user and o.symbol == req.symbol)
            >= self.max_open_orders
        ):
            raise OrderError("EOrder:Orders limit exceeded")
        if futures:
            self._check_futures(user, req)
        else:
            self._check_funds(user, req, pair)
        return pair

    def _check_futures(self, user: str, req: OrderRequest) -> None:
        probe = Order.unplaced(user, req, self.now())
        if req.trigger_price is not None and req.limit_price is None:
            pair = self.pairs[req.symbol]
            try:
                probe.trigger_price = pair.price_ticks(req.trigger_price)
            except ValueError:
                raise OrderError("EOrder:Tick size check failed") from None
        if req.reduce_only:
            if user not in self.unlimited and self._reducible(probe) < req.qty:
                raise OrderError("wouldNotReducePosition")
            return
        self._check_margin(user, probe)

    def _check_funds(self, user: str, req: OrderRequest, pair: Instrument) -> None:
        if user in self.unlimited:
            return
        acct = self._acct(user)
        if req.side == "sell":
            base_fee = self.taker_fee if req.fee_preference == "base" else Decimal(0)
            if acct.available(pair.base) < pair.qty_decimal(req.qty) * (1 + base_fee):
                raise OrderError("EOrder:Insufficient funds")
            return
        if req.cash_order_qty is not None:
            if acct.available(pair.quote) < req.cash_order_qty:
                raise OrderError("EOrder:Insufficient funds")
            return
        price = req.limit_price
        if price is None and req.trigger_price is not None and req.trigger_price_type == "static":
            price = pair.price_ticks(req.trigger_price)
        if price is None:
            price = self.best(req.symbol, "ask") or self._last_price[req.symbol]
        if price is None:
            raise OrderError("EOrder:Insufficient liquidity")
        need = pair.qty_decimal(req.qty) * pair.price_decimal(price) * (1 + self.taker_fee)
        if acct.available(pair.quote) < need:
            raise OrderError("EOrder:Insufficient funds")

    def add_order(self, user: str, req: OrderRequest) -> Order:
        if req.symbol in self.pairs:
            self._charge_rate(user, req.symbol, Decimal(1))
        pair = self._validate(user, req)
        now = self.now()
        o = Order(
            order_id=self._futures_id() if req.symbol in self.futures else _new_id(self._rng),
            user=user,
            symbol=req.symbol,
            side=req.side,
            order_type=req.order_type,
            qty=req.qty,
            limit_price=req.limit_price if req.order_type != "trailing-stop-limit" else None,
            time_in_force=req.time_in_force,
            created=now,
            cl_ord_id=req.cl_ord_id,
            order_userref=req.order_userref,
            post_only=req.post_only,
            reduce_only=req.reduce_only,
            display_qty=req.display_qty,
            expire_time=req.expire_time if req.time_in_force == "gtd" else None,
            trigger_price_type=req.trigger_price_type,
            trigger_reference=req.trigger_reference,
            limit_offset=req.limit_offset,
            limit_price_type=req.limit_price_type,
            updated=now,
            cash_order_qty=req.cash_order_qty,
            conditional=req.conditional,
            ord_ref_id=req.ord_ref_id,
            stp_type=req.stp_type,
            fee_in_base=req.fee_preference == "base" and req.symbol not in self.futures,
            effective_time=req.effective_time if req.effective_time and req.effective_time > now else None,
        )
        if req.order_type in TRIGGERED_TYPES:
            assert req.trigger_price is not None
            self._set_trigger(o, req.trigger_price, pair)
        if req.validate:
            return o
        self._orders[o.order_id] = o
        self._rereserve(o)
        self._report(o, "pending_new", full=True)
        if o.effective_time is not None:  # scheduled: pending_new until its time, then new
            self._held[o.order_id] = o
            return o
        self._activate(o)
        return o

    def _activate(self, o: Order) -> None:
        """The order goes live: ``new``, then it triggers, matches, rests or is cancelled."""
        req_tif = o.time_in_force
        o.status = "new"
        if o.order_type in TRIGGERED_TYPES:
            self._untriggered[o.symbol][o.order_id] = o
            self._report(o, "new")
            return
        if req_tif == "fok" and not self._can_fill(o):
            self._report(o, "new")
            self._close(o, "canceled", "canceled", "Insufficient liquidity")
            return
        if o.post_only and self._crosses(o):
            self._report(o, "new")
            self._close(o, "canceled", "canceled", "Post only order")
            return
        self._report(o, "new")
        self._execute(o)
        self._run_triggers(o.symbol)

    def _futures_id(self) -> str:
        return str(uuid.UUID(int=self._frng.getrandbits(128), version=4))

    def _set_trigger(self, o: Order, price: Decimal, pair: Instrument) -> None:
        last = self._last_price[o.symbol]
        if o.order_type.startswith("trailing"):
            o.trigger_offset = abs(price)
            o.peak = last
            if o.trigger_price_type not in ("pct", "quote"):
                o.trigger_price_type = "quote"
            return
        if o.trigger_price_type == "static":
            try:
                ticks = pair.price_ticks(price)
            except ValueError:
                raise OrderError("EOrder:Tick size check failed") from None
            if ticks <= 0 or ticks % pair.price_increment:
                raise OrderError("EOrder:Tick size check failed")
            o.trigger_price = ticks
            return
        if last is None:
            raise OrderError("EGeneral:Invalid arguments:no last price for a relative trigger")
        base = pair.price_decimal(last)
        target = base * (1 + price / 100) if o.trigger_price_type == "pct" else base + price
        o.trigger_price = pair.round_price(target, up=True)

    def _crosses(self, o: Order) -> bool:
        best = self.best(o.symbol, "ask" if o.side == "buy" else "bid")
        if best is None or o.limit_price is None:
            return False
        return o.limit_price >= best if o.side == "buy" else o.limit_price <= best

    def _can_fill(self, o: Order) -> bool:
        need = o.remaining
        for price, qty in self.levels(o.symbol, "ask" if o.side == "buy" else "bid"):
            if o.limit_price is not None and (
                price > o.limit_price if o.side == "buy" else price < o.limit_price
            ):
                break
            need -= qty
            if need <= 0:
                return True
        return False

    def _execute(self, taker: Order) -> None:
        """Match ``taker`` against the opposite side, then rest, cancel or finish it."""
        pair = self.pairs[taker.symbol]
        book = self._books[taker.symbol].opposite(taker.side)
        market = taker.limit_price is None
        stopped_reason: str | None = None
        while taker.remaining > 0 and book:
            key = book.keys()[0]
            price = abs(key)
            limit = taker.limit_price  # None: a market order takes any price
            if limit is not None and (price > limit if taker.side == "buy" else price < limit):
                break
            level = book[key]
            maker = next(iter(level.values()))
            if maker.user == taker.user:
                # self-trade prevention, by the arriving order's stp_type (a mirrored or synthetic
                # level the market has already moved past is simply dropped)
                stp = "cancel_oldest" if taker.user in self.unlimited else taker.stp_type
                if stp != "cancel_newest":
                    self._close(maker, "canceled", "canceled", _STP)
                if stp == "cancel_oldest":
                    continue
                stopped_reason = _STP
                break
            qty = min(taker.remaining, maker.remaining)
            if pair.symbol in self.futures:
                if maker.reduce_only and maker.user not in self.unlimited:
                    room = self._reducible(maker)
                    if room <= 0:
                        self._close(maker, "canceled", "canceled", "Reduce only")
                        continue
                    qty = min(qty, room)
                if taker.reduce_only and taker.user not in self.unlimited:
                    qty = min(qty, self._reducible(taker))
                    if qty <= 0:
                        stopped_reason = "Reduce only"
                        break
            elif taker.side == "buy" and taker.user not in self.unlimited:
                qty = self._affordable(taker, pair, price, qty)
                if qty <= 0:
                    stopped_reason = "Insufficient funds"
                    break
            self._fill(taker, maker, price, qty, pair)
        if taker.remaining <= 0:
            self._close(taker, "filled", "filled")
        elif stopped_reason is not None or market or taker.time_in_force in ("ioc", "fok"):
            self._close(
                taker,
                "canceled",
                "canceled",
                stopped_reason or ("Insufficient liquidity" if market else "IOC"),
            )
        else:
            self._rest(taker)
            self._rereserve(taker)
        self._spawn_secondaries()

    def _spawn_secondaries(self) -> None:
        """Place the OTO close order of each fill since the last call, in fill order, once the match
        that filled them is over (a secondary must not meet the order still matching)."""
        if self._spawning:
            return
        self._spawning = True
        try:
            while self._spawns:
                primary, qty = self._spawns.pop(0)
                req = secondary_request(primary, qty, self.pairs[primary.symbol])
                try:
                    self.add_order_unchecked(primary.user, req)
                except OrderError as exc:
                    self._refused_secondary(primary, req, exc.text)
        finally:
            self._spawning = False

    def _refused_secondary(self, primary: Order, req: OrderRequest, error: str) -> None:
        """A secondary the engine cannot place (funds moved away meanwhile): reported, not dropped."""
        o = Order.unplaced(primary.user, req, self.now())
        o.order_id = _new_id(self._rng)
        o.ord_ref_id = primary.order_id
        o.limit_price_type = req.limit_price_type
        self._report(o, "pending_new", full=True)
        self._close(o, "canceled", "canceled", error)

    def _affordable(self, taker: Order, pair: Instrument, price: int, qty: int) -> int:
        acct = self._acct(taker.user)
        own = taker.reserved if taker.reserved_asset == pair.quote else Decimal(0)
        avail = acct.available(pair.quote) + own
        if taker.cash_order_qty is not None:
            avail = min(avail, taker.cash_order_qty - taker.cum_cost - taker.fees)
        unit = pair.price_decimal(price) * (1 if taker.fee_in_base else 1 + self.taker_fee)
        max_qty = int((avail / unit).scaleb(pair.qty_precision).to_integral_value(ROUND_DOWN))
        max_qty -= max_qty % pair.qty_increment
        return min(qty, max(0, max_qty))

    def _fill(self, taker: Order, maker: Order, price: int, qty: int, pair: Instrument) -> None:
        """One match of ``qty`` at ``price``: settle, update both orders, print, report."""
        now = self.now()
        buyer, seller = (taker, maker) if taker.side == "buy" else (maker, taker)
        cost, fee_b, fee_s = self._fill_money(buyer, seller, taker, price, qty, pair)
        realized = self._settle(buyer, seller, cost, fee_b, fee_s, price, qty, pair, now)
        self._trade_seq[pair.symbol] += 1
        trade_id = self._trade_seq[pair.symbol]
        self._last_price[pair.symbol] = price
        fees = {
            maker.order_id: fee_b if maker is buyer else fee_s,
            taker.order_id: fee_b if taker is buyer else fee_s,
        }
        for o in (maker, taker):
            if o.conditional is not None and o.user not in self.unlimited:
                self._spawns.append((o, qty))
            o.filled += qty
            o.cum_cost += cost
            o.fees += self._fee_in_quote(o, fees[o.order_id], price, pair)
            o.updated = now
            o.status = "filled" if o.remaining == 0 else "partially_filled"
            if o is maker:
                self._rereserve(o)
        if maker.remaining == 0:
            self._unrest(maker)
        else:
            self._touch(maker.symbol, maker.side, price)
            self._l3(maker, "modify")
        trade = PublicTrade(
            pair.symbol,
            taker.side,
            price,
            qty,
            "market" if taker.limit_price is None else "limit",
            trade_id,
            now,
        )
        self.events.append(trade)
        self._trades[pair.symbol].append(trade)
        for o, liq in ((maker, "maker"), (taker, "taker")):
            if o.user in self.unlimited:
                continue
            if pair.symbol in self.futures:
                taker_type = order_type_code(taker.order_type, taker.time_in_force, taker.post_only)
                self._futures_fill_report(
                    o, price, qty, fees[o.order_id], realized[o.order_id], liq, now, taker_type
                )
            else:
                self._spot_fill_report(o, trade, cost, fees[o.order_id], liq[0], pair)
        if maker.remaining == 0:
            self._close(maker, "filled", "filled")

    def _fee_in_quote(self, o: Order, fee: Decimal, price: int, pair: Instrument) -> Decimal:
        """A spot fee's quote value (what ``fee_usd_equiv`` and the order's totals carry)."""
        if not o.fee_in_base:
            return fee
        return self._q(fee * pair.price_decimal(price), pair.quote)

    def _fill_money(
        self, buyer: Order, seller: Order, taker: Order, price: int, qty: int, pair: Instrument
    ) -> tuple[Decimal, Decimal, Decimal]:
        """The notional and each side's fee (participants of the synthetic market pay none)."""
        qd = pair.qty_decimal(qty)
        if pair.symbol in self.futures:
            # exact: notional and fees keep every digit; realized PnL and fees move collateral
            cost = qd * pair.price_decimal(price)
            fee_b = cost * (self.futures_taker_fee if buyer is taker else self.futures_maker_fee)
            fee_s = cost * (self.futures_taker_fee if seller is taker else self.futures_maker_fee)
        else:
            cost = self._q(qd * pair.price_decimal(price), pair.quote)
            fee_b, fee_s = (
                self._spot_fee(o, cost, qd, self.taker_fee if o is taker else self.maker_fee, pair)
                for o in (buyer, seller)
            )
        if buyer.user in self.unlimited:
            fee_b = Decimal(0)
        if seller.user in self.unlimited:
            fee_s = Decimal(0)
        return cost, fee_b, fee_s

    def _spot_fee(self, o: Order, cost: Decimal, qd: Decimal, rate: Decimal, pair: Instrument) -> Decimal:
        """The fee in the order's fee currency: a share of the base traded or of the quote cost."""
        if o.fee_in_base:
            return self._q(qd * rate, pair.base)
        return self._q(cost * rate, pair.quote)

    def _settle(
        self,
        buyer: Order,
        seller: Order,
        cost: Decimal,
        fee_b: Decimal,
        fee_s: Decimal,
        price: int,
        qty: int,
        pair: Instrument,
        now: float,
    ) -> dict[str, Decimal]:
        """Move the money: futures into positions and collateral, spot between wallets.

        Returns the PnL each futures order realized (empty for spot)."""
        qd = pair.qty_decimal(qty)
        if pair.symbol in self.futures:
            px = pair.price_decimal(price)
            realized = {
                buyer.order_id: self.ledger.settle(buyer.user, pair.symbol, qd, px, fee_b, now),
                seller.order_id: self.ledger.settle(seller.user, pair.symbol, -qd, px, fee_s, now),
            }
            self.ledger.deposit(FEE_ACCOUNT, fee_b + fee_s)
            return realized
        for o, fee in ((buyer, fee_b), (seller, fee_s)):
            self._move(FEE_ACCOUNT, pair.base if o.fee_in_base else pair.quote, fee)
        b_base, b_quote = (fee_b, Decimal(0)) if buyer.fee_in_base else (Decimal(0), fee_b)
        s_base, s_quote = (fee_s, Decimal(0)) if seller.fee_in_base else (Decimal(0), fee_s)
        self._move(buyer.user, pair.quote, -(cost + b_quote))
        self._move(buyer.user, pair.base, qd - b_base)
        self._move(seller.user, pair.base, -(qd + s_base))
        self._move(seller.user, pair.quote, cost - s_quote)
        return {}

    def _futures_fill_report(
        self,
        o: Order,
        price: int,
        qty: int,
        fee: Decimal,
        realized: Decimal,
        liquidity: str,
        now: float,
        taker_type: str,
    ) -> None:
        fills = self._ffills.setdefault(o.user, deque(maxlen=500))
        seq = (fills[-1].seq + 1) if fills else 1
        fill = FuturesFill(
            o.user,
            o.symbol,
            o.order_id,
            o.cl_ord_id,
            o.side,
            o.order_type,
            o.time_in_force,
            o.post_only,
            price,
            qty,
            o.remaining,
            self._futures_id(),
            liquidity,
            fee,
            realized,
            now,
            seq,
            taker_type,
        )
        fills.append(fill)
        self.events.append(fill)
        if o.remaining:
            self._report(o, "trade")

    def _spot_fill_report(
        self, o: Order, trade: PublicTrade, cost: Decimal, fee: Decimal, liquidity: str, pair: Instrument
    ) -> None:
        """The execution report of one side of a spot trade, and its two ledger entries."""
        qd = pair.qty_decimal(trade.qty)
        report: dict[str, Any] = {
            "exec_id": _new_id(self._rng),
            "trade_id": trade.trade_id,
            "symbol": pair.symbol,
            "side": o.side,
            "order_type": o.order_type,
            "last_qty": qd,
            "last_price": pair.price_decimal(trade.price),
            "liquidity_ind": liquidity,
            "cost": cost,
            "cum_qty": pair.qty_decimal(o.filled),
            "cum_cost": self._q(o.cum_cost, pair.quote),
            "avg_price": self._avg(o),
            "fee_usd_equiv": self._fee_in_quote(o, fee, trade.price, pair),
            "fees": [{"asset": pair.base if o.fee_in_base else pair.quote, "qty": fee}],
        }
        self._report(o, "trade", **report)
        stamp = format_rfc3339(trade.timestamp)
        self._fills.setdefault(o.user, deque(maxlen=200)).append(
            {**self.order_fields(o), **report, "exec_type": "trade", "timestamp": stamp}
        )
        ref = _new_id(self._rng)  # recorded: a Kraken-shaped id (LKAKN2-N0N12-VKQNLN), not a trade number
        base_amt = qd if o.side == "buy" else -qd
        quote_amt = -cost if o.side == "buy" else cost
        base_fee, quote_fee = (fee, Decimal(0)) if o.fee_in_base else (Decimal(0), fee)
        for asset, amount, f in ((pair.base, base_amt, base_fee), (pair.quote, quote_amt, quote_fee)):
            entry = {
                "ledger_id": _new_id(self._rng),
                "ref_id": ref,
                "timestamp": stamp,
                "type": "trade",
                "asset": asset,
                "asset_class": "currency",
                "category": "trade",
                "wallet_type": "spot",
                "wallet_id": "main",
                # recorded: amount, fee and balance at the asset's precision (fee 0.0000000000)
                "amount": _at(amount, asset),
                "fee": _at(f, asset),
                "balance": _at(self._acct(o.user).total.get(asset, Decimal(0)), asset),
            }
            self.events.append(Ledger(o.user, entry))

    def external_trade(
        self, symbol: str, taker_user: str, skip_user: str, side: str, price: int, qty: int
    ) -> None:
        """A trade printed by an external market (mirror or replay) at ``price`` for ``qty``.

        Resting orders at or through the price fill in time priority; quantity of ``skip_user``
        (the mirrored levels, which the external book already accounts for) only counts as queue
        ahead of later orders and is not filled twice.
        """
        pair = self.pairs[symbol]
        taker = Order(
            order_id=_new_id(self._rng),
            user=taker_user,
            symbol=symbol,
            side=side,
            order_type="limit",
            qty=qty,
            limit_price=price,
            time_in_force="ioc",
            created=self.now(),
            status="new",
        )
        remaining = qty
        book = self._books[symbol].opposite(side)
        for key in list(book.keys()):
            level_price = abs(key)
            if (level_price > price) if side == "buy" else (level_price < price):
                break
            level = book.get(key)
            if level is None:
                continue
            for maker in list(level.values()):
                if remaining <= 0:
                    break
                if maker.user == skip_user:
                    remaining -= maker.remaining
                    continue
                q = min(remaining, maker.remaining)
                self._fill(taker, maker, level_price, q, pair)
                remaining -= q
            if remaining <= 0:
                break
        self._last_price[symbol] = price
        self._spawn_secondaries()
        self._run_triggers(symbol)

    # --- triggers ----------------------------------------------------------------------------------
    def _run_triggers(self, symbol: str) -> None:
        for _ in range(100):
            last = self._last_price[symbol]
            if last is None:
                return
            pending = self._untriggered[symbol]
            if not pending:
                return
            fired = [o for o in list(pending.values()) if self._should_fire(o, last)]
            if not fired:
                return
            for o in fired:
                if o.order_id not in self._orders:
                    continue
                o.triggered = True
                pending.pop(o.order_id, None)
                pair = self.pairs[symbol]
                if o.order_type.endswith("-limit"):
                    if o.order_type == "trailing-stop-limit":
                        offset = o.limit_offset or Decimal(0)
                        base = pair.price_decimal(last)
                        target = base * (1 + offset / 100) if o.limit_price_type == "pct" else base + offset
                        o.limit_price = pair.round_price(target, up=o.side == "buy")
                else:
                    o.limit_price = None
                o.trigger_price = o.trigger_price or last
                self._report(
                    o, "status", triggers={"status": "triggered", "last_price": pair.price_decimal(last)}
                )
                self._rereserve(o)
                self._execute(o)

    def _should_fire(self, o: Order, last: int) -> bool:
        pair = self.pairs[o.symbol]
        if o.order_type.startswith("trailing"):
            if o.peak is None:
                o.peak = last
            if o.side == "sell":
                o.peak = max(o.peak, last)
            else:
                o.peak = min(o.peak, last)
            offset = o.trigger_offset or Decimal(0)
            peak = pair.price_decimal(o.peak)
            dist = peak * offset / 100 if o.trigger_price_type == "pct" else offset
            trigger = peak - dist if o.side == "sell" else peak + dist
            return (
                pair.price_decimal(last) <= trigger
                if o.side == "sell"
                else pair.price_decimal(last) >= trigger
            )
        assert o.trigger_price is not None
        stop = o.order_type.startswith("stop")
        if o.side == "sell":
            return last <= o.trigger_price if stop else last >= o.trigger_price
        return last >= o.trigger_price if stop else last <= o.trigger_price

    # --- amend / edit / cancel ---------------------------------------------------------------------
    def find(self, user: str, order_id: str | None = None, cl_ord_id: str | None = None) -> Order:
        for o in self._orders.values():
            if o.user == user and (
                (order_id is not None and o.order_id == order_id)
                or (cl_ord_id is not None and o.cl_ord_id == cl_ord_id)
            ):
                return o
        raise OrderError("EOrder:Unknown order")

    def amend_order(
        self,
        user: str,
        *,
        order_id: str | None = None,
        cl_ord_id: str | None = None,
        qty: int | None = None,
        limit_price: int | None = None,
        display_qty: int | None = None,
        trigger_price: Decimal | None = None,
        post_only: bool = False,
    ) -> tuple[str, Order]:
        o = self.find(user, order_id, cl_ord_id)
        pair = self.pairs[o.symbol]
        self._charge_rate(
            user, o.symbol, Decimal(1 + self._age_penalty(self.now() - o.created, (3, 2, 1, 0, 0, 0)))
        )
        self._check_amend_fields(o, pair, qty, limit_price, display_qty)
        new_qty = qty if qty is not None else o.qty
        new_price = limit_price if limit_price is not None else o.limit_price
        if post_only and new_price is not None and new_price != o.limit_price:
            best = self.best(o.symbol, "ask" if o.side == "buy" else "bid")
            if best is not None and (new_price >= best if o.side == "buy" else new_price <= best):
                raise OrderError("EOrder:Post only order")
        self._check_amend_funds(user, o, pair, new_qty, new_price, trigger_price)
        amend_id = self._futures_id() if o.symbol in self.futures else _new_id(self._rng)
        keeps_priority = new_price == o.limit_price and new_qty <= o.qty
        if trigger_price is not None and o.order_type in TRIGGERED_TYPES and not o.triggered:
            self._set_trigger(o, trigger_price, pair)
        if display_qty is not None:
            o.display_qty = display_qty
        if new_qty <= o.filled:
            o.qty = max(new_qty, o.filled)
            self._close(
                o, "filled" if o.filled else "canceled", "canceled", "Order quantity reduced below filled"
            )
            return amend_id, o
        self._apply_amend(o, pair, new_qty, new_price, keeps_priority)
        return amend_id, o

    @staticmethod
    def _check_amend_fields(
        o: Order, pair: Instrument, qty: int | None, limit_price: int | None, display_qty: int | None
    ) -> None:
        if limit_price is not None:
            if o.limit_price is None:
                raise OrderError("EGeneral:Invalid arguments:limit_price")
            if limit_price <= 0 or limit_price % pair.price_increment:
                raise OrderError("EOrder:Tick size check failed")
        if qty is not None and (qty <= 0 or qty % pair.qty_increment):
            raise OrderError("EGeneral:Invalid arguments:order_qty")
        if display_qty is not None and o.order_type != "iceberg":
            raise OrderError("EGeneral:Invalid arguments:display_qty")

    def _check_amend_funds(
        self,
        user: str,
        o: Order,
        pair: Instrument,
        new_qty: int,
        new_price: int | None,
        trigger_price: Decimal | None,
    ) -> None:
        """Margin (futures) or funds (spot) for an increase in exposure."""
        if o.symbol in self.futures:
            probe = copy.copy(o)
            probe.qty, probe.limit_price = new_qty, new_price
            untriggered = o.order_type in TRIGGERED_TYPES and not o.triggered
            if trigger_price is not None and untriggered and probe.limit_price is None:
                try:
                    probe.trigger_price = pair.price_ticks(trigger_price)
                except ValueError:
                    raise OrderError("EOrder:Tick size check failed") from None
            if o.reduce_only:
                if user not in self.unlimited and self._reducible(probe) < probe.remaining:
                    raise OrderError("wouldNotReducePosition")
            else:
                self._check_margin(user, probe, skip=o)
            return
        if o.side == "sell" and new_qty > o.qty:
            if self._acct(user).available(pair.base) < pair.qty_decimal(new_qty - o.qty):
                raise OrderError("EOrder:Insufficient funds")
        if o.side == "buy" and new_price is not None:
            old = o.reserved
            need = pair.qty_decimal(new_qty - o.filled) * pair.price_decimal(new_price) * (1 + self.taker_fee)
            if self._acct(user).available(pair.quote) + old < need:
                raise OrderError("EOrder:Insufficient funds")

    def _apply_amend(
        self, o: Order, pair: Instrument, new_qty: int, new_price: int | None, keeps_priority: bool
    ) -> None:
        """Amend in place (same price, no size increase: queue priority kept) or re-enter the book."""
        resting = (
            o.limit_price is not None
            and not (o.order_type in TRIGGERED_TYPES and not o.triggered)
            and o.order_id not in self._held
        )
        if keeps_priority:
            o.qty = new_qty
            o.updated = self.now()
            if resting:
                self._touch(o.symbol, o.side, o.limit_price)  # type: ignore[arg-type]
                self._l3(o, "modify")
        else:
            if resting:
                self._unrest(o)
            o.qty = new_qty
            o.limit_price = new_price
            o.updated = self.now()
        self._rereserve(o)
        self._report(
            o,
            "amended",
            cum_qty=pair.qty_decimal(o.filled),  # recorded
            amended=True,
            order_qty=pair.qty_decimal(o.qty),
            reason="User requested",
            **self._price_fields(o),
        )
        if resting and not keeps_priority:
            self._execute(o)
            self._run_triggers(o.symbol)

    def edit_order(
        self,
        user: str,
        order_id: str,
        *,
        qty: int | None = None,
        limit_price: int | None = None,
        post_only: bool | None = None,
        order_userref: int | None = None,
        validate: bool = False,
    ) -> tuple[Order, str]:
        o = self.find(user, order_id)
        if o.cl_ord_id is not None:
            raise OrderError(
                "EGeneral:Invalid arguments:orders with cl_ord_id cannot be edited; use amend_order"
            )
        if o.order_type in TRIGGERED_TYPES and o.triggered:
            raise OrderError("EGeneral:Invalid arguments:triggered orders cannot be edited")
        if (
            o.conditional is not None
        ):  # docs: "orders with conditional close terms attached are not supported"
            raise OrderError(
                "EGeneral:Invalid arguments:orders with conditional close cannot be edited; use amend_order"
            )
        new_qty = qty if qty is not None else o.qty
        if new_qty <= o.filled:
            raise OrderError("EGeneral:Invalid arguments:order_qty below executed quantity")
        self._charge_rate(
            user, o.symbol, Decimal(1 + self._age_penalty(self.now() - o.created, (6, 5, 4, 2, 1, 0)))
        )
        pair = self.pairs[o.symbol]
        req = OrderRequest(
            order_type=o.order_type,
            side=o.side,
            symbol=o.symbol,
            qty=new_qty - o.filled,
            limit_price=limit_price if limit_price is not None else o.limit_price,
            trigger_price=pair.price_decimal(o.trigger_price) if o.trigger_price is not None else None,
            time_in_force=o.time_in_force,
            expire_time=o.expire_time,
            post_only=o.post_only if post_only is None else post_only,
            display_qty=o.display_qty,
            order_userref=order_userref if order_userref is not None else o.order_userref,
            validate=validate,
            stp_type=o.stp_type,
            effective_time=o.effective_time,
            fee_preference="base" if o.fee_in_base else "quote",
        )
        # free the old order's reservation for the new one's funds check
        saved = o.reserved
        self._acct(user).reserved[o.reserved_asset] = (
            self._acct(user).reserved.get(o.reserved_asset, Decimal(0)) - saved
        )
        try:
            self._validate(user, req)
        finally:
            self._acct(user).reserved[o.reserved_asset] = (
                self._acct(user).reserved.get(o.reserved_asset, Decimal(0)) + saved
            )
        if validate:
            return o, o.order_id
        self._close(o, "canceled", "canceled", "Order replaced")
        new = self.add_order_unchecked(user, req)
        return new, o.order_id

    def add_order_unchecked(self, user: str, req: OrderRequest) -> Order:
        rate, self.rate_limits = self.rate_limits, False
        try:
            return self.add_order(user, req)
        finally:
            self.rate_limits = rate

    def cancel_orders(
        self,
        user: str,
        order_ids: Iterable[str] = (),
        cl_ord_ids: Iterable[str] = (),
        userrefs: Iterable[int] = (),
        reason: str = "User requested",
    ) -> list[Order]:
        ids, cids, refs = set(order_ids), set(cl_ord_ids), set(userrefs)
        direct = [self._orders[i] for i in ids if i in self._orders and self._orders[i].user == user]
        matched = (
            direct
            if direct and not cids and not refs
            else [
                o
                for o in list(self._orders.values())
                if o.user == user
                and (
                    o.order_id in ids
                    or (o.cl_ord_id is not None and o.cl_ord_id in cids)
                    or (o.order_userref is not None and o.order_userref in refs)
                )
            ]
        )
        if not matched:
            raise OrderError("EOrder:Unknown order")
        now = self.now()
        for o in matched:
            if reason == "User requested":
                try:
                    self._charge_rate(
                        user, o.symbol, Decimal(self._age_penalty(now - o.created, (8, 6, 5, 4, 2, 1)))
                    )
                except OrderError:
                    if o is matched[0]:
                        raise
                    continue
            self._close(o, "canceled", "canceled", reason)
        return matched

    def cancel_all(
        self, user: str, reason: str = "User requested", *, futures: bool = False, symbol: str | None = None
    ) -> int:
        """Cancel the user's spot orders (or, with ``futures=True``, futures orders), as on Kraken,
        where spot and futures are separate venues."""
        orders = [
            o
            for o in self._orders.values()
            if o.user == user
            and (o.symbol in self.futures) == futures
            and (symbol is None or o.symbol == symbol)
        ]
        for o in orders:
            self._close(o, "canceled", "canceled", reason)
        return len(orders)

    def cancel_all_orders_after(
        self, user: str, timeout: int, *, futures: bool = False
    ) -> tuple[float, float]:
        now = self.now()
        dms = self._fdms if futures else self._dms
        if timeout <= 0:
            dms.pop(user, None)
            return now, now
        dms[user] = now + timeout
        return now, now + timeout

    def dead_mans_switch(self, user: str) -> float | None:
        return self._dms.get(user)

    def batch_add(
        self, user: str, symbol: str, reqs: list[OrderRequest], validate: bool = False
    ) -> list[Order]:
        if not 2 <= len(reqs) <= 15:
            raise OrderError("EGeneral:Invalid arguments:orders must hold 2 to 15 orders")
        for r in reqs:
            self._validate(user, OrderRequest(**{**_asdict(r), "validate": True, "symbol": symbol}))
        cids = [r.cl_ord_id for r in reqs if r.cl_ord_id]
        if len(cids) != len(set(cids)):
            raise OrderError("EOrder:Duplicate cl_ord_id")
        self._charge_rate(user, symbol, Decimal(len(reqs)) / 2)
        out = []
        for r in reqs:
            r.symbol = symbol
            r.validate = validate
            try:
                out.append(self.add_order_unchecked(user, r))
            except OrderError:
                out.append(Order.unplaced(user, r, self.now(), status="rejected"))
        return out

    def batch_cancel(self, user: str, ids: Iterable[str], cl_ord_ids: Iterable[str] = ()) -> int:
        ids = list(ids)
        cids = list(cl_ord_ids)
        if not 2 <= len(ids) + len(cids) <= 50:
            raise OrderError("EGeneral:Invalid arguments:2 to 50 identifiers")
        refs = [int(i) for i in ids if i.isdigit()]
        try:
            return len(self.cancel_orders(user, ids, cids, refs))
        except OrderError:
            return 0

    # --- time ---------------------------------------------------------------------------------------
    def advance(self) -> None:
        now = self.now()
        self._decay_rates(now)
        for user, deadline in list(self._dms.items()):
            if now >= deadline:
                del self._dms[user]
                self.cancel_all(user, reason="CancelAllOrdersAfter Timeout")
        for user, deadline in list(self._fdms.items()):
            if now >= deadline:
                del self._fdms[user]
                self.cancel_all(user, reason="CancelAllOrdersAfter Timeout", futures=True)
        for o in list(self._orders.values()):
            if o.expire_time is not None and now >= o.expire_time:
                self._close(o, "expired", "expired", "Order expired")
        for o in [o for o in self._held.values() if o.effective_time is not None and now >= o.effective_time]:
            del self._held[o.order_id]
            self._activate(o)


def _asdict(r: OrderRequest) -> dict[str, Any]:
    return {name: getattr(r, name) for name in OrderRequest.__slots__}
