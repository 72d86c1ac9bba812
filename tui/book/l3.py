"""The L3 (per-order) book: queues by price level, in time priority, with Kraken's L3 checksum.

The checksum walks every order of the ten best levels, so it also verifies queue order, which is
what lets us show a trader how much quantity sits ahead of their own order.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from sortedcontainers import SortedDict

from tui.kraken.numbers import to_ticks

__all__ = ["L3Book", "L3Order"]

CHECKSUM_LEVELS = 10


class L3Order:
    __slots__ = ("order_id", "price", "qty", "timestamp")

    def __init__(self, order_id: str, price: int, qty: int, timestamp: str) -> None:
        self.order_id = order_id
        self.price = price
        self.qty = qty
        self.timestamp = timestamp


def _num(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


class L3Book:
    def __init__(self, symbol: str, price_precision: int, qty_precision: int, depth: int = 10) -> None:
        self.symbol = symbol
        self.pp = price_precision
        self.qp = qty_precision
        self.depth = depth
        # key (price ticks, negated for bids) -> {order_id: L3Order} in queue order
        self._bids: SortedDict[int, dict[str, L3Order]] = SortedDict()
        self._asks: SortedDict[int, dict[str, L3Order]] = SortedDict()
        self._where: dict[str, tuple[int, int]] = {}  # order_id -> (sign, key)
        self.version = 0
        self.last_ok: bool | None = None

    def _book(self, sign: int) -> SortedDict[int, dict[str, L3Order]]:
        return self._bids if sign < 0 else self._asks

    def _add(self, sign: int, row: Mapping[str, Any]) -> None:
        oid = str(row["order_id"])
        price = to_ticks(_num(row["limit_price"]), self.pp)
        qty = to_ticks(_num(row["order_qty"]), self.qp)
        self._remove(oid)
        key = price * sign
        book = self._book(sign)
        level = book.get(key)
        if level is None:
            level = book[key] = {}
        level[oid] = L3Order(oid, price, qty, str(row.get("timestamp", "")))
        self._where[oid] = (sign, key)

    def _remove(self, oid: str) -> None:
        where = self._where.pop(oid, None)
        if where is None:
            return
        sign, key = where
        book = self._book(sign)
        level = book.get(key)
        if level is not None:
            level.pop(oid, None)
            if not level:
                del book[key]

    def _modify(self, sign: int, row: Mapping[str, Any]) -> None:
        oid = str(row["order_id"])
        where = self._where.get(oid)
        if where is None:
            self._add(sign, row)
            return
        order = self._book(where[0])[where[1]][oid]
        order.qty = to_ticks(_num(row["order_qty"]), self.qp)
        order.timestamp = str(row.get("timestamp", order.timestamp))

    def _truncate(self) -> None:
        for book in (self._bids, self._asks):
            while len(book) > self.depth:
                _, level = book.popitem(-1)
                for oid in level:
                    self._where.pop(oid, None)

    def apply_snapshot(self, bids: Iterable[Mapping[str, Any]], asks: Iterable[Mapping[str, Any]]) -> None:
        self._bids.clear()
        self._asks.clear()
        self._where.clear()
        for row in bids:
            self._add(-1, row)
        for row in asks:
            self._add(1, row)
        self._truncate()
        self.version += 1

    def apply_update(self, bids: Iterable[Mapping[str, Any]], asks: Iterable[Mapping[str, Any]]) -> None:
        for sign, rows in ((-1, bids), (1, asks)):
            for row in rows:
                event = row.get("event")
                if event == "delete":
                    self._remove(str(row["order_id"]))
                elif event == "modify":
                    self._modify(sign, row)
                else:
                    self._add(sign, row)
        self._truncate()
        self.version += 1

    def checksum(self) -> int:
        parts: list[str] = []
        for book in (self._asks, self._bids):
            for level in book.values()[:CHECKSUM_LEVELS]:
                for o in level.values():
                    parts.append(f"{o.price}{o.qty if o.qty else ''}")
        return zlib.crc32("".join(parts).encode())

    def verify(self, expected: int | None) -> bool:
        """False for a frame without a checksum: nothing vouches for the book then."""
        if expected is None:
            self.last_ok = False
            return False
        self.last_ok = self.checksum() == expected
        return self.last_ok

    # views --------------------------------------------------------------------------------
    def levels(self, side: str, n: int) -> list[tuple[int, list[L3Order]]]:
        book = self._bids if side == "bids" else self._asks
        return [(orders_price(level), list(level.values())) for level in book.values()[:n]]

    def best_bid(self) -> tuple[int, int] | None:
        return self._best(self._bids)

    def best_ask(self) -> tuple[int, int] | None:
        return self._best(self._asks)

    @staticmethod
    def _best(book: SortedDict[int, dict[str, L3Order]]) -> tuple[int, int] | None:
        if not book:
            return None
        level = book.values()[0]
        return orders_price(level), sum(o.qty for o in level.values())

    def order(self, oid: str) -> L3Order | None:
        where = self._where.get(oid)
        return None if where is None else self._book(where[0])[where[1]][oid]

    def queue_ahead(self, oid: str) -> int | None:
        """Quantity resting ahead of ``oid`` at its price level, or None if it is not in the book."""
        where = self._where.get(oid)
        if where is None:
            return None
        ahead = 0
        for other_id, order in self._book(where[0])[where[1]].items():
            if other_id == oid:
                return ahead
            ahead += order.qty
        return None

    def aggregate(self, side: str, n: int) -> list[tuple[int, int, int]]:
        """(price, total qty, order count) per level, best first."""
        return [(p, sum(o.qty for o in orders), len(orders)) for p, orders in self.levels(side, n)]

    def __len__(self) -> int:
        return len(self._where)


def orders_price(level: dict[str, L3Order]) -> int:
    return next(iter(level.values())).price
