"""Snapshots of the candle and depth charts and the tape (a threshold lit) at 160x45 and 80x24,
from the recorded session: gapped candles, the last-price line and label, volume, the UTC time
axis, depth by price with its mid, sweeps folded on the tape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.app.conftest import FixtureApp


def _app() -> FixtureApp:
    app = FixtureApp()
    app.settings.tape.thresholds["BTC/USD"] = Decimal("0.005")
    return app


async def _settle(pilot: Any) -> None:
    app = pilot.app
    assert isinstance(app, FixtureApp)
    await pilot.pause(0.2)
    await app.freeze()
    await pilot.pause(0.2)


def test_charts_and_tape_160x45(snap_compare: Any) -> None:
    assert snap_compare(_app(), terminal_size=(160, 45), run_before=_settle)


def test_charts_and_tape_80x24(snap_compare: Any) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_settle)
