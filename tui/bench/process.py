"""The embedded exchange in a process of its own, so a benchmark's CPU figures are the client's alone.

The exchange runs with its demo credentials and prints them in its banner (they are public);
the benchmark reads them from there rather than importing the exchange into its own process.
"""

from __future__ import annotations

import resource
import socket
import subprocess
import sys

from tui.feed.endpoints import Urls

BANNER_LINES = 6


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_exchange_process(port: int, *flags: str) -> tuple[subprocess.Popen[str], Urls]:
    """``kraken-tui exchange --port PORT FLAGS...``, started and read up to the end of its banner."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "exchange", "--port", str(port), *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    banner = dict(
        line.rstrip("\n").split(": ", 1) for line in (proc.stdout.readline() for _ in range(BANNER_LINES))
    )
    base = f"127.0.0.1:{port}"
    urls = Urls(
        f"ws://{base}/v2",
        f"ws://{base}/auth/v2",
        f"ws://{base}/l3/v2",
        f"http://{base}",
        banner["api key"],
        banner["api secret"],
    )
    return proc, urls
