"""Recording raw frames (gzip NDJSON with receive times), with tokens scrubbed.

Each line: ``{"t": <unix time>, "conn": "public"|"private"|"level3", "dir": "in"|"out", "raw": <frame>}``.
Outgoing frames are recorded too (subscriptions), so a replay knows what was asked for. Tokens
(the only secret that ever travels on the socket) are replaced before anything touches the disk.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["Recorder", "read_recording", "scrub"]

_TOKEN = re.compile(r'("token"\s*:\s*")[^"]*(")')


def scrub(raw: str) -> str:
    return _TOKEN.sub(r"\1***\2", raw)


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
