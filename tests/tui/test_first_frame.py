"""A long chat opened at launch (`chatterm -c`) is on screen in the first frame.

Textual composes the app's first frame inside its start-up batch and drops it (nothing
reaches the terminal) while counting it as painted; work scheduled "after the refresh"
then ran before anything was shown. Here: the first frame that really reaches the
terminal (`App._display` outside a batch) holds the chat's last message and only the
views mounted for the first paint, not the whole window laid out above them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from chatterm.engine.conversation import Conversation, Message
from chatterm.tui.app import ChatApp

from .conftest import wait_until


async def test_a_long_chat_shows_its_last_message_before_the_window_above_is_filled(chat_context: Any) -> None:
    from chatterm.tui.widgets.conversation import FIRST_PAINT, WINDOW

    conversation = Conversation()
    for i in range(500):
        conversation.append(Message(role="user", content=f"question {i}"))
        conversation.append(Message(role="assistant", content=f"answer **{i}**", model="gpt-4o-mini"))
    app = ChatApp(chat_context, conversation=conversation)
    shown = record_frames(app)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.chat_screen.pane
        await wait_until(pilot, lambda: len(pane.views()) == WINDOW)
        assert shown, "no frame reached the terminal"
        first = shown[0]
        assert first[-1] == "answer **499**"
        assert len(first) == FIRST_PAINT, f"the first frame waited for {len(first)} views"


async def test_a_chat_of_long_replies_paints_only_the_replies_that_fill_the_pane(chat_context: Any) -> None:
    """Issue 12: `-c` on a chat of long replies renders the last ones first, not eight
    replies' Markdown before anything shows; the window above fills right after."""
    from chatterm.tui.widgets.conversation import FIRST_PAINT, WINDOW

    reply = "".join(f"## Part {n}\n\nA paragraph about part {n} that runs on for a while.\n\n" for n in range(12))
    conversation = Conversation()
    for i in range(100):
        conversation.append(Message(role="user", content=f"question {i}"))
        conversation.append(Message(role="assistant", content=f"{reply}answer {i}", model="gpt-4o-mini"))
    app = ChatApp(chat_context, conversation=conversation)
    shown = record_frames(app)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.chat_screen.pane
        await wait_until(pilot, lambda: len(pane.views()) == WINDOW)
        first = shown[0]
        assert first[-1].endswith("answer 99")
        assert len(first) < FIRST_PAINT, f"the first frame waited for {len(first)} long replies"
        assert "answer 99" in "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def record_frames(app: ChatApp) -> list[list[str]]:
    """The messages mounted at each frame of the chat screen that reached the terminal."""
    shown: list[list[str]] = []
    display = app._display

    def recording_display(screen: Any, renderable: Any) -> None:
        if renderable is not None and not app._batch_count and screen is app.chat_screen:
            shown.append([view.message.text for view in screen.pane.views()])
        display(screen, renderable)

    app._display = recording_display  # type: ignore[method-assign]
    return shown


async def test_the_first_frame_is_painted_when_start_up_is_done_not_at_the_next_tick(
    chat_context: Any, monkeypatch: Any
) -> None:
    """Issue 12 (start-up to a usable prompt): Textual drops the frame composed inside
    its start-up batch and paints the screen again at its update timer's next tick, up
    to 1/60 s after start-up's work is done. With that tick a minute away, the whole
    first frame (the prompt box in it) still reaches the terminal."""
    import textual.screen
    from textual._compositor import LayoutUpdate

    monkeypatch.setattr(textual.screen, "UPDATE_PERIOD", 60.0)
    app = ChatApp(chat_context)
    whole_frames: list[str] = []
    display = app._display

    def recording_display(screen: Any, renderable: Any) -> None:
        if isinstance(renderable, LayoutUpdate) and not app._batch_count and renderable.region == screen.region:
            whole_frames.append("\n".join(strip.text for strip in screen._compositor.render_strips()))
        display(screen, renderable)

    app._display = recording_display  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)):
        # Waiting through the Pilot would paint the screen itself (`Pilot.pause` runs
        # the screen's update): wait on the loop alone.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while not whole_frames and loop.time() < deadline:
            await asyncio.sleep(0.02)
        assert whole_frames, "no whole frame reached the terminal before the update timer's tick"
        assert "Message…" in whole_frames[0]


async def test_no_frame_is_rendered_inside_the_start_up_batch_only_to_be_dropped(chat_context: Any) -> None:
    """Issue 12 (a long chat opened with `-c`): Textual renders a frame inside its
    start-up batch and drops it; for a chat that was a full render of the messages on
    screen before the one that is shown."""
    conversation = Conversation()
    for i in range(200):
        conversation.append(Message(role="user", content=f"question {i}"))
        conversation.append(Message(role="assistant", content=f"## Answer {i}\n\n- one\n- two", model="gpt-4o-mini"))
    app = ChatApp(chat_context, conversation=conversation)
    dropped: list[object] = []
    shown: list[object] = []
    display = app._display

    def recording_display(screen: Any, renderable: Any) -> None:
        if renderable is not None and not shown:
            (dropped if app._batch_count else shown).append(renderable)
        display(screen, renderable)

    app._display = recording_display  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: shown)
        assert dropped == []
