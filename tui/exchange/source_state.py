"""What an external market source is doing right now, for whoever runs the exchange in-process.

PAPER mirrors Kraken and REPLAY plays a file: either can have no market at all (Kraken
unreachable, the recording over). The app must say so instead of showing an empty or frozen book
as if it were live, so the source publishes its state here and listeners (the app's wiring, a
test) are called on every change. Plain values only: the listener copies them into its own store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["LIVE_STATES", "SourceState"]

log = logging.getLogger("tui.exchange.sources")

# the source is feeding a book the user may trade against
LIVE_STATES = frozenset({"live", "playing", "paused"})


@dataclass(eq=False)
class SourceState:
    kind: str  # mirror | replay
    state: str = "connecting"  # connecting | live | unreachable | playing | paused | ended
    text: str = ""
    position: float = 0.0  # replay: seconds into the recording
    duration: float = 0.0  # replay: its length in seconds
    speed: float = 1.0
    listeners: list[Callable[[SourceState], None]] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES

    def set(self, state: str, text: str = "") -> None:
        changed = (state, text) != (self.state, self.text)
        self.state, self.text = state, text
        if changed:
            log.info("%s: %s %s", self.kind, state, text)
            self.notify()

    def at(self, position: float) -> None:
        """A replay's position; listeners hear of it once per whole second."""
        whole = int(position) != int(self.position)
        self.position = position
        if whole:
            self.notify()

    def notify(self) -> None:
        for fn in list(self.listeners):
            try:
                fn(self)
            except Exception:  # a listener's bug must not stop the market
                log.exception("source state listener failed")
