"""JSON text with exact numbers: Decimal is written as a bare number with all its digits.

Both our requests and the embedded exchange's frames go through this, because Kraken prints
prices and quantities at full precision (``0.10000000``) and rejects quoted numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["EncodeError", "dumps"]


class EncodeError(ValueError):
    pass


def dumps(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise EncodeError("numbers must be finite")
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise EncodeError("binary floats are not allowed on the wire; use Decimal")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise EncodeError(f"cannot encode {type(value).__name__}")
