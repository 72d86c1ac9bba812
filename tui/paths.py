"""Where kraken-tui keeps its files, by the platform's conventions (``platformdirs``).

On Linux that is the XDG base directories (``XDG_CONFIG_HOME``, ``XDG_STATE_HOME``,
``XDG_CACHE_HOME``, honoured when set), on macOS ``~/Library/...``, on Windows ``%LOCALAPPDATA%``.
One module decides every path so the config loader, the log and the state files cannot disagree,
and ``kraken-tui paths`` can print exactly what the program uses. ``platformdirs`` is imported
when a path is first asked for, never by ``--help`` or ``--version``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["APP_NAME", "Paths", "paths"]

APP_NAME = "kraken-tui"


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    state_dir: Path  # watchlist, alerts, journal: what the user made and would miss
    cache_dir: Path  # what can be fetched again (instrument lists, ...)
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{APP_NAME}.log"

    def rows(self) -> list[tuple[str, Path]]:
        """Name and path of each, in the order ``kraken-tui paths`` prints them."""
        return [
            ("config", self.config_file),
            ("config_dir", self.config_dir),
            ("state_dir", self.state_dir),
            ("cache_dir", self.cache_dir),
            ("log_dir", self.log_dir),
            ("log_file", self.log_file),
        ]


def paths() -> Paths:
    """The directories for this user now (environment read at each call, so tests can move them)."""
    import platformdirs

    dirs: Any = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return Paths(
        config_dir=Path(dirs.user_config_dir),
        state_dir=Path(dirs.user_state_dir),
        cache_dir=Path(dirs.user_cache_dir),
        log_dir=Path(dirs.user_log_dir),
    )
