from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

import pytest

from tui.kraken.checksum import book_checksum, level_token
from tui.kraken.numbers import PrecisionError, format_ticks, to_ticks


@pytest.mark.parametrize(
    ("text", "precision", "ticks"),
    [
        ("0.10000000", 8, 10_000_000),
        ("0.1", 8, 10_000_000),
        ("5e-07", 8, 50),
        ("0.00000005", 8, 5),
        ("62807.0", 1, 628070),
        ("-1.5", 2, -150),
        ("1.50000", 2, 150),
        (3, 2, 300),
    ],
)
def test_wire_text_becomes_exact_ticks(text: str, precision: int, ticks: int) -> None:
    assert to_ticks(text, precision) == ticks


def test_too_many_decimals_is_refused_not_rounded() -> None:
    with pytest.raises(PrecisionError):
        to_ticks("0.123", 2)
    with pytest.raises(PrecisionError):
        to_ticks(Decimal("1e-9"), 8)


def test_format_keeps_trailing_zeros_and_tiny_quantities() -> None:
    assert format_ticks(10_000_000, 8) == "0.10000000"
    assert format_ticks(5, 8) == "0.00000005"
    assert format_ticks(-150, 2) == "-1.50"
    assert format_ticks(7, 0) == "7"


def test_docs_checksum_example(samples: dict[str, Any]) -> None:
    ex = samples["book_checksum_doc_example_btcusd"]
    assert level_token(452852, 100000) == ex["first_ask_token"]
    assert level_token(452835, 10_000_000) == ex["first_bid_token"]
    # independent reference: CRC32 over the documented strings
    expected = int(ex["expected_checksum"])
    assert zlib.crc32((ex["asks_string"] + ex["bids_string"]).encode()) == expected
    assert book_checksum([ex["asks_string"]], [ex["bids_string"]]) == expected == 3310070434


def _apply(side: dict[int, int], levels: list[dict[str, str]]) -> None:
    for lvl in levels:
        price, qty = to_ticks(lvl["price"], 4), to_ticks(lvl["qty"], 8)
        if qty == 0:
            side.pop(price, None)
        else:
            side[price] = qty


def _checksum(asks: dict[int, int], bids: dict[int, int]) -> int:
    top_asks = sorted(asks.items())[:10]
    top_bids = sorted(bids.items(), reverse=True)[:10]
    return book_checksum([level_token(p, q) for p, q in top_asks], [level_token(p, q) for p, q in top_bids])


def test_docs_matic_checksums_need_precision_formatting(samples: dict[str, Any]) -> None:
    """MATIC/USD at price precision 4 / qty precision 8: snapshot 2439117997, then update 2114181697.

    The wire text (e.g. ``0.566``, ``148.3464``) is shorter than the precision, so only formatting
    through integer ticks reproduces Kraken's values.
    """
    import msgspec

    ex = samples["book_doc_example_maticusd"]
    decoder = msgspec.json.Decoder(float_hook=str)
    snap = decoder.decode(ex["snapshot_raw"])["data"][0]
    asks: dict[int, int] = {}
    bids: dict[int, int] = {}
    _apply(asks, snap["asks"])
    _apply(bids, snap["bids"])
    assert _checksum(asks, bids) == snap["checksum"] == 2439117997
    upd = decoder.decode(ex["update_raw"])["data"][0]
    _apply(asks, upd["asks"])
    _apply(bids, upd["bids"])
    for side, best_first in ((asks, sorted(asks)), (bids, sorted(bids, reverse=True))):
        for price in best_first[10:]:
            del side[price]
    assert _checksum(asks, bids) == upd["checksum"] == 2114181697


def test_negative_and_zero_ticks_format() -> None:
    assert format_ticks(0, 8) == "0.00000000"
    assert format_ticks(-5, 8) == "-0.00000005"
    assert to_ticks("-0.00000005", 8) == -5
