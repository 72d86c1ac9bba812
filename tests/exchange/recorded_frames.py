"""The real venue's frames (copied from ../shared/recorded/) and the shape a test holds ours to.

A frame's shape is its keys in order, each value's JSON type, and for a number its text form
(integer, or a float with so many decimals): what a client that reads raw text or keys depends on.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "recorded"


def recorded(name: str, index: int = 0, source: str = "kraken-async-rs.json") -> dict[str, Any]:
    """The ``index``-th recorded frame called ``name``, parsed with exact numbers."""
    frames = [f for f in json.loads((HERE / source).read_text())["frames"] if f["name"] == name]
    raw = frames[index].get("raw")
    text = raw if raw is not None else json.dumps(frames[index]["frame"])
    frame: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return frame


def parse(text: str) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return frame


def shape(v: Any, decimals: bool = False) -> Any:
    """Keys in order and value types; with ``decimals``, a float's number of decimals too."""
    if isinstance(v, dict):
        return [(k, shape(x, decimals)) for k, x in v.items()]
    if isinstance(v, list):
        return [shape(v[0], decimals)] if v else []
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, Decimal):
        exp = v.as_tuple().exponent
        return f"float.{-exp}" if decimals and isinstance(exp, int) else "float"
    return type(v).__name__
