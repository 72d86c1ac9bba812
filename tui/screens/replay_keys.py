"""The replay keys of the market screen: pause, speed, seek, restart, active only in REPLAY.

A mixin, so the market screen keeps one class; the keys reach the player through the desk
(``desk.replay``, handed there by ``modes.attach_exchange``), never through the App.

| key | action |
|---|---|
| `space` | pause / resume (outside REPLAY: mark an order) |
| `>` / `<` | faster / slower (×0.25 … ×64) |
| `.` / `,` | 10 s forward / back |
| `}` / `{` | 1 min forward / back |
| `R` | restart from the beginning |
"""

from __future__ import annotations

from textual.binding import Binding

from tui.desk import Desk
from tui.screens.trading import TradingScreen

__all__ = ["ReplayKeys"]

_ACTIONS = frozenset({"replay_speed", "replay_seek", "replay_restart"})


class ReplayKeys(TradingScreen):
    desk: Desk

    BINDINGS = [
        Binding(
            "greater_than_sign", "replay_speed(1)", "Faster", tooltip="Replay faster", id="replay.faster"
        ),
        Binding("less_than_sign", "replay_speed(-1)", "Slower", tooltip="Replay slower", id="replay.slower"),
        Binding("full_stop", "replay_seek(10)", "+10s", tooltip="Replay: 10 s forward", id="replay.fwd"),
        Binding("comma", "replay_seek(-10)", "-10s", tooltip="Replay: 10 s back", id="replay.back"),
        Binding(
            "right_curly_bracket",
            "replay_seek(60)",
            "+1m",
            tooltip="Replay: 1 min forward",
            id="replay.fwd-min",
        ),
        Binding(
            "left_curly_bracket",
            "replay_seek(-60)",
            "-1m",
            tooltip="Replay: 1 min back",
            id="replay.back-min",
        ),
        Binding("R", "replay_restart", "Restart", tooltip="Replay from the beginning", id="replay.restart"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _ACTIONS:
            return self.desk.replay is not None
        return super().check_action(action, parameters)

    def action_mark(self) -> None:
        """``space``: in REPLAY it pauses and resumes, as in every player."""
        if self.desk.replay is not None:
            self.desk.replay.toggle_pause()
        else:
            super().action_mark()

    def action_replay_speed(self, up: int) -> None:
        if self.desk.replay is not None:
            self.desk.replay.faster(up > 0)

    def action_replay_seek(self, seconds: int) -> None:
        if self.desk.replay is not None:
            self.desk.replay.seek(float(seconds))

    def action_replay_restart(self) -> None:
        if self.desk.replay is not None:
            self.desk.replay.restart()
