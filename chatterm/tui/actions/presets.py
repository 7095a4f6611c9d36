"""Presets in the TUI: the picker (Alt+P, the palette's "Presets…") starts a new chat
from a `[presets.<name>]` of the config, or lays it over the open chat; `chatterm
--preset NAME` lays one over the chat the app starts with.

The settings come from the one rule `ask --preset` uses too
(`engine/preset_settings.py`): what the preset names replaces the chat's value, the rest
stays, and the chat records the preset's name (the status bar shows it; the store keeps
it, so a reopened chat still says where it came from).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from chatterm.tui.actions.host import ChatHost

if TYPE_CHECKING:
    from chatterm.engine.conversation import ChatSettings, Conversation
    from chatterm.presets import Preset
    from chatterm.tui.screens.presets import PresetChoice


class PresetActions(ChatHost):
    @abstractmethod
    async def load_conversation(self, conversation: Conversation, *, focus: str | None = None) -> None:
        """Show another chat and continue it (the app's)."""

    def action_pick_preset(self) -> None:
        presets = self.context.config.presets
        if not presets:
            from chatterm.config import default_config_path

            where = self.context.config.path or default_config_path()
            self.notify(
                f"No presets yet: add a [presets.<name>] table (system, model, temperature, ...) to {where}",
                title="Presets",
                severity="warning",
            )
            return
        from chatterm.tui.screens import PresetPickerScreen

        self.push_screen(PresetPickerScreen(list(presets.values()), self.settings.preset), self._preset_chosen)

    async def _preset_chosen(self, choice: PresetChoice | None) -> None:
        preset = self.context.config.presets.get(choice.name) if choice is not None else None
        if choice is None or preset is None:
            return
        if choice.new_chat:
            conversation = self.context.new_conversation()
            settings = self._settings_from(conversation.settings, preset)
            if settings is None:
                return
            conversation.settings = settings
            await self.load_conversation(conversation)
            self.notify(f"New chat from the preset {preset.name}", timeout=3)
            return
        settings = self._settings_from(self.settings, preset)
        if settings is not None:
            self.settings = settings
            self.notify(f"This chat now uses the preset {preset.name} for its next replies", timeout=3)

    start_preset: Preset | None = None

    def apply_start_preset(self) -> None:
        """`chatterm --preset NAME` (the name was checked before the app started): the
        preset over the chat the app opened with, by the picker's rule. After the first
        frame, because its `tools` words need the tool registry."""
        preset, self.start_preset = self.start_preset, None
        if preset is None:
            return
        settings = self._settings_from(self.settings, preset)
        if settings is not None:
            self.settings = settings

    def _settings_from(self, settings: ChatSettings, preset: Preset) -> ChatSettings | None:
        """`settings` under `preset`, or None (and a toast) when its tools name none there are."""
        from chatterm.engine.preset_settings import with_preset

        try:
            return with_preset(settings, preset, self.context.tools)
        except KeyError as error:
            self.notify(f"Preset {preset.name}: {error.args[0]}", title="Preset not applied", severity="error")
            return None
