"""Lag from the frames' own timestamps, per connection and per symbol, and the lagging flag."""

from __future__ import annotations

import json
from typing import Any

from tests.store.frames import apply_futures, futures_delta, ready_store
from tui.kraken import events as ev
from tui.kraken import futures_frames, spot
from tui.kraken.rfc3339 import format_rfc3339
from tui.store import Store
from tui.store.lag import LAG_LIMIT, LAG_SAMPLE

T0 = 1_796_119_200.0  # 2026-12-01T10:00:00Z


def apply_live(store: Store, event: Any, now: float, conn: str, wall: float) -> None:
    """What a live session does with each event: measure its lag, then apply it."""
    store.lag.observe(event, conn, wall)
    store.apply(event, now, conn)


def _book(stamp: float) -> str:
    return json.dumps(
        {
            "channel": "book",
            "type": "update",
            "data": [
                {
                    "symbol": "BTC/USD",
                    "bids": [],
                    "asks": [],
                    "checksum": 1,
                    "timestamp": format_rfc3339(stamp),
                }
            ],
        }
    )


def test_a_book_behind_the_exchange_is_flagged_and_recovers() -> None:
    store, _ = ready_store()
    mk, health = store.market("BTC/USD"), store.health.conn("public")
    (fresh,) = spot.decode_events(_book(T0 - 0.05))
    apply_live(store, fresh, 1.0, "public", T0)
    assert mk.lag_s is not None and abs(mk.lag_s - 0.05) < 1e-3 and not mk.lagging
    assert health.lag_s == mk.lag_s and health.lag_floor == mk.lag_s
    (late,) = spot.decode_events(_book(T0))
    apply_live(store, late, 1.0, "public", T0 + LAG_SAMPLE / 2)  # not sampled: too soon
    assert abs(mk.lag_s - 0.05) < 1e-3
    (old,) = spot.decode_events(_book(T0 + 1 - LAG_LIMIT - 1))
    apply_live(store, old, 2.0, "public", T0 + 1)
    assert mk.lag_s > LAG_LIMIT and mk.lagging and not mk.trusted
    assert store.market("ETH/USD").lagging is False, "per symbol"
    (caught_up,) = spot.decode_events(_book(T0 + 2 - 0.05))
    apply_live(store, caught_up, 3.0, "public", T0 + 2)
    assert not mk.lagging


def test_a_constant_clock_skew_is_not_lag_and_replays_measure_nothing() -> None:
    store, _ = ready_store()
    mk = store.market("PF_XBTUSD")
    skew = 30.0  # our clock 30 s ahead of the exchange's
    exchange_now = 1790359997.729
    apply_futures(store, futures_delta("PF_XBTUSD", 11, "buy", "100.0", "1.0"), now=1.0)  # replay: no wall
    assert mk.lag_s is None
    for i, (seq, extra) in enumerate(((12, 0.0), (13, 0.5))):
        text = futures_delta("PF_XBTUSD", seq, "buy", "100.0", "1.0")
        (e,) = futures_frames.decode_events(text)
        apply_live(store, e, 2.0 + i, "futures", exchange_now + skew + extra + i)
    assert mk.lag_s is not None and mk.lag_s > skew and not mk.lagging
    apply_live(
        store, ev.Heartbeat(int((exchange_now + 5) * 1000)), 9.0, "futures", exchange_now + 5 + skew + 0.1
    )
    assert abs((store.health.conn("futures").lag_s or 0) - (skew + 0.1)) < 1e-3
