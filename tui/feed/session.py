"""The shape every venue's session shares: frame -> decode -> store.apply -> act on the outcomes.

Replies to the session's own requests (pongs, trading-method answers, the futures challenge) are
correlated here, in the transport layer; everything else is state and goes to the store, whose
answers (resync this book, drop that token, these orders exist) the venue's session acts on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tui.kraken import futures as fx
from tui.kraken import messages as m
from tui.kraken.events import Challenge, MethodResponse, Pong
from tui.store import Outcome, Store

__all__ = ["FRAME_ERRORS", "FrameSession", "Recorder"]

log = logging.getLogger("tui.feed")

Recorder = Callable[[str, str, str], None]  # (connection, "in" | "out", text)
CONTROL = (Pong, MethodResponse, Challenge)
# What a malformed frame can raise on its way through decode and apply: counted, logged, dropped.
FRAME_ERRORS = (
    m.DecodeError,
    fx.FrameError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    ArithmeticError,
    RecursionError,
)


class FrameSession:
    def __init__(self, store: Store, record: Recorder | None) -> None:
        self.store = store
        self.record = record

    def _decode(self, text: str) -> list[Any]:
        raise NotImplementedError

    def _control(self, event: Any, conn: str) -> None:
        raise NotImplementedError

    def act(self, outcome: Outcome, conn: str) -> None:
        raise NotImplementedError

    def frame(self, conn: str, text: str, now: float) -> None:
        """One received frame, end to end; never raises for what the frame contains."""
        if self.record is not None:
            self.record(conn, "in", text)
        store = self.store
        try:
            for event in self._decode(text):
                if isinstance(event, CONTROL):
                    self._control(event, conn)
                    continue
                for outcome in store.apply(event, now, conn):
                    self.act(outcome, conn)
        except FRAME_ERRORS as exc:
            store.health.conn(conn).malformed += 1
            log.warning("%s: malformed frame (%s): %.200s", conn, type(exc).__name__, text)
            store.mark("health", "malformed")
        store.flush()
