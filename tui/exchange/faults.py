"""Fault injection for the embedded exchange: the failures a Kraken client meets in real life.

Settable at start (``--faults corrupt=0.01,disconnect_every=5``) and at run time
(``POST /_control/faults`` with a JSON object and the ``X-Control-Token`` header, see
``tui.exchange.control``, or by mutating ``RunningExchange.faults``).
Faults touch channel data frames only (book, trade, ticker, ...); acks and trading responses are
never dropped, so request/response correlation stays testable while the market data is hostile.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["FaultConfig", "check_faults", "parse_faults"]


@dataclass
class FaultConfig:
    corrupt_checksum: float = 0.0  # probability a book frame carries a wrong checksum
    drop_frames: float = 0.0  # probability a data frame is silently dropped
    duplicate_frames: float = 0.0  # probability a data frame is sent twice
    delay_ms: float = 0.0  # latency added to every frame (each one late by this much, order kept)
    disconnect_every: float = 0.0  # mean seconds between forced disconnects (0 = never)
    drop_after: int = 0  # close each connection after this many frames (0 = never)
    rate_limited: float = 0.0  # probability a request is answered with a rate-limit error
    malformed: float = 0.0  # probability a garbage frame (bad JSON, wrong types, unknown channel) is sent
    refuse_until: float = 0.0  # unix time until which new connections are refused (HTTP 503)
    seed: int | None = None

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def chance(self, p: float) -> bool:
        return p > 0 and self.rng.random() < p

    def refuse_for(self, seconds: float) -> None:
        self.refuse_until = time.time() + seconds

    def update(self, values: Any) -> None:
        """Apply ``{fault: value}``; refuse the whole update (ValueError, one line) if any entry
        is unknown or out of range, so a typo never half-applies."""
        checked = check_faults(values)
        for key, value in checked.items():
            if key == "refuse_for":
                self.refuse_for(value)
            else:
                setattr(self, key, value)
            if key == "seed":
                self.rng = random.Random(value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PROBABILITIES = ("corrupt_checksum", "drop_frames", "duplicate_frames", "rate_limited", "malformed")
DURATIONS = ("delay_ms", "disconnect_every", "refuse_for")  # >= 0
_KNOWN = (*PROBABILITIES, *DURATIONS, "drop_after", "refuse_until", "seed")


def check_faults(values: Any) -> dict[str, Any]:
    """The validated values of a fault update: numbers as numbers, in range, counts whole."""
    if not isinstance(values, dict):
        raise ValueError("faults must be a JSON object of {name: number}")
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in _KNOWN:
            raise ValueError(f"unknown fault {key!r}; known: {', '.join(sorted(_KNOWN))}")
        if key == "seed" and value is None:
            out[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"fault {key!r} needs a finite number, got {value!r}")
        if key in ("drop_after", "seed"):
            if value != int(value):
                raise ValueError(f"fault {key!r} needs a whole number, got {value!r}")
            value = int(value)
        if key in PROBABILITIES and not 0 <= value <= 1:
            raise ValueError(f"fault {key!r} is a probability in [0, 1], got {value!r}")
        if key in (*DURATIONS, "drop_after") and value < 0:
            raise ValueError(f"fault {key!r} cannot be negative, got {value!r}")
        out[key] = value if key in ("drop_after", "seed") else float(value)
    return out


_ALIASES = {
    "corrupt": "corrupt_checksum",
    "drop": "drop_frames",
    "dup": "duplicate_frames",
    "delay": "delay_ms",
}


def parse_faults(text: str | None) -> FaultConfig:
    """``"corrupt=0.01,drop=0.01,dup=0.01,disconnect_every=5,refuse_for=3"`` -> FaultConfig."""
    cfg = FaultConfig()
    if not text:
        return cfg
    values: dict[str, Any] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, _, value = part.partition("=")
        key = _ALIASES.get(key.strip(), key.strip())
        try:
            values[key] = int(value) if value.strip().lstrip("-").isdigit() else float(value)
        except ValueError:
            raise ValueError(f"fault {key!r} needs a number, got {value!r}") from None
    cfg.update(values)
    return cfg
