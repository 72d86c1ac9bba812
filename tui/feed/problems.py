"""What a headless command prints on stderr: the errors of the Activity log.

``kraken-tui stream`` has no screen; a trader piping its NDJSON must still learn within seconds
that a symbol was refused (retrying cannot help: the command ends with status 2 and Kraken's own
words). That Kraken cannot be reached reaches stderr through the log (a warning, once per
reason), while the feed keeps retrying.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from tui.kraken.errors import UNLISTED_SYMBOL
from tui.store import ActivityEntry, Store

__all__ = ["ProblemReporter"]


class ProblemReporter:
    def __init__(self, store: Store, out: TextIO | None = None) -> None:
        self.store = store
        self.out = out
        self._last: ActivityEntry | None = None
        self._printed = ""

    def poll(self) -> bool:
        """Print the errors logged since the last call; True if a symbol was refused."""
        fresh: list[ActivityEntry] = []
        for entry in reversed(self.store.activity):
            if entry is self._last:
                break
            fresh.append(entry)
        if fresh:
            self._last = fresh[0]
        refused = False
        out = self.out or sys.stderr
        for entry in reversed(fresh):
            if entry.level == "error" and entry.text != self._printed:
                self._printed = entry.text  # one line per problem, not one per channel refused
                print(f"kraken-tui: {entry.text}", file=out, flush=True)
                refused = refused or any(r in entry.text for r in UNLISTED_SYMBOL)
        return refused

    async def run(self, interval: float = 0.5) -> int:
        """Report until a symbol is refused; then 2, the exit status for a bad argument."""
        while True:  # polled, not woken: an unreachable feed applies no frame that could wake it
            if self.poll():
                return 2
            await asyncio.sleep(interval)
