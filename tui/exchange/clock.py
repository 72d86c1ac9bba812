"""The exchange's two timers: the synthetic market's ticks, and the 100 ms clock (order expiry,
dead man's switches, heartbeats, idle and forced disconnects)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from tui.exchange.context import ExchangeContext
from tui.exchange.market import SyntheticMarket

__all__ = ["run_clock", "run_market"]


async def run_market(
    ctx: ExchangeContext, market: SyntheticMarket | None, futures_market: SyntheticMarket | None
) -> None:
    step = 0.02
    next_t = time.monotonic()
    share = len(ctx.futures_pairs) / max(1, len(ctx.pairs))  # futures books: the spot per-book rate
    while True:
        next_t += step
        rate = ctx.config.rate
        if market is not None:
            market.tick(rate * step, ctx.publish)
        if futures_market is not None:
            futures_market.tick(rate * share * step, ctx.publish)
        delay = next_t - time.monotonic()
        if delay < -1:
            next_t = time.monotonic()
        await asyncio.sleep(max(0.0, delay))


async def run_clock(ctx: ExchangeContext, on_tick: list[Callable[[bool], None]]) -> None:
    """Every 100 ms; ``on_tick`` callbacks get True when a heartbeat is due."""
    last_hb = time.monotonic()
    while True:
        await asyncio.sleep(0.1)
        ctx.engine.advance()
        ctx.publish()
        now = time.monotonic()
        beat = now - last_hb >= ctx.config.heartbeat_interval
        if beat:
            last_hb = now
        for tick in on_tick:
            tick(beat)
        for c in list(ctx.conns):
            if now - c.last_rx > ctx.config.idle_timeout or c.drop_due(now):
                await c.close()
