"""Per-chat settings: system prompt, temperature, top_p, max_tokens; for a model that
takes audio (Qwen omni/ASR), the speech recognition options (`asr_options`).

An empty field means "the server's default" (the request leaves it out). Values are
checked here, before anything is sent: a bad one shows a message under its field that
names the field and the range, and the screen stays open. Ctrl+S or Save returns a new
`ChatSettings` (the one passed in is not changed); Esc returns None.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from chatterm.api.catalogue import takes_audio
from chatterm.engine.conversation import ChatSettings
from chatterm.terminal_text import visible, visible_line

RANGES = {
    "temperature": "Temperature must be a number from 0 to 2",
    "top_p": "Top P must be a number from 0 to 1",
    "max_tokens": "Max tokens must be a whole number of at least 1",
}
EMPTY_HINT = " (leave empty for the server's default)."
ASR_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
"""A language code as Qwen's `asr_options.language` takes it ("zh", "en", "yue")."""
ASR_LANGUAGE_HINT = "Speech language must be a language code such as en, zh or yue (leave empty to detect it)."


@dataclass(slots=True)
class SettingsForm:
    """The parsed form: values to save, or one message per bad field."""

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _parse_float(text: str, name: str, low: float, high: float, form: SettingsForm) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        form.errors[name] = RANGES[name] + EMPTY_HINT
        return None
    return value


def parse_form(temperature: str, top_p: str, max_tokens: str) -> SettingsForm:
    """Check the three number fields as typed; empty means the server's default."""
    form = SettingsForm()
    form.temperature = _parse_float(temperature, "temperature", 0.0, 2.0, form)
    form.top_p = _parse_float(top_p, "top_p", 0.0, 1.0, form)
    text = max_tokens.strip().replace("_", "")
    if text:
        if text.isdigit() and int(text) >= 1:
            form.max_tokens = int(text)
        else:
            form.errors["max_tokens"] = RANGES["max_tokens"] + EMPTY_HINT
    return form


def _show(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


class ChatSettingsScreen(ModalScreen[ChatSettings | None]):
    """Edit this chat's settings; dismisses with the new settings or None."""

    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]
    AUTO_FOCUS = "#system-prompt"

    def __init__(self, settings: ChatSettings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        with Vertical(id="settings-dialog") as dialog:
            dialog.border_title = "Chat settings"
            dialog.border_subtitle = "Ctrl+S save · Esc cancel"
            with VerticalScroll(id="settings-fields"):
                yield Label(f"Model: {visible_line(self.settings.model)}", id="settings-model", markup=False)
                yield Label("System prompt", classes="field-label")
                yield TextArea(
                    visible(self.settings.system_prompt or ""),  # an imported chat's: shown, not obeyed
                    id="system-prompt",
                    soft_wrap=True,
                    show_line_numbers=False,
                    tab_behavior="focus",
                )
                with Horizontal(classes="number-row"):
                    for name, label, hint in (
                        ("temperature", "Temperature", "0 – 2"),
                        ("top_p", "Top P", "0 – 1"),
                        ("max_tokens", "Max tokens", "≥ 1"),
                    ):
                        with Vertical(classes="number-field"):
                            yield Label(f"{label} [dim]({hint})[/]", classes="field-label")
                            yield Input(
                                _show(getattr(self.settings, name)),
                                placeholder="server default",
                                id=name.replace("_", "-"),
                            )
                if takes_audio(self.settings.model):
                    yield Label("Speech recognition [dim](audio attachments)[/]", classes="field-label")
                    with Horizontal(classes="number-row"):
                        with Vertical(classes="number-field"):
                            yield Label("Language [dim](code)[/]", classes="field-label")
                            yield Input(self.settings.asr_language or "", placeholder="detect", id="asr-language")
                        yield Checkbox(
                            "Inverse text normalisation", self.settings.asr_itn, id="asr-itn", classes="number-field"
                        )
                yield Static("", id="settings-errors")
            with Horizontal(id="settings-buttons"):
                yield Button("Save", variant="primary", id="settings-save")
                yield Button("Cancel", id="settings-cancel")

    def on_mount(self) -> None:
        self.query_one("#settings-errors", Static).display = False

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name.replace('_', '-')}", Input).value

    def action_save(self) -> None:
        form = parse_form(self._value("temperature"), self._value("top_p"), self._value("max_tokens"))
        for name in RANGES:
            self.query_one(f"#{name.replace('_', '-')}", Input).set_class(name in form.errors, "-invalid")
        errors = self.query_one("#settings-errors", Static)
        asr_language, asr_itn = self.settings.asr_language, self.settings.asr_itn
        if self.query("#asr-language"):
            asr_language = self.query_one("#asr-language", Input).value.strip() or None
            asr_itn = self.query_one("#asr-itn", Checkbox).value
            bad = asr_language is not None and not ASR_LANGUAGE.fullmatch(asr_language)
            self.query_one("#asr-language", Input).set_class(bad, "-invalid")
            if bad:
                form.errors["asr_language"] = ASR_LANGUAGE_HINT
        if form.errors:
            errors.update("\n".join(f"• {message}" for message in form.errors.values()))
            errors.display = True
            first = next(iter(form.errors))
            self.query_one(f"#{first.replace('_', '-')}", Input).focus()
            return
        errors.display = False
        prompt = self.query_one("#system-prompt", TextArea).text
        self.dismiss(
            dataclasses.replace(
                self.settings,
                system_prompt=prompt if prompt.strip() else None,
                temperature=form.temperature,
                top_p=form.top_p,
                max_tokens=form.max_tokens,
                disabled_tools=list(self.settings.disabled_tools),
                asr_language=asr_language,
                asr_itn=asr_itn,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#settings-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#settings-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
