"""``n``: a note or ``#tag`` on the selected order or fill, kept in the trade journal.

A mixin, so the market screen keeps one class. The target is the row under the cursor of the
fills panel when it has the focus (a fill, or an order when the fills are grouped per order),
else the orders panel's. The note goes to the journal's writer thread like every other row (a
queue put: no disk on this loop) and is exported with the journal.
"""

from __future__ import annotations

from textual.binding import Binding

from tui.journal.rows import split_note
from tui.screens.confirm import AskValue
from tui.screens.trading import TradingScreen
from tui.widgets.account import FillsTable, OrdersTable

__all__ = ["NoteKeys"]


class NoteKeys(TradingScreen):
    BINDINGS = [
        Binding(
            "n",
            "note",
            "Note",
            show=False,
            tooltip="Add a note or #tag to the selected order or fill (trade journal)",
            id="journal.note",
        ),
    ]

    def note_target(self) -> tuple[str, str] | None:
        """("fill", exec_id) or ("order", order_id) under the cursor, or None."""
        fills = self.query_one(FillsTable)
        picked = fills.selected_key if self.focused is fills else None
        if picked:
            return (
                ("order", picked.removeprefix("order-")) if picked.startswith("order-") else ("fill", picked)
            )
        key = self.query_one(OrdersTable).selected_key
        return ("order", key) if key else None

    def action_note(self) -> None:
        journal = self.desk.journal
        if journal is None:
            self.notify("No trade journal is open: notes cannot be kept.", severity="warning")
            return
        target = self.note_target()
        if target is None:
            self.notify("Select an order (o) or a fill (f) first, then press n.", severity="warning")
            return
        kind, ref = target

        def check(text: str) -> str | None:
            return None if split_note(text) else "type a note, or #tag"

        ask = AskValue(f"Note on {kind} {ref} (words with # are tags)", "", check)
        self.run_worker(self._note_flow(kind, ref, ask), group="note")

    async def _note_flow(self, kind: str, ref: str, ask: AskValue) -> None:
        text = await self.app.push_screen(ask, wait_for_dismiss=True)
        journal = self.desk.journal
        if not text or journal is None:
            return
        journal.note(kind, ref, text)
        self.notify(f"Noted on {kind} {ref}: {text}", timeout=4)
        self.store.log("info", f"journal note on {kind} {ref}: {text}")
