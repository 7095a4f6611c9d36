"""Generated images in the TUI, through the real app and engine on the demo gateway: a
reply from an image model shows the picture below its text (never base64), a loaded chat
shows its saved images, thumbnails are decoded only when scrolled into view, `s` saves a
copy elsewhere and a missing textual-image/file leaves a line naming the path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.engine.conversation import Conversation, Message
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.image import ImageView
from chatterm.tui.widgets.message import AssistantMessageView

from .conftest import reply_done, send, wait_until

SIZE = (100, 36)


def pictures(app: ChatApp) -> list[Any]:
    from textual_image.widget._base import Image as BaseImage

    return list(app.chat_screen.query(BaseImage))


async def test_an_image_model_reply_shows_the_picture(chat_context: Any) -> None:
    chat_context.config.model = "nano-banana-pro"
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "draw a lighthouse !imgsize=120 !imgheight=80")
        await reply_done(pilot)
        [reply] = app.chat_screen.query(AssistantMessageView)
        [view] = reply.query(ImageView)
        await wait_until(pilot, lambda: view.loaded)
        assert len(pictures(app)) == 1
        assert view.path is not None and view.path.exists()
        assert "120x80" in str(view.query_one(".image-caption").render())
        assert "base64" not in reply.body.text and "data:image" not in reply.body.text


async def test_markdown_data_url_images_never_show_as_text(chat_context: Any) -> None:
    chat_context.config.model = "gemini-2.5-flash-image"
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "paint the sea !imgsize=200")
        await reply_done(pilot)
        [reply] = app.chat_screen.query(AssistantMessageView)
        assert reply.query(ImageView)
        assert "base64" not in reply.body.text and "![" not in reply.body.text


def _chat_with_images(context: Any, count: int) -> Conversation:
    from chatterm.demo.png import prompt_png

    conversation = Conversation()
    for n in range(count):
        ref = context.blobs.save(prompt_png(f"picture {n}", 60, 40), "image/png")
        conversation.append(Message(role="user", content=f"picture {n}"))
        conversation.append(Message(role="assistant", content=f"Here is picture {n}.", images=[ref]))
    return conversation


async def test_a_loaded_chat_decodes_only_the_images_in_view(chat_context: Any) -> None:
    conversation = _chat_with_images(chat_context, 12)
    app = ChatApp(chat_context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        # The window above the first screenful is mounted after the first frame.
        await wait_until(pilot, lambda: len(app.chat_screen.query(ImageView)) == 12)
        views = list(app.chat_screen.query(ImageView))
        await wait_until(pilot, lambda: views[-1].loaded)
        assert not views[0].loaded  # scrolled far above: not decoded
        app.chat_screen.pane.scroll_home(animate=False)
        await wait_until(pilot, lambda: views[0].loaded)


async def test_s_saves_a_copy_where_the_user_says(chat_context: Any, tmp_path: Path) -> None:
    conversation = _chat_with_images(chat_context, 1)
    app = ChatApp(chat_context, conversation=conversation)
    target = tmp_path / "elsewhere" / "kept.png"
    async with app.run_test(size=SIZE) as pilot:
        [view] = app.chat_screen.query(ImageView)
        view.focus()
        await pilot.press("s")
        from textual.widgets import Input

        await wait_until(pilot, lambda: bool(app.screen.query("#save-path")))
        field = app.screen.query_one("#save-path", Input)
        field.value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: target.exists())
        assert target.read_bytes() == view.path.read_bytes()  # type: ignore[union-attr]


async def test_a_missing_file_leaves_a_line_naming_it(chat_context: Any) -> None:
    conversation = _chat_with_images(chat_context, 1)
    ref = conversation.messages[-1].images[0]
    chat_context.blobs.path_for(ref).unlink()
    app = ChatApp(chat_context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        [view] = app.chat_screen.query(ImageView)
        await wait_until(pilot, lambda: view.loaded)
        line = str(view.query_one(".image-placeholder").render())
        assert ref.sha256 in line and "missing" in line
        assert pictures(app) == []
