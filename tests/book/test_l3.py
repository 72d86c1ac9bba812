from __future__ import annotations

from typing import Any

from tui.book.l3 import L3Book
from tui.kraken.messages import Level3Message, decode


def test_docs_l3_checksum_1063832831(samples: dict[str, Any]) -> None:
    msg = decode(samples["level3_checksum_doc_example_btcusd"]["raw"])
    assert isinstance(msg, Level3Message)
    e = msg.entries[0]
    book = L3Book("BTC/USD", 1, 8, 10)
    book.apply_snapshot(e.bids, e.asks)
    assert book.checksum() == 1063832831
    assert book.verify(e.checksum)


def _o(oid: str, price: str, qty: str, event: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"order_id": oid, "limit_price": price, "order_qty": qty, "timestamp": "t"}
    if event:
        row["event"] = event
    return row


def test_queue_ahead_modify_delete_and_levels() -> None:
    book = L3Book("X/USD", 1, 2, 10)
    book.apply_snapshot(
        [_o("A", "10.0", "1.00"), _o("B", "10.0", "2.00"), _o("C", "10.0", "0.50")], [_o("D", "10.5", "1.00")]
    )
    assert book.queue_ahead("C") == 300
    book.apply_update([_o("A", "10.0", "0.25", "modify")], [])
    assert book.queue_ahead("C") == 225
    book.apply_update([_o("B", "10.0", "2.00", "delete")], [])
    assert book.queue_ahead("C") == 25
    assert book.aggregate("bids", 5) == [(100, 75, 2)]
    book.apply_update([_o("A", "10.0", "0.25", "delete"), _o("C", "10.0", "0.50", "delete")], [])
    assert book.best_bid() is None and book.queue_ahead("C") is None
    assert book.best_ask() == (105, 100)


def test_truncates_to_depth_price_levels() -> None:
    book = L3Book("X/USD", 0, 0, 2)
    book.apply_snapshot([_o("a", "9", "1"), _o("b", "8", "1"), _o("c", "7", "1")], [])
    assert [p for p, _ in book.levels("bids", 10)] == [9, 8]
    assert book.order("c") is None
