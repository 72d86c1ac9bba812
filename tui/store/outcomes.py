"""What ``store.apply`` hands back to the session: requests to act on, and evidence it found.

The store never does I/O and never calls the feed; it says what the session must do (resubscribe
one symbol's book, drop a refused token) and what an event proved (which orders exist), and the
session acts. That keeps every hop pointing one way: socket -> decode -> apply -> requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.kraken.events import Venue

__all__ = ["AuthFailed", "OrdersSeen", "Outcome", "ResyncBook", "ResyncL3", "RetryBook", "SeenOrder"]


@dataclass(frozen=True, slots=True)
class ResyncBook:
    """Resubscribe this one symbol's book; every other symbol on the socket is left alone."""

    symbol: str
    reason: str


@dataclass(frozen=True, slots=True)
class RefreshBook:
    """Ask for a fresh snapshot of a book deeper than its checksum covers, to bound drift below it.

    Nothing is wrong as far as anyone can tell, so the book stays ``ok`` meanwhile.
    """

    symbol: str


@dataclass(frozen=True, slots=True)
class RetryBook:
    """The exchange asked us to slow down: ask again for this book after ``delay`` seconds."""

    symbol: str
    delay: float


@dataclass(frozen=True, slots=True)
class ResyncL3:
    symbol: str


@dataclass(frozen=True, slots=True)
class AuthFailed:
    """The exchange refused our session token: a fresh token needs a fresh connection."""

    conn: str
    error: str


@dataclass(frozen=True, slots=True)
class SeenOrder:
    order_id: str
    cl_ord_id: str | None
    status: str


@dataclass(frozen=True, slots=True)
class OrdersSeen:
    """Orders an execution report proved to exist, and (after a snapshot) every open order id."""

    venue: Venue
    snapshot: bool
    orders: tuple[SeenOrder, ...]
    open_ids: frozenset[str]


Outcome = ResyncBook | RefreshBook | RetryBook | ResyncL3 | AuthFailed | OrdersSeen
