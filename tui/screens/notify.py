"""Desktop notifications through the terminal: OSC 9 (iTerm2, WezTerm, kitty, Windows Terminal)
and OSC 777 (rxvt, foot, Ghostty, VTE terminals), wrapped in tmux's passthrough when inside tmux.

A terminal that knows neither ignores both. The text is the app's own (a fill's numbers), but
control characters are dropped anyway: an escape inside a notification would end it early and
write the rest to the terminal as commands.
"""

from __future__ import annotations

__all__ = ["desktop_notification"]


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable()).replace(";", ",")


def desktop_notification(title: str, body: str, *, tmux: bool = False) -> str:
    """Both sequences, one after the other; inside tmux each is passed through to the outer
    terminal (``allow-passthrough on`` in tmux 3.3+), its ESCs doubled as tmux requires."""
    t, b = _clean(title), _clean(body)
    seqs = [f"\x1b]9;{t}: {b}\x07", f"\x1b]777;notify;{t};{b}\x07"]
    if tmux:
        seqs = ["\x1bPtmux;" + s.replace("\x1b", "\x1b\x1b") + "\x1b\\" for s in seqs]
    return "".join(seqs)
