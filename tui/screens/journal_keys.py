"""The trade journal from the market screen: ``n`` puts a note or ``#tag`` on the selected order
or fill; the palette exports fills, orders or the whole journal as CSV into the user's data
directory (``exports/``) and says where.

A mixin, so the market screen keeps one class. The target is the row under the cursor of the
fills panel when it has the focus (a fill, or an order when the fills are grouped per order),
else the orders panel's. The note goes to the journal's writer thread like every other row (a
queue put: no disk on this loop) and is exported with the journal.
"""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial

from textual.binding import Binding

from tui.journal.export import export_dir, export_file
from tui.journal.rows import split_note
from tui.screens.commands import PaletteEntry
from tui.screens.confirm import AskValue
from tui.screens.trading import TradingScreen
from tui.widgets.account import FillsTable, OrdersTable

__all__ = ["JournalKeys"]

_EXPORTS = {
    "fills": "one row per fill, realised P&L and notes included",
    "orders": "every order sent, with its ack, close and notes",
    "journal": "each order with the book it was sent into, its fills and notes",
}


class JournalKeys(TradingScreen):
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

    # --- export from the palette -----------------------------------------------------------
    def export_palette_entries(self) -> list[PaletteEntry]:
        where = export_dir()
        return [
            PaletteEntry(f"Export: {what} (CSV)", f"{help_} → {where}", partial(self.export_journal, what))
            for what, help_ in _EXPORTS.items()
        ]

    def export_journal(self, what: str) -> None:
        journal = self.desk.journal
        if journal is None:
            self.notify("No trade journal is open: nothing to export.", severity="warning")
            return
        self.run_worker(self._export_flow(what), group="export")

    async def _export_flow(self, what: str) -> None:
        journal = self.desk.journal
        assert journal is not None
        try:
            await asyncio.to_thread(journal.flush)  # what is queued is in the file first
            path, n = await asyncio.to_thread(export_file, journal.path, what, "csv")
        except (OSError, sqlite3.Error) as exc:
            self.notify(f"Export of {what} failed: {exc}", severity="error")
            self.store.log("error", f"export {what}: {exc}")
            return
        self.notify(f"Exported {n} {what} rows to {path}", timeout=10)
        self.store.log("info", f"exported {n} {what} rows to {path}")
