"""The one-line form of an alert the prompt takes (``@`` and the palette), parsed exactly.

mid 98000              the mid reaches 98000 (up or down: from where the market is now)
last >98000            the last trade rises to 98000 (``<`` falls to)
spread 5               the spread is wider than 5 ticks
stale                  the book becomes STALE
mid 98000 buy 0.01 @ 97990    ... and stage a limit buy for the review (``buy 0.01`` alone: market)
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from tui.alerts.model import Alert, StagedOrder

__all__ = ["parse_alert"]


def _number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what}: not a number: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{what}: must be above zero")
    return value


def _staged(words: list[str]) -> StagedOrder | None:
    if not words:
        return None
    if words[0] not in ("buy", "sell") or len(words) < 2:
        raise ValueError("a staged order is 'buy QTY [@ PRICE]' or 'sell QTY [@ PRICE]'")
    side, qty, rest = words[0], words[1], words[2:]
    _number(qty, "quantity")
    if not rest:
        return StagedOrder(side, qty, "", "market")
    if rest[0] != "@" or len(rest) != 2:
        raise ValueError("after the quantity: '@ PRICE' or nothing (market)")
    _number(rest[1], "order price")
    return StagedOrder(side, qty, rest[1], "limit")


def parse_alert(text: str, symbol: str, now: Callable[[str], Decimal | None], mode: str = "") -> Alert:
    """An alert on ``symbol`` in ``mode``; ``now(kind)``: the figure it watches as it is now (the
    verified mid or last), which decides the direction when the text gives none. ValueError
    says what is wrong."""
    words = text.replace("@", " @ ").split()
    if not words:
        raise ValueError("say what to watch: mid PRICE, last PRICE, spread TICKS or stale")
    kind, args = words[0].lower(), words[1:]
    if kind == "stale":
        return Alert(symbol, "stale", staged=_staged(args), mode=mode)
    if kind == "spread":
        if not args or not args[0].isdigit():
            raise ValueError("spread: a whole number of ticks (spread 5)")
        return Alert(symbol, "spread", ticks=int(args[0]), staged=_staged(args[1:]), mode=mode)
    if kind not in ("mid", "last"):
        raise ValueError(f"unknown alert {kind!r}: mid, last, spread or stale")
    if not args:
        raise ValueError(f"{kind}: the price to watch for ({kind} 98000)")
    raw = args[0]
    direction = None
    if raw[:1] in "<>" and raw:
        direction, raw = ("up" if raw[0] == ">" else "down"), raw[1:]
    level = _number(raw, "price")
    if direction is None:
        at = now(kind)
        if at is None:
            raise ValueError("no verified price to compare with: say >PRICE (rises to) or <PRICE (falls to)")
        direction = "up" if level >= at else "down"
    staged = _staged(args[1:])
    return Alert(symbol, kind, level=level, direction=direction, staged=staged, mode=mode)  # type: ignore[arg-type]
