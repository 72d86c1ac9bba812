"""Recording raw frames (gzip NDJSON with receive times), with tokens scrubbed.

Each line: ``{"t": <unix time>, "conn": "public"|"private"|"level3", "dir": "in"|"out", "raw": <frame>}``.
Outgoing frames are recorded too (subscriptions), so a replay knows what was asked for. Every
credential-bearing field is replaced before anything touches the disk: the spot session token,
the futures API key, the challenge Kraken hands out and its signature (``api_key``,
``original_challenge``, ``signed_challenge``, and the ``message`` of a ``challenge`` event), and
any secret-named field a frame might carry.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["SECRET_FIELDS", "Recorder", "read_recording", "scrub"]

SECRET_FIELDS = (
    "token",
    "api_key",
    "apiKey",
    "APIKey",
    "api_secret",
    "secret",
    "original_challenge",
    "signed_challenge",
    "Authent",
    "otp",
    "password",
)
_STRING = r'"(?:[^"\\]|\\.)*"'
_SECRET = re.compile(r'("(?:' + "|".join(SECRET_FIELDS) + r')"\s*:\s*)' + _STRING)
_CHALLENGE_EVENT = re.compile(r'"event"\s*:\s*"challenge"')
_MESSAGE = re.compile(r'("message"\s*:\s*)' + _STRING)


def scrub(raw: str) -> str:
    """The frame with every credential-bearing string value replaced by ``"***"``."""
    out = _SECRET.sub(r'\1"***"', raw)
    if _CHALLENGE_EVENT.search(out):
        out = _MESSAGE.sub(r'\1"***"', out)  # the challenge itself: half of a replayable login
    return out


class Recorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = gzip.open(path, "wt", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.frames = 0

    def write(self, conn: str, direction: str, raw: str, at: float | None = None) -> None:
        if self._fh is None:
            return
        self._fh.write(
            json.dumps({"t": at or time.time(), "conn": conn, "dir": direction, "raw": scrub(raw)}) + "\n"
        )
        self.frames += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def read_recording(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield json.loads(line)
