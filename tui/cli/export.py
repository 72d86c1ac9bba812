"""``kraken-tui export fills|orders|journal``: the trade journal as CSV or NDJSON on stdout.

Reads the SQLite file read-only (WAL: the dashboard may be running). Numbers go out as the
exact decimal strings the journal holds, so a spreadsheet or a script reads back the very
``Decimal`` that was traded.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tui.journal import journal_path
from tui.journal.export import READERS, write
from tui.journal.read import open_read

__all__ = ["READERS", "add_arguments", "run", "write"]
EPILOG = """\
examples:
  kraken-tui export fills --since 2026-11-01 > fills.csv       one row per fill, realised P&L included
  kraken-tui export orders --format ndjson                      every order sent, with its ack and close
  kraken-tui export journal --format ndjson | jq .bids          each order with the book it was sent into

environment:
  XDG_STATE_HOME                                       where the journal lives (see `kraken-tui paths state_dir`)"""


def _since(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument(
        "what", choices=tuple(READERS), help="one row per fill, per order, or per order in full"
    )
    parser.add_argument(
        "--since", type=_since, default=None, metavar="YYYY-MM-DD", help="from this UTC day on"
    )
    parser.add_argument(
        "--format", choices=("csv", "ndjson"), default="csv", help="output format (default csv)"
    )
    parser.add_argument(
        "--journal", type=Path, metavar="FILE", help="the journal file (default: the state directory's)"
    )


def run(args: argparse.Namespace, settings: Any = None) -> int:
    path = args.journal or journal_path()
    if not path.exists():
        print(f"kraken-tui export: no journal at {path} (nothing has been traded yet)", file=sys.stderr)
        return 1
    try:
        conn = open_read(path)
        try:
            rows = READERS[args.what](conn, args.since or "")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        print(f"kraken-tui export: cannot read {path}: {exc}", file=sys.stderr)
        return 1
    write(rows, args.what, args.format, sys.stdout)
    return 0
