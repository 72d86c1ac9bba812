"""The trade journal: every order sent, its ack, fills, final state and the book at the send,
in SQLite in the state directory (README "Journal and export" documents the tables)."""

from pathlib import Path

from tui.journal.schema import SCHEMA, connect
from tui.journal.writer import Journal
from tui.paths import paths

__all__ = ["SCHEMA", "Journal", "connect", "journal_path"]


def journal_path() -> Path:
    return paths().state_dir / "journal.sqlite3"
