"""The candle and depth charts' geometry and labels, cell by cell (pure functions, no Textual)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tui.kraken.rfc3339 import format_rfc3339
from tui.kraken.vocab import OHLC_INTERVALS, interval_label
from tui.store import Candle
from tui.widgets.candle_draw import draw_candles
from tui.widgets.chart_axes import compact_amount, price_ticks, time_labels
from tui.widgets.depth_draw import draw_depth

D = Decimal
START = int(datetime(2026, 11, 18, 10, 0, tzinfo=UTC).timestamp())  # an hour boundary


def candle(minute: int, o: str, h: str, lo: str, c: str, vol: str = "1", interval: int = 1) -> Candle:
    begin = format_rfc3339(START + minute * interval * 60, 9)
    return Candle(begin, interval, D(o), D(h), D(lo), D(c), D(c), D(vol), 1)


def text(rows: list[list[tuple[str, str]]]) -> list[str]:
    return ["".join(t for t, _ in row) for row in rows]


def test_interval_labels_are_one_naming() -> None:
    assert [interval_label(i) for i in OHLC_INTERVALS] == [
        "1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w", "15d",
    ]  # fmt: skip
    assert interval_label(720) == "12h"


def test_price_ticks_are_round_and_on_the_pairs_grid() -> None:
    assert price_ticks(D("97180.3"), D("97262.1"), 4, 1) == [D(97200), D(97225), D(97250)]
    ticks = price_ticks(D("0.38013"), D("0.38021"), 4, 5)
    assert ticks == [D("0.38014"), D("0.38016"), D("0.38018"), D("0.38020")]
    assert all(t % D("0.00001") == 0 for t in price_ticks(D("1.00001"), D("1.00003"), 10, 5))


def test_candles_have_a_gap_and_sit_in_their_own_time_slot() -> None:
    data = [
        candle(0, "100.0", "101.0", "99.0", "100.5"),
        candle(1, "100.5", "102.0", "100.0", "101.5"),
        # minute 2 had no trades: no candle, an empty slot
        candle(3, "101.5", "101.5", "99.5", "100.0"),
    ]
    rows = draw_candles(data, 1, 1, 20, 12)
    plot = [row[:-1] for row in rows[:9]]  # 9 candle rows, 2 volume rows, the time row
    cols = {x for row in plot for x, (ch, st) in enumerate(row) if st in ("candle--up", "candle--down")}
    axis_w = len(" 102.0")
    slots = (20 - axis_w + 1) // 2
    newest = (slots - 1) * 2
    assert cols == {newest - 6, newest - 4, newest}  # every other column; minute 2's slot empty
    assert all(row[newest - 1][0] in (" ", "┈") for row in plot)  # the gap column


def test_last_price_line_and_its_exact_label() -> None:
    data = [
        candle(0, "97000.0", "97100.0", "96900.0", "97050.0"),
        candle(1, "97050.0", "97080.0", "96990.0", "97012.3"),
    ]
    rows = draw_candles(data, 1, 1, 30, 12)
    labelled = [row for row in rows if row[-1][1] == "candle--last-down"]
    assert len(labelled) == 1
    assert labelled[0][-1][0].strip() == "97012.3"  # the close as written, at the pair's precision
    assert any(ch == "┈" for ch, _ in labelled[0][:-1])  # the line runs across the empty cells
    # the other axis labels are round prices
    others = [row[-1][0].strip() for row in rows[:9] if row[-1][0].strip() and row[-1][1] == "candle--axis"]
    assert others and all(D(v) % 50 == 0 for v in others)


def test_volume_bars_under_the_candles_scaled_to_the_largest() -> None:
    data = [candle(i, "10", "11", "9", "10.5", vol) for i, vol in enumerate(["1", "4", "2"])]
    rows = draw_candles(data, 1, 1, 20, 14)  # 11 candle rows, 2 volume rows, 1 time row
    vol = rows[11:13]
    bars = [(x, row[x][0]) for row in vol for x in range(len(row) - 1) if row[x][1].startswith("candle--vol")]
    heights: dict[int, int] = {}
    for x, ch in bars:
        heights[x] = heights.get(x, 0) + " ▁▂▃▄▅▆▇█".index(ch)
    assert sorted(heights.values()) == [4, 8, 16]  # 1/4, 2/4, 4/4 of two rows of eighths
    assert vol[0][-1][0].strip() == "4"  # the scale: the largest volume shown


def test_time_axis_labels_sit_on_utc_boundaries() -> None:
    data = [candle(i, "10", "11", "9", "10") for i in range(40)]  # 10:00 … 10:39
    rows = draw_candles(data, 1, 1, 70, 8)
    time_row = text([rows[-1]])[0]
    assert time_row.rstrip().endswith("UTC")
    # 2 columns a candle, 5-character labels: every 5 minutes, at the first candle of each
    slots = (70 - len(" 11.0") + 1) // 2
    labels = time_labels(START + 39 * 60, slots, 1, 2)
    assert [t for _, t in labels] == ["10:10", "10:15", "10:20", "10:25", "10:30", "10:35"]
    for slot, label in labels:
        assert time_row[slot * 2 : slot * 2 + 5] == label
    # hourly candles get 3-hour steps; daily ones the first candle of each month; weekly ones months
    assert [t for _, t in time_labels(START, 12, 60, 2)] == ["00:00", "03:00", "06:00", "09:00"]
    assert [t for _, t in time_labels(START, 40, 1440, 2)] == ["Nov"]
    assert [t for _, t in time_labels(START, 12, 10080, 2)] == ["Sep", "Oct", "Nov"]


def test_waiting_names_the_interval_as_everywhere_else() -> None:
    assert text(draw_candles([], 60, 1, 40, 10)) == ["waiting for 1h candles…"]


def test_compact_amount_fits() -> None:
    assert compact_amount(D("0.25774123"), 7) == "0.25774"
    assert compact_amount(D("1234567.5"), 6) == "1235k"
    assert compact_amount(D("1234567.5"), 4) == "1.2M"


def test_depth_has_a_price_axis_and_the_mid_in_the_middle() -> None:
    # bids 99.8 / 99.6, asks 100.1 / 100.3 (precision 1): mid 99.95, reach 0.35 each side
    bids = [(998, 5), (996, 12)]
    asks = [(1001, 3), (1003, 9)]
    rows = draw_depth(bids, asks, 1, 21, 5)
    assert len(rows) == 5
    plot, axis = rows[:4], text(rows[4:])[0]
    assert all(row[10] == ("│", "depth--mid") for row in plot)  # the mid marker, centre column
    assert axis.split() == ["99.6", "99.95", "100.3"]  # exact; the mid of an odd spread has a digit more
    assert axis.index("99.95") <= 10 < axis.index("99.95") + 5
    # the tallest column is the bigger cumulative side at the edge: 12 on the bids
    assert rows[0][0][0] == "█" and rows[0][-1][0] != "█"


def test_depth_without_a_book() -> None:
    assert text(draw_depth([], [], 1, 20, 5)) == ["no book"]
