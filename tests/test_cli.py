from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


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
        "         'tui.app', 'tui.cli.stream', 'tui.cli.exchange', 'tui.bench.book', 'tui.bench.soak')\n"
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
        ("soak", "--minutes"),
    ):
        out = _run(command, "--help")
        assert out.returncode == 0, out.stderr
        assert flag in out.stdout, command


def _clean_env() -> dict[str, str]:
    """The test's environment without any real credentials the developer may have exported."""
    return {k: v for k, v in os.environ.items() if "API_KEY" not in k and "API_SECRET" not in k}


def _run_clean(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env={**_clean_env(), **(env or {})},
        timeout=timeout,
    )


QUICK = ("bench", "--updates", "100", "--depth", "10")


def _one_error_line(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfebook_depth = 10\n")
    line = _one_error_line(_run_clean("--config", str(bad), *QUICK))
    assert "bad.toml" in line and "UTF-8" in line


def test_an_environment_value_that_is_not_json_is_one_line() -> None:
    line = _one_error_line(_run_clean(*QUICK, env={"KRAKEN_TUI_SYMBOLS": "notjson"}))
    assert "KRAKEN_TUI_SYMBOLS" in line


@pytest.mark.parametrize("var", ["KRAKEN_API_SECRET", "KRAKEN_FUTURES_API_SECRET"])
def test_a_secret_that_is_not_base64_is_refused_at_start(var: str) -> None:
    key_var = var.replace("SECRET", "KEY")
    out = _run_clean(*QUICK, env={key_var: "k", var: "not base64!!"})
    line = _one_error_line(out)
    assert "base64" in line
    assert "not base64!!" not in out.stderr + out.stdout


def test_permission_warning_is_one_plain_line(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('futures_api_key = "k"\nfutures_api_secret = "c2VjcmV0"\n')
    cfg.chmod(0o644)
    out = _run_clean("--config", str(cfg), *QUICK)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == [
        f"kraken-tui: warning: {cfg} holds API credentials and is readable by other users; run: chmod 600 {cfg}"
    ]


def test_exchange_refuses_a_secret_that_is_not_base64() -> None:
    out = _run_clean("exchange", "--port", "0", "--api-secret", "not base64!!", timeout=15)
    line = _one_error_line(out)
    assert "--api-secret" in line and "not base64!!" not in line
    assert out.stdout == ""


def test_exchange_refuses_unknown_faults_in_one_line() -> None:
    line = _one_error_line(_run_clean("exchange", "--port", "0", "--faults", "bogus=1", timeout=15))
    assert "bogus" in line


def _banner(*flags: str) -> list[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "exchange", "--port", "0", "--no-futures", *flags],
        stdout=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )
    assert proc.stdout is not None
    try:
        return [proc.stdout.readline().rstrip("\n") for _ in range(7)]
    finally:
        proc.kill()
        proc.wait()


def test_exchange_banner_never_prints_a_user_supplied_secret() -> None:
    mine = "c2VjcmV0LXZhbHVlLWZvci10ZXN0cw=="
    lines = _banner("--api-secret", mine)
    assert lines[0].startswith("public: ws://127.0.0.1:")
    assert not any(mine in line for line in lines)
    assert "api secret: (the one given with --api-secret)" in lines
    # the demo secret is public and documented, and is what the benchmarks read
    from tui.exchange.server import DEMO_SECRET

    assert f"api secret: {DEMO_SECRET}" in _banner()


def test_exchange_banner_names_the_fault_control_token_that_the_endpoint_wants() -> None:
    import urllib.error
    import urllib.request

    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "exchange", "--port", "0", "--no-futures"],
        stdout=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )
    assert proc.stdout is not None
    try:
        lines = [proc.stdout.readline().rstrip("\n") for _ in range(7)]
        line = next(x for x in lines if x.startswith("fault control: "))
        url, header = line.removeprefix("fault control: ").split(" (header ")
        name, token = header.rstrip(")").split(": ")
        body = b'{"drop_after": 0}'
        with pytest.raises(urllib.error.HTTPError) as refused:  # without the token: refused
            urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=5)
        assert refused.value.code in (401, 403)
        req = urllib.request.Request(url, data=body, method="POST", headers={name: token})
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200
    finally:
        proc.kill()
        proc.wait()


def test_exchange_refuses_unknown_pairs_in_one_line() -> None:
    line = _one_error_line(_run_clean("exchange", "--port", "0", "--pairs", "FOO/BAR", timeout=15))
    assert "FOO/BAR" in line and "BTC/USD" in line


@pytest.mark.parametrize("flags", [("--seconds", "0"), ("--faults", "bogus=1")])
def test_soak_refuses_bad_flags_in_one_line(flags: tuple[str, str]) -> None:
    _one_error_line(_run_clean("soak", *flags, timeout=15))


def test_keymap_mistakes_stop_the_dashboard_in_one_line(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('keymap = { "order.buy" = "s", "book.nope" = "z" }\n')
    line = _one_error_line(_run_clean("--config", str(cfg), "--demo"))
    assert "keymap" in line
    assert "'s' is bound to both 'order.buy' and 'order.sell' on the market screen" in line
    assert "'book.nope' is not a binding id" in line


def test_toml_syntax_error_is_one_line_with_line_and_column(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("symbols = [\n  'BTC/USD'\n  'ETH/USD'\n]\n")
    line = _one_error_line(_run_clean("--config", str(cfg), *QUICK))
    assert f"{cfg}:3:" in line and "line 3, column" in line


def test_paths_honour_xdg_and_need_no_valid_config(tmp_path: Path) -> None:
    (tmp_path / "cfg" / "kraken-tui").mkdir(parents=True)
    (tmp_path / "cfg" / "kraken-tui" / "config.toml").write_text("this is = = broken\n")
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "KRAKEN_TUI_SECRETS_DIR": str(tmp_path / "secrets"),
    }
    out = _run_clean("paths", env=env)
    assert out.returncode == 0, out.stderr
    rows = dict(line.split(None, 1) for line in out.stdout.splitlines())
    assert rows == {
        "config": f"{tmp_path}/cfg/kraken-tui/config.toml",
        "config_dir": f"{tmp_path}/cfg/kraken-tui",
        "state_dir": f"{tmp_path}/state/kraken-tui",
        "cache_dir": f"{tmp_path}/cache/kraken-tui",
        "log_dir": f"{tmp_path}/state/kraken-tui/log",
        "log_file": f"{tmp_path}/state/kraken-tui/log/kraken-tui.log",
        "secrets_dir": f"{tmp_path}/secrets",
    }
    one = _run_clean("paths", "log_file", env=env)
    assert one.stdout == f"{tmp_path}/state/kraken-tui/log/kraken-tui.log\n"
    # and the config loader reads the file `paths` names (here: a broken one, reported with its path)
    line = _one_error_line(_run_clean(*QUICK, env=env))
    assert f"{tmp_path}/cfg/kraken-tui/config.toml:1:" in line


@pytest.mark.parametrize(
    ("shell", "marker"), [("bash", "complete"), ("zsh", "#compdef"), ("fish", "complete -c")]
)
def test_completion_is_generated_from_the_parser(shell: str, marker: str) -> None:
    out = _run_clean("completion", shell)
    assert out.returncode == 0, out.stderr
    assert marker in out.stdout
    # top-level flags, subcommands and a lazy subcommand's own flags are all there
    for needle in ("--demo", "--api-secret-stdin", "bench-feed", "--faults", "--depth"):
        if shell == "fish":  # fish writes a long flag as `-l demo`
            needle = needle.replace("--", "-l ")
        assert needle in out.stdout, (shell, needle)


def test_bash_completion_loads_in_bash(tmp_path: Path) -> None:
    script = tmp_path / "kraken-tui.bash"
    script.write_text(_run_clean("completion", "bash").stdout)
    out = subprocess.run(
        ["bash", "-c", f"source {script} && complete -p kraken-tui"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "kraken-tui" in out.stdout


def test_every_command_help_has_examples_and_environment() -> None:
    from tui.cli.entry import SUBCOMMANDS

    top = _run_clean("--help").stdout
    assert "examples:" in top and "KRAKEN_TUI_LOG_LEVEL" in top and "XDG_CONFIG_HOME" in top
    for name in SUBCOMMANDS:
        out = _run_clean(name, "--help")
        assert out.returncode == 0, out.stderr
        assert "examples:" in out.stdout and "environment:" in out.stdout, name
        assert f"kraken-tui {name}" in out.stdout.split("examples:")[1] or name == "stream", name


def test_the_shipped_man_page_is_the_generated_one() -> None:
    out = _run_clean("man")
    assert out.returncode == 0, out.stderr
    shipped = (Path(__file__).resolve().parent.parent / "man" / "kraken-tui.1").read_text()
    assert out.stdout == shipped, "regenerate it: kraken-tui man > man/kraken-tui.1"
    for needle in (".TH KRAKEN\\-TUI 1", ".SS kraken\\-tui stream", "\\-\\-faults", "KRAKEN_TUI_LOG_LEVEL"):
        assert needle in shipped


def test_version_is_the_package_metadata() -> None:
    from importlib.metadata import version

    out = _run_clean("--version")
    assert out.stdout == f"kraken-tui {version('kraken-tui')}\n"


def test_stream_into_head_ends_quietly() -> None:
    """`kraken-tui --demo stream book BTC/USD | head`: the reader leaving is the end, not a crash."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "--demo", "stream", "book", "BTC/USD"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_clean_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does after its lines; the stream must notice and end by itself
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=20) == 0, err
    assert b'"checksum_ok":true' in first
    assert "Traceback" not in err and "Broken pipe" not in err, err
