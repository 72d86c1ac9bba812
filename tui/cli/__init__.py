"""Commands: the dashboard by default, plus the ``exchange`` and ``stream`` tools.

Commands sit on top of every layer; nothing below imports them. ``main`` is the console script.
"""

from tui.cli.entry import main

__all__ = ["main"]
