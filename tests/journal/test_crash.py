"""SIGKILL mid-session: every row the journal said was committed is there when the file reopens."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import sys
from decimal import Decimal
from pathlib import Path
from tui.journal import Journal
from tui.kraken.events import Fill

journal = Journal(Path(sys.argv[1]), "DEMO")
i = 0
while True:  # journals until killed; says which fill was committed once it was
    fill = Fill(f"O{i}", f"E{i}", i, "BTC/USD", "buy", Decimal("0.001"), Decimal("97250.1"),
                Decimal("97.2501"), Decimal("0.25"), "USD", "t", "2026-12-01T10:00:00.000000Z")
    journal.fill(fill)
    if i % 3 == 0:
        journal.flush()
        print(i, flush=True)
    i += 1
"""


def test_sigkill_mid_session_loses_no_committed_row(tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    committed: list[int] = []
    try:
        for line in proc.stdout:
            committed.append(int(line))
            if len(committed) == 200:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # while it goes on writing
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert len(committed) == 200
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    have = {int(r[0][1:]) for r in conn.execute("SELECT exec_id FROM fills")}
    missing = [i for i in committed if i not in have]
    assert missing == []
    # every row that made it is whole: exact text, not a float's
    assert {r for r in conn.execute("SELECT DISTINCT price, fee FROM fills")} == {("97250.1", "0.25")}
