"""Configuration: TOML file, environment and defaults, validated by pydantic-settings.

Precedence (first wins): explicit overrides from the command line > environment
(``KRAKEN_TUI_*``, plus the conventional ``KRAKEN_API_KEY``/``KRAKEN_API_SECRET``) > TOML file >
defaults. Every nested table forbids unknown keys, so a typo is an error rather than a silently
ignored setting. Errors come back as one readable paragraph naming the dotted key.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shlex
import stat
import subprocess
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from tui.paths import paths

__all__ = ["ConfigError", "Settings", "default_config_path", "load_settings", "secrets_dir_from_env"]

BOOK_DEPTHS = (10, 25, 100, 500, 1000)
OHLC_INTERVALS = (1, 5, 15, 30, 60, 240, 1440, 10080, 21600)
_SYMBOL = re.compile(r"^[A-Z0-9]{1,12}/[A-Z0-9]{1,12}$")
_FUTURES_SYMBOL = re.compile(r"^(PF|PI|FF|FI)_[A-Z0-9]{4,16}(_\d{6})?$")
_SECRET_KEYS = ("api_key", "api_secret", "futures_api_key", "futures_api_secret")
LOG_LEVELS = ("debug", "info", "warning", "error")
# What pydantic's error types mean, in the words of someone editing a TOML file.
_EXPECTED = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "decimal_parsing": "a number",
    "decimal_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": 'text in quotes, e.g. "BTC/USD"',
    "list_type": 'a list, e.g. ["BTC/USD", "ETH/USD"]',
    "dict_type": "a table, e.g. { USD = 1000 }",
    "model_type": "a table ([section] or { key = value })",
    "model_attributes_type": "a table ([section] or { key = value })",
}


class ConfigError(Exception):
    """A configuration problem, already phrased for the user (no traceback)."""


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Guards(_Table):
    max_notional: Decimal = Field(Decimal("25000"), gt=0)
    max_distance_pct: Decimal = Field(Decimal("5"), gt=0)
    confirm_live_orders: bool = True


class DeadMansSwitch(_Table):
    timeout: int = Field(60, ge=10, le=86399)
    refresh_every: int = Field(20, ge=1)
    arm_on_start: bool = False


class NotifySettings(_Table):
    """How fills are announced beyond the toast: the terminal bell, and a desktop notification
    (OSC 9 / OSC 777 through the terminal) only while the terminal has lost focus."""

    bell: bool = False
    desktop: bool = True


class TapeSettings(_Table):
    """The trades tape: per-symbol size (base currency) at which a print or sweep is lit, and
    whether such a print rings the terminal bell."""

    thresholds: dict[str, Decimal] = Field(default_factory=dict)
    bell: bool = False

    @field_validator("thresholds")
    @classmethod
    def _positive(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for sym, size in value.items():
            if not size.is_finite() or size <= 0:
                raise ValueError(f"{sym}: a threshold is a size above zero (got {size})")
        return value


class AlertSettings(_Table):
    """How a fired price alert reaches the trader beyond the toast and the Activity line (the
    alerts themselves live in the state directory, set from the app)."""

    bell: bool = True
    desktop: bool = True  # OSC 9 / OSC 777 while the terminal is unfocused


class FeedSettings(_Table):
    connection_stale_after: float = Field(10.0, gt=0)
    symbol_stale_after: float = Field(60.0, gt=0)
    request_timeout: float = Field(10.0, gt=0)
    reconnect_min_delay: float = Field(0.5, gt=0)
    reconnect_max_delay: float = Field(30.0, gt=0)
    ping_interval: float = Field(15.0, gt=0)


def _default_balances() -> dict[str, Decimal]:
    return {"USD": Decimal("100000"), "EUR": Decimal("100000"), "BTC": Decimal("1"), "ETH": Decimal("10")}


class PaperSettings(_Table):
    mirror_url: str = "wss://ws.kraken.com/v2"
    balances: dict[str, Decimal] = Field(default_factory=_default_balances)


class DemoSettings(_Table):
    seed: int = 7
    rate: float = Field(200.0, gt=0, le=20000)
    balances: dict[str, Decimal] = Field(default_factory=_default_balances)
    # what the demo exchange lists besides the watchlist: "all" (Kraken's 683 recorded pairs) or names
    pairs: Literal["all"] | list[str] = Field(default_factory=list)


# --- [ladder]: the price cursor, size presets, one-key actions and the rate guard (issue 13) ---------
_PRESET = re.compile(r"^\d+(\.\d+)?( [A-Z0-9]{1,12})?$")


class LadderSettings(_Table):
    """``presets``: up to five working sizes per symbol (``"BTC/USD"``) or per base asset (``"BTC"``),
    each a base quantity (``"0.01"``) or an amount of an asset with its name (``"500 USD"``)."""

    mode: Literal["levels", "grid"] = "levels"
    auto_center: bool = False
    grid_span: int = Field(100, ge=10, le=2000)  # grid rows each side of its anchor
    arm_idle_s: float = Field(120.0, gt=0, le=86400)
    rate_guard: Literal["warn", "refuse"] = "warn"
    presets: dict[str, list[str]] = Field(default_factory=dict)
    # Y / U: the stop attached to a cursor order, as a distance from the entry: "0.5%" or "20t" (ticks)
    bracket_stop: str = Field("0.5%", pattern=r"^[0-9]{1,6}(\.[0-9]{1,8})?(%|t)$")

    @field_validator("presets")
    @classmethod
    def _check_presets(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for key, sizes in value.items():
            if not 1 <= len(sizes) <= 5:
                raise ValueError(f"{key}: one to five sizes (keys 1-5)")
            for size in sizes:
                if not _PRESET.match(size) or Decimal(size.split()[0]) <= 0:
                    raise ValueError(f'{key}: {size!r} is not a size such as "0.01" or "500 USD"')
        return value


def default_config_path() -> Path:
    return paths().config_file


def _default_log_file() -> Path:
    return paths().log_file


def secrets_dir_from_env() -> Path | None:
    """``KRAKEN_TUI_SECRETS_DIR``, else systemd's ``$CREDENTIALS_DIRECTORY`` (``LoadCredential=``)."""
    found = os.environ.get("KRAKEN_TUI_SECRETS_DIR") or os.environ.get("CREDENTIALS_DIRECTORY")
    return Path(found) if found else None


class _TomlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


class _ByFieldName(PydanticBaseSettingsSource):
    """A source whose values come back under the field's name, not the alias it was found by.

    The environment and a secrets directory find ``api_secret`` as ``KRAKEN_API_SECRET``, the
    TOML file as ``api_secret``; merged under two names, the second would be an unknown key.
    """

    def __init__(self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self._inner = inner
        self._names = {}
        for name, field in settings_cls.model_fields.items():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                self._names.update({str(choice): name for choice in alias.choices})

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return self._inner.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        return {self._names.get(k, k): v for k, v in self._inner().items()}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KRAKEN_TUI_",
        env_nested_delimiter="__",
        extra="forbid",
        populate_by_name=True,
    )
    _toml_data: ClassVar[dict[str, Any]] = {}

    ws_public_url: str = "wss://ws.kraken.com/v2"
    ws_private_url: str = "wss://ws-auth.kraken.com/v2"
    ws_l3_url: str = "wss://ws-l3.kraken.com/v2"
    rest_url: str = "https://api.kraken.com"
    ws_futures_url: str = "wss://futures.kraken.com/ws/v1"
    futures_rest_url: str = "https://futures.kraken.com/derivatives"
    api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("KRAKEN_API_KEY", "KRAKEN_TUI_API_KEY", "api_key")
    )
    api_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("KRAKEN_API_SECRET", "KRAKEN_TUI_API_SECRET", "api_secret")
    )
    # Kraken Futures keys are separate from spot keys (futures.kraken.com issues them).
    futures_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices(
            "KRAKEN_FUTURES_API_KEY", "KRAKEN_TUI_FUTURES_API_KEY", "futures_api_key"
        ),
    )
    futures_api_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices(
            "KRAKEN_FUTURES_API_SECRET", "KRAKEN_TUI_FUTURES_API_SECRET", "futures_api_secret"
        ),
    )
    # A command printing a secret (``pass show kraken/secret``), run once at start when the
    # value itself is not given; its output lives only in this process's memory.
    api_key_command: str | None = None
    api_secret_command: str | None = None
    futures_api_key_command: str | None = None
    futures_api_secret_command: str | None = None
    symbols: list[str] = Field(
        default_factory=lambda: ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/EUR", "DOGE/USD"]
    )
    futures_symbols: list[str] = Field(default_factory=lambda: ["PF_XBTUSD"])
    book_depth: int = 25
    ohlc_interval: int = 1
    refresh_hz: float = Field(16.0, ge=1, le=60)
    theme: str = "textual-dark"
    log_file: Path | None = Field(default_factory=_default_log_file)
    # None: info for the dashboard's file, warning for the line tools' stderr
    log_level: Literal["debug", "info", "warning", "error"] | None = None
    guards: Guards = Field(default_factory=lambda: Guards())
    dead_mans_switch: DeadMansSwitch = Field(default_factory=lambda: DeadMansSwitch())
    feed: FeedSettings = Field(default_factory=lambda: FeedSettings())
    notify: NotifySettings = Field(default_factory=lambda: NotifySettings())
    tape: TapeSettings = Field(default_factory=lambda: TapeSettings())
    alerts: AlertSettings = Field(default_factory=lambda: AlertSettings())
    paper: PaperSettings = Field(default_factory=lambda: PaperSettings())
    demo: DemoSettings = Field(default_factory=lambda: DemoSettings())
    ladder: LadderSettings = Field(default_factory=lambda: LadderSettings())
    keymap: dict[str, str] = Field(default_factory=dict)

    # Set by load_settings when the file holding secrets is readable by others.
    permission_warning: str | None = Field(None, exclude=True)

    @field_validator("symbols")
    @classmethod
    def _check_symbols(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one symbol is needed")
        for sym in value:
            if not _SYMBOL.match(sym):
                raise ValueError(f"{sym!r} is not a BASE/QUOTE symbol such as BTC/USD")
            if sym.split("/")[0] in ("XBT", "XDG"):
                fixed = sym.replace("XBT", "BTC").replace("XDG", "DOGE")
                raise ValueError(f"{sym!r} is a v1 name; WebSocket v2 calls it {fixed!r}")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_level(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @property
    def secret_values(self) -> list[str]:
        """Every configured credential's text: what the log filter and the tests look for."""
        found = (getattr(self, k) for k in _SECRET_KEYS)
        return [v.get_secret_value() for v in found if v is not None and v.get_secret_value()]

    @field_validator("api_secret", "futures_api_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Both venues sign with the base64-decoded secret; a secret that does not decode would
        # otherwise fail at every connection attempt, looking like a network fault, forever.
        # The message never repeats the value.
        if value is not None and value.get_secret_value():
            try:
                decoded = base64.b64decode("".join(value.get_secret_value().split()), validate=True)
            except (binascii.Error, ValueError):
                decoded = b""
            if not decoded:
                raise ValueError("is not base64 text; copy the API secret again as Kraken shows it")
        return value

    @field_validator("futures_symbols")
    @classmethod
    def _check_futures_symbols(cls, value: list[str]) -> list[str]:
        out = []
        for sym in value:
            if not _FUTURES_SYMBOL.match(sym.upper()):
                raise ValueError(f"{sym!r} is not a futures product id such as PF_XBTUSD or FI_XBTUSD_260327")
            out.append(sym.upper())
        return out

    @property
    def all_symbols(self) -> list[str]:
        """Spot pairs then futures products: the watchlist's order."""
        return [*self.symbols, *self.futures_symbols]

    @property
    def has_futures_credentials(self) -> bool:
        return bool(
            self.futures_api_key and self.futures_api_secret and self.futures_api_key.get_secret_value()
        )

    @field_validator("book_depth")
    @classmethod
    def _check_depth(cls, value: int) -> int:
        if value not in BOOK_DEPTHS:
            raise ValueError(f"must be one of {', '.join(map(str, BOOK_DEPTHS))} (got {value})")
        return value

    @field_validator("ohlc_interval")
    @classmethod
    def _check_interval(cls, value: int) -> int:
        if value not in OHLC_INTERVALS:
            raise ValueError(f"must be one of {', '.join(map(str, OHLC_INTERVALS))} minutes (got {value})")
        return value

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key and self.api_secret and self.api_key.get_secret_value())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # A secrets directory (one file per setting, as containers and systemd provide them) sits
        # between the environment and the file.
        return (
            init_settings,
            _ByFieldName(settings_cls, env_settings),
            _ByFieldName(settings_cls, file_secret_settings),
            _TomlSource(settings_cls, cls._toml_data),
        )


def _describe(exc: ValidationError, source: str) -> str:
    parts = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(file)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "is not a known setting (see config.example.toml)"
        elif err["type"] in _EXPECTED:
            msg = f"should be {_EXPECTED[err['type']]}"
            if not any(s in key for s in _SECRET_KEYS):  # never echo what may be a secret
                msg += f", not {_shown(err.get('input'))}"
        parts.append(f"'{key}' {msg}")
    return f"{source}: " + "; ".join(parts) + "."


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'the text "{value[:40]}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)[:40]


def _not_json(exc: SettingsError) -> str:
    found = re.search(r'field "(\w+)"', str(exc))
    var = f"KRAKEN_TUI_{found.group(1).upper()}" if found else "a KRAKEN_TUI_* variable"
    return (
        f"environment: {var} is not valid JSON (lists and tables are written as JSON, e.g. '[\"BTC/USD\"]')."
    )


_TOML_WHERE = re.compile(r"^(?P<what>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def _read_file(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        where = _TOML_WHERE.match(str(exc))
        if where:  # editors jump to file:line:column
            raise ConfigError(
                f"{file}:{where['line']}:{where['col']}: not valid TOML: {where['what']} "
                f"(line {where['line']}, column {where['col']})."
            ) from None
        raise ConfigError(f"{file}: not valid TOML ({exc}).") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text (byte {exc.start} cannot be decoded).") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read ({exc.strerror}).") from None


def _run_secret_command(setting: str, command: str) -> str:
    """One secret from a password manager; a failure is one line naming the setting, never the output."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{setting}: cannot be split into a command ({exc}).") from None
    if not argv:
        raise ConfigError(f"{setting}: is empty.")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except FileNotFoundError:
        raise ConfigError(f"{setting}: {argv[0]!r} was not found.") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{setting}: {argv[0]!r} gave no answer within 30 s.") from None
    except OSError as exc:
        raise ConfigError(f"{setting}: {argv[0]!r} cannot be run ({exc.strerror}).") from None
    if done.returncode != 0:
        # stderr of a password manager says why ("not in the password store"); stdout may be a secret
        why = (done.stderr.strip().splitlines() or [""])[-1][:160]
        raise ConfigError(
            f"{setting}: {argv[0]!r} failed with exit status {done.returncode}: {why}".rstrip(": ")
        )
    # `pass` and friends print the secret on the first line (further lines are notes)
    value = (done.stdout.strip().splitlines() or [""])[0].strip()
    if not value:
        raise ConfigError(f"{setting}: {argv[0]!r} printed nothing.")
    return value


def _fetch_secrets(settings: Settings) -> dict[str, str]:
    """Run each ``*_command`` whose secret is not set otherwise."""
    out = {}
    for key in _SECRET_KEYS:
        command = getattr(settings, f"{key}_command")
        if command and getattr(settings, key) is None:
            out[key] = _run_secret_command(f"{key}_command", command)
    return out


def load_settings(path: Path | None = None, *, secrets_dir: Path | None = None, **overrides: Any) -> Settings:
    """Load settings; ``path`` None means the default file if it exists.

    ``secrets_dir`` (else ``secrets_dir_from_env()``) holds one file per setting, named like it
    (``api_secret``). ``overrides`` win over everything (command line, ``--api-secret-stdin``).
    A file holding credentials that others can read is not an error, but ``permission_warning``
    says so in one line for the caller to show (the CLI on stderr, the app as a notification).
    """
    explicit = path is not None
    file = path if path is not None else default_config_path()
    data: dict[str, Any] = {}
    warning: str | None = None
    if file.exists():
        data = _read_file(file)
        if any(k in data for k in _SECRET_KEYS) and file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            warning = f"{file} holds API credentials and is readable by other users; run: chmod 600 {file}"
    elif explicit:
        raise ConfigError(f"{file}: no such configuration file.")
    secrets = secrets_dir if secrets_dir is not None else secrets_dir_from_env()
    if secrets is not None and not secrets.is_dir():
        raise ConfigError(f"{secrets}: the secrets directory does not exist.")
    given = {k: v for k, v in overrides.items() if v is not None}
    if secrets is not None:
        given["_secrets_dir"] = str(secrets)
    Settings._toml_data = data
    source = str(file) if file.exists() else "settings"
    try:
        settings = Settings(**given)
        fetched: dict[str, Any] = dict(_fetch_secrets(settings))
        if fetched:  # validated like any other value (a secret that is not base64 is caught here)
            settings = Settings(**given, **fetched)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    except SettingsError as exc:
        raise ConfigError(_not_json(exc)) from None
    finally:
        Settings._toml_data = {}
    settings.permission_warning = warning
    return settings
