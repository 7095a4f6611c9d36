"""Pilot tests of a reply's parts: the thinking block, citations, tool-call rows with
the approval modal, regenerate with branch stepping, edit-and-resend, the first-run
dialog. All against the demo gateway."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.citations import CitationList
from chatterm.tui.widgets.message import AssistantMessageView, UserMessageView
from chatterm.tui.widgets.thinking import ThinkingBlock
from chatterm.tui.widgets.tool_call import ToolCallRow

from .approving import approve
from .conftest import first_run_context, reply_done, send, wait_until

SIZE = (100, 40)


async def test_thinking_folds_when_the_answer_starts_and_citations_are_listed(chat_context: Any) -> None:
    chat_context.config.model = "qwen3-coder-plus"
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "f4")
        await send(pilot, "tell me about textual streaming")
        await reply_done(pilot)
        [reply] = app.chat_screen.query(AssistantMessageView)
        assert reply.message.reasoning
        thinking = reply.query_one(ThinkingBlock)
        assert thinking.collapsed
        # how long it thought (it streamed here) and how much it wrote
        assert re.fullmatch(rf"Thought for \d+\.\d s · {len(reply.message.reasoning):,} chars", thinking.title)
        await pilot.click(thinking.query_one("CollapsibleTitle"))
        assert not thinking.collapsed
        assert thinking.body.text == reply.message.reasoning
        citations = reply.query_one(CitationList)
        assert reply.message.citations
        text = str(citations.render())
        for number, citation in enumerate(reply.message.citations, 1):
            assert f"[{number}]" in text and (citation.title or citation.url) in text


async def test_tool_call_row_waits_for_approval_then_shows_the_result(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "what time is it?")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ToolApprovalScreen")
        row = app.chat_screen.query_one(ToolCallRow)
        assert row.status == "waiting" and "waiting for approval" in row.title
        assert row.call.name == "current_time"
        await approve(pilot)
        await reply_done(pilot, replies=2)
        assert row.status == "done" and row.has_class("-done")
        assert row.result.output  # the tool's output, shown in the row
        final = list(app.chat_screen.query(AssistantMessageView))[-1]
        assert "current_time" in final.body.text


async def test_denied_tool_call_is_marked_denied(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "what time is it?")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ToolApprovalScreen")
        await pilot.press("n")
        await reply_done(pilot, replies=2)
        row = app.chat_screen.query_one(ToolCallRow)
        assert row.status == "denied"
        assert "declined" in row.result.output


async def test_a_reply_stopped_while_approval_waits_closes_the_approval_dialog(chat_context: Any) -> None:
    """The reply is stopped, so nobody waits for the dialog's answer: it goes too."""
    from chatterm.tui.screens.approval import ToolApprovalScreen

    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "what time is it?")
        await wait_until(pilot, lambda: isinstance(app.screen, ToolApprovalScreen))
        assert app.chat_screen.stop_reply()  # what a new chat or a history pick does first
        await wait_until(pilot, lambda: app.screen is app.chat_screen)
        assert not any(isinstance(s, ToolApprovalScreen) for s in app.screen_stack)
        assert not app.chat_screen.replying


async def test_regenerate_keeps_a_branch_and_steps_between_replies(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "count my words")
        await reply_done(pilot)
        first_id = app.conversation.messages[-1].id
        await pilot.press("ctrl+up", "r")  # message mode: regenerate
        await wait_until(pilot, lambda: app.conversation.messages[-1].id != first_id)
        await reply_done(pilot)
        replies = list(app.chat_screen.query(AssistantMessageView))
        assert len(replies) == 1  # the old reply left the pane; it is a branch now
        second_id = replies[0].message.id
        await wait_until(pilot, lambda: replies[0].stepper.has_class("-shown"))
        assert "2/2" in str(replies[0].stepper.query_one("#branch-count").render())
        replies[0].focus()
        await pilot.press("left")
        await wait_until(pilot, lambda: app.conversation.messages[-1].id == first_id)
        [shown] = app.chat_screen.query(AssistantMessageView)
        assert shown.message.id == first_id
        assert "1/2" in str(shown.stepper.query_one("#branch-count").render())
        shown.focus()
        await pilot.press("right")
        await wait_until(pilot, lambda: app.conversation.messages[-1].id == second_id)


async def test_edit_and_resend_branches_from_the_prompt(chat_context: Any, demo_gateway: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first wording")
        await reply_done(pilot)
        app.chat_screen.query_one(UserMessageView).focus()
        await pilot.press("e")
        assert app.chat_screen.prompt.text == "first wording"
        app.chat_screen.prompt.load_text("second wording")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.conversation.messages[0].text == "second wording")
        await reply_done(pilot)
        [user] = app.chat_screen.query(UserMessageView)
        assert user.message.text == "second wording"
        assert [m.role for m in app.conversation.messages] == ["user", "assistant"]
        assert "second wording" in app.conversation.messages[1].text
        body = [r for r in demo_gateway.requests if r.method == "POST"][-1].body
        assert [m["content"] for m in body["messages"] if m["role"] == "user"] == ["second wording"]


async def test_first_run_dialog_saves_the_gateway_and_chats(demo_gateway: Any, tmp_path: Path) -> None:
    context = first_run_context(tmp_path)
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "FirstRunScreen")
        app.screen.query_one("#first-run-url").value = demo_gateway.base_url  # type: ignore[attr-defined]
        app.screen.query_one("#first-run-key").value = "demo-key"  # type: ignore[attr-defined]
        await pilot.click("#first-run-save")
        await wait_until(pilot, lambda: app.screen is app.chat_screen and app.session is not None)
        await send(pilot, "hello after setup")
        await reply_done(pilot)
        assert "Echo: hello after setup" in app.chat_screen.query_one(AssistantMessageView).body.text
    config_file = tmp_path / "config.toml"
    assert demo_gateway.base_url in config_file.read_text()
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


async def test_history_reopens_a_saved_chat_and_continues_it(chat_context: Any, demo_gateway: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "remember the lighthouse")
        await reply_done(pilot)
        first_chat = app.conversation.id
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: app.conversation.id != first_chat)
        assert not app.chat_screen.pane.views()
        await pilot.press("f8")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        table = app.screen.query_one("#history-table")
        await wait_until(pilot, lambda: table.row_count > 0)  # type: ignore[attr-defined]
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.conversation.id == first_chat and app.screen is app.chat_screen)
        [user] = app.chat_screen.query(UserMessageView)
        assert user.message.text == "remember the lighthouse"
        await send(pilot, "and again")
        await reply_done(pilot, replies=2)
        body = [r for r in demo_gateway.requests if r.method == "POST"][-1].body
        assert [m["content"] for m in body["messages"] if m["role"] == "user"] == [
            "remember the lighthouse",
            "and again",
        ]


async def test_thinking_is_open_while_it_streams(chat_context: Any, monkeypatch: Any) -> None:
    chat_context.config.model = "qwen3-coder-plus"
    seen: list[tuple[bool, str]] = []
    feed = ThinkingBlock.feed

    def spy(self: ThinkingBlock, text: str) -> None:
        feed(self, text)
        seen.append((self.collapsed, self.title))

    monkeypatch.setattr(ThinkingBlock, "feed", spy)
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await send(pilot, "think slowly")
        await reply_done(pilot)
        thinking = app.chat_screen.query_one(ThinkingBlock)
        assert seen and all(not collapsed and title.startswith("Thinking…") for collapsed, title in seen)
        assert thinking.collapsed and thinking.title.startswith("Thought for")


async def test_attached_files_go_with_the_next_prompt(chat_context: Any, demo_gateway: Any, tmp_path: Path) -> None:
    from chatterm.tui.widgets.attachments import AttachmentChips

    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.4 tiny")
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4 tiny too")
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        chips = app.chat_screen.query_one(AttachmentChips)
        chips.add_path(str(notes))
        await pilot.pause()
        assert chips.has_class("-has-files") and chips.display
        await send(pilot, f"summarise these, also @{other}")
        await reply_done(pilot)
        [user] = app.chat_screen.query(UserMessageView)
        assert user.message.attachments == ["notes.pdf", "other.pdf"]
        assert not chips.paths and not chips.has_class("-has-files")
        assert [r for r in demo_gateway.requests if r.method == "POST"][-1].path.endswith("/responses")
