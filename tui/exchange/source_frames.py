"""How the exchange reads a frame that a mirror or a recording hands it: a public or private
channel frame with its rows, numbers as exact Decimals; anything else is skipped, never fatal."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

import msgspec

__all__ = ["channel_frame"]

_decoder = msgspec.json.Decoder(float_hook=Decimal)


def channel_frame(raw: str, channels: Collection[str]) -> tuple[str, list[Any], dict[str, Any]] | None:
    """(channel, data, frame) of a frame on one of ``channels`` whose data is a list; else None."""
    try:
        frame = _decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    if not isinstance(frame, dict):
        return None
    channel, data = frame.get("channel"), frame.get("data")
    if not isinstance(channel, str) or channel not in channels or not isinstance(data, list):
        return None
    return channel, data, frame
