"""Health, always visible: mode, sockets, RTT, frame rate, frame age, per-symbol integrity."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from tui.store import ConnectionHealth, SourceHealth, Store

__all__ = ["ModeBanner", "StatusBar", "fit", "frame_failures", "source_text"]

_DOT = {
    "connected": "●",
    "connecting": "◌",
    "reconnecting": "◌",
    "auth-error": "✖",
    "disconnected": "○",
    "idle": "○",
}
_INTEGRITY = {
    "ok": ("✓", "ok"),
    "resyncing": ("⟳", "warn"),
    "stale": ("!", "warn"),
    "waiting": ("…", "dim"),
    "empty": ("∅", "warn"),
}


def frame_failures(c: ConnectionHealth) -> str:
    """Frames this connection dropped, by why: ``bad`` (not decodable), ``unk`` (no such channel or
    method), ``drop`` (decoded, then discarded, where the feed counts that). Shown in every state: a connection
    that is reconnecting is exactly when the user wants to know what it had been sending."""
    counts = (("bad", c.malformed), ("unk", c.unknown), ("drop", getattr(c, "dropped", 0)))
    return " ".join(f"{label}:{n}" for label, n in counts if n)


class ModeBanner(Static):
    """LIVE / PAPER / DEMO / REPLAY in a colour of its own: impossible to mistake; REC while recording."""

    def set_mode(self, mode: str, symbol: str, extra: str = "", *, recording: bool = False) -> None:
        for m in ("LIVE", "PAPER", "DEMO", "REPLAY"):
            self.set_class(m == mode, f"-{m.lower()}")
        label = {"LIVE": " LIVE: REAL MONEY ", "PAPER": " PAPER ", "DEMO": " DEMO ", "REPLAY": " REPLAY "}[
            mode
        ]
        text = Text()
        text.append(label, style="bold reverse")
        if recording:
            text.append(" ● REC ", style="bold reverse red")
        text.append(f"  {symbol}  ", style="bold")
        text.append(extra)
        _update(self, text)


# What gives way first when the bar is too narrow: the safety state (mode, replay or mirror state,
# books that are not verified, the dead-man's switch, auth errors) never; plain ✓ marks before
# that; frame counters and RTT first of all.
SAFETY, SOCKETS, DETAIL, MARKS, FAILURES, NUMBERS = range(6)


def clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


def source_text(src: SourceHealth) -> tuple[str, str, str]:
    """The mirror's or the replay's state as the bar shows it: the short state (never dropped),
    its detail (dropped on a narrow bar; the Activity log has it too), and their style."""
    if src.kind == "replay":
        speed = f"×{src.speed:g}" if src.speed > 0 else "×max"
        base = f"{clock(src.position)} / {clock(src.duration)} {speed}"
        if src.state == "ended":
            return f"{base} ■ end of recording", "", "bold cyan"
        if src.state == "paused":
            return f"{base} ⏸ paused", "", "bold yellow"
        return base, "", "bold"
    word = {"live": "● live", "unreachable": "○ offline"}.get(src.state, "◌ " + src.state)
    detail = src.text.removeprefix("mirror: ")
    if src.state == "live":
        detail = ""  # "live from <url>": the Activity log says where from
    style = "green" if src.state == "live" else "bold red" if src.state == "unreachable" else "yellow"
    return f"mirror {word}", detail, style


class StatusBar(Static):
    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.store = store
        self.clock = clock
        self.wall: Callable[[], float] = time.time

    def refresh_status(self, symbols: list[str]) -> None:
        parts: list[tuple[int, str, str]] = []  # (priority, text, style), in display order
        s = self.store
        parts.append((SAFETY, f" {s.mode} ", "bold reverse"))
        acct = s.account
        if acct.dms_armed and acct.dms_trigger_at:  # second: nothing narrow may push it off
            left = max(0, int(acct.dms_trigger_at - self.wall()))
            parts.append((SAFETY, f" DMS {left}s ", "bold reverse magenta"))
        if s.health.source is not None:
            text, detail, style = source_text(s.health.source)
            parts.append((SAFETY, f" {text} ", style))
            if detail:
                parts.append((DETAIL, f"{detail} ", style))
        self._sockets(parts)
        if s.health.system_status not in ("online", "unknown"):
            parts.append((SAFETY, f" {s.health.system_status.upper()} ", "bold reverse yellow"))
        parts.append((MARKS, "│", ""))
        for sym in symbols:
            mk = s.markets.get(sym)
            if mk is None:
                continue
            mark, kind = ("✗", "dim") if mk.refused else _INTEGRITY.get(mk.book_state, ("?", "dim"))
            style = {"ok": "green", "warn": "bold yellow", "dim": "dim"}[kind]
            parts.append((MARKS if kind != "warn" else SAFETY, f" {sym.split('/')[0]}{mark}", style))
        if acct.auth_error:
            parts.append((SAFETY, f" │ {acct.auth_error}", "bold red"))
        t = Text(no_wrap=True, overflow="ellipsis")
        for _, text, style in fit(parts, self.size.width):
            t.append(text, style=style)
        _update(self, t)

    def _sockets(self, parts: list[tuple[int, str, str]]) -> None:
        now = self.clock()
        for name in ("public", "private", "level3", "futures"):
            c = self.store.health.connections.get(name)
            if c is None or (name == "level3" and c.state == "idle"):
                continue
            style = "green" if c.state == "connected" else "red" if c.state in ("auth-error",) else "yellow"
            parts.append((SOCKETS, f" {name[:4] if name != 'futures' else 'fut'} ", "bold"))
            parts.append((SOCKETS, _DOT.get(c.state, "?") + " ", style))
            if c.state != "connected":
                parts.append((DETAIL if c.error else SOCKETS, (c.error or c.state) + " ", style))
            else:
                age = now - c.last_frame_at if c.last_frame_at else 0.0
                # futures v1 has no application ping: no RTT to show, only rate and age
                rtt = f"{c.rtt_ms:.1f}ms " if c.rtt_ms is not None else ""
                style = "dim" if age < 2 else "yellow"
                parts.append((NUMBERS, f"{rtt}{c.frames_per_s:.0f}/s {age:.1f}s ", style))
            failures = frame_failures(c)
            if failures:
                parts.append((FAILURES, failures + " ", "yellow"))


def fit(parts: list[tuple[int, str, str]], width: int) -> list[tuple[int, str, str]]:
    """Drop the least important parts until the rest fits ``width``: frame counters and RTT
    first, then failure counts, plain ✓ marks, error details and the sockets' dots, each from the
    right. The safety state stays (what still does not fit is cut with …)."""
    if width <= 0:
        return parts
    out = list(parts)
    used = sum(cell_len(p[1]) for p in out)
    for level in (NUMBERS, FAILURES, MARKS, DETAIL, SOCKETS):
        for i in range(len(out) - 1, -1, -1):
            if used <= width:
                return out
            if out[i][0] == level:
                used -= cell_len(out[i][1])
                del out[i]
    return out


def _update(widget: Static, text: Text) -> None:
    """Repaint a one-line bar only when its text changed, and never re-layout the screen for it."""
    key = (text.plain, tuple((s.start, s.end, str(s.style)) for s in text.spans))
    if getattr(widget, "_last_key", None) != key:
        widget._last_key = key  # type: ignore[attr-defined]
        widget.update(text, layout=False)
