"""`StatusBar`: the model, the three toggles and the last reply's figures.

    [ gpt-4o-mini ▾ ] ○ Thinking ○ Search ● Stream  { } person    TTFT 0.21 s · 812 tok/s · in 34 · out 512
                                                 · context 1% of 128k · chat: in 90 · out 900 · $0.0093

The figures shorten, then drop the least important ones, when the bar is narrow
(`format_stats(message, width)`); the full text is the tooltip.
The model chip and the toggles are clickable; each toggle shows its state with the
`-on` class (bindings F2-F5 do the same from the keyboard). Thinking and Search also
say what the model makes of them (the catalogue knows): `◉` a model that always
thinks, a struck-through label a known model that cannot (the toggle keeps its value
for the next model). The schema chip shows
only while the chat holds a JSON Schema (or JSON mode), the preset chip (◆ name) only
while the chat's settings came from a preset (`[presets.<name>]`). The bar posts messages and
the screen changes the settings, so the bar holds no chat state of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from chatterm.api.catalogue import DEFAULT_FAMILY, family_for
from chatterm.api.context_window import context_use
from chatterm.engine.conversation import ChatSettings
from chatterm.engine.conversation import Message as ChatMessage
from chatterm.engine.reply_figures import ChatTotals, context_text, cost_text
from chatterm.terminal_text import visible_line


class ModelChip(Static):
    DEFAULT_CSS = """
    ModelChip { width: auto; padding: 0 1; background: $primary 40%; color: $text; text-style: bold; }
    ModelChip:hover { background: $primary 70%; }
    """

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(StatusBar.PickModel())


class NamedChip(Static):
    """A chip that names something the chat holds, shown only while it holds one."""

    DEFAULT_CSS = """
    NamedChip { width: auto; padding: 0 1; color: $text; display: none; }
    NamedChip.-on { display: block; }
    """

    def show(self, name: str | None) -> None:
        self.set_class(name is not None, "-on")
        self.update(self.label(name or ""))
        self.tooltip = self.explain(name) if name is not None else None

    def label(self, name: str) -> str:
        raise NotImplementedError

    def explain(self, name: str) -> str:
        raise NotImplementedError


class GatewayChip(NamedChip):
    """The chat's gateway, shown only when more than one is configured; a click opens
    the picker, which lists every gateway's models."""

    DEFAULT_CSS = """
    GatewayChip { margin: 0 1 0 0; background: $accent 30%; }
    GatewayChip:hover { background: $accent 60%; }
    """

    def label(self, name: str) -> str:
        return f"⇄ {visible_line(name)}"

    def explain(self, name: str) -> str:
        return f"Gateway {visible_line(name)}: click or F2 to pick a model of another gateway"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(StatusBar.PickModel())


class ToggleChip(Static):
    DEFAULT_CSS = """
    ToggleChip { width: auto; padding: 0 1; margin: 0 0 0 1; color: $text-muted; background: $boost; }
    ToggleChip.-on { color: $text; background: $success 45%; text-style: bold; }
    ToggleChip.-always { color: $text; background: $success 25%; text-style: bold; }
    ToggleChip.-na { color: $text-disabled; background: $boost; text-style: strike; }
    ToggleChip:hover { background: $accent 40%; }
    """

    def __init__(self, label: str, setting: str, key: str) -> None:
        super().__init__(id=f"toggle-{setting}")
        self.label = label
        self.setting = setting
        self.key = key
        self.tooltip = f"{label}: click or {key}"

    def set_on(self, on: bool, ability: str = "yes", model: str = "") -> None:
        """`ability`: "yes" (the toggle decides), "always" (the model does it anyway),
        "no" (the model cannot; the setting is kept for the next model) or "refused"
        (the model refused it in this chat; the next requests go without it)."""
        self.set_class(on and ability == "yes", "-on")
        self.set_class(ability == "always", "-always")
        self.set_class(ability in ("no", "refused"), "-na")
        mark = "◉" if ability == "always" else ("●" if on else "○")
        self.update(f"⊘ {self.label} refused" if ability == "refused" else f"{mark} {self.label}")
        what = self.label.lower()
        model = visible_line(model)
        if ability == "refused":
            self.tooltip = f"{model} refused {what} in this chat; its replies here come without {what}"
        elif ability == "always":
            self.tooltip = f"{model} always uses {what}; {self.key} changes nothing for it"
        elif ability == "no":
            self.tooltip = f"{model} has no {what}; {self.key} is kept ({'on' if on else 'off'}) for other models"
        else:
            self.tooltip = f"{self.label}: click or {self.key}"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(StatusBar.Toggle(self.setting))


class PresetChip(NamedChip):
    """The preset the chat started from (or last took)."""

    DEFAULT_CSS = """
    PresetChip { margin: 0 0 0 1; background: $secondary 35%; }
    """

    def label(self, name: str) -> str:
        return f"◆ {visible_line(name)}"

    def explain(self, name: str) -> str:
        return f"Settings from the preset {visible_line(name)} (Alt+P: presets)"


class SchemaChip(NamedChip):
    """The structured-output format the chat holds ("JSON" or a schema's name)."""

    DEFAULT_CSS = """
    SchemaChip { margin: 0 0 0 1; background: $accent 35%; }
    """

    def label(self, name: str) -> str:
        return f"{{ }} {name}"

    def explain(self, name: str) -> str:
        if name != "JSON":
            return f"Replies must be JSON that fits the schema {name}; detach it from the command palette (Ctrl+P)"
        return "Replies must be JSON; detach from the command palette (Ctrl+P)"


def stats_parts(message: ChatMessage | None) -> list[tuple[str, str]]:
    """(full, short) texts of a finished reply's figures, most important first:
    time to first token, tokens/s, token counts. Empty when nothing is known."""
    if message is None:
        return []
    parts: list[tuple[str, str]] = []
    timings, usage = message.timings, message.usage
    if timings is not None and timings.time_to_first_token is not None:
        ttft = f"{timings.time_to_first_token:.2f} s"
        parts.append((f"TTFT {ttft}", ttft))
    if usage is not None and usage.completion_tokens and timings is not None and timings.duration:
        # A whole-body reply has no generation phase of its own: its speed is over the request.
        gen_time = timings.duration - (timings.time_to_first_token or 0.0) if timings.streamed else timings.duration
        if gen_time > 0:
            rate = f"{usage.completion_tokens / gen_time:,.0f} tok/s"
            parts.append((rate, rate))
    if usage is not None:
        prompt = "?" if usage.prompt_tokens is None else f"{usage.prompt_tokens:,}"
        answer = "?" if usage.answer_tokens is None else f"{usage.answer_tokens:,}"
        full, short = f"in {prompt} · out {answer}", f"{prompt}→{answer}"
        if usage.reasoning_tokens:
            full += f" · think {usage.reasoning_tokens:,}"
            short += f" +{usage.reasoning_tokens:,}"
        parts.append((full, short))
    return parts


def figure_parts(message: ChatMessage | None, totals: ChatTotals | None) -> list[tuple[str, str]]:
    """(full, short) texts shown only where there is room after the reply's figures: how
    full the context window is, then what the chat cost so far (its sums once it has more
    than one reply; until then the reply's cost, which is the chat's). Only beside a reply
    with figures: never the sums alone after a failed one. The reply's own cost is on the
    line under it."""
    parts: list[tuple[str, str]] = []
    if message is None or message.usage is None:
        return parts
    if (use := context_use(message.usage, message.context_window)) is not None:
        parts.append((f"context {context_text(use)}", f"ctx {context_text(use).split()[0]}"))
    if totals is not None and totals.replies > 1:
        full = f"chat: in {totals.prompt_tokens:,} · out {totals.answer_tokens:,}"
        if totals.reasoning_tokens:
            full += f" · think {totals.reasoning_tokens:,}"
        short = f"chat {totals.prompt_tokens:,}→{totals.answer_tokens:,}"
        if totals.cost is not None:
            full += f" · {cost_text(totals.cost)}"
            short = f"chat {cost_text(totals.cost)}"
        parts.append((full, short))
    elif message.cost is not None:
        parts.append((cost_text(message.cost), cost_text(message.cost)))
    return parts


def format_stats(message: ChatMessage | None, width: int | None = None, totals: ChatTotals | None = None) -> str:
    """The figures of a finished reply, as many as fit in `width` cells (all if None):
    first shorter forms, then the least important figures are dropped. The context
    fill, cost and chat sums (`figure_parts`) show only where the reply's own figures
    fit whole beside them."""
    parts = stats_parts(message)
    extras = figure_parts(message, totals)
    base = " · ".join(full for full, _ in parts)
    if width is None:
        return " · ".join(full for full, _ in parts + extras)
    # The extras only where the reply's own figures fit whole: fuller forms first,
    # then the least important extras dropped.
    for n in range(len(extras), 0, -1):
        for texts in ([full for full, _ in extras[:n]], [short for _, short in extras[:n]]):
            text = " · ".join(t for t in (base, *texts) if t)
            if len(text) <= width:
                return text
    candidates = [
        " · ".join(full for full, _ in parts),
        " · ".join(short if i else full for i, (full, short) in enumerate(parts)),
        " · ".join(short for _, short in parts),
    ]
    candidates += [" · ".join(short for _, short in parts[:n]) for n in range(len(parts) - 1, 0, -1)]
    return next((text for text in candidates if len(text) <= width), "")


class Stats(Static):
    """The last reply's figures, fitted to the room the chips leave."""

    def __init__(self) -> None:
        super().__init__("", id="stats", markup=False)
        self.message: ChatMessage | None = None
        self.totals: ChatTotals | None = None

    def show(self, message: ChatMessage | None, totals: ChatTotals | None = None) -> None:
        self.message = message
        self.totals = totals
        self.tooltip = format_stats(message, totals=totals) or None
        self.refresh()

    def render(self) -> str:
        if self.message is not None and self.message.state == "streaming":
            return "writing…"  # not the figures of the reply before
        return format_stats(self.message, self.content_size.width or None, self.totals)


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

    gateway_label: Callable[[ChatSettings], str | None] | None = None
    """The chat's gateway name for its settings (None: one gateway, not shown); set by
    the chat screen from the app."""

    def compose(self) -> ComposeResult:
        yield GatewayChip("", id="gateway-chip", markup=False)
        yield ModelChip("", id="model-chip", markup=False)  # any name the user typed
        yield ToggleChip("Thinking", "thinking", "F3")
        yield ToggleChip("Search", "search", "F4")
        yield ToggleChip("Stream", "stream", "F5")
        yield PresetChip("", id="preset-chip", markup=False)  # names come from the config
        yield SchemaChip("", id="schema-chip", markup=False)
        yield Stats()

    def show_settings(self, settings: ChatSettings) -> None:
        chip = self.query_one("#model-chip", ModelChip)
        chip.update(f"{visible_line(settings.model)} ▾")
        chip.tooltip = "Pick a model (click or F2)"
        self.query_one(GatewayChip).show(self.gateway_label(settings) if self.gateway_label else None)
        for toggle in self.query(ToggleChip):
            ability = _ability(settings.model, toggle.setting)
            if toggle.setting == "search" and settings.search_refused():
                ability = "refused"  # the model said no in this chat: not sent again
            toggle.set_on(bool(getattr(settings, toggle.setting)), ability, settings.model)
        name = None
        if settings.response_format:
            from chatterm.tui.widgets.structured import schema_name_of  # with the JSON checker: later

            name = schema_name_of(settings.response_format)
        self.query_one(SchemaChip).show(name)
        self.query_one(PresetChip).show(settings.preset)

    def show_stats(self, message: ChatMessage | None, totals: ChatTotals | None = None) -> None:
        self.query_one(Stats).show(message, totals)


def _ability(model: str, setting: str) -> str:
    """What `model` makes of a toggle, as far as the catalogue knows: an unknown model
    (a self-hosted one, say) may do anything, so its toggles just decide."""
    family = family_for(model)
    if family is DEFAULT_FAMILY or setting == "stream":
        return "yes"
    if setting == "thinking":
        return {"none": "no", "always_on": "always"}.get(family.thinking, "yes")
    if setting == "search":
        return "no" if family.search == "none" and not family.responses_search else "yes"
    return "yes"
