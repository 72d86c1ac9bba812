"""Rolling 24 h ticker numbers: right to the minute, and bounded however long the session runs."""

from __future__ import annotations

import random
from decimal import Decimal

from tui.exchange.pairs import DEFAULT_PAIRS
from tui.exchange.stats import DAY, MarketStats

BTC = DEFAULT_PAIRS["BTC/USD"]


def test_two_days_of_trades_keep_a_bounded_window_and_exact_24h_numbers() -> None:
    rng = random.Random(3)
    stats = MarketStats(BTC)
    t0 = 1_764_000_000.0
    trades: list[tuple[float, int, int]] = []
    ts, price = t0, 970_000
    while ts < t0 + 2 * DAY:
        ts += rng.uniform(0.5, 40)
        price = max(1, price + rng.randint(-30, 30))
        qty = rng.randint(1, 10**6)
        stats.on_trade(ts, price, qty)
        trades.append((ts, price, qty))
    assert len(stats.window) <= 1441

    # brute force over whole minutes: a trade counts while its minute ends less than 24 h ago
    kept = [(t, p, q) for t, p, q in trades if (t - t % 60) + 60 > ts - DAY]
    ticker = stats.ticker(None, None)
    assert ticker["high"] == BTC.price_decimal(max(p for _, p, _ in kept))
    assert ticker["low"] == BTC.price_decimal(min(p for _, p, _ in kept))
    assert ticker["volume"] == BTC.qty_decimal(sum(q for _, _, q in kept))
    assert stats.count == len(kept)
    assert ticker["change"] == BTC.price_decimal(price - kept[0][1])
    notional = sum((BTC.qty_decimal(q) * BTC.price_decimal(p) for _, p, q in kept), Decimal(0))
    assert stats.notional == notional


def test_a_seeded_market_has_a_past_day_that_rolls_out_as_trades_come() -> None:
    stats = MarketStats(BTC)
    now = 1_764_000_000.0
    stats.seed_history(now, 970_000, seed=1)
    ticker = stats.ticker(None, None)
    assert ticker["last"] == BTC.price_decimal(970_000)
    assert ticker["volume"] == BTC.qty_decimal(0)
    assert now - DAY < stats.window[0].begin <= now - DAY + 15 * 60  # a whole day of seeded past
    day_ago = stats.window[0].open
    assert ticker["change"] == BTC.price_decimal(970_000 - day_ago)
    low, last, high = (Decimal(str(ticker[k])) for k in ("low", "last", "high"))
    assert low <= last <= high

    # an hour of trades later the baseline is the seeded price of 24 h before *then*: it rolls
    # through the seeded past instead of jumping to the first real trade
    for k in range(60):
        stats.on_trade(now + 60 * k + 1, 970_000 + k, 10**6)
    then = now + 59 * 60 + 1
    first = stats.window[0]
    assert first.trades == 0 and then - DAY - 15 * 60 < first.begin <= then - DAY + 15 * 60
    # a day later the seeded past has rolled out entirely
    stats.on_trade(now + DAY + 120, 971_000, 10**6)
    assert all(m.begin >= now for m in stats.window)
