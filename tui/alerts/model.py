"""What an alert is: a condition on one symbol's market, fired once, maybe with a staged order.

Plain data with a JSON form (prices as decimal strings, never floats), so the file in the state
directory reads back the very ``Decimal`` the trader typed.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

__all__ = ["KINDS", "Alert", "AlertKind", "StagedOrder", "describe"]

AlertKind = Literal["last", "mid", "spread", "stale"]
# kind -> what the palette and the list call it
KINDS: dict[str, str] = {
    "last": "last trade crosses",
    "mid": "mid crosses",
    "spread": "spread wider than N ticks",
    "stale": "book becomes STALE",
}


@dataclass(frozen=True, slots=True)
class StagedOrder:
    """An order to open in the review when the alert fires; the trader still confirms it."""

    side: str  # buy | sell
    qty: str
    price: str = ""  # "" for a market order
    order_type: str = "limit"


@dataclass(frozen=True, slots=True)
class Alert:
    symbol: str
    kind: AlertKind
    level: Decimal | None = None  # the price (last, mid)
    direction: Literal["up", "down"] = "up"  # fires at price >= level (up) or <= level (down)
    ticks: int | None = None  # spread: wider than this many ticks
    staged: StagedOrder | None = None
    mode: str = ""  # the mode whose prices it watches (DEMO prices are not Kraken's); "" any
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    created_at: float = field(default_factory=time.time)
    fired_at: float | None = None
    fired_text: str = ""

    @property
    def active(self) -> bool:
        return self.fired_at is None

    def fired(self, text: str, at: float) -> Alert:
        return replace(self, fired_at=at, fired_text=text)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["level"] = None if self.level is None else str(self.level)
        return out

    @classmethod
    def from_json(cls, data: Any) -> Alert:
        """One alert from the file; ValueError on anything not an alert (the file is hand-editable)."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        kind = data.get("kind")
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        staged = data.get("staged")
        try:
            level = None if data.get("level") is None else Decimal(str(data["level"]))
        except InvalidOperation:
            raise ValueError(f"bad level {data.get('level')!r}") from None
        if kind in ("last", "mid") and (level is None or not level.is_finite() or level <= 0):
            raise ValueError("a price alert needs a positive level")
        ticks = data.get("ticks")
        if kind == "spread" and (type(ticks) is not int or ticks < 0):
            raise ValueError("a spread alert needs a whole number of ticks")
        direction = data.get("direction", "up")
        if direction not in ("up", "down"):
            raise ValueError(f"bad direction {direction!r}")
        fired_at = data.get("fired_at")
        return cls(
            symbol=str(data["symbol"]),
            kind=kind,
            level=level,
            direction=direction,
            ticks=ticks if kind == "spread" else None,
            staged=StagedOrder(**{k: str(v) for k, v in staged.items()})
            if isinstance(staged, dict)
            else None,
            mode=str(data.get("mode") or ""),
            id=str(data.get("id") or uuid.uuid4().hex[:8]),
            created_at=float(data.get("created_at") or time.time()),
            fired_at=float(fired_at) if isinstance(fired_at, int | float) else None,
            fired_text=str(data.get("fired_text") or ""),
        )


def describe(a: Alert) -> str:
    """``BTC/USD mid rises to 98000`` (what the list and the notification say)."""
    if a.kind in ("last", "mid"):
        what = "last trade" if a.kind == "last" else "mid"
        verb = "rises to" if a.direction == "up" else "falls to"
        text = f"{a.symbol} {what} {verb} {format(a.level, 'f')}"
    elif a.kind == "spread":
        text = f"{a.symbol} spread wider than {a.ticks} ticks"
    else:
        text = f"{a.symbol} book becomes STALE"
    if a.staged is not None:
        s = a.staged
        text += f" → stage {s.side} {s.qty}" + (f" @ {s.price}" if s.price else " at market")
    return text
