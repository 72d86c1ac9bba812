"""The key footer, without the leak in Textual's.

Textual's ``Footer`` recomposes on every bindings change (each modal opened or closed, many focus
moves) and binds each new ``FooterKey`` to its ``compact`` reactive. The watcher list on the
footer keeps every key it ever composed, because it is only pruned when ``compact`` changes, and
ours never does. Measured in ``kraken-tui bench-ui``: 24 dead keys per order placed, and after 40
orders each full garbage collection took 250-380 ms of the event loop, during which an order's
acknowledgement sat unread. So after a recompose we forget the watchers of keys that are gone.

This reaches into Textual internals; Textual is pinned in pyproject.toml, and
``tests/app/test_long_session.py`` fails if a new version moves them.
"""

from __future__ import annotations

from textual.widgets import Footer

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()
        self.forget_closed_watchers()

    def forget_closed_watchers(self) -> None:
        # "__watchers" is the attribute Textual's reactive module keeps on the watched object.
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for callbacks in watchers.values():
            callbacks[:] = [
                (node, callback)
                for node, callback in callbacks
                if not (getattr(node, "_closing", False) or getattr(node, "_closed", False))
            ]
