"""The log: a rotating file in the log directory, at ``--log-level`` / ``KRAKEN_TUI_LOG_LEVEL``.

The dashboard owns the terminal, so nothing is logged to it; the file is what a bug report
attaches (``kraken-tui --demo --log-level debug``). Every record passes a filter that replaces the
configured key, secret and token values before a handler formats it, so a secret that slips into
a message, an argument or a traceback still never reaches the file.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["RedactSecrets", "crash_report", "setup_file_log", "setup_stderr_log"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
_MAX_BYTES = 2 << 20
_BACKUPS = 3
# A signed connection's token in a URL or frame (the values may not be configured anywhere).
_TOKEN = re.compile(r'("token"\s*:\s*")[^"]+(")')


class RedactSecrets(logging.Filter):
    """Formats the record itself, with every known secret replaced, and hands on only that text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # longest first, so a secret containing another is replaced whole
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN.sub(rf"\1{REDACTED}\2", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info:
            # render the traceback now, redacted, and drop the live exception (its frames hold locals)
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def _install(handler: logging.Handler, level: str, secrets: Iterable[str]) -> logging.Handler:
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_kraken_tui", False)]:
        root.removeHandler(old)  # a second setup (tests, a mode switch) replaces, never doubles
        old.close()
    handler._kraken_tui = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # aiohttp and asyncio chatter at debug is noise next to our own lines
    for noisy in ("asyncio", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))
    return handler


class _OwnerOnlyFile(logging.handlers.RotatingFileHandler):
    """The log names orders, balances and connections: only its owner may read it, whatever the
    umask (and a file left by an older version under a looser one is tightened)."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup_file_log(file: Path, level: str, secrets: Iterable[str]) -> Path | None:
    """Log to ``file`` (rotated at 2 MiB, 3 kept); None if the directory cannot be made."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = _OwnerOnlyFile(file, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")
    except OSError:
        return None
    _install(handler, level, secrets)
    return file


def setup_stderr_log(level: str, secrets: Iterable[str]) -> None:
    """For the line tools (exchange, stream, benchmarks): their stderr is the natural place."""
    _install(logging.StreamHandler(), level, secrets)


def crash_report(exc: BaseException, secrets: Iterable[str]) -> str:
    """A traceback for stderr, without frame locals and with every known secret replaced.

    Logged too (the log is what a bug report attaches), through the same redacting filter.
    """
    import traceback

    text = RedactSecrets(secrets)._clean("".join(traceback.format_exception(exc)))
    logging.getLogger("tui").error("crashed:\n%s", text)
    return text
