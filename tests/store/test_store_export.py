"""Export to JSON and Markdown; JSON imports back to an identical chat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatterm.engine.conversation import Message
from chatterm.store import ChatStore, StoreError
from tests.store.store_helpers import rich_conversation, save_all


def _branchy(store: ChatStore):
    conv = rich_conversation()
    save_all(store, conv)
    # a regenerated last reply: the failed one stays as a sibling branch
    conv.messages.pop()
    retry = conv.append(Message("assistant", "It is 19:15 in Tokyo.", model="gpt-4o"))
    store.save_message(conv, retry)
    return conv


def test_export_import_export_is_identical(tmp_path: Path) -> None:
    with ChatStore(tmp_path / "a.db") as a:
        conv = _branchy(a)
        first = a.export_json(conv.id)
    text = json.dumps(first)
    with ChatStore(tmp_path / "b.db") as b:
        chat_id = b.import_json(json.loads(text))
        assert chat_id == conv.id  # ids are kept when they are free
        second = b.export_json(chat_id)
        loaded = b.load(chat_id)
    assert json.dumps(second) == text
    assert loaded.wire_messages() == conv.wire_messages()
    assert len(first["messages"]) == 7  # every branch is exported


def test_json_export_shape(store: ChatStore) -> None:
    conv = _branchy(store)
    data = store.export_json(conv.id)
    assert data["format"] == "chatterm-chat" and data["version"] == 1
    assert data["chat"]["title"] == "What time is it in Paris?"
    assert data["chat"]["settings"]["system_prompt"] == "You are terse."
    assert data["chat"]["current_leaf_id"] == conv.messages[-1].id
    call_msg = data["messages"][1]
    # the gateway's wire format, provider extras inline on the tool call
    assert call_msg["role"] == "assistant"
    assert call_msg["tool_calls"][0] == {
        "id": "call_1",
        "type": "function",
        "function": {"name": "current_time", "arguments": '{"tz": "Europe/Paris"}'},
        "extra_content": {"google": {"thought_signature": "c2lnbmF0dXJl"}},
    }
    assert call_msg["reasoning"] == "I should call the clock tool."
    assert data["messages"][2]["tool_call_id"] == "call_1"
    assert {m["state"] for m in data["messages"]} == {"ok", "failed"}


def test_importing_a_chat_twice_gives_a_copy_with_new_ids(store: ChatStore) -> None:
    conv = _branchy(store)
    data = store.export_json(conv.id)
    copy_id = store.import_json(data)
    assert copy_id != conv.id
    original, copy = store.load(conv.id), store.load(copy_id)
    assert copy.wire_messages() == original.wire_messages()
    assert {m.id for m in copy.messages}.isdisjoint({m.id for m in original.messages})
    assert len(store.export_json(copy_id)["messages"]) == 7
    assert len(store.list_chats()) == 2
    # siblings survive the id remapping
    assert [m.content for m in store.siblings(copy.messages[-1].id)] == ["It is 19:1", "It is 19:15 in Tokyo."]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"format": "something-else"}, "not a chatterm chat export"),
        ([], "not a chatterm chat export"),
        ({"format": "chatterm-chat", "version": 99, "chat": {}, "messages": []}, "version 99"),
        ({"format": "chatterm-chat", "version": 1, "chat": {}}, "messages"),
        ({"format": "chatterm-chat", "version": 1, "chat": {}, "messages": [{"content": "x"}]}, "malformed"),
        ({"format": "chatterm-chat", "version": 1, "chat": {}, "messages": [{"role": "wizard"}]}, "unknown role"),
    ],
)
def test_bad_imports_are_refused_clearly(store: ChatStore, data, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        store.import_json(data)
    assert store.list_chats() == []


def test_markdown_export_reads_well(store: ChatStore) -> None:
    conv = _branchy(store)
    md = store.export_markdown(conv.id[:8])
    assert md.startswith("# What time is it in Paris?\n")
    assert "## You\n\nWhat time is it in Paris?\nBe precise." in md
    assert "## Assistant · gemini-2.5-pro" in md and "## Assistant · gpt-4o" in md
    assert "<details>\n<summary>Reasoning</summary>\n\nI should call the clock tool.\n\n</details>" in md
    assert "<summary>Tool call: current_time</summary>" in md and '{"tz": "Europe/Paris"}' in md
    assert "<summary>Tool result: current_time</summary>" in md
    # numbered, so the reply's [1], [2] markers each find their source
    assert "Sources:\n\n1. [Paris time](https://time.example/paris)\n2. [https://b.example](https://b.example)" in md
    assert "<summary>System prompt</summary>" in md
    assert "It is 19:15 in Tokyo." in md and "It is 19:1\n" not in md  # current branch only
    assert "Attached: `notes.txt`" in md
