"""Snapshots of the screener from a recorded session (no sockets, no clock), wide and small."""

from __future__ import annotations

from typing import Any

from tests.app.conftest import FixtureApp
from tui.screens.screener import ScreenerScreen


async def _open(pilot: Any) -> None:
    app = pilot.app
    assert isinstance(app, FixtureApp)
    await pilot.pause(0.2)
    await app.freeze()
    await pilot.press("S")
    while not isinstance(app.screen, ScreenerScreen):
        await pilot.pause(0.05)
    await pilot.pause(0.3)


def test_screener_160x45(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(), terminal_size=(160, 45), run_before=_open)


def test_screener_80x24(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(), terminal_size=(80, 24), run_before=_open)
