"""The command palette, context-aware: it offers what the screen it was opened on offers now.

A screen lists its entries in ``palette_entries()`` (symbols, depths, intervals for the symbol
shown...); this provider only asks. App-wide entries (the mode switch) come from the App's own
``get_system_commands``, Textual's place for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

__all__ = ["OffersCommands", "PaletteEntry", "ScreenCommands"]


@dataclass(frozen=True, slots=True)
class PaletteEntry:
    name: str
    help: str
    run: Callable[[], Any]


@runtime_checkable
class OffersCommands(Protocol):
    def palette_entries(self) -> list[PaletteEntry]: ...


class ScreenCommands(Provider):
    def _entries(self) -> list[PaletteEntry]:
        screen = self.screen
        return screen.palette_entries() if isinstance(screen, OffersCommands) else []

    async def discover(self) -> Hits:
        for e in self._entries():
            yield DiscoveryHit(e.name, e.run, help=e.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for e in self._entries():
            score = matcher.match(e.name)
            if score > 0:
                yield Hit(score, matcher.highlight(e.name), e.run, help=e.help)
