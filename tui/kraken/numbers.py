"""Exact prices and quantities.

Kraken prints every price and quantity as a bare JSON number with the pair's full precision.
A binary float loses that text (``0.10000000`` becomes ``0.1``, ``0.0000005`` becomes ``5e-07``)
and with it the checksum. So the wire text is the source of truth: we decode numbers as their raw
text (msgspec's ``float_hook=str``) and turn them into integer *ticks* at the instrument's
precision. Integer ticks compare, hash and sum fast, and format back without any float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = [
    "MAX_EXPONENT",
    "NumberError",
    "PrecisionError",
    "checksum_token",
    "decimal_to_ticks",
    "exact",
    "exact_or_none",
    "format_ticks",
    "ticks_to_decimal",
    "to_ticks",
]


class PrecisionError(ValueError):
    """A number carries more decimals than the instrument's precision allows."""


_POW10: list[int] = [10**i for i in range(40)]

# No price, quantity, balance or rate Kraken prints comes near 10**30 or below 10**-30; bounding the
# exponent before any arithmetic keeps a hostile ``1E+300000`` from costing seconds downstream.
MAX_EXPONENT = 30
MAX_TEXT = 64


class NumberError(ValueError):
    """Wire text that is not a finite, sanely sized number (``abc``, ``NaN``, ``1E+300000``)."""


def exact(value: object) -> Decimal:
    """A wire number (text, int or Decimal) as an exact, finite, bounded Decimal; NumberError else."""
    if isinstance(value, bool):
        raise NumberError("a boolean is not a number")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        if abs(value) >= 10**MAX_EXPONENT:
            raise NumberError("integer out of range")
        return Decimal(value)
    elif isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise NumberError(f"number text too long ({len(value)} characters)")
        try:
            d = Decimal(value)
        except InvalidOperation:
            raise NumberError(f"not a number: {value[:20]!r}") from None
    else:
        raise NumberError(f"expected a number, got {type(value).__name__}")
    if not d.is_finite():
        raise NumberError(f"not a finite number: {d}")
    if d and not -MAX_EXPONENT <= d.adjusted() <= MAX_EXPONENT:
        raise NumberError("number out of range")
    return d


def exact_or_none(value: object) -> Decimal | None:
    """``exact`` for an optional field: absent (None) stays None; anything else must be a number."""
    return None if value is None else exact(value)


def to_ticks(text: str | int | Decimal, precision: int) -> int:
    """Wire number text (``"62807.0"``, ``"0.00100000"``, ``"5e-07"``, ``3``) to integer ticks.

    Raises PrecisionError if the value is not a whole number of ticks at ``precision``:
    silently rounding a price we were sent would hide a protocol or precision mismatch.
    """
    if isinstance(text, int):
        if abs(text) >= 10**MAX_EXPONENT:
            raise NumberError("integer out of range")
        return text * _POW10[precision]
    if isinstance(text, Decimal):
        return decimal_to_ticks(text, precision)
    if len(text) > MAX_TEXT:
        raise NumberError(f"number text too long ({len(text)} characters)")
    neg = text.startswith("-")
    body = text[1:] if neg else text
    if "e" in body or "E" in body:
        return decimal_to_ticks(exact(text), precision)
    dot = body.find(".")
    if dot < 0:
        value = int(body) * _POW10[precision]
    else:
        frac = body[dot + 1 :]
        n = len(frac)
        if n == precision:
            value = int(body[:dot] + frac) if dot else int(frac or "0")
        elif n < precision:
            value = int((body[:dot] or "0") + frac + "0" * (precision - n))
        else:
            extra = frac[precision:]
            if extra.strip("0"):
                raise PrecisionError(f"{text} has more than {precision} decimals")
            value = int((body[:dot] or "0") + frac[:precision])
    return -value if neg else value


def decimal_to_ticks(value: Decimal, precision: int) -> int:
    """Bounded before any arithmetic: ``int()`` of ``1E+300000`` scaled would take seconds."""
    value = exact(value)
    scaled = value.scaleb(precision)
    if scaled != scaled.to_integral_value():
        raise PrecisionError(f"{format(value, 'f')} has more than {precision} decimals")
    return int(scaled)


def ticks_to_decimal(ticks: int, precision: int) -> Decimal:
    return Decimal(ticks).scaleb(-precision)


def format_ticks(ticks: int, precision: int) -> str:
    """Fixed-point text with exactly ``precision`` decimals: ``format_ticks(5, 8) == "0.00000005"``."""
    if precision == 0:
        return str(ticks)
    sign = "-" if ticks < 0 else ""
    digits = str(abs(ticks)).rjust(precision + 1, "0")
    return f"{sign}{digits[:-precision]}.{digits[-precision:]}"


def checksum_token(ticks: int) -> str:
    """Kraken's checksum token for a number: the text without its point and leading zeros.

    For a value carried at full precision this is exactly the decimal digits of its tick count.
    """
    return str(ticks) if ticks else ""
