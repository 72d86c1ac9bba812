"""The trading rate counter, client side (issue 13 point 6): the ack's tier maximum and the
streamed per-pair counter, decoded by tui.kraken.spot and applied through Store.apply.

Frames: the recorded ack (tests/fixtures/kraken-v2-samples.json, maxratecount 180) and the counter
rows as the embedded exchange streams them (/work/wt/RATECOUNTER.md: undocumented by Kraken).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tui.kraken import events as ev
from tui.kraken.spot import decode_events
from tui.store import Store

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "kraken-v2-samples.json"


def _apply(store: Store, raw: str, now: float) -> list[object]:
    events = decode_events(raw)
    for e in events:
        store.apply(e, now)
    return events


def test_recorded_ack_gives_the_tier_maximum() -> None:
    raw = json.loads(SAMPLES.read_text())["subscribe_acks"]["executions_recorded"]
    store = Store()
    events = _apply(store, raw, 1.0)
    assert ev.RateCounter(max_count=180) in events
    assert store.account.rate_max == 180
    assert "rate" in store.changes_since(-1).account


def test_streamed_counter_rows_per_pair_with_receipt_time() -> None:
    store = Store()
    raw = (
        '{"channel":"executions","type":"update","data":[{"symbol":"BTC/USD","ratecount":37.00,'
        '"timestamp":"2026-12-01T11:40:00.123456Z"},{"symbol":"ETH/USD","ratecount":0.00,'
        '"timestamp":"2026-12-01T11:40:00.2Z"}],"sequence":12}'
    )
    events = _apply(store, raw, 5.0)
    # a counter-only frame is not an (empty) order update: no order or fill events at all
    assert all(isinstance(e, ev.RateCounter) for e in events)
    assert store.account.rate_counters == {
        "BTC/USD": (Decimal("37.00"), 5.0),
        "ETH/USD": (Decimal("0.00"), 5.0),
    }


def test_counter_on_an_execution_row_and_unreadable_counters_dropped() -> None:
    store = Store()
    raw = (
        '{"channel":"executions","type":"update","data":['
        '{"order_id":"OA-1","exec_type":"new","order_status":"new","symbol":"BTC/USD","ratecount":"12.5"},'
        '{"symbol":"ETH/USD","ratecount":"abc"},{"symbol":"SOL/USD","ratecount":true},'
        '{"symbol":"XRP/EUR","ratecount":-3}],"sequence":3}'
    )
    _apply(store, raw, 2.0)
    assert store.account.rate_counters == {"BTC/USD": (Decimal("12.5"), 2.0)}
    assert "OA-1" in store.account.orders  # the order row itself still applied
