"""What the futures venue's parts share: its products, their candles and book sequence, and the
per-connection state (challenges, the authenticated user, account-feed sequences)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.exchange.futures.account import flex, positions
from tui.exchange.futures.rows import ms
from tui.exchange.stats import MarketStats
from tui.kraken.jsontext import dumps

__all__ = ["CHALLENGES_KEPT", "ConnState", "FuturesVenue"]

CHALLENGES_KEPT = 16


@dataclass
class ConnState:
    """Per-connection futures state: challenges issued here, the authenticated user, sequences."""

    challenges: dict[str, None] = field(default_factory=dict)  # the newest CHALLENGES_KEPT, in order
    user: str | None = None
    api_key: str | None = None
    seq: dict[str, int] = field(default_factory=dict)
    last_push: float = 0.0
    pushed: dict[str, str] = field(default_factory=dict)  # feed -> last payload (without seq/time)

    def add_challenge(self, challenge: str) -> None:
        """Remember a challenge issued here; a client asking for one per second keeps a few."""
        self.challenges[challenge] = None
        while len(self.challenges) > CHALLENGES_KEPT:
            del self.challenges[next(iter(self.challenges))]

    def next_seq(self, feed: str) -> int:
        self.seq[feed] = self.seq.get(feed, 0) + 1
        return self.seq[feed]


class FuturesVenue:
    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self.engine = ctx.engine
        self.products = ctx.futures_pairs
        self.stats = {s: MarketStats(p) for s, p in self.products.items()}
        self.book_seq = dict.fromkeys(self.products, 0)
        self.state: dict[Conn, ConnState] = {}
        self.new_challenge: Callable[[], str] = lambda: str(uuid.uuid4())

    def user_conns(self, user: str) -> list[tuple[Conn, ConnState]]:
        return [(c, st) for c, st in self.state.items() if st.user == user]

    # --- account frames (open_positions, balances) ----------------------------------------------
    def send_positions(self, conn: Conn, st: ConnState, user: str, *, force: bool = False) -> None:
        rows = positions(self.engine, self.products, user)
        self._push(conn, st, "open_positions", "open_positions", user, "positions", rows, force)

    def send_balances(self, conn: Conn, st: ConnState, user: str, feed: str, *, force: bool = False) -> None:
        self._push(conn, st, "balances", feed, user, "flex_futures", flex(self.engine, user), force)

    def _push(
        self, conn: Conn, st: ConnState, key: str, feed: str, user: str, name: str, body: Any, force: bool
    ) -> None:
        """Send an account frame only when its numbers changed (or on subscribe), with the
        feed's own ``seq``: mark moves re-evaluate these every second."""
        text = dumps(body)
        if not force and st.pushed.get(key) == text:
            return
        st.pushed[key] = text
        conn.send(
            {
                "feed": feed,
                "account": user,
                name: body,
                "seq": st.next_seq(key),
                "timestamp": ms(time.time()),
            }
        )
