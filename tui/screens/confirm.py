"""Small modal helpers: a keyed confirmation and a one-value prompt."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on
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

    def on_key(self, event: events.Key) -> None:
        if event.key in self.choices:
            # the key is this dialog's answer: it must not go on to the screen behind it
            event.stop()
            event.prevent_default()
            self.dismiss(self.choices[event.key][0])


class AskValue(ModalScreen[str | None]):
    """One value; ``check`` (text -> a refusal, or None) keeps the prompt open with the reason
    under the field until the value is acceptable or the user backs out."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", id="ask.back")]

    def __init__(
        self, prompt: str, value: str = "", check: Callable[[str], str | None] | None = None
    ) -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(self.prompt)
            yield Input(self.value, id="ask-input")
            yield Label("", id="ask-error", classes="form-error")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        problem = self.check(value) if self.check is not None and value else None
        error = self.query_one("#ask-error", Label)
        error.update(problem or "")
        error.set_class(problem is not None, "-shown")
        if problem is None:
            self.dismiss(value)
