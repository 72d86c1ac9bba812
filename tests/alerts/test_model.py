"""The alert's one-line form and its file form: exact decimals in, the same decimals back."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from tui.alerts import Alert, AlertBook, StagedOrder, describe
from tui.alerts.parse import parse_alert

D = Decimal


def at(value: str | None) -> Callable[[str], Decimal | None]:
    return lambda kind: None if value is None else D(value)


def test_the_direction_follows_where_the_market_is() -> None:
    assert parse_alert("mid 98000.1", "BTC/USD", at("97000")).direction == "up"
    assert parse_alert("mid 96000", "BTC/USD", at("97000")).direction == "down"
    assert parse_alert("last <96000", "BTC/USD", at(None)).direction == "down"
    with pytest.raises(ValueError, match="no verified price"):
        parse_alert("mid 96000", "BTC/USD", at(None))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "say what"),
        ("mid", "the price"),
        ("mid abc", "not a number"),
        ("mid -5", "above zero"),
        ("spread x", "whole number"),
        ("volume 5", "unknown alert"),
        ("mid 5 buy", "staged order"),
        ("mid 5 buy 0.1 97000", "@ PRICE"),
    ],
)
def test_bad_text_says_what_is_wrong(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_alert(text, "BTC/USD", at("1"))


def test_a_staged_order_and_the_file_round_trip(tmp_path: Path) -> None:
    a = parse_alert("mid 0.1 buy 0.00100000 @ 0.09", "DOGE/USD", at("0.2"), "DEMO")
    assert a.staged == StagedOrder("buy", "0.00100000", "0.09", "limit")
    assert describe(a) == "DOGE/USD mid falls to 0.1 → stage buy 0.00100000 @ 0.09"
    path = tmp_path / "alerts.json"
    book = AlertBook(path)
    book.add(a)
    book.add(Alert("BTC/USD", "spread", ticks=3))
    text = path.read_text()
    assert '"level": "0.1"' in text  # a string, not a float
    again = AlertBook(path)
    assert again.alerts == book.alerts and again.problems == []


def test_a_damaged_entry_is_skipped_and_said(tmp_path: Path) -> None:
    path = tmp_path / "alerts.json"
    good = Alert("BTC/USD", "mid", level=D("1.5")).to_json()
    path.write_text(json.dumps({"alerts": [good, {"kind": "mid", "symbol": "X", "level": "NaN"}, 7]}))
    book = AlertBook(path)
    assert [a.level for a in book.alerts] == [D("1.5")]
    assert len(book.problems) == 2
