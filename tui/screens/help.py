"""``?``: every key, as printed on the keyboard, generated from the bindings themselves.

Generated so it can never drift from what the keys do; the keys are shown as on the keycap
(``[``, ``/``, ``+``, not Textual's ``left_square_bracket``), panels by the names their tabs show,
and the order form's and review's keys are listed too, because that is where fast fingers make
mistakes. ``tui.cli.keymap`` checks the ``keymap`` setting against the same bindings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import _character_to_key, format_key
from textual.screen import ModalScreen, Screen
from textual.widgets import Static, TabPane

from tui.screens.order_form import OrderForm, ReviewScreen
from tui.widgets.account import FillsTable, OrdersTable
from tui.widgets.watchlist import Watchlist

__all__ = ["HelpScreen", "key_label", "normal_key"]

# Keys that no binding declares: Textual's own, or typed text the form reads.
LISTS_EXTRA = [
    ("↑ ↓ pgup pgdn", "Scroll the book, tape and lists"),
    ("home, end", "To the top / the bottom"),
]
FORM_EXTRA = [
    ("tab, shift+tab", "Next / previous field"),
    ("enter", "Review the order (from any field)"),
    ("", "Price: 97000, best, mid, bid, ask, +3t / -3t (ticks), +0.5% / -0.5% (from mid)"),
]
REVIEW_EXTRA = [("BUY / SELL", "Typed when the review asks (large, far from mid, or LIVE)")]
EVERYWHERE = [
    ("ctrl+p", "Command palette: symbol, depth, interval, group, theme, mode"),
    ("tab, shift+tab", "Move focus between panels"),
]
_SPELLED = {"enter": "enter", "escape": "esc", "space": "space", "tab": "tab"}
_PANEL = re.compile(r"focus_panel\('(\w+)'\)")


def normal_key(key: str) -> str:
    """``?`` and ``question_mark``, ``Ctrl+X`` and ``ctrl+X``: one spelling, to compare keys."""
    key = key.strip()
    mods, _, last = key.rpartition("+")
    last = _character_to_key(last) if len(last) == 1 else last
    return f"{mods.lower()}+{last}" if mods else last


def key_label(keys: str) -> str:
    """``left_square_bracket`` -> ``[``, ``ctrl+p`` stays ``ctrl+p``: as printed on the keys."""
    shown = []
    for key in keys.split(","):
        mods, _, last = key.strip().rpartition("+")
        label = _SPELLED.get(last) or format_key(last)
        shown.append(f"{mods}+{label}" if mods else label)
    return ", ".join(dict.fromkeys(shown))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    #help-keys { width: 100%; max-width: 100; height: 100%; max-height: 40;
                 border: round $accent; background: $surface; padding: 0 1; }
    #help-keys .help-section { margin: 1 0 0 0; }
    """

    def __init__(self, owner: Screen[Any], keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.owner = owner
        self.keymap = dict(keymap or {})

    def _tab_titles(self) -> dict[str, str]:
        """Panel names as their tabs show them (``Activity``), from the owner's own tabs."""
        titles = {}
        for pane in self.owner.query(TabPane):
            if pane.id and pane.id.startswith("tab-"):
                titles[pane.id.removeprefix("tab-")] = str(pane._title)
        return titles

    def _what(self, b: Binding, tabs: dict[str, str]) -> str:
        panel = _PANEL.fullmatch(b.action)
        if panel:
            return f"Go to {tabs.get(panel.group(1), panel.group(1).capitalize())}"
        if b.action == "focus_watchlist":
            return "Go to Watchlist"
        return b.tooltip or b.description

    def _rows(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        tabs = self._tab_titles()
        km = self.keymap

        def rows(bindings: Iterable[BindingType], seen: set[str]) -> list[tuple[str, str, str]]:
            out = []
            for b in bindings:
                if isinstance(b, Binding) and (b.id or b.key) not in seen:
                    seen.add(b.id or b.key)
                    keys = km.get(b.id, b.key) if b.id else b.key
                    out.append((key_label(keys), self._what(b, tabs), b.id or ""))
            return out

        seen: set[str] = set()
        lists = rows(Watchlist.BINDINGS + OrdersTable.BINDINGS + FillsTable.BINDINGS, seen)
        return [
            ("Market screen", rows(type(self.owner).BINDINGS, seen)),
            ("Lists (watchlist, orders, fills, balances)", lists + [(k, t, "") for k, t in LISTS_EXTRA]),
            ("Order form (b / s)", rows(OrderForm.BINDINGS, set()) + [(k, t, "") for k, t in FORM_EXTRA]),
            ("Order review", rows(ReviewScreen.BINDINGS, set()) + [(k, t, "") for k, t in REVIEW_EXTRA]),
            (
                "Everywhere",
                [(k, t, "") for k, t in EVERYWHERE]
                + rows(self.app.BINDINGS, set())
                + rows(self.BINDINGS, set()),
            ),
        ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-keys"):
            yield Static(
                Text("kraken-tui keys   (Esc, ? or q closes; ids remap in config: keymap)", style="bold")
            )
            for section, rows in self._rows():
                table = Table(box=None, expand=True, show_header=False, padding=(0, 1), pad_edge=False)
                table.add_column("Key", style="bold", no_wrap=True, width=14)
                table.add_column("Action", ratio=1)
                table.add_column("Id", style="dim", no_wrap=True, width=20)
                for row in rows:
                    table.add_row(*row)
                yield Static(Text(section, style="bold underline"), classes="help-section")
                yield Static(table, classes="help-table")
