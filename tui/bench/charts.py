"""``python -m tui.bench.charts``: what a chart costs to draw, ours against plotext.

The question it answers: would a terminal charting library fit the dashboard's repaint budget
(≥ 15 repaints/s while ~2,000 book messages/s arrive, one core)? It times, at the sizes the
dashboard gives the charts at 160x45, 120x35 and 80x24, one full rebuild of the candle and depth
charts as the widgets do it (cells → strips), one repaint from the cached strips (what the
compositor asks for while only the book beside the charts changed), and plotext building the same
candles and the same depth as text and parsing it (what textual-plotext does on each refresh).
plotext is optional: without it only our side is printed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rich.style import Style

from tui.kraken.rfc3339 import format_rfc3339
from tui.store import Candle, Trade
from tui.widgets.candle_draw import draw_candles
from tui.widgets.charts import to_strips
from tui.widgets.depth_draw import draw_depth
from tui.widgets.tape_lines import aggregate, avg_text, fold

# (terminal, candle chart cells, depth chart cells) as the market screen lays them out
SIZES = [("160x45", (42, 10), (42, 5)), ("120x35", (34, 7), (34, 3)), ("80x24", (32, 5), None)]


def _candles(n: int, seed: int) -> list[Candle]:
    rng = random.Random(seed)
    start = 1_795_000_000 - 1_795_000_000 % 60
    price = 970_000  # ticks of 0.1
    out = []
    for i in range(n):
        o = price
        c = max(10, o + int(rng.gauss(0, 60)))
        h = max(o, c) + abs(int(rng.gauss(0, 25)))
        lo = min(o, c) - abs(int(rng.gauss(0, 25)))
        vol = Decimal(rng.randint(1, 9_000_000)).scaleb(-8)
        do, dh, dl, dc = (Decimal(v).scaleb(-1) for v in (o, h, lo, c))
        out.append(Candle(format_rfc3339(start + i * 60, 9), 1, do, dh, dl, dc, dc, vol, 10))
        price = c
    return out


def _depth(levels: int, seed: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    rng = random.Random(seed)
    bids, asks, cb, ca = [], [], 0, 0
    for i in range(levels):
        cb += rng.randint(10_000, 5_000_000)
        ca += rng.randint(10_000, 5_000_000)
        bids.append((969_990 - i * 48, cb))
        asks.append((970_010 + i * 48, ca))
    return bids, asks


def _tape_ms(repeat: int) -> tuple[float, float]:
    """Folding 300 prints into lines from scratch (a symbol switch), and one new print onto them."""
    rng = random.Random(3)
    trades = [
        Trade(
            Decimal(970_000 + rng.randint(-50, 50)).scaleb(-1),
            Decimal(rng.randint(1, 10**7)).scaleb(-8),
            rng.choice(("buy", "sell")),
            "market",
            i,
            format_rfc3339(1_795_000_000 + i // 3, 6),  # runs of up to three prints a stamp
        )
        for i in range(301)
    ]
    old = aggregate(trades[:300])
    scratch = _ms(lambda: [avg_text(line, 1) for line in aggregate(trades[1:])], repeat)
    one = _ms(lambda: fold(list(old), trades[300:])[::-1], repeat)
    return scratch, one


def _ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def _plotext() -> Any | None:
    try:
        import plotext  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return None
    return plotext if hasattr(plotext, "candlestick") else None


def _plotext_candles(plt: Any, candles: list[Candle], w: int, h: int) -> Callable[[], object]:
    from rich.text import Text

    data = {
        "Open": [float(c.open) for c in candles],
        "Close": [float(c.close) for c in candles],
        "High": [float(c.high) for c in candles],
        "Low": [float(c.low) for c in candles],
    }
    dates = list(range(len(candles)))

    def build() -> object:
        plt.clear_figure() if hasattr(plt, "clear_figure") else plt.clf()
        plt.plotsize(w, h)
        plt.theme("clear")
        plt.candlestick(dates, data)
        return Text.from_ansi(plt.build()).split()

    return build


def _plotext_depth(
    plt: Any, bids: list[tuple[int, int]], asks: list[tuple[int, int]], w: int, h: int
) -> Callable[[], object]:
    from rich.text import Text

    def build() -> object:
        plt.clear_figure() if hasattr(plt, "clear_figure") else plt.clf()
        plt.plotsize(w, h)
        plt.theme("clear")
        plt.plot([p / 10 for p, _ in bids], [c / 1e8 for _, c in bids], fillx=True)
        plt.plot([p / 10 for p, _ in asks], [c / 1e8 for _, c in asks], fillx=True)
        return Text.from_ansi(plt.build()).split()

    return build


def _case(
    name: str,
    chart: str,
    size: tuple[int, int],
    candles: list[Candle],
    depth: tuple[list[tuple[int, int]], list[tuple[int, int]]],
    plt: Any | None,
    repeat: int,
) -> str:
    """One line of the table: our rebuild, our cached repaint, plotext's build, in ms."""
    w, h = size
    style = Style()

    def styled(_: str) -> Style:
        return style

    def rebuild() -> object:
        if chart == "candles":
            return to_strips(draw_candles(candles, 1, 1, w, h), w, h, styled)
        return to_strips(draw_depth(*depth, 1, w, h), w, h, styled)

    strips = to_strips(draw_candles(candles, 1, 1, w, h), w, h, styled)
    other = None
    if plt is not None:
        other = (
            _plotext_candles(plt, candles[-w // 2 :], w, h)
            if chart == "candles"
            else _plotext_depth(plt, *depth, w, h)
        )
    repaint = _ms(lambda: [strips[y] for y in range(h)], repeat)
    theirs = f"{_ms(other, max(1, repeat // 4)):7.3f}" if other else "   n/a"
    return f"{name:<8} {chart:<8} {w:>3}x{h:<2}  {_ms(rebuild, repeat):11.3f} ms {repaint:8.4f}  {theirs} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tui.bench.charts", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200, help="renders timed per case (median reported)")
    args = ap.parse_args(argv)
    candles = _candles(720, 1)
    bids, asks = _depth(200, 2)
    plt = _plotext()
    print(f"{'terminal':<8} {'chart':<8} {'cells':>6}  {'ours: rebuild':>14} {'repaint':>8}  {'plotext':>8}")
    for name, csize, dsize in SIZES:
        for chart, size in (("candles", csize), ("depth", dsize)):
            if size is not None:
                print(_case(name, chart, size, candles, (bids, asks), plt, args.repeat))
    scratch, one = _tape_ms(args.repeat)
    print(f"tape: 300 prints into lines {scratch:.3f} ms from scratch, {one:.4f} ms per new print")
    if plt is None:
        print(
            "plotext (5.x, the API textual-plotext uses) is not installed: pip install 'plotext<6' to compare"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
