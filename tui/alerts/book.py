"""The trader's alerts: kept in a JSON file in the state directory, judged on the store's state.

``poll`` is called on the App's announce tick (4 times a second, the same path that says fills):
each active alert whose condition holds is marked fired (once: it never fires again, here or
after a restart), saved, and returned so the desk can say it (toast, Activity line, bell,
desktop notification) and the screen can open its staged order in the review. The file is
written whole to a temporary name and renamed over the old one, so a crash mid-write leaves the
previous list, never half of one; it is small and changes only when the trader adds or deletes
an alert or one fires.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui.alerts.evaluate import triggered
from tui.alerts.model import Alert, describe
from tui.paths import paths
from tui.store import Store

__all__ = ["AlertBook", "Fired", "alerts_path"]

log = logging.getLogger("tui.alerts")


def alerts_path() -> Path:
    return paths().state_dir / "alerts.json"


@dataclass(frozen=True, slots=True)
class Fired:
    alert: Alert
    text: str


class AlertBook:
    def __init__(self, path: Path | None, clock: Callable[[], float] = time.time) -> None:
        self.path = path  # None: kept in memory only
        self.clock = clock
        self.alerts: list[Alert] = []
        self.problems: list[str] = []  # what could not be read back, said once by the caller
        self.staged: deque[Alert] = deque()  # fired alerts with an order for the review
        self._load()

    # --- the list ------------------------------------------------------------------------------
    def add(self, alert: Alert) -> Alert:
        self.alerts.append(alert)
        self._save()
        return alert

    def delete(self, alert_id: str) -> bool:
        before = len(self.alerts)
        self.alerts = [a for a in self.alerts if a.id != alert_id]
        if len(self.alerts) != before:
            self._save()
            return True
        return False

    @property
    def active(self) -> list[Alert]:
        return [a for a in self.alerts if a.active]

    # --- judging -------------------------------------------------------------------------------
    def poll(self, store: Store) -> list[Fired]:
        out: list[Fired] = []
        for i, a in enumerate(self.alerts):
            mk = store.markets.get(a.symbol)
            if not a.active or mk is None or a.mode not in ("", store.mode):
                continue
            text = triggered(a, mk)
            if text is None:
                continue
            done = a.fired(text, self.clock())
            self.alerts[i] = done
            out.append(Fired(done, f"Alert: {text} ({describe(a)})"))
            if done.staged is not None:
                self.staged.append(done)
        if out:
            self._save()
        return out

    # --- the file ------------------------------------------------------------------------------
    def _load(self) -> None:
        path = self.path
        if path is None or not path.exists():
            return
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            self.problems.append(f"alerts: {path} not read: {exc}")
            return
        rows = data.get("alerts") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            self.problems.append(f"alerts: {path} holds no alert list")
            return
        for n, row in enumerate(rows):
            try:
                self.alerts.append(Alert.from_json(row))
            except (ValueError, TypeError, KeyError) as exc:
                self.problems.append(f"alerts: entry {n} of {path} skipped: {exc}")

    def _save(self) -> None:
        path = self.path
        if path is None:
            return
        tmp = path.with_name(path.name + ".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({"version": 1, "alerts": [a.to_json() for a in self.alerts]}, indent=1))
            os.replace(tmp, path)
        except OSError as exc:
            log.error("alerts not saved to %s: %s", path, exc)
            self.problems.append(f"alerts: not saved to {path}: {exc}")
