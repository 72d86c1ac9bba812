"""The chart panel on the market screen: one naming of intervals in its title and its text."""

from __future__ import annotations

from tests.app.conftest import FixtureApp, drawn_rows
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


async def test_a_moved_last_candle_repaints_only_the_lines_that_changed() -> None:
    """A new trade moves the last candle: the lines that differ are repainted and no others, and
    what the compositor shows is the chart drawn whole from the new candles."""
    from dataclasses import replace

    from tui.widgets.charts import to_strips

    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await app.painted(pilot, 0.2)
        chart = screen.query_one(CandleChart)
        assert len(chart.candles) > 3
        chart.refresh()  # drawn once whole (a style update after the first paint forgets the strips)
        await pilot.pause(0.2)
        drawn = drawn_rows(chart)
        last = chart.candles[-1]
        bumped = replace(last, close=last.close + (last.high - last.close) / 2 or last.close)
        chart.update_candles([*chart.candles[:-1], bumped], chart.interval, chart.decimals)
        await pilot.pause(0.2)
        w, h = chart.size.width, chart.size.height
        assert drawn and len(set(drawn)) < h, drawn  # some lines, not the whole chart

        whole = [s.text for s in to_strips(chart._rows(w, h), w, h, chart._style)]
        x, y = chart.content_region.x, chart.content_region.y
        shown = [s.text[x : x + w] for s in screen._compositor.render_strips()[y : y + h]]
        assert shown == whole
