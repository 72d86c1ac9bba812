"""The journal written out as CSV or NDJSON: for ``kraken-tui export`` (stdout) and for the
palette (a file in the user's data directory, ``exports/``).

Numbers go out as the exact decimal strings the journal holds, so a spreadsheet or a script
reads back the very ``Decimal`` that was traded. The palette's export runs on a worker thread
(it reads the whole journal), never on the UI's loop.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any, TextIO

from tui.journal.read import FILL_COLUMNS, fills, journal, open_read, orders
from tui.paths import APP_NAME

__all__ = ["READERS", "export_dir", "export_file", "write"]

READERS = {"fills": fills, "orders": orders, "journal": journal}


def export_dir() -> Path:
    """``$XDG_DATA_HOME/kraken-tui/exports`` on Linux (the platform's user data directory)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "exports"


def write(rows: list[dict[str, Any]], what: str, fmt: str, out: TextIO) -> None:
    if fmt == "ndjson":
        for r in rows:
            out.write(json.dumps(r) + "\n")
        return
    columns = list(FILL_COLUMNS) if what == "fills" else list(rows[0]) if rows else []
    if not columns:
        return
    w = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in r.items()})


def export_file(db: Path, what: str, fmt: str = "csv", into: Path | None = None) -> tuple[Path, int]:
    """``what`` of the journal at ``db`` into a new file (``fills-20261201-114400.csv``); the
    path and the number of rows. Raises ``sqlite3.Error`` / ``OSError`` for the caller to say."""
    conn = open_read(db)
    try:
        rows = READERS[what](conn, "")
    finally:
        conn.close()
    folder = into or export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{what}-{time.strftime('%Y%m%d-%H%M%S')}.{fmt}"
    n = 1
    while path.exists():  # two exports in one second keep both
        path = folder / f"{what}-{time.strftime('%Y%m%d-%H%M%S')}-{n}.{fmt}"
        n += 1
    with path.open("w", newline="", encoding="utf-8") as out:
        write(rows, what, fmt, out)
    return path, len(rows)
