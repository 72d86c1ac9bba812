"""RFC 3339 time as Kraken writes it (``2026-11-25T10:00:00.123456Z``), both ways.

Kraken prints micro- and sometimes nanosecond fractions and always ``Z``; Python's
``fromisoformat`` takes at most six fraction digits, so longer ones are cut (not rounded) first.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_rfc3339", "parse_rfc3339"]


def format_rfc3339(ts: float, digits: int = 6) -> str:
    """Unix seconds to ``YYYY-MM-DDTHH:MM:SS[.f…]Z`` with ``digits`` fraction digits (0 for none)."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if digits == 0:
        return base + "Z"
    frac = f"{ts % 1:.{digits}f}"[2:]
    return f"{base}.{frac}Z"


def parse_rfc3339(text: str) -> float | None:
    """Kraken timestamps (any fraction length, ``Z`` or an offset) to unix seconds; None if not one."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    body = text.strip()
    if body.endswith(("Z", "z")):
        body = body[:-1] + "+00:00"
    elif not (len(body) > 6 and body[-6] in "+-" and body[-3] == ":"):
        body += "+00:00"
    head, tz = body[:-6], body[-6:]
    if "." in head:
        whole, frac = head.split(".", 1)
        if not frac.isdigit():
            return None
        head = f"{whole}.{frac[:6].ljust(6, '0')}"
    try:
        return datetime.fromisoformat(head + tz).timestamp()
    except ValueError:
        return None
