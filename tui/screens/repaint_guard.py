"""The UI tick never dies of data: one widget that cannot show a value must not stop the rest.

A value the decoder let through but a widget cannot format (a signalling NaN, a None where a
number belongs) would otherwise raise out of the refresh timer, and Textual ends the app on an
unhandled exception. Here each widget's repaint runs on its own: a failure is counted per
widget, logged with where it happened (file, line, code) but without the exception's message
or any locals, since either may carry balances or order ids, and told to the user once.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any, ParamSpec

from textual.css.query import NoMatches

from tui.desk import Notify
from tui.store import Store

__all__ = ["RepaintGuard", "where"]

log = logging.getLogger("tui.screens.repaint")

P = ParamSpec("P")

# After the first failure of a widget is logged in full, only every Nth repeat is logged again.
LOG_EVERY = 100


def where(exc: BaseException) -> str:
    """The frames an exception went through (file, line, function, code), and nothing they held."""
    frames = traceback.extract_tb(exc.__traceback__)
    return "".join(traceback.format_list(frames)).rstrip()


class RepaintGuard:
    def __init__(self, store: Store, notify: Notify) -> None:
        self.store = store
        self.notify = notify
        self.failures: Counter[str] = Counter()

    def run(self, widget: str, fn: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> bool:
        """Repaint one widget; False if it failed (the others, and the next tick, go on)."""
        try:
            fn(*args, **kwargs)
        except NoMatches:
            raise  # the screen is being composed or torn down: not a failure, the tick skips it
        except Exception as exc:
            self.failed(widget, exc)
            return False
        return True

    def failed(self, widget: str, exc: Exception) -> None:
        self.failures[widget] += 1
        n = self.failures[widget]
        kind = type(exc).__name__
        if n == 1:
            log.error(
                "repainting %s failed (%s); the rest of the screen goes on\n%s", widget, kind, where(exc)
            )
            self.store.log(
                "error", f"The {widget} panel could not be repainted ({kind}); it may show old values"
            )
            self.notify(
                f"The {widget} panel could not show a value ({kind}); the rest of the screen goes on.",
                severity="error",
                timeout=10,
            )
        elif n % LOG_EVERY == 0:
            log.error("repainting %s failed %d times (%s)", widget, n, kind)
