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
    "AMEND_REFUSED",
    "refuse_index_trigger",
    "refuse_unsupported",
]

_NOT_HERE = "EGeneral:Invalid arguments:{} is not supported by this exchange"

# field -> (the values accepted, as the default behaviour the engine has; the refusal text)
ADD_REFUSED: dict[str, tuple[frozenset[Any], str]] = {
    "margin": (frozenset({False}), "EGeneral:Permission denied"),
    "sender_sub_id": (frozenset(), _NOT_HERE.format("sender_sub_id")),
}
AMEND_REFUSED: dict[str, tuple[frozenset[Any], str]] = {
    "limit_price_type": (frozenset({"static"}), _NOT_HERE.format("limit_price_type other than static")),
    "trigger_price_type": (frozenset({"static"}), _NOT_HERE.format("trigger_price_type other than static")),
}


def refuse_unsupported(p: dict[str, Any], table: dict[str, tuple[frozenset[Any], str]]) -> None:
    for key, (accepted, error) in table.items():
        if key in p and (isinstance(p[key], dict | list) or p[key] not in accepted):
            raise OrderError(error)


def refuse_index_trigger(p: dict[str, Any]) -> None:
    """``triggers.reference: index`` would fire on the last trade here: refused until the
    engine's triggers read the index."""
    trig = p.get("triggers")
    if isinstance(trig, dict) and trig.get("reference") == "index":
        raise OrderError(_NOT_HERE.format("triggers.reference index"))
