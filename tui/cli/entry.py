"""Command line wiring: the dashboard by default, plus the tools in ``tui.cli`` and ``tui.bench``.

Each subcommand module exposes ``add_arguments(parser)`` and ``run(args, settings) -> int``. It is
imported only when its own command is parsed, so ``--help`` and ``--version`` do not pay for
aiohttp, the exchange or Textual. Configuration errors become one line on stderr and exit 2
instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui.cli.helptext import COMMAND_EPILOGS, MAIN_EPILOG

# name -> (module, one-line help). The module is imported only when its command runs.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "exchange": ("tui.cli.exchange", "run the embedded Kraken v2 exchange (demo, paper, bot testing)"),
    "stream": ("tui.cli.stream", "print verified market and account data as NDJSON, one event a line"),
    "bench": ("tui.bench.book", "measure the book engine's hot path: decode, apply, truncate, checksum"),
    "bench-feed": (
        "tui.bench.feed",
        "measure socket-to-store throughput and CPU against the embedded exchange",
    ),
    "bench-ui": ("tui.bench.ui", "measure repaint rate, key latency, order latency and CPU of the dashboard"),
    "bench-startup": (
        "tui.cli.startup",
        "measure --version and --help time and the dashboard's first frame in a terminal",
    ),
    "soak": (
        "tui.bench.soak",
        "run the client against a faulty embedded exchange for minutes and check it against the engine",
    ),
    "export": ("tui.cli.export", "print the trade journal's fills, orders or full journal as CSV or NDJSON"),
    "paths": ("tui.cli.paths", "print the config, state, cache and log paths kraken-tui uses"),
    "completion": ("tui.cli.completion", "print a shell completion script (bash, zsh, fish, tcsh)"),
    "man": ("tui.cli.manpage", "print the manual page (roff), generated from this parser"),
}
# Benchmarks keep their own output clean (soak counts warnings instead of printing them): they log
# to stderr only when a level is asked for.
MEASURING = frozenset({"bench", "bench-feed", "bench-ui", "bench-startup", "soak"})
# These run without loading the configuration: they are how a user finds and fixes a broken one.
NO_SETTINGS = frozenset({"paths", "completion", "man"})


class _Version(argparse.Action):
    """The installed package's version, read only when asked (importlib.metadata is not free)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kw)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from tui import __version__

        print(f"kraken-tui {__version__}")
        parser.exit()


class _LazyCommandParser(argparse.ArgumentParser):
    """A subcommand's parser that imports its module and adds its flags the first time it parses.

    argparse hands a subcommand's arguments to its parser only after the name matched, so the
    import happens for the chosen command alone, and ``kraken-tui stream --help`` still lists
    every flag of ``stream``.
    """

    module_name: str = ""
    _loaded = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self.load()
        return super().parse_known_args(args, namespace)

    def load(self) -> None:
        if not self._loaded:
            self._loaded = True
            importlib.import_module(self.module_name).add_arguments(self)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kraken-tui",
        description="Keyboard-driven terminal trading dashboard for Kraken (WebSocket API v2).",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="TOML config file (default: $XDG_CONFIG_HOME/kraken-tui/config.toml; see `kraken-tui paths`)",
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument(
        "--demo",
        action="store_true",
        help="start the embedded exchange (synthetic market) and trade against it",
    )
    modes.add_argument(
        "--paper",
        action="store_true",
        help="paper trading: live Kraken public data mirrored by the embedded exchange, orders matched locally",
    )
    modes.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="watch a recorded session played back by the embedded exchange",
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="replay speed factor (0 = as fast as possible; default 1)"
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="record every raw frame to FILE (gzip NDJSON, secrets removed)",
    )
    parser.add_argument(
        "--symbols", nargs="+", metavar="SYMBOL", help="watchlist symbols, e.g. BTC/USD ETH/USD"
    )
    parser.add_argument(
        "--log-level",
        type=str.lower,
        choices=("debug", "info", "warning", "error"),
        help="log level (env KRAKEN_TUI_LOG_LEVEL; default info to the log file, warning for the tools)",
    )
    parser.add_argument(
        "--secrets-dir",
        type=Path,
        metavar="DIR",
        help="directory of secret files named like the settings, e.g. DIR/api_secret "
        "(env KRAKEN_TUI_SECRETS_DIR, or systemd's $CREDENTIALS_DIRECTORY)",
    )
    parser.add_argument(
        "--api-secret-stdin",
        action="store_true",
        help="read the spot API secret from standard input (a pipe, or typed without echo)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_LazyCommandParser)
    for name, (module, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=COMMAND_EPILOGS.get(name),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sp.module_name = module
    return parser


def load_all(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Every subcommand's flags added: for completion and the man page, which describe them all."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sp in action.choices.values():
                if isinstance(sp, _LazyCommandParser):
                    sp.load()
    return parser


def _read_secret_stdin(dashboard: bool) -> str:
    """One line from a pipe, or typed without echo; the dashboard then gets the terminal back."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Kraken API secret: ").strip()
    value = sys.stdin.readline().strip()
    if dashboard:  # Textual reads keys from fd 0: give it the terminal instead of the spent pipe
        try:
            tty = os.open("/dev/tty", os.O_RDWR)
        except OSError:
            raise SystemExit("kraken-tui: --api-secret-stdin: no terminal to run the dashboard on") from None
        os.dup2(tty, 0)
        os.close(tty)
    return value


def _load_settings(args: argparse.Namespace) -> Any:
    from tui.config import ConfigError, load_settings

    overrides: dict[str, Any] = {"log_level": args.log_level}
    if args.api_secret_stdin:
        overrides["api_secret"] = _read_secret_stdin(dashboard=args.command is None) or None
    try:
        settings = load_settings(args.config, secrets_dir=args.secrets_dir, **overrides)
        if args.command is None and settings.keymap:
            _check_keymap(settings.keymap)
    except ConfigError as exc:
        print(f"kraken-tui: configuration error: {exc}", file=sys.stderr)
        return None
    if settings.permission_warning:
        print(f"kraken-tui: warning: {settings.permission_warning}", file=sys.stderr)
    return settings


def _check_keymap(keymap: dict[str, str]) -> None:
    from tui.app import KrakenApp
    from tui.cli.keymap import keymap_errors
    from tui.config import ConfigError

    errors = keymap_errors(keymap, app_bindings=KrakenApp.BINDINGS)
    if errors:
        raise ConfigError("keymap: " + "; ".join(errors) + ".")


def _start_logging(args: argparse.Namespace, settings: Any) -> None:
    """The file for the dashboard (it owns the terminal), stderr for the line tools."""
    import logging
    import platform

    from tui import __version__
    from tui.logs import setup_file_log, setup_stderr_log

    if args.command is None and settings.log_file is not None:
        setup_file_log(settings.log_file, settings.log_level or "info", settings.secret_values)
    elif args.command is not None and (settings.log_level or args.command not in MEASURING):
        setup_stderr_log(settings.log_level or "warning", settings.secret_values)
    log = logging.getLogger("tui.cli")
    # what a bug report needs first: versions, command, and (debug) every setting; SecretStr
    # values dump as '**********', and the handler's filter redacts them besides
    log.info(
        "kraken-tui %s, Python %s on %s: %s",
        __version__,
        platform.python_version(),
        platform.platform(terse=True),
        args.command or mode_name(args),
    )
    log.debug("settings: %s", settings.model_dump(mode="json", exclude={"permission_warning"}))


def mode_name(args: argparse.Namespace) -> str:
    return "dashboard " + (
        "--demo" if args.demo else "--paper" if args.paper else "--replay" if args.replay else "live"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in NO_SETTINGS:
        return int(importlib.import_module(SUBCOMMANDS[args.command][0]).run(args))
    settings = _load_settings(args)
    if settings is None:
        return 2
    from tui.modes import check_files

    if (bad := check_files(args)) is not None:  # --replay / --record: fail fast, naming the file
        print(bad, file=sys.stderr)
        return 2
    _start_logging(args, settings)
    try:
        if args.command:
            module = importlib.import_module(SUBCOMMANDS[args.command][0])
            return int(module.run(args, settings))
        from tui.app import run_app

        return int(run_app(args, settings))
    except Exception as exc:  # a bug: report it, but never with a secret in it
        from tui.logs import crash_report

        print(
            f"kraken-tui: internal error (please report it with the log):\n{crash_report(exc, settings.secret_values)}",
            file=sys.stderr,
            end="",
        )
        return 1
