"""Where a session connects: the URLs and credentials of one mode, and nothing else.

Kept apart from the sessions so that `modes` (which starts the embedded exchange and hands out
its URLs) and the commands can name endpoints without importing the socket code.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Urls"]


@dataclass
class Urls:
    public: str
    private: str
    level3: str
    rest: str
    api_key: str | None = None
    api_secret: str | None = None
    futures: str | None = None  # Kraken Futures WS v1
    futures_rest: str | None = None  # ends in /derivatives
    futures_api_key: str | None = None
    futures_api_secret: str | None = None

    def __repr__(self) -> str:  # never print credentials, even in a traceback
        return f"Urls(public={self.public!r}, private={self.private!r}, futures={self.futures!r})"
