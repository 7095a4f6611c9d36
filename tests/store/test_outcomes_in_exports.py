"""What the TUI shows of a chat's ends, exports and `history show` say too: a tool
call's stored outcome (failed, denied, interrupted; a result that merely contains
"declined" is done) and a reply cut by max tokens or a content filter. Real SQLite
file; `history show` as a subprocess."""

from __future__ import annotations

from pathlib import Path

from chatterm.api.types import ToolCall
from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from chatterm.store.export import chat_to_markdown
from tests.cli.runner import chatterm


def a_chat() -> Conversation:
    conv = Conversation(title="ends")
    conv.append(Message("user", "run things"))
    calls = [ToolCall("c1", "pay", "{}"), ToolCall("c2", "calc", "{}"), ToolCall("c3", "rm", "{}")]
    conv.append(Message("assistant", None, tool_calls=calls, finish_reason="tool_calls"))
    conv.append(Message("tool", "The card was declined by the bank.", tool_call_id="c1", name="pay"))
    conv.append(Message("tool", "Error: ZeroDivisionError", tool_call_id="c2", name="calc", error="failed"))
    conv.append(Message("tool", "Interrupted: ...", tool_call_id="c3", name="rm", error="interrupted"))
    conv.append(Message("assistant", "Here is the start of", finish_reason="length"))
    conv.append(Message("user", "again"))
    conv.append(Message("assistant", "Some", finish_reason="content_filter"))
    return conv


def test_markdown_export_and_history_show_say_how_things_ended(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    conv = a_chat()
    with ChatStore(db) as store:
        store.save_conversation(conv)
        loaded = store.load(conv.id)
    markdown = chat_to_markdown(loaded)
    assert "<summary>Tool result: pay</summary>" in markdown
    assert "<summary>Tool result: calc (failed)</summary>" in markdown
    assert "<summary>Tool result: rm (interrupted)</summary>" in markdown
    assert "*(cut at the max-tokens limit: finish_reason `length`)*" in markdown
    assert "*(stopped by the provider's content filter: finish_reason `content_filter`)*" in markdown

    shown = chatterm("--history", str(db), "history", "show", conv.id)
    assert shown.code == 0, shown.err
    assert "[Tool · pay]" in shown.out and "[Tool · calc (failed)]" in shown.out
    assert "[Tool · rm (interrupted)]" in shown.out
    assert "(cut at the max-tokens limit)]" in shown.out
    assert "(stopped by the provider's content filter)]" in shown.out
