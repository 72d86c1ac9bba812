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


def test_help_and_version_import_no_subcommand() -> None:
    """``--help`` and ``--version`` must stay quick: no subcommand module, no aiohttp, no Textual."""
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "for argv in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('aiohttp', 'textual', 'pydantic', 'tui.config', 'tui.exchange', 'tui.feed', 'tui.store',\n"
        "         'tui.app', 'tui.cli.stream', 'tui.cli.exchange', 'tui.bench.book')\n"
        "print('LOADED', ','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("LOADED"), out.stdout.splitlines()[-1]


def test_each_subcommand_help_lists_its_own_flags() -> None:
    for command, flag in (
        ("exchange", "--faults"),
        ("stream", "--depth"),
        ("bench", "--kernel"),
        ("bench-feed", "--rate"),
        ("bench-ui", "--orders"),
    ):
        out = _run(command, "--help")
        assert out.returncode == 0, out.stderr
        assert flag in out.stdout, command
