"""The store as the engine's Recorder, end to end against the demo gateway: a reloaded
chat sends exactly what the original would have, branches survive, no key is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.api.client import ChatClient
from chatterm.api.types import ToolCall
from chatterm.engine.conversation import ChatSettings, Conversation
from chatterm.engine.session import ChatSession
from chatterm.store import ChatStore
from chatterm.tools import builtin_registry
from tests.open_clients import tracked


async def allow(call: ToolCall, tool: Any) -> str:
    return "once"


def _session(gateway, store: ChatStore, conversation: Conversation) -> ChatSession:
    from chatterm.demo import DEMO_API_KEY

    return ChatSession(
        tracked(ChatClient(gateway.base_url, DEMO_API_KEY, max_retries=0)),
        conversation,
        tools=builtin_registry(),
        approve=allow,
        recorder=store,
    )


async def _send(session: ChatSession, prompt: str) -> None:
    async for _event in session.send(prompt):
        pass


async def test_reloaded_chat_continues_exactly(demo_gateway, tmp_path: Path) -> None:
    from chatterm.demo import DEMO_API_KEY

    db = tmp_path / "history.db"
    store = ChatStore(db)
    conv = Conversation(settings=ChatSettings(model="gemini-3-pro-preview", system_prompt="Be brief.", thinking=True))
    session = _session(demo_gateway, store, conv)
    await _send(session, "!parallel")  # two tool calls with Gemini thought signatures
    conv.settings.model = "gpt-4o-mini"  # the user switches model mid-chat
    await _send(session, "Tell me about SQLite")
    await session.client.aclose()
    store.close()

    original = session.conversation
    roles = [m.role for m in original.messages]
    assert roles == ["user", "assistant", "tool", "tool", "assistant", "user", "assistant"]
    with ChatStore(db) as again:
        loaded = again.load(original.id)
        assert loaded.wire_messages() == original.wire_messages()
        assert [m.to_dict() for m in loaded.messages] == [m.to_dict() for m in original.messages]
        assert loaded.models == ["gemini-3-pro-preview", "gpt-4o-mini"]
        calls = loaded.messages[1].tool_calls
        assert calls and all("thought_signature" in str(c.extra) for c in calls)

        # continue the reloaded chat in a "new window": the request carries the old turns
        resumed = _session(demo_gateway, again, loaded)
        await _send(resumed, "and one more thing")
        await resumed.client.aclose()
        sent = demo_gateway.requests[-1].body["messages"]
        assert sent[:-1] == original.wire_messages()
        assert sent[-1] == {"role": "user", "content": "and one more thing"}
        assert [m.role for m in again.load(original.id).messages][-2:] == ["user", "assistant"]

    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("history.db"))
    assert DEMO_API_KEY.encode() not in files


async def test_regenerate_keeps_the_old_reply_as_a_sibling(demo_gateway, tmp_path: Path) -> None:
    with ChatStore(tmp_path / "history.db") as store:
        session = _session(demo_gateway, store, Conversation())
        await _send(session, "Tell me about lemurs")
        first = session.conversation.messages[-1]
        async for _event in session.regenerate():
            pass
        second = session.conversation.messages[-1]
        await session.client.aclose()

        assert first.id != second.id
        assert [m.id for m in store.siblings(second.id)] == [first.id, second.id]
        assert store.load(session.conversation.id).messages[-1].id == second.id
        back = store.switch_branch(session.conversation.id, first.id)
        assert back.messages[-1].id == first.id
        assert store.list_chats()[0].message_count == 3
