"""The chart panel on the market screen: one naming of intervals in its title and its text."""

from __future__ import annotations

from tests.app.conftest import FixtureApp
from tui.widgets.charts import CandleChart


async def test_the_candle_title_names_the_interval_as_the_palette_does() -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.2)
        screen = app.market_screen
        assert screen is not None
        chart = screen.query_one(CandleChart)
        assert chart.border_title == "Candles 1m"
        for minutes, label in ((60, "1h"), (240, "4h"), (1440, "1d"), (10080, "1w"), (21600, "15d")):
            app.store.market("BTC/USD").ohlc_interval = minutes
            app.store.mark("BTC/USD", "candles")
            screen.refresh_from_store(force=True)
            await pilot.pause(0.05)
            assert chart.border_title == f"Candles {label}"
            assert chart.render_line(0).text.strip() == f"waiting for {label} candles…"
            palette = [e.name for e in screen.palette_entries() if e.name.startswith("Candle interval")]
            assert f"Candle interval: {label}" in palette
