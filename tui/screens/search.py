"""``/``: jump to any listed pair by fuzzy name, and add or remove it from the watchlist.

It searches every pair the ``instrument`` channel listed (the watchlist's first), says "no match"
when nothing matches, marks watched pairs with ★; Enter opens the pair, ctrl+t adds it to the
watchlist or removes it (through the callable it was handed: the desk decides).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

__all__ = ["SymbolSearch"]

SHOWN = 200  # options listed at once (a fuzzy query over 683 pairs ranks them all; few are read)


class SymbolSearch(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", id="search.back"),
        Binding("down", "move(1)", "Next", show=False, id="search.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="search.previous"),
        Binding("ctrl+t", "toggle_watch", "Watch/unwatch", id="search.toggle-watch"),
    ]

    def __init__(
        self,
        symbols: list[str],
        watched: Callable[[str], bool] | None = None,
        toggle: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__()
        self.symbols = symbols
        self.watched = watched or (lambda s: False)
        self.toggle = toggle
        self.ranked: list[str] = list(symbols)

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Label("Any listed pair (fuzzy): ↑/↓, Enter opens, ctrl+t adds/removes ★")
            yield Input(placeholder="e.g. eth, sol/usd, ada", id="search-input")
            yield Label("", id="search-none")
            yield OptionList(*self._options(self.symbols), id="search-results")

    def on_key(self, event: events.Key) -> None:
        """Letters typed before the box had the focus (the keys right after "/") go into it."""
        box = self.query_one("#search-input", Input)
        if self.focused is not box and event.character and event.character.isprintable():
            event.stop()
            box.focus()
            box.insert_text_at_cursor(event.character)

    def _options(self, symbols: list[str]) -> list[Option]:
        return [Option(("★ " if self.watched(s) else "  ") + s, id=s) for s in symbols[:SHOWN]]

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        query = event.value.strip()
        if not query:
            ranked = self.symbols
        else:
            matcher = Matcher(query)
            scored = sorted(((matcher.match(s), -i, s) for i, s in enumerate(self.symbols)), reverse=True)
            ranked = [s for score, _, s in scored if score > 0]
        self._show(ranked)
        self.query_one("#search-none", Label).update("" if ranked else f"no match for '{query}'")

    def _show(self, ranked: list[str], keep: str | None = None) -> None:
        self.ranked = ranked
        results = self.query_one(OptionList)
        results.clear_options()
        results.add_options(self._options(ranked))
        if ranked:
            results.highlighted = ranked.index(keep) if keep in ranked[:SHOWN] else 0

    def _current(self) -> str | None:
        results = self.query_one(OptionList)
        if results.highlighted is None or not results.option_count:
            return None
        return results.get_option_at_index(results.highlighted).id

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.highlighted = ((results.highlighted or 0) + step) % results.option_count

    def action_toggle_watch(self) -> None:
        symbol = self._current()
        if symbol is None or self.toggle is None:
            return
        on_list = self.toggle(symbol)
        self.notify(f"{symbol} {'added to' if on_list else 'removed from'} the watchlist", timeout=3)
        self._show(self.ranked, keep=symbol)

    @on(Input.Submitted)
    def _submit(self) -> None:
        self.dismiss(self._current())

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
