from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

import pytest

from tui.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_documents_every_key_with_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("KRAKEN_API_KEY", "KRAKEN_API_SECRET", "KRAKEN_FUTURES_API_KEY", "KRAKEN_FUTURES_API_SECRET"):
        monkeypatch.delenv(var, raising=False)
    example = ROOT / "config.example.toml"
    data = tomllib.loads(example.read_text())
    defaults = Settings().model_dump(mode="json", exclude={"permission_warning", "log_file"})
    for key, value in defaults.items():
        if value is None:  # credentials, their commands, the log level: documented, commented out
            assert f"# {key} =" in example.read_text(), key
            continue
        assert key in data, key
        if isinstance(value, dict) and key != "keymap":
            assert set(value) == set(data[key]), key
    loaded = load_settings(example).model_dump(mode="json", exclude={"permission_warning", "log_file"})
    assert loaded == defaults


def test_env_beats_file_and_secrets_stay_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('ws_public_url = "ws://file/v2"\nbook_depth = 100\n[guards]\nmax_notional = 5000\n')
    monkeypatch.setenv("KRAKEN_TUI_WS_PUBLIC_URL", "ws://env/v2")
    monkeypatch.setenv("KRAKEN_API_KEY", "key-123")
    monkeypatch.setenv("KRAKEN_API_SECRET", "c2VjcmV0LXZhbHVl")
    s = load_settings(cfg)
    assert s.ws_public_url == "ws://env/v2"
    assert s.book_depth == 100
    assert str(s.guards.max_notional) == "5000"
    assert s.has_credentials
    assert "c2VjcmV0LXZhbHVl" not in repr(s) and "c2VjcmV0LXZhbHVl" not in str(s.model_dump())


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("book_depth = 27\n", "book_depth"),
        ('symbols = ["XBT/USD"]\n', "BTC/USD"),
        ("[guards]\nmax_notionl = 1\n", "guards.max_notionl"),
        ("book_depth = \n", "not valid TOML"),
        ("[dead_mans_switch]\ntimeout = 5\n", "dead_mans_switch.timeout"),
    ],
)
def test_invalid_config_is_one_paragraph_naming_the_key(tmp_path: Path, text: str, needle: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.toml")


def test_secret_in_group_readable_file_warns(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('api_key = "k"\napi_secret = "c2VjcmV0"\n')
    cfg.chmod(0o644)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = load_settings(cfg)
    assert s.permission_warning and "chmod 600" in s.permission_warning
    # the caller shows it as one plain line; a Python UserWarning would print a source line too
    assert caught == []
    assert "c2VjcmV0" not in s.permission_warning
    cfg.chmod(0o600)
    assert load_settings(cfg).permission_warning is None


def _no_credentials_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "KRAKEN_API_KEY",
        "KRAKEN_API_SECRET",
        "KRAKEN_FUTURES_API_KEY",
        "KRAKEN_FUTURES_API_SECRET",
        "KRAKEN_TUI_API_SECRET",
        "KRAKEN_TUI_FUTURES_API_SECRET",
    ):
        monkeypatch.delenv(var, raising=False)


def test_a_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_bytes(b"\xff\xfebook_depth = 10\n")
    with pytest.raises(ConfigError, match="UTF-8") as err:
        load_settings(cfg)
    assert "\n" not in str(err.value)


def test_an_environment_value_that_is_not_json_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRAKEN_TUI_SYMBOLS", "notjson")
    with pytest.raises(ConfigError, match="KRAKEN_TUI_SYMBOLS") as err:
        load_settings(None)
    assert "JSON" in str(err.value) and "\n" not in str(err.value)


def test_a_readable_file_with_only_futures_secrets_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_credentials_in_env(monkeypatch)
    cfg = tmp_path / "c.toml"
    cfg.write_text('futures_api_key = "k"\nfutures_api_secret = "c2VjcmV0"\n')
    cfg.chmod(0o644)
    s = load_settings(cfg)
    assert s.permission_warning and "chmod 600" in s.permission_warning


@pytest.mark.parametrize("field", ["api_secret", "futures_api_secret"])
def test_a_secret_that_is_not_base64_is_refused_without_echoing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    _no_credentials_in_env(monkeypatch)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'{field.replace("secret", "key")} = "k"\n{field} = "not base64!!"\n')
    cfg.chmod(0o600)
    with pytest.raises(ConfigError, match=field) as err:
        load_settings(cfg)
    assert "base64" in str(err.value)
    assert "not base64!!" not in str(err.value) and "\n" not in str(err.value)


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("book_depth = 25\n\n[guards]\nmax_notional = = 5\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    msg = str(err.value)
    assert msg.startswith(f"{cfg}:4:16: not valid TOML")
    assert "line 4, column 16" in msg and "\n" not in msg


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('book_depth = "deep"', "'book_depth' should be a whole number, not the text \"deep\""),
        ('refresh_hz = "fast"', "'refresh_hz' should be a number, not the text \"fast\""),
        (
            'guards = { confirm_live_orders = "maybe" }',
            "'guards.confirm_live_orders' should be true or false",
        ),
        ('symbols = "BTC/USD"', '\'symbols\' should be a list, e.g. ["BTC/USD", "ETH/USD"]'),
        ("theme = 7", "'theme' should be text in quotes"),
        ("guards = 5", "'guards' should be a table"),
    ],
)
def test_a_wrong_type_says_what_was_expected_in_plain_words(tmp_path: Path, toml: str, expected: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml + "\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert expected in str(err.value)
    assert "Input should" not in str(err.value)


def test_a_wrong_type_for_a_secret_never_echoes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KRAKEN_API_KEY", raising=False)
    cfg = tmp_path / "c.toml"
    cfg.write_text("api_key = 123456789\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert "'api_key' should be text in quotes" in str(err.value)
    assert "123456789" not in str(err.value)


def test_log_level_from_environment_file_and_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('log_level = "WARNING"\n')
    assert load_settings(cfg).log_level == "warning"
    monkeypatch.setenv("KRAKEN_TUI_LOG_LEVEL", "debug")
    assert load_settings(cfg).log_level == "debug"
    assert load_settings(cfg, log_level="error").log_level == "error"
    monkeypatch.setenv("KRAKEN_TUI_LOG_LEVEL", "loud")
    with pytest.raises(ConfigError, match="log_level"):
        load_settings(cfg)


def test_keymap_unknown_ids_and_clashes_name_the_id_and_the_key() -> None:
    from tui.app import KrakenApp
    from tui.cli.keymap import keymap_errors

    assert keymap_errors({"order.buy": "B", "book.depth-cycle": "ctrl+d"}, KrakenApp.BINDINGS) == [
        "'B' is bound to both 'order.buy' and 'panel.balances' on the market screen"
    ]
    assert keymap_errors({"order.buyy": "n"}, KrakenApp.BINDINGS) == [
        "'order.buyy' is not a binding id (did you mean 'order.buy'?)"
    ]
    assert keymap_errors({"order.buy": "?"}) == [
        "'?' is bound to both 'order.buy' and 'app.help' on the market screen"
    ]
    assert keymap_errors({"form.review": "ctrl+q"}, KrakenApp.BINDINGS) == [
        "'ctrl+q' is bound to both 'form.review' and 'app.quit' on the order form"
    ]
    assert keymap_errors({"order.buy": "n", "order.sell": "m", "form.review": "f5"}, KrakenApp.BINDINGS) == []
