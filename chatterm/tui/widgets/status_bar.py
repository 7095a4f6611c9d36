"""`StatusBar`: the model, the three toggles and the last reply's figures.

    [ gpt-4o-mini ▾ ]  [Thinking] [Search] [Stream]   TTFT 0.21 s · 812 tok/s · 34→512 (+120 think)

The model chip and the toggles are clickable; each toggle shows its state with the
`-on` class (bindings F2-F5 do the same from the keyboard). The bar posts messages and
the screen changes the settings, so the bar holds no chat state of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from chatterm.engine.conversation import ChatSettings
from chatterm.engine.conversation import Message as ChatMessage


class ModelChip(Static):
    DEFAULT_CSS = """
    ModelChip { width: auto; padding: 0 1; background: $primary 40%; color: $text; text-style: bold; }
    ModelChip:hover { background: $primary 70%; }
    """

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(StatusBar.PickModel())


class ToggleChip(Static):
    DEFAULT_CSS = """
    ToggleChip { width: auto; padding: 0 1; margin: 0 0 0 1; color: $text-muted; background: $boost; }
    ToggleChip.-on { color: $text; background: $success 45%; text-style: bold; }
    ToggleChip:hover { background: $accent 40%; }
    """

    def __init__(self, label: str, setting: str, key: str) -> None:
        super().__init__(id=f"toggle-{setting}")
        self.label = label
        self.setting = setting
        self.key = key
        self.tooltip = f"{label}: click or {key}"

    def set_on(self, on: bool) -> None:
        self.set_class(on, "-on")
        self.update(f"{'●' if on else '○'} {self.label}")

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(StatusBar.Toggle(self.setting))


def format_stats(message: ChatMessage | None) -> str:
    """TTFT, tokens/s and token counts of a finished reply (blank when unknown)."""
    if message is None:
        return ""
    parts: list[str] = []
    timings, usage = message.timings, message.usage
    if timings is not None and timings.time_to_first_token is not None:
        parts.append(f"TTFT {timings.time_to_first_token:.2f} s")
    if usage is not None and usage.completion_tokens and timings is not None and timings.duration:
        gen_time = timings.duration - (timings.time_to_first_token or 0.0)
        if gen_time > 0:
            parts.append(f"{usage.completion_tokens / gen_time:,.0f} tok/s")
    if usage is not None:
        prompt = "?" if usage.prompt_tokens is None else f"{usage.prompt_tokens:,}"
        answer = usage.answer_tokens
        tokens = f"in {prompt} · out {'?' if answer is None else f'{answer:,}'}"
        if usage.reasoning_tokens:
            tokens += f" · think {usage.reasoning_tokens:,}"
        parts.append(tokens)
    return "  ·  ".join(parts)


class StatusBar(Horizontal):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    StatusBar > #stats { width: 1fr; content-align: right middle; color: $text-muted; }
    """

    class PickModel(Message):
        """The model chip was clicked."""

    @dataclass
    class Toggle(Message):
        setting: str

    def compose(self) -> ComposeResult:
        yield ModelChip("", id="model-chip")
        yield ToggleChip("Thinking", "thinking", "F3")
        yield ToggleChip("Search", "search", "F4")
        yield ToggleChip("Stream", "stream", "F5")
        yield Static("", id="stats", markup=False)

    def show_settings(self, settings: ChatSettings) -> None:
        chip = self.query_one("#model-chip", ModelChip)
        chip.update(f"{settings.model} ▾")
        chip.tooltip = "Pick a model (click or F2)"
        for toggle in self.query(ToggleChip):
            toggle.set_on(bool(getattr(settings, toggle.setting)))

    def show_stats(self, message: ChatMessage | None) -> None:
        self.query_one("#stats", Static).update(format_stats(message))
