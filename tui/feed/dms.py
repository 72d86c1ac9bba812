"""The dead-man's switch: keeps ``cancel_all_orders_after`` armed while the app runs.

If the app, the SSH session or the laptop dies, the refreshes stop and the exchange cancels every
open order when the timer runs out. Built on any ``OrderVenue`` (spot socket or futures REST) and
a ``publish`` callback, so it never needs to know whose venue it refreshes or where state lives.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from tui.feed.venue import OrderVenue, Reply

__all__ = ["DeadMansSwitch"]


class DeadMansSwitch:
    def __init__(self, venue: OrderVenue, publish: Callable[[bool, float | None], None]) -> None:
        self.venue = venue
        self.publish = publish  # (armed, trigger wall time) -> the store
        self.armed = False
        self.timeout = 60
        self.refresh_every = 20.0
        self.trigger_at: float | None = None  # wall time reported by the exchange
        self.last_refresh: float | None = None
        self.last_error: str | None = None
        self._task: asyncio.Task[None] | None = None

    def enable(self, timeout: int = 60, refresh_every: float = 20.0) -> None:
        self.timeout, self.refresh_every = timeout, refresh_every
        self.armed = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def disable(self) -> Reply:
        self.armed = False
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.trigger_at = None
        self.publish(self.armed, self.trigger_at)
        return await self.venue.cancel_all_orders_after(0)

    def stop_refreshing(self) -> None:
        """Stop without disarming on the exchange (what happens when the app or SSH session dies)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while self.armed:
            reply = await self.venue.cancel_all_orders_after(self.timeout)
            if reply.ok and isinstance(reply.result, dict):
                self.last_refresh = time.time()
                self.trigger_at = time.time() + self.timeout
                self.last_error = None
            else:
                self.last_error = reply.error
            self.publish(self.armed, self.trigger_at)
            await asyncio.sleep(self.refresh_every if reply.ok else min(self.refresh_every, 2.0))
