"""Full garbage collections at moments when the trader is not waiting for anything.

CPython runs a full (oldest-generation) collection whenever enough objects have survived into
it. A Textual dashboard keeps a few hundred thousand objects alive (styles, render caches,
strips), and opening and closing a modal leaves thousands of widget cycles behind. So full
collections came every order or two, and each stopped the event loop for 170-380 ms. Measured
with ``kraken-tui bench-ui``, they were the whole of the p99 from an order being sent to its
acknowledgement being read.

The pacer turns off the automatic full collection and runs it itself, only when:
- no key has been pressed for ``idle_after`` seconds,
- no modal is open, and
- no request is in flight.

It does this every ``every`` seconds. If the trader is never idle that long, it still collects
after ``at_most`` seconds, at the first moment with no modal open and no request in flight, so
memory stays bounded. Young generations keep collecting automatically, since they are cheap.

A full collection also walks every live object, garbage or not: ~257,000 of them at 2,500 book
messages/s, 190 ms even with nothing to free. So after each collection the survivors are frozen
(``gc.freeze``): the next one walks only what was made since. A frozen object that later becomes
cyclic garbage (a widget alive at the freeze, removed since) waits for the thaw: every
``thaw_every`` seconds one collection unfreezes everything first and walks it all.
Textual pauses the collector during smooth scrolling for the same reason (``PAUSE_GC_ON_SCROLL``).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

__all__ = ["GcPacer"]

log = logging.getLogger(__name__)

# A generation-2 threshold no process reaches: CPython then never starts a full collection itself.
NEVER = 1 << 30


class GcPacer:
    def __init__(
        self,
        *,
        idle_after: float = 2.0,
        every: float = 30.0,
        at_most: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[], int] = gc.collect,
        thaw_every: float = 600.0,
        freeze: Callable[[], None] = gc.freeze,
        unfreeze: Callable[[], None] = gc.unfreeze,
    ) -> None:
        self.idle_after = idle_after
        self.every = every
        self.at_most = at_most
        self.clock = clock
        self.collect = collect
        self.thaw_every = thaw_every
        self._freeze, self._unfreeze = freeze, unfreeze
        now = clock()
        self.last_activity = now
        self.last_collection = now
        self.last_thaw = now
        self.collections = 0
        self.last_ms = 0.0
        self.max_ms = 0.0
        self._saved: tuple[int, int, int] | None = None

    @property
    def installed(self) -> bool:
        return self._saved is not None

    def install(self) -> None:
        """Take over full collections; ``uninstall`` gives them back exactly as they were."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(self._saved[0], self._saved[1], NEVER)

    def uninstall(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
            self._unfreeze()  # what this pacer froze is the collector's again

    def touch(self) -> None:
        """The trader did something (a key): not a moment to stop the loop."""
        self.last_activity = self.clock()

    def tick(self, *, busy: bool) -> float | None:
        """Collect if this is a good moment; returns the pause in ms, or None if it waited.

        ``busy``: a modal is open or a request is in flight, so never now.
        """
        if busy or self._saved is None:
            return None
        now = self.clock()
        since = now - self.last_collection
        idle = now - self.last_activity >= self.idle_after
        if not ((idle and since >= self.every) or since >= self.at_most):
            return None
        started = time.perf_counter()
        thaw = now - self.last_thaw >= self.thaw_every
        if thaw:
            self._unfreeze()
            self.last_thaw = now
        freed = self.collect()
        self._freeze()  # the survivors: not walked again until the thaw
        ms = (time.perf_counter() - started) * 1000
        self.last_collection = self.clock()
        self.collections += 1
        self.last_ms = ms
        self.max_ms = max(self.max_ms, ms)
        kind = ("idle" if idle else "due") + (", thawed" if thaw else "")
        log.debug("full collection %s: %.1f ms, %d objects freed", kind, ms, freed)
        return ms
