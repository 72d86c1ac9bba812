"""What the replay keys may ask of a recording being played (the player lives in the exchange)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["ReplayControl"]


class ReplayControl(Protocol):
    def toggle_pause(self) -> None: ...
    def faster(self, up: bool = True) -> None: ...
    def seek(self, delta: float) -> None: ...
    def restart(self) -> None: ...
