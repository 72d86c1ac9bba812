"""``kraken-tui completion SHELL``: a completion script generated from the argparse parser by shtab.

Generated, not hand-written, so a new flag completes the day it is added. Every subcommand's
flags are loaded first (they are lazy for ``--help``'s sake).
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh", "fish", "tcsh")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete for")


def script(shell: str) -> str:
    import shtab

    from tui.cli.entry import build_parser, load_all

    return str(shtab.complete(load_all(build_parser()), shell=shell))


def run(args: argparse.Namespace) -> int:
    print(script(args.shell))
    return 0
