"""Chat settings for speech: Qwen's `asr_options` are set per chat, for models that take audio."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Checkbox, Input, Static

from chatterm.engine.conversation import ChatSettings
from chatterm.tui.screens.settings import ChatSettingsScreen


class Host(App[None]):
    def __init__(self, settings: ChatSettings) -> None:
        super().__init__()
        self.settings = settings
        self.results: list[ChatSettings | None] = []

    def on_mount(self) -> None:
        self.push_screen(ChatSettingsScreen(self.settings), self.results.append)


async def test_speech_options_are_saved_for_a_qwen_omni_chat() -> None:
    app = Host(ChatSettings(model="qwen3-omni-flash"))
    async with app.run_test(size=(100, 40)) as pilot:
        app.screen.query_one("#asr-language", Input).value = "zh"
        app.screen.query_one("#asr-itn", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
    [saved] = app.results
    assert saved is not None and saved.asr_options() == {"language": "zh", "enable_itn": True}
    assert ChatSettings.from_dict(saved.to_dict()).asr_options() == {"language": "zh", "enable_itn": True}


async def test_a_bad_language_code_is_named_and_the_screen_stays() -> None:
    app = Host(ChatSettings(model="qwen3-omni-flash"))
    async with app.run_test(size=(100, 40)) as pilot:
        app.screen.query_one("#asr-language", Input).value = "English please"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChatSettingsScreen)
        assert "Speech language must be a language code" in str(
            app.screen.query_one("#settings-errors", Static).render()
        )
    assert app.results == []


async def test_a_model_without_audio_shows_no_speech_options() -> None:
    app = Host(ChatSettings(model="gpt-4o-mini"))
    async with app.run_test(size=(100, 40)):
        assert not app.screen.query("#asr-language")
