"""The watchlist the user edited, kept in the state directory (the config file stays the user's).

Precedence, from strongest: ``--symbols`` on the command line (then this file is neither read
nor written), the saved watchlist, the config's ``symbols`` (the first-run default). The file
remembers the config's list it was started from: when the user later edits ``symbols`` in the
config, the config wins again (they asked for something new) and the next edit saves over it.

A file that cannot be read or holds no valid symbol is ignored with a reason (the caller logs
it), never fatal: the config's list is used.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

from tui.paths import paths

__all__ = ["WatchlistFile", "watchlist_path"]

# as tui/config.py accepts them (BASE/QUOTE, v2 names)
_SYMBOL = re.compile(r"^[A-Z0-9]{1,12}/[A-Z0-9]{1,12}$")
VERSION = 1


def watchlist_path() -> Path:
    return paths().state_dir / "watchlist.json"


class WatchlistFile:
    def __init__(self, path: Path, config_symbols: list[str]) -> None:
        self.path = path
        self.config_symbols = list(config_symbols)
        self.problem: str | None = None  # why the saved list was not used (for the Activity log)

    def load(self) -> list[str]:
        """The symbols to start with: the saved list if it applies, else the config's."""
        try:
            raw = json.loads(self.path.read_text())
        except FileNotFoundError:
            return self.config_symbols
        except (OSError, ValueError) as exc:
            self.problem = (
                f"watchlist {self.path} not read ({type(exc).__name__}): using the config's symbols"
            )
            return self.config_symbols
        if not isinstance(raw, dict) or not isinstance(raw.get("symbols"), list):
            self.problem = f"watchlist {self.path} has no symbol list: using the config's symbols"
            return self.config_symbols
        if raw.get("config_symbols") != self.config_symbols:
            return self.config_symbols  # the config's symbols were edited since: they win
        symbols = [s for s in dict.fromkeys(raw["symbols"]) if isinstance(s, str) and _SYMBOL.match(s)]
        if not symbols:
            self.problem = f"watchlist {self.path} lists no valid symbol: using the config's symbols"
            return self.config_symbols
        return symbols

    def save(self, symbols: list[str]) -> str | None:
        """Write the list (atomically: a crash never leaves half a file); the error, if any."""
        body = {"version": VERSION, "symbols": symbols, "config_symbols": self.config_symbols}
        tmp = self.path.with_suffix(".json.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(body, indent=1) + "\n")
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return f"watchlist not saved to {self.path}: {exc.strerror or exc}"
        return None
