"""Branch steppers on every message that has siblings, not only the last reply:
regenerate a reply, go on chatting, then step back on the earlier reply (and forward
again); an edited prompt steps back to the original wording; a chat shown again (from
history) gets its steppers after the first frame. Against the demo gateway, with the
history store on real files."""

from __future__ import annotations

from typing import Any

from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.message import AssistantMessageView, MessageView, UserMessageView

from .conftest import edit_first_prompt, reply_done, send, wait_until

SIZE = (100, 40)


def stepper(view: MessageView) -> str:
    """'2/3' when the stepper shows, '' when hidden."""
    if not view.stepper.has_class("-shown"):
        return ""
    return str(view.stepper.query_one("#branch-count").render()).strip()


def replies(app: ChatApp) -> list[AssistantMessageView]:
    return list(app.chat_screen.query(AssistantMessageView))


async def regenerated_then_continued(pilot: Any) -> tuple[str, str]:
    """one -> reply A, regenerate -> reply B, two -> reply C. Returns (A id, B id)."""
    app: Any = pilot.app
    await send(pilot, "one")
    await reply_done(pilot)
    first = app.conversation.messages[-1].id
    await pilot.press("ctrl+up", "r")  # message mode: regenerate
    await wait_until(pilot, lambda: app.conversation.messages[-1].id != first)
    await reply_done(pilot)
    second = app.conversation.messages[-1].id
    await send(pilot, "two")
    await reply_done(pilot, replies=2)
    return first, second


async def test_an_earlier_reply_shows_its_stepper_and_steps(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        first, second = await regenerated_then_continued(pilot)
        earlier, last = replies(app)
        assert earlier.message.id == second
        await wait_until(pilot, lambda: stepper(earlier) == "2/2")
        assert stepper(last) == ""  # no siblings: no stepper

        pane = app.chat_screen.pane
        pane.release_anchor()  # as a user scrolling up to it
        pane.scroll_to_widget(earlier, animate=False, top=True)
        await pilot.pause()
        await pilot.click(earlier.stepper.query_one("#branch-prev"))
        await wait_until(pilot, lambda: [v.message.id for v in replies(app)] == [first])
        assert [m.text for m in app.conversation.messages if m.role == "user"] == ["one"]
        [shown] = replies(app)
        await wait_until(pilot, lambda: stepper(shown) == "1/2")
        assert app.focused is app.chat_screen.prompt  # a click leaves typing in the prompt
        await pilot.press("ctrl+up")  # message mode: the keys step
        assert app.focused is shown

        await pilot.press("right")
        await wait_until(pilot, lambda: len(replies(app)) == 2)
        assert [m.text for m in app.conversation.messages if m.role == "user"] == ["one", "two"]
        assert replies(app)[0].message.id == second
        await wait_until(pilot, lambda: stepper(replies(app)[0]) == "2/2")

        # The chat goes on from the branch on screen.
        await pilot.click("#prompt")
        await send(pilot, "three")
        await reply_done(pilot, replies=3)
        assert [m.text for m in app.conversation.messages if m.role == "user"] == ["one", "two", "three"]


async def test_an_edited_prompt_steps_back_to_the_first_wording(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await edit_first_prompt(pilot, "first wording", "second wording")
        [user] = app.chat_screen.query(UserMessageView)
        await wait_until(pilot, lambda: stepper(user) == "2/2")
        user.focus()
        await pilot.press("left")
        await wait_until(pilot, lambda: app.conversation.messages[0].text == "first wording")
        [user] = app.chat_screen.query(UserMessageView)
        assert "Echo: first wording" in replies(app)[0].body.text
        await wait_until(pilot, lambda: stepper(user) == "1/2")


async def test_a_reopened_chat_gets_steppers_for_its_mounted_messages(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await regenerated_then_continued(pilot)
        chat_id = app.conversation.id
        store = app.session.recorder  # type: ignore[union-attr]
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: not app.chat_screen.pane.views())
        await app.load_conversation(store.load(chat_id))
        await wait_until(pilot, lambda: len(replies(app)) == 2)
        earlier, last = replies(app)
        await wait_until(pilot, lambda: stepper(earlier) == "2/2")
        assert stepper(last) == ""
