"""``/``: jump to a symbol by fuzzy name."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class SymbolSearch(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", id="search.back"),
        Binding("down", "move(1)", "Next", show=False, id="search.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="search.previous"),
    ]

    def __init__(self, symbols: list[str]) -> None:
        super().__init__()
        self.symbols = symbols

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Label("Jump to symbol (fuzzy): type, ↑/↓, Enter")
            yield Input(placeholder="e.g. eth, sol/usd, dge", id="search-input")
            yield OptionList(*[Option(s, id=s) for s in self.symbols], id="search-results")

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        results = self.query_one(OptionList)
        results.clear_options()
        query = event.value.strip()
        if not query:
            ranked = self.symbols
        else:
            matcher = Matcher(query)
            scored = sorted(((matcher.match(s), s) for s in self.symbols), reverse=True)
            ranked = [s for score, s in scored if score > 0]
        results.add_options([Option(s, id=s) for s in ranked])
        if ranked:
            results.highlighted = 0

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.highlighted = ((results.highlighted or 0) + step) % results.option_count

    @on(Input.Submitted)
    def _submit(self) -> None:
        results = self.query_one(OptionList)
        if results.highlighted is not None and results.option_count:
            self.dismiss(results.get_option_at_index(results.highlighted).id)
        else:
            self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
