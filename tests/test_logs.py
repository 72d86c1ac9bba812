"""The dashboard's log: ``kraken-tui --demo --log-level debug`` in a real terminal writes the file.

Run on a pseudo-terminal (the dashboard needs one) with the state directory moved by
``XDG_STATE_HOME``: the file must appear where ``kraken-tui paths`` says, hold one line per
connection state change, and never the configured secret.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tui.cli.startup import first_frame

SECRET = "c2VjcmV0LWluLXRoZS1lbnZpcm9ubWVudC1vbmx5"


def test_demo_debug_log_lands_in_the_state_dir_and_holds_no_secret(tmp_path: Path) -> None:
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "KRAKEN_API_KEY": "key-in-the-environment",
        "KRAKEN_API_SECRET": SECRET,
        "KRAKEN_TUI_LOG_LEVEL": "debug",
    }
    painted, book = first_frame([sys.executable, "-m", "tui"], 80, 24, timeout=30, env=env)
    assert painted and book  # the dashboard was drawn and its book verified
    log = tmp_path / "state" / "kraken-tui" / "log" / "kraken-tui.log"
    text = log.read_text()
    assert " DEBUG tui.cli: settings: " in text and "**********" in text
    assert "INFO tui.cli: kraken-tui " in text
    for conn in ("public", "private"):
        assert f"INFO tui.feed: {conn}: connected to ws://127.0.0.1:" in text, conn
    assert SECRET not in text and "key-in-the-environment" not in text


def test_the_log_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    import logging
    import os
    import stat

    from tui.logs import setup_file_log

    old = os.umask(0o022)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_file_log(tmp_path / "log" / "kraken-tui.log", "info", ["s3cret"])
        assert path is not None
        logging.getLogger("tui.test").info("a line")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()
