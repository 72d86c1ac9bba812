"""Health, always visible: mode, sockets, RTT, frame rate, frame age, per-symbol integrity."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from tui.store import ConnectionHealth, Store

__all__ = ["ModeBanner", "StatusBar", "frame_failures"]

_DOT = {
    "connected": "●",
    "connecting": "◌",
    "reconnecting": "◌",
    "auth-error": "✖",
    "disconnected": "○",
    "idle": "○",
}
_INTEGRITY = {"ok": ("✓", "ok"), "resyncing": ("⟳", "warn"), "stale": ("!", "warn"), "waiting": ("…", "dim")}


def frame_failures(c: ConnectionHealth) -> str:
    """Frames this connection dropped, by why: ``bad`` (not decodable), ``unk`` (no such channel or
    method), ``drop`` (decoded, then discarded, where the feed counts that). Shown in every state: a connection
    that is reconnecting is exactly when the user wants to know what it had been sending."""
    counts = (("bad", c.malformed), ("unk", c.unknown), ("drop", getattr(c, "dropped", 0)))
    return " ".join(f"{label}:{n}" for label, n in counts if n)


class ModeBanner(Static):
    """LIVE / PAPER / DEMO / REPLAY in a colour of its own: impossible to mistake."""

    def set_mode(self, mode: str, symbol: str, extra: str = "") -> None:
        for m in ("LIVE", "PAPER", "DEMO", "REPLAY"):
            self.set_class(m == mode, f"-{m.lower()}")
        label = {"LIVE": " LIVE: REAL MONEY ", "PAPER": " PAPER ", "DEMO": " DEMO ", "REPLAY": " REPLAY "}[
            mode
        ]
        text = Text()
        text.append(label, style="bold reverse")
        text.append(f"  {symbol}  ", style="bold")
        text.append(extra)
        _update(self, text)


class StatusBar(Static):
    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.store = store
        self.clock = clock
        self.wall: Callable[[], float] = time.time

    def refresh_status(self, symbols: list[str]) -> None:
        s = self.store
        now = self.clock()
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" {s.mode} ", style="bold reverse")
        for name in ("public", "private", "level3", "futures"):
            c = s.health.connections.get(name)
            if c is None or (name == "level3" and c.state == "idle"):
                continue
            style = "green" if c.state == "connected" else "red" if c.state in ("auth-error",) else "yellow"
            t.append(f" {name[:4] if name != 'futures' else 'fut'} ", style="bold")
            t.append(_DOT.get(c.state, "?") + " ", style=style)
            if c.state != "connected":
                t.append(c.state + (f" ({c.error})" if c.error else "") + " ", style=style)
            else:
                age = now - c.last_frame_at if c.last_frame_at else 0.0
                # futures v1 has no application ping: no RTT to show, only rate and age
                rtt = f"{c.rtt_ms:.1f}ms " if c.rtt_ms is not None else ""
                t.append(f"{rtt}{c.frames_per_s:.0f}/s {age:.1f}s ", style="dim" if age < 2 else "yellow")
            failures = frame_failures(c)
            if failures:
                t.append(failures + " ", style="yellow")
        if s.health.system_status not in ("online", "unknown"):
            t.append(f" {s.health.system_status.upper()} ", style="bold reverse yellow")
        t.append("│")
        for sym in symbols:
            mk = s.markets.get(sym)
            if mk is None:
                continue
            mark, kind = _INTEGRITY.get(mk.book_state, ("?", "dim"))
            style = {"ok": "green", "warn": "bold yellow", "dim": "dim"}[kind]
            t.append(f" {sym.split('/')[0]}{mark}", style=style)
        acct = s.account
        if acct.dms_armed and acct.dms_trigger_at:
            left = max(0, int(acct.dms_trigger_at - self.wall()))
            t.append(f" │ DMS {left}s", style="bold magenta")
        if acct.auth_error:
            t.append(f" │ {acct.auth_error}", style="bold red")
        _update(self, t)


def _update(widget: Static, text: Text) -> None:
    """Repaint a one-line bar only when its text changed, and never re-layout the screen for it."""
    key = (text.plain, tuple((s.start, s.end, str(s.style)) for s in text.spans))
    if getattr(widget, "_last_key", None) != key:
        widget._last_key = key  # type: ignore[attr-defined]
        widget.update(text, layout=False)
