from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, env=full_env, timeout=60
    )


def test_help_lists_subcommands() -> None:
    out = _run("--help")
    assert out.returncode == 0, out.stderr
    for name in ("exchange", "stream", "bench", "--demo", "--paper", "--replay", "--config"):
        assert name in out.stdout


def test_bad_config_is_one_clear_paragraph(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('book_depth = 27\nsymbols = ["BTC/USD"]\n')
    out = _run("--config", str(bad), "bench", "--updates", "1000", "--depth", "10")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "book_depth" in out.stderr
    assert "configuration error" in out.stderr


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    out = _run("--config", str(tmp_path / "nope.toml"), "bench", "--updates", "1000", "--depth", "10")
    assert out.returncode == 2
    assert "nope.toml" in out.stderr
    assert "Traceback" not in out.stderr
