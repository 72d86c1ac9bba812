"""``kraken-tui man``: the manual page (roff), generated from the argparse parser.

The same parser that ``--help`` prints, so the page cannot drift from the program; the copy in
``man/kraken-tui.1`` (shipped in the sdist) is checked against this output by the tests.
Regenerate it with ``kraken-tui man > man/kraken-tui.1``.
"""

from __future__ import annotations

import argparse
import re

from tui.cli.helptext import ENV_COMMON


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no flags of its own


def _esc(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def _options(parser: argparse.ArgumentParser) -> list[str]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            names = ", ".join(action.option_strings)
            if action.nargs != 0:
                names += " " + str(action.metavar or action.dest.upper())
        else:
            names = str(action.metavar or action.dest)
            if action.choices:
                names += " {" + ",".join(map(str, action.choices)) + "}"
        out += [".TP", f"\\fB{_esc(names)}\\fR", _esc(action.help or "")]
    return out


def _epilog(text: str | None) -> list[str]:
    """The epilog's "examples:" and "environment:" blocks as man sections, lines kept as they are."""
    out: list[str] = []
    for block in (text or "").split("\n\n"):
        title, _, body = block.partition("\n")
        out += [".PP", f"\\fI{_esc(title.rstrip(':').capitalize())}\\fR", ".nf"]
        out += [_esc(line.strip()) for line in body.splitlines()] + [".fi"]
    return out


def render(parser: argparse.ArgumentParser) -> str:
    lines = [
        '.TH KRAKEN\\-TUI 1 "" "kraken-tui" "User Commands"',
        ".SH NAME",
        f"kraken\\-tui \\- {_esc(parser.description or '')}",
        ".SH SYNOPSIS",
        "\\fBkraken\\-tui\\fR [\\fIOPTIONS\\fR] [\\fICOMMAND\\fR [\\fIARGS\\fR]]",
        ".SH OPTIONS",
        *_options(parser),
        ".SH COMMANDS",
    ]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                lines += [".SS " + _esc(f"kraken-tui {name}"), _esc(sub.description or "")]
                lines += _options(sub) + _epilog(sub.epilog)
    examples = (parser.epilog or "").split("\n\n")[0]
    lines += [".SH EXAMPLES", ".nf", *[_esc(x.strip()) for x in examples.splitlines()[1:]], ".fi"]
    lines += [".SH ENVIRONMENT", ".nf", *[_esc(x.strip()) for x in ENV_COMMON.splitlines()[1:]], ".fi"]
    lines += [
        ".SH FILES",
        "See \\fBkraken\\-tui paths\\fR: the config file, state, cache and log directories.",
        ".SH SEE ALSO",
        "The README of kraken\\-tui; config.example.toml for every setting.",
    ]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    del args
    from tui.cli.entry import build_parser, load_all

    print(render(load_all(build_parser())), end="")
    return 0
