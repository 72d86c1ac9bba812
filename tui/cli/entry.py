"""Command line wiring: the dashboard by default, plus the tools in ``tui.cli`` and ``tui.bench``.

Each subcommand module exposes ``add_arguments(parser)`` and ``run(args, settings) -> int``. It is
imported only when its own command is parsed, so ``--help`` and ``--version`` do not pay for
aiohttp, the exchange or Textual. Configuration errors become one line on stderr and exit 2
instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui import __version__

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
    "soak": (
        "tui.bench.soak",
        "run the client against a faulty embedded exchange for minutes and check it against the engine",
    ),
}


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
        if not self._loaded:
            self._loaded = True
            importlib.import_module(self.module_name).add_arguments(self)
        return super().parse_known_args(args, namespace)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kraken-tui",
        description="Keyboard-driven terminal trading dashboard for Kraken (WebSocket API v2).",
    )
    parser.add_argument("--version", action="version", version=f"kraken-tui {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="TOML config file (default: $XDG_CONFIG_HOME/kraken-tui/config.toml)",
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_LazyCommandParser)
    for name, (module, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.module_name = module
    return parser


def _load_settings(args: argparse.Namespace) -> Any:
    from tui.config import ConfigError, load_settings

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"kraken-tui: configuration error: {exc}", file=sys.stderr)
        return None
    if settings.permission_warning:
        print(f"kraken-tui: warning: {settings.permission_warning}", file=sys.stderr)
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = _load_settings(args)
    if settings is None:
        return 2
    from tui.modes import check_files

    if (bad := check_files(args)) is not None:  # --replay / --record: fail fast, naming the file
        print(bad, file=sys.stderr)
        return 2
    if args.command:
        module = importlib.import_module(SUBCOMMANDS[args.command][0])
        return int(module.run(args, settings))
    from tui.app import run_app

    return int(run_app(args, settings))
