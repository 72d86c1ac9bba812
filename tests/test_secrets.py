"""Secrets without a plain-text file, and the secret-grep: none reaches a recording, a log or a traceback.

The end-to-end tests run the real CLI against the embedded exchange (a subprocess on loopback)
with a key and secret of the test's own: a private ``balances`` line proves the secret from the
command / directory / stdin was the one that signed. (There is no trade journal yet, so there is
no journal to grep.)
"""

from __future__ import annotations

import gzip
import logging
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.config import ConfigError, load_settings
from tui.logs import setup_file_log

SECRET = "c2VjcmV0LW9mLXRoZS1zZWNyZXQtZ3JlcC10ZXN0"  # base64, as Kraken's secrets are
KEY = "test-key-of-the-secret-grep"
EXCHANGE_CREDENTIALS = ("--api-key", KEY, "--api-secret", SECRET)
STREAM = ("stream", "balances", "--count", "1")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k and "API_SECRET" not in k}
    return {**env, **extra}


@pytest.fixture
def venue() -> Iterator[dict[str, str]]:
    """An embedded exchange accepting KEY/SECRET; the environment that points the client at it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "exchange", "--port", "0", "--no-futures", *EXCHANGE_CREDENTIALS],
        stdout=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )
    assert proc.stdout is not None
    try:
        urls = dict(proc.stdout.readline().rstrip().split(": ", 1) for _ in range(4))
        yield {
            "KRAKEN_TUI_WS_PUBLIC_URL": urls["public"],
            "KRAKEN_TUI_WS_PRIVATE_URL": urls["private"],
            "KRAKEN_TUI_WS_L3_URL": urls["level3"],
            "KRAKEN_TUI_REST_URL": urls["rest"],
            "KRAKEN_TUI_FUTURES_SYMBOLS": "[]",
            "KRAKEN_TUI_SYMBOLS": '["BTC/USD"]',
        }
    finally:
        proc.kill()
        proc.wait()


def _stream_balances(
    tmp_path: Path, env: dict[str, str], *flags: str, stdin: str | None = None
) -> tuple[subprocess.CompletedProcess[str], bytes]:
    record = tmp_path / "session.ndjson.gz"
    out = subprocess.run(
        [sys.executable, "-m", "tui", *flags, "--record", str(record), "--log-level", "debug", *STREAM],
        capture_output=True,
        text=True,
        input=stdin,
        env=_clean_env(XDG_STATE_HOME=str(tmp_path / "state"), XDG_CONFIG_HOME=str(tmp_path), **env),
        timeout=60,
    )
    return out, gzip.decompress(record.read_bytes()) if record.exists() else b""


def _signed(out: subprocess.CompletedProcess[str]) -> None:
    assert out.returncode == 0, out.stderr[-2000:]
    assert '"channel": "balances"' in out.stdout or '"balances"' in out.stdout, out.stdout


def test_secret_command_signs_and_the_secret_is_in_no_output(tmp_path: Path, venue: dict[str, str]) -> None:
    secret_file = tmp_path / "pass-store-entry"
    secret_file.write_text(SECRET + "\nnotes: a second line is not part of the secret\n")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'api_key = "{KEY}"\napi_secret_command = "cat {secret_file}"\n')
    cfg.chmod(0o600)
    out, recording = _stream_balances(tmp_path, venue, "--config", str(cfg))
    _signed(out)
    assert recording, "the session was recorded"
    for where, text in (("stdout", out.stdout), ("stderr", out.stderr), ("recording", recording.decode())):
        assert SECRET not in text, where
    assert "connected to" in out.stderr  # the debug log did run, and said things


def test_secrets_directory_signs(tmp_path: Path, venue: dict[str, str]) -> None:
    secrets = tmp_path / "credentials"
    secrets.mkdir()
    (secrets / "api_key").write_text(KEY)
    (secrets / "api_secret").write_text(SECRET + "\n")
    out, recording = _stream_balances(tmp_path, venue, "--secrets-dir", str(secrets))
    _signed(out)
    assert SECRET not in out.stdout + out.stderr + recording.decode()


def test_api_secret_stdin_signs(tmp_path: Path, venue: dict[str, str]) -> None:
    out, _ = _stream_balances(
        tmp_path, {**venue, "KRAKEN_API_KEY": KEY}, "--api-secret-stdin", stdin=SECRET + "\n"
    )
    _signed(out)
    assert SECRET not in out.stdout + out.stderr


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("false", "failed with exit status 1"),
        ("no-such-password-manager show kraken", "'no-such-password-manager' was not found"),
        (f"sh -c 'echo {SECRET}; echo entry not found >&2; exit 3'", "exit status 3: entry not found"),
        ("true", "printed nothing"),
    ],
)
def test_a_failing_secret_command_is_one_line_exit_2(tmp_path: Path, command: str, expected: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'api_key = "k"\napi_secret_command = "{command}"\n')
    out = subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(cfg), "bench", "--updates", "100", "--depth", "10"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=60,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "api_secret_command" in lines[0] and expected in lines[0]
    assert SECRET not in out.stderr  # what the command printed on stdout is never echoed


def test_secret_command_runs_once_and_only_when_the_secret_is_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("KRAKEN_API_KEY", "KRAKEN_API_SECRET"):
        monkeypatch.delenv(var, raising=False)
    counter = tmp_path / "runs"
    cfg = tmp_path / "c.toml"
    entry = tmp_path / "entry"
    entry.write_text(SECRET)
    cfg.write_text(f"api_secret_command = \"sh -c 'echo x >> {counter}; cat {entry}'\"\n")
    s = load_settings(cfg)
    assert s.api_secret is not None and s.api_secret.get_secret_value() == SECRET
    assert counter.read_text().count("x") == 1
    assert SECRET not in repr(s) and SECRET not in str(s.model_dump())
    monkeypatch.setenv("KRAKEN_API_SECRET", "ZW52LXNlY3JldA==")
    s = load_settings(cfg)
    assert s.api_secret is not None and s.api_secret.get_secret_value() == "ZW52LXNlY3JldA=="
    assert counter.read_text().count("x") == 1  # the environment's secret: the command did not run


def test_secrets_directory_sits_between_environment_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("KRAKEN_API_KEY", "KRAKEN_API_SECRET", "KRAKEN_TUI_SECRETS_DIR", "CREDENTIALS_DIRECTORY"):
        monkeypatch.delenv(var, raising=False)
    secrets = tmp_path / "s"
    secrets.mkdir()
    (secrets / "KRAKEN_API_SECRET").write_text(SECRET)  # the environment variable's name works too
    (secrets / "futures_api_key").write_text("fut-key\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text('api_key = "file-key"\napi_secret = "ZmlsZQ=="\n')
    s = load_settings(cfg, secrets_dir=secrets)
    assert s.api_secret is not None and s.api_secret.get_secret_value() == SECRET
    assert s.futures_api_key is not None and s.futures_api_key.get_secret_value() == "fut-key"
    assert s.api_key is not None and s.api_key.get_secret_value() == "file-key"
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(secrets))  # systemd's LoadCredential=
    s = load_settings(cfg)
    assert s.api_secret is not None and s.api_secret.get_secret_value() == SECRET
    monkeypatch.setenv("KRAKEN_API_SECRET", "ZW52")
    assert load_settings(cfg).api_secret.get_secret_value() == "ZW52"  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="secrets directory does not exist"):
        load_settings(cfg, secrets_dir=tmp_path / "missing")


def test_log_file_redacts_secrets_in_messages_arguments_and_tracebacks(tmp_path: Path) -> None:
    log_file = tmp_path / "log" / "kraken-tui.log"
    assert setup_file_log(log_file, "debug", [SECRET, KEY]) == log_file
    log = logging.getLogger("tui.test")
    log.debug("signing with %s", SECRET)
    log.info(f"key {KEY} in an f-string")
    log.info('{"method": "subscribe", "params": {"token": "WW91ci10b2tlbg"}}')
    try:
        raise RuntimeError(f"signature mismatch for {SECRET}")
    except RuntimeError:
        log.exception("forced traceback")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text()
    assert "forced traceback" in text and "RuntimeError: signature mismatch for [redacted]" in text
    assert "signing with [redacted]" in text
    for needle in (SECRET, KEY, "WW91ci10b2tlbg"):
        assert needle not in text


def test_a_crash_prints_a_redacted_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tui.cli import entry

    crash = types.ModuleType("crashing_command")
    crash.add_arguments = lambda parser: None  # type: ignore[attr-defined]

    def run(args: object, settings: object) -> int:
        raise RuntimeError(f"the venue rejected {SECRET}")

    crash.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "crashing_command", crash)
    monkeypatch.setitem(entry.SUBCOMMANDS, "bench", ("crashing_command", "crashes"))
    monkeypatch.setenv("KRAKEN_API_KEY", KEY)
    monkeypatch.setenv("KRAKEN_API_SECRET", SECRET)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    try:
        assert entry.main(["bench"]) == 1
    finally:
        for handler in [h for h in logging.getLogger().handlers if getattr(h, "_kraken_tui", False)]:
            logging.getLogger().removeHandler(handler)
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: the venue rejected [redacted]" in err
    assert SECRET not in err
