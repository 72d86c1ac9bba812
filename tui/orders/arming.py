"""Arming the desk for one-key orders from the ladder: on by an explicit key, off by itself.

Unarmed, a one-key action only opens the form or the review, prefilled; armed, it sends (still
through every guard). Arming lapses after ``idle_s`` without a one-key action, so a desk left
armed does not stay a loaded keyboard. In LIVE the arming itself is confirmed once; that
confirmation stands for the review's "LIVE mode: real money" step while it lasts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Arming"]


@dataclass
class Arming:
    idle_s: float
    clock: Callable[[], float] = field(default=time.monotonic)
    armed: bool = False
    live_confirmed: bool = False  # armed in LIVE after the typed confirmation
    last_used: float = 0.0

    def arm(self, *, live_confirmed: bool = False) -> None:
        self.armed, self.live_confirmed, self.last_used = True, live_confirmed, self.clock()

    def disarm(self) -> None:
        self.armed = self.live_confirmed = False

    def touch(self) -> None:
        self.last_used = self.clock()

    def remaining(self) -> float | None:
        """Seconds until it disarms itself; None when not armed."""
        if not self.armed:
            return None
        return max(0.0, self.idle_s - (self.clock() - self.last_used))

    def lapsed(self) -> bool:
        """Disarms (and says so, once) when the idle time has passed."""
        if self.armed and self.clock() - self.last_used >= self.idle_s:
            self.disarm()
            return True
        return False
