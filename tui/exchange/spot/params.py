"""Which documented add_order / amend_order parameters this exchange implements, and which it refuses.

Nothing is silently dropped: a parameter the engine does not honour is refused at its non-default
values with a text that names it (Kraken's own text where a real account would get the same answer,
e.g. ``EGeneral:Permission denied`` for margin on a key without margin permission). The README's
exchange section tabulates the same table; tests/exchange/test_params.py holds each row.
"""

from __future__ import annotations

from typing import Any

from tui.exchange.orders import OrderError

__all__ = [
    "ADD_REFUSED",
    "refuse_unsupported",
]

# field -> (the values accepted, as the default behaviour the engine has; the refusal text)
ADD_REFUSED: dict[str, tuple[frozenset[Any], str]] = {
    "margin": (frozenset({False}), "EGeneral:Permission denied"),
}


def refuse_unsupported(p: dict[str, Any], table: dict[str, tuple[frozenset[Any], str]]) -> None:
    for key, (accepted, error) in table.items():
        if key in p and (isinstance(p[key], dict | list) or p[key] not in accepted):
            raise OrderError(error)
