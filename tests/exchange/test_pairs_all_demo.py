"""``[demo] pairs``: the demo's embedded exchange lists the whole recorded market, or named pairs."""

from __future__ import annotations

from tui.config import Settings
from tui.exchange.pairs import DEFAULT_PAIRS
from tui.modes import start_mode


async def test_demo_pairs_all_lists_683() -> None:
    settings = Settings(demo={"pairs": "all"})
    ex, urls = await start_mode(settings, "DEMO")
    assert ex is not None and urls is not None
    try:
        assert len(ex.pairs) == 683
        assert set(settings.symbols) <= set(ex.pairs)  # the watchlist is among them
    finally:
        await ex.stop()


async def test_demo_pairs_by_name_add_to_the_watchlist() -> None:
    settings = Settings(symbols=["BTC/USD", "LTC/USD"], demo={"pairs": ["ETH/BTC", "BTC/USD"]})
    ex, _ = await start_mode(settings, "DEMO")
    assert ex is not None
    try:
        assert list(ex.pairs) == ["BTC/USD", "LTC/USD", "ETH/BTC"]
        assert ex.pairs["BTC/USD"] is DEFAULT_PAIRS["BTC/USD"]  # a default pair keeps its definition
    finally:
        await ex.stop()


async def test_the_default_demo_lists_the_default_pairs() -> None:
    ex, _ = await start_mode(Settings(), "DEMO")
    assert ex is not None
    try:
        assert set(ex.pairs) <= set(DEFAULT_PAIRS)
    finally:
        await ex.stop()
