"""The ``keymap`` setting checked against every screen's bindings before the dashboard starts.

Textual ignores a remap to an id that does not exist and lets a remapped key shadow another one
silently; both look like "the key does nothing". Caught here, they are a configuration error
naming the id and the key. It sits with the commands because it has to know every screen, and
only the top layer may.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from textual.binding import Binding, BindingType

from tui.screens.confirm import AskValue, Confirm
from tui.screens.help import HelpScreen, key_label, normal_key
from tui.screens.market import MarketScreen
from tui.screens.order_form import OrderForm, ReviewScreen
from tui.screens.search import SymbolSearch
from tui.widgets.account import OrdersTable
from tui.widgets.watchlist import Watchlist

__all__ = ["keymap_errors"]


def _scopes(app_bindings: Sequence[BindingType]) -> list[tuple[str, list[Binding]]]:
    """Each screen with the bindings live on it together (where a shared key would clash)."""

    def of(*sources: Iterable[BindingType]) -> list[Binding]:
        return [b for src in (*sources, app_bindings) for b in src if isinstance(b, Binding)]

    return [
        ("the market screen", of(MarketScreen.BINDINGS, Watchlist.BINDINGS, OrdersTable.BINDINGS)),
        ("the order form", of(OrderForm.BINDINGS)),
        ("the order review", of(ReviewScreen.BINDINGS)),
        ("the help screen", of(HelpScreen.BINDINGS)),
        ("symbol search", of(SymbolSearch.BINDINGS)),
        ("confirmations", of(Confirm.BINDINGS, AskValue.BINDINGS)),
    ]


def _keys(binding: Binding, keymap: dict[str, str]) -> list[str]:
    keys = keymap[binding.id] if binding.id and binding.id in keymap else binding.key
    return [normal_key(k) for k in keys.split(",") if k.strip()]


def keymap_errors(keymap: dict[str, str], app_bindings: Sequence[BindingType] = ()) -> list[str]:
    """What is wrong with a ``keymap`` setting, one phrase per mistake, naming the id and the key."""
    scopes = _scopes(app_bindings)
    ids = sorted({b.id for _, bindings in scopes for b in bindings if b.id})
    errors = []
    for bid, keys in keymap.items():
        if bid not in ids:
            near = difflib.get_close_matches(bid, ids, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else " (the help screen, ?, lists the ids)"
            errors.append(f"'{bid}' is not a binding id{hint}")
        elif not [k for k in keys.split(",") if k.strip()]:
            errors.append(f"'{bid}' is given no key")
    for where, bindings in scopes:
        owner: dict[str, str] = {}
        for b in bindings:
            for key in _keys(b, keymap) if b.id else []:
                other = owner.setdefault(key, b.id or "")
                if other != b.id and (b.id in keymap or other in keymap):
                    errors.append(f"'{key_label(key)}' is bound to both '{other}' and '{b.id}' on {where}")
    return list(dict.fromkeys(errors))
