"""Small modal helpers: a keyed confirmation and a one-value prompt."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class Confirm(ModalScreen[str | None]):
    """``choices``: key -> (result, label). ``n``/``escape`` always answer None."""

    BINDINGS = [Binding("escape,n", "dismiss(None)", "No", id="confirm.no")]

    def __init__(self, question: str, choices: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(self.question, id="confirm-question")
            for key, (_, label) in self.choices.items():
                yield Label(f"[b]{key}[/b]  {label}")
            yield Label("[b]n[/b]  No (Esc)")

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        if key in self.choices:
            self.dismiss(self.choices[key][0])


class AskValue(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Back", id="ask.back")]

    def __init__(self, prompt: str, value: str = "") -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(self.prompt)
            yield Input(self.value, id="ask-input")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())
