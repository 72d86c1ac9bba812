"""``?``: every key binding, generated from the bindings themselves (so it can never drift)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.widgets.account import OrdersTable
from tui.widgets.watchlist import Watchlist

EXTRA = [
    ("ctrl+p", "Command palette: symbol, depth, interval, group, theme, mode"),
    ("tab / shift+tab", "Move focus between panels"),
    ("↑ ↓ pgup pgdn home end", "Scroll the book, tape and lists"),
    ("ctrl+q", "Quit"),
]


def _key(binding: Binding, keymap: dict[str, str]) -> str:
    if binding.id and binding.id in keymap:
        return keymap[binding.id]
    return binding.key_display or binding.key.replace("_", " ")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(self, owner: Screen[Any], keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.owner = owner
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        keymap = self.keymap
        table = Table(title="kraken-tui key bindings", expand=True, show_lines=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Action")
        table.add_column("Id (remap in config: keymap)", style="dim")
        seen = set()
        sources: list[tuple[str, list[Binding]]] = [
            ("Market screen", [b for b in type(self.owner).BINDINGS if isinstance(b, Binding)]),
            (
                "Lists (watchlist, orders)",
                [b for b in Watchlist.BINDINGS + OrdersTable.BINDINGS if isinstance(b, Binding)],
            ),
        ]
        for section, bindings in sources:
            table.add_row(Text(section, style="bold underline"), "", "")
            for b in bindings:
                if (b.id or b.key) in seen:
                    continue
                seen.add(b.id or b.key)
                table.add_row(_key(b, keymap), b.tooltip or b.description, b.id or "")
        table.add_row(Text("Everywhere", style="bold underline"), "", "")
        for key, text in EXTRA:
            table.add_row(key, text, "")
        with VerticalScroll(id="help-body"):
            yield Static(table)
            yield Static(Text("Esc or ? closes this screen.", style="dim"))
