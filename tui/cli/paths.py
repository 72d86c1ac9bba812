"""``kraken-tui paths``: where the config, state, cache and log files are (``tui.paths``).

Runs without loading the configuration, so it works when the config file is the problem.
"""

from __future__ import annotations

import argparse

from tui.config import secrets_dir_from_env
from tui.paths import paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="print only this one (config, state_dir, log_file, ...)")


def run(args: argparse.Namespace) -> int:
    rows = paths().rows()
    secrets = secrets_dir_from_env()
    if secrets is not None:
        rows.append(("secrets_dir", secrets))
    if args.name:
        for name, path in rows:
            if name == args.name:
                print(path)
                return 0
        names = ", ".join(n for n, _ in rows)
        print(f"kraken-tui paths: no path named {args.name!r} (one of {names})", flush=True)
        return 2
    width = max(len(n) for n, _ in rows)
    for name, path in rows:
        print(f"{name:<{width}}  {path}")
    return 0
