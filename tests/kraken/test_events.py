"""Both decoders finish decoding: typed, exact, venue-neutral events from recorded frames."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.kraken.test_messages import _raws
from tui.kraken import events as ev
from tui.kraken import futures_frames, spot
from tui.kraken.numbers import NumberError, exact


def test_every_spot_sample_frame_decodes_to_typed_events(samples: dict[str, Any]) -> None:
    kinds: set[str] = set()
    for raw in _raws(samples):
        for e in spot.decode_events(raw):
            assert not isinstance(e, dict)
            kinds.add(type(e).__name__)
    for expected in (
        "BookSnapshot",
        "BookDelta",
        "TickerUpdate",
        "TradePrints",
        "CandleUpdate",
        "InstrumentsUpdate",
        "Level3Update",
        "OrderUpdate",
        "FillReport",
        "BalancesUpdate",
        "SystemStatus",
        "Ack",
        "Pong",
        "MethodResponse",
    ):
        assert expected in kinds


def test_a_book_update_is_decoded_straight_into_delta_events_with_wire_text(samples: dict[str, Any]) -> None:
    raw = samples["book_update_recorded_2026_wire_text"]
    text = next(v for k, v in raw.items() if k.endswith("raw") and '"update"' in v)
    events = spot.decode_events(text)
    assert events and all(isinstance(e, ev.BookDelta) for e in events)
    delta = events[0]
    assert delta.checksum is not None and delta.seq is None
    assert all(isinstance(lv.price, str) for lv in delta.bids + delta.asks)


def test_executions_become_fills_and_typed_order_reports(samples: dict[str, Any]) -> None:
    fills, orders = spot.decode_events(samples["executions_recorded"]["snapshot_trades_raw"])
    assert isinstance(fills, ev.FillReport) and isinstance(orders, ev.OrderUpdate)
    assert fills.venue == orders.venue == "spot" and orders.snapshot
    f = fills.fills[0]
    assert (f.order_id, f.exec_id, f.trade_id, f.symbol, f.side) == (
        "NG6PUE-C7MXN-CFCAMC",
        "B1Y0D9-6JIJG-W1IB7L",
        37496584,
        "BTC/USD",
        "sell",
    )
    assert (f.qty, f.price, f.cost, f.fee, f.fee_asset) == (
        Decimal("0.00016000"),
        Decimal("63377.2"),
        Decimal("10.12445"),
        Decimal("0.04051"),
        "USD",
    )
    assert orders.reports[0].status == "filled" and orders.reports[0].exec_type == "trade"


def test_futures_frames_decode_to_the_same_events(samples: dict[str, Any]) -> None:
    fut = samples["futures_v1"]
    (delta,) = futures_frames.decode_events(fut["book_delta_raw"])
    assert isinstance(delta, ev.BookDelta) and delta.seq == 115358039 and delta.checksum is None
    assert delta.bids == [] and delta.asks[0].qty == Decimal("0.0")
    (snap,) = futures_frames.decode_events(fut["book_snapshot_raw_trimmed"])
    assert isinstance(snap, ev.BookSnapshot) and snap.seq == 115335794 and len(snap.bids) == 3
    (ticker,) = futures_frames.decode_events(fut["ticker_raw"])
    assert isinstance(ticker, ev.TickerUpdate) and ticker.derivatives is not None
    assert ticker.derivatives.relative_funding_rate == Decimal("0.00001089345")
    (prints,) = futures_frames.decode_events(fut["trade_snapshot_raw"])
    assert isinstance(prints, ev.TradePrints)
    assert [t.trade_id for t in prints.trades] == sorted(t.trade_id for t in prints.trades)
    assert futures_frames.decode_events(fut["challenge_response_raw"]) == [
        ev.Challenge("5a2d547e-2226-4193-957e-7b19e32cf5b4")
    ]
    assert futures_frames.decode_events(fut["alert_auth_failed_raw"]) == [
        ev.Alert("alert", futures_frames.AUTH_ALERT)
    ]
    assert futures_frames.decode_events('{"event":"subscribed","feed":"open_orders"}') == [
        ev.Subscribed("open_orders", True)
    ]
    assert isinstance(futures_frames.decode_events(fut["heartbeat_doc_raw"])[0], ev.Heartbeat)


@pytest.mark.parametrize("text", ["abc", "NaN", "-Infinity", "sNaN", "1E+300000", "1e-99999", "9" * 65])
def test_numbers_that_are_not_finite_or_not_sane_are_refused(text: str) -> None:
    with pytest.raises(NumberError):
        exact(text)


def test_exact_numbers_keep_their_digits() -> None:
    assert format(exact("0.00000010"), "f") == "0.00000010"
    assert exact(5) == Decimal(5) and exact(Decimal("1E-7")) == Decimal("1E-7")
