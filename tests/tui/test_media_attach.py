"""Images and audio attached in the TUI reach the model (Pilot, demo gateway).

The demo's vision and speech models answer with what they received, read from the
file's header, so the reply on screen says whether the picture or the recording got
there, and at what size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input

from chatterm.tui.app import ChatApp
from chatterm.tui.screens.attach import AttachFileScreen
from chatterm.tui.widgets.attachments import AttachmentChips
from chatterm.tui.widgets.message import AssistantMessageView
from tests.media_samples import image_bytes, wav_bytes, write

from .conftest import reply_done, send, wait_until

SIZE = (100, 40)


def posts(gateway: Any) -> list[Any]:
    return [r for r in gateway.requests if r.method == "POST"]


async def test_an_image_attached_with_ctrl_f_reaches_a_vision_model(
    chat_context: Any, demo_gateway: Any, tmp_path: Path
) -> None:
    photo = write(tmp_path / "photo.dat", image_bytes("PNG", 64, 48))  # the bytes say PNG, not the name
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        app.conversation.settings.model = "gpt-4o"
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        app.screen.query_one("#attach-path", Input).value = str(photo)
        await pilot.press("enter")
        chips = app.chat_screen.query_one(AttachmentChips)
        await wait_until(pilot, lambda: chips.paths == [str(photo.resolve())])
        await send(pilot, "what is in the picture?")
        await reply_done(pilot)
        assert "PNG image, 64x48" in (app.conversation.messages[-1].content or "")
        [request] = posts(demo_gateway)
        assert request.path.endswith("/chat/completions")
        assert request.body["messages"][-1]["content"][0]["type"] == "image_url"
        assert chips.paths == []


async def test_a_recording_named_with_at_path_goes_to_qwen_with_the_chat_asr_settings(
    chat_context: Any, demo_gateway: Any, tmp_path: Path
) -> None:
    memo = write(tmp_path / "memo.wav", wav_bytes(2.0, 8000, 2))
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        settings = app.conversation.settings
        settings.model = "qwen3-omni-flash"
        settings.asr_language = "en"
        settings.asr_itn = True
        await send(pilot, f"transcribe @{memo}")
        await reply_done(pilot)
        assert "WAV audio, 2.0 s, 8000 Hz, 2 channels" in (app.conversation.messages[-1].content or "")
        [request] = posts(demo_gateway)
        assert request.body["parameters"]["asr_options"] == {"language": "en", "enable_itn": True}


async def test_an_image_for_a_model_without_vision_is_refused_keeping_prompt_and_chip(
    chat_context: Any, demo_gateway: Any, tmp_path: Path
) -> None:
    photo = write(tmp_path / "photo.png", image_bytes("PNG", 8, 8))
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        app.conversation.settings.model = "deepseek-v3"
        chips = app.chat_screen.query_one(AttachmentChips)
        chips.add_path(str(photo))
        await send(pilot, "describe it")
        await pilot.pause()
        await pilot.pause()
        assert chips.paths == [str(photo)]
        assert app.chat_screen.prompt.text == "describe it"
        assert posts(demo_gateway) == []
        assert not app.chat_screen.query(AssistantMessageView)
