"""Why a connection attempt failed, in words a trader reads: ``cannot reach ws.kraken.com (DNS)``.

A raw ``ClientConnectorDNSError(...)`` repr on the status bar tells nobody what to do. The cause is
read from the exception chain by kind (no transport import: this layer stays pure), and the retry
plan is worded the same way for the client's sockets and for the exchange's mirror.
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

__all__ = ["retry_plan", "unreachable_reason"]


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out and len(out) < 8:
        out.append(cur)
        nxt = getattr(cur, "os_error", None)  # aiohttp keeps the socket error here
        cur = nxt if isinstance(nxt, BaseException) else cur.__cause__ or cur.__context__
    return out


def _why(exc: BaseException) -> str:
    for e in _chain(exc):
        name = type(e).__name__
        status = getattr(e, "status", None)
        if isinstance(e, socket.gaierror) or "DNS" in name:
            return "DNS"
        if isinstance(e, ConnectionRefusedError):
            return "refused"
        if isinstance(e, ssl.SSLError) or "SSL" in name or "Certificate" in name:
            return "TLS"
        if isinstance(e, TimeoutError) or "Timeout" in name:
            return "timeout"
        if isinstance(status, int) and status >= 400:
            return f"HTTP {status}"
        if isinstance(e, ConnectionResetError):
            return "reset"
    return "network"


def unreachable_reason(exc: BaseException, url: str, *, full: bool = False) -> str:
    """``cannot reach <host> (<why>)``: the host, not the path or a query (which may carry a
    token), unless ``full`` (a public URL the user configured, such as the PAPER mirror's)."""
    where = url if full else urlsplit(url).hostname or url
    return f"cannot reach {where} ({_why(exc)})"


def retry_plan(attempt: int, delay: float) -> str:
    """``retry 4 in 16 s``: the attempt that comes next and when."""
    return f"retry {attempt} in {max(1, round(delay))} s"
