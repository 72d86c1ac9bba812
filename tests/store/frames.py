"""Wire frames for store tests, spot and futures, built the way each venue prints them.

Spot book frames carry the CRC32 Kraken would send: computed on a shadow book that applies the
same levels, so a test can also send a deliberately wrong one.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tui.book.l2 import L2Book
from tui.kraken import futures_frames, spot
from tui.kraken.events import BookLevel
from tui.kraken.instrument import Instrument
from tui.store import Store

SPOT = ("BTC/USD", "ETH/USD")
FUTURES = ("PF_XBTUSD", "PF_ETHUSD")


def spot_instrument(symbol: str) -> dict[str, Any]:
    base, quote = symbol.split("/")
    return {
        "symbol": symbol,
        "base": base,
        "quote": quote,
        "status": "online",
        "price_precision": 1,
        "qty_precision": 8,
        "cost_precision": 5,
        "price_increment": "0.1",
        "qty_increment": "0.00000001",
        "qty_min": "0.0001",
        "cost_min": "0.5",
        "marginable": False,
    }


def futures_instruments() -> str:
    rows = [
        {"symbol": s, "tickSize": 0.5, "contractValueTradePrecision": 4, "tradeable": True} for s in FUTURES
    ]
    return json.dumps({"result": "success", "instruments": rows})


class SpotBooks:
    """Shadow books that know the checksum of every frame they print."""

    def __init__(self) -> None:
        self.books = {s: L2Book(s, 1, 8, 10) for s in SPOT}

    def frame(
        self,
        kind: str,
        symbol: str,
        bids: list[tuple[str, str]],
        asks: list[tuple[str, str]],
        *,
        wrong: bool = False,
    ) -> str:
        book = self.books[symbol]
        b = [BookLevel(p, q) for p, q in bids]
        a = [BookLevel(p, q) for p, q in asks]
        if kind == "snapshot":
            book.apply_snapshot(b, a)
        else:
            book.apply_update(b, a)
        checksum = book.checksum() ^ (1 if wrong else 0)

        def levels(rows: list[tuple[str, str]]) -> str:
            return "[" + ",".join(f'{{"price":{p},"qty":{q}}}' for p, q in rows) + "]"

        return (
            f'{{"channel":"book","type":"{kind}","data":[{{"symbol":"{symbol}","bids":{levels(bids)},'
            f'"asks":{levels(asks)},"checksum":{checksum},"timestamp":"2026-12-01T10:00:00.000000Z"}}]}}'
        )


def futures_book(symbol: str, seq: int) -> str:
    return json.dumps(
        {
            "feed": "book_snapshot",
            "product_id": symbol,
            "timestamp": 1790359964969,
            "seq": seq,
            "bids": [{"price": 100.0, "qty": 1.0}, {"price": 99.5, "qty": 2.0}],
            "asks": [{"price": 100.5, "qty": 1.5}, {"price": 101.0, "qty": 3.0}],
        }
    )


def futures_delta(symbol: str, seq: int, side: str, price: str, qty: str) -> str:
    return (
        f'{{"feed":"book","product_id":"{symbol}","side":"{side}","seq":{seq},'
        f'"price":{price},"qty":{qty},"timestamp":1790359997729}}'
    )


def apply_spot(store: Store, text: str, now: float = 1.0) -> list[Any]:
    out: list[Any] = []
    for e in spot.decode_events(text):
        out.extend(store.apply(e, now, "public"))
    return out


def apply_futures(store: Store, text: str, now: float = 1.0) -> list[Any]:
    out: list[Any] = []
    for e in futures_frames.decode_events(text):
        out.extend(store.apply(e, now, "futures"))
    return out


def ready_store() -> tuple[Store, SpotBooks]:
    """Both venues' markets with reference data and a verified book each."""
    store = Store()
    for s in (*SPOT, *FUTURES):
        store.market(s).book_depth = 10
    for s in SPOT:
        store.instruments[s] = Instrument.from_wire(spot_instrument(s))
        store.market(s).instrument = store.instruments[s]
    apply_futures(store, futures_instruments())
    books = SpotBooks()
    for s in SPOT:
        assert not apply_spot(
            store, books.frame("snapshot", s, [("100.0", "1.00000000")], [("101.0", "2.00000000")])
        )
    for s in FUTURES:
        assert not apply_futures(store, futures_book(s, 10))
    return store, books


def d(text: str) -> Decimal:
    return Decimal(text)
