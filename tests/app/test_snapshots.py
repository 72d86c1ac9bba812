"""Snapshots at a fixed size from a recorded session: no sockets, no clock, same pixels every run."""

from __future__ import annotations

from typing import Any

from tests.app.conftest import FixtureApp


async def _settle(pilot: Any) -> None:
    app = pilot.app
    assert isinstance(app, FixtureApp)
    await pilot.pause(0.2)
    await app.freeze()
    await pilot.pause(0.2)


def test_market_screen(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(), terminal_size=(120, 35), run_before=_settle)


def test_market_screen_small_terminal(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(), terminal_size=(80, 24), run_before=_settle)


def test_stale_book_is_flagged(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(stale="stale"), terminal_size=(120, 35), run_before=_settle)


def test_help_screen(snap_compare: Any) -> None:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(FixtureApp(), terminal_size=(120, 35), run_before=run)


def test_live_mode_banner(snap_compare: Any) -> None:
    assert snap_compare(FixtureApp(mode="LIVE"), terminal_size=(120, 35), run_before=_settle)


def test_futures_contract_with_its_position(snap_compare: Any) -> None:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        app = pilot.app
        assert app.market_screen is not None
        app.market_screen.select_symbol("PF_XBTUSD")
        await pilot.press("P")
        await pilot.pause(0.2)
        await app.freeze()
        await pilot.pause(0.2)

    assert snap_compare(FixtureApp(), terminal_size=(120, 35), run_before=run)
