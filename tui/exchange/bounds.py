"""Numbers from a request, bounded while they are still text.

``1E+900000`` is a valid JSON number whose tick count has 900,000 digits: converting it once froze
the event loop for 37 s (``1E+300000``: 4.2 s). So every price, quantity and size a client sends
passes through here before any Decimal arithmetic, quantize or tick conversion sees it; decimals
beyond the pair's precision are refused afterwards by the tick conversion, which is then cheap.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["MAX_MAGNITUDE_DIGITS", "MAX_NUMBER_TEXT", "NotANumber", "OutOfRange", "bounded_decimal"]

# A number's text: a price or quantity at any listed precision fits in far fewer characters.
MAX_NUMBER_TEXT = 40
# Integer digits: no price, quantity, size or cost on the venue reaches 10**15.
MAX_MAGNITUDE_DIGITS = 15
_MAX_INT = 10**MAX_MAGNITUDE_DIGITS


class NotANumber(ValueError):
    """Not a finite decimal number (``abc``, ``Infinity``, ``NaN``, ``sNaN``)."""


class OutOfRange(ValueError):
    """A number too long or too large for any instrument."""


def bounded_decimal(v: str | int) -> Decimal:
    if isinstance(v, int):
        if abs(v) >= _MAX_INT:
            raise OutOfRange(v)
        return Decimal(v)
    if len(v) > MAX_NUMBER_TEXT:
        raise OutOfRange(v[:MAX_NUMBER_TEXT])
    try:
        d = Decimal(v)
    except InvalidOperation:
        raise NotANumber(v) from None
    if not d.is_finite():
        raise NotANumber(v)
    if d and d.adjusted() >= MAX_MAGNITUDE_DIGITS:
        raise OutOfRange(v)
    return d
