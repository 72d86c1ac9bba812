"""``kraken-tui bench-startup``: how long a person waits, measured from outside the process.

``--version`` and ``--help`` are timed as subprocesses (interpreter start included, as a shell
sees it). The first frame is timed in a real pseudo-terminal: ``kraken-tui --demo`` is started
on a pty and the clock stops when the dashboard's text (its tab row and status bar) has been
written to the terminal, then again when the first order book is on screen and verified.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

from tui.config import Settings

_ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)
# painted: the market screen's tab row and the mode in the status bar; book: its checksum verified
PAINTED = (b"Activity", b"DEMO")
BOOK = b"verified"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=11, help="runs of --version and of --help (default 11)")
    parser.add_argument("--frames", type=int, default=3, help="dashboard starts to time (default 3)")
    parser.add_argument("--size", default="80x24", help="terminal size COLSxROWS (default 80x24)")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")


def _command() -> list[str]:
    script = shutil.which("kraken-tui", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "tui"]


def time_command(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def first_frame(
    argv: list[str], cols: int, rows: int, timeout: float = 20.0, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Seconds from exec to the dashboard painted, and to a verified book on screen.

    ``argv`` is the dashboard's command line without ``--demo``; ``env`` replaces the temporary
    home (config and state) this run gets by default.
    """
    with tempfile.TemporaryDirectory() as home:
        child_env = {"XDG_STATE_HOME": home, "XDG_CONFIG_HOME": home, **os.environ, **(env or {})}
        child_env["TERM"] = "xterm-256color"
        if env is None:
            child_env.update(XDG_STATE_HOME=home, XDG_CONFIG_HOME=home)
        start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child: the dashboard on this terminal
            os.execvpe(argv[0], [*argv, "--demo"], child_env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        painted = book = 0.0
        seen = b""
        try:
            while time.perf_counter() - start < timeout and not book:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 1 << 16)
                except OSError:
                    break
                seen = (seen + _ANSI.sub(b"", chunk))[-(1 << 16) :]
                now = time.perf_counter() - start
                if not painted and all(m in seen for m in PAINTED):
                    painted = now
                if painted and BOOK in seen:
                    book = now
        finally:
            with contextlib.suppress(OSError):
                os.write(fd, b"\x11")  # ctrl+q
            _reap(pid)
            os.close(fd)
    if not painted:
        raise RuntimeError(f"the dashboard was not painted within {timeout:.0f} s")
    return painted, book


def _reap(pid: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def run(args: argparse.Namespace, settings: Settings) -> int:
    del settings
    argv = _command()
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    version = time_command([*argv, "--version"], args.runs)
    help_ = time_command([*argv, "--help"], args.runs)
    frames = [first_frame(argv, cols, rows) for _ in range(args.frames)]
    result = {
        "version_median_s": round(statistics.median(version), 4),
        "help_median_s": round(statistics.median(help_), 4),
        "first_frame_median_s": round(statistics.median(f[0] for f in frames), 3),
        "first_verified_book_median_s": round(statistics.median(f[1] for f in frames if f[1]), 3)
        if any(f[1] for f in frames)
        else None,
        "runs": args.runs,
        "frames": args.frames,
        "terminal": f"{cols}x{rows}",
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:<30} {value}")
    ok = result["version_median_s"] < 0.15 and result["help_median_s"] < 0.15
    return 0 if ok and result["first_frame_median_s"] < 1.5 else 1
