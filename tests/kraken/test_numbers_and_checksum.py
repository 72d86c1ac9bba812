from __future__ import annotations

import zlib
from decimal import Decimal

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


def test_docs_checksum_example(samples: dict) -> None:
    ex = samples["book_checksum_doc_example_btcusd"]
    assert level_token(452852, 100000) == ex["first_ask_token"]
    assert level_token(452835, 10_000_000) == ex["first_bid_token"]
    # independent reference: CRC32 over the documented strings
    expected = int(ex["expected_checksum"])
    assert zlib.crc32((ex["asks_string"] + ex["bids_string"]).encode()) == expected
    assert book_checksum([ex["asks_string"]], [ex["bids_string"]]) == expected == 3310070434
