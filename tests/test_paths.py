"""tui.paths: every file's place from platformdirs, XDG honoured, decided in one module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.config import default_config_path, load_settings
from tui.paths import paths


def test_xdg_variables_move_every_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "k"))
    p = paths()
    assert p.config_file == tmp_path / "c" / "kraken-tui" / "config.toml"
    assert p.state_dir == tmp_path / "s" / "kraken-tui"
    assert p.cache_dir == tmp_path / "k" / "kraken-tui"
    assert p.log_file.parent == p.log_dir and p.log_dir.is_relative_to(p.state_dir)
    # the loader and the log use the same places
    assert default_config_path() == p.config_file
    assert load_settings().log_file == p.log_file


def test_defaults_follow_the_home_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    p = paths()
    assert p.config_file == tmp_path / ".config" / "kraken-tui" / "config.toml"
    assert p.state_dir == tmp_path / ".local" / "state" / "kraken-tui"
    assert p.cache_dir == tmp_path / ".cache" / "kraken-tui"


def test_help_and_version_do_not_import_platformdirs_or_shtab() -> None:
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "for argv in (['--help'], ['--version'], ['stream', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('LOADED', ','.join(m for m in ('platformdirs', 'shtab', 'tui.logs') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("LOADED"), out.stdout.splitlines()[-1]
