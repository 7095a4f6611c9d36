"""Builders shared by the history store tests (a uniquely named module, so importing it
never collides with another folder's conftest)."""

from __future__ import annotations

from chatterm.api.types import Citation, ToolCall, Usage
from chatterm.engine.conversation import ChatSettings, Conversation, Message, Timings
from chatterm.store import ChatStore


def rich_conversation() -> Conversation:
    """A chat with everything a gateway exchange can hold: a system prompt, reasoning,
    a tool round trip (with provider extras on the call), citations, usage and timings,
    an attachment, a model switch and a failed reply."""
    conv = Conversation(
        settings=ChatSettings(
            model="gemini-2.5-pro",
            system_prompt="You are terse.",
            temperature=0.3,
            response_format={"type": "json_object"},
            disabled_tools=["read_file"],
        )
    )
    conv.append(Message("user", "What time is it in Paris?\nBe precise.", attachments=["notes.txt"]))
    conv.append(
        Message(
            "assistant",
            None,
            reasoning="I should call the clock tool.",
            tool_calls=[
                ToolCall(
                    "call_1",
                    "current_time",
                    '{"tz": "Europe/Paris"}',
                    {"extra_content": {"google": {"thought_signature": "c2lnbmF0dXJl"}}},
                )
            ],
            model="gemini-2.5-pro",
            finish_reason="tool_calls",
            usage=Usage(12, 30, 42, reasoning_tokens=20),
            timings=Timings(0.25, 1.5),
        )
    )
    conv.append(Message("tool", "2026-11-29T11:15:00+01:00", tool_call_id="call_1", name="current_time"))
    conv.append(
        Message(
            "assistant",
            "It is 11:15 in Paris.",
            model="gemini-2.5-pro",
            citations=[Citation("https://time.example/paris", "Paris time"), Citation("https://b.example")],
            usage=Usage(60, 8, 68, cached_tokens=10),
            timings=Timings(0.1, 0.4),
        )
    )
    conv.append(Message("user", "And in Tokyo?"))
    conv.append(Message("assistant", "It is 19:1", model="gpt-4o", state="failed", error="HTTP 502: upstream died"))
    return conv


def save_all(store: ChatStore, conv: Conversation) -> None:
    """Save the way the engine does: the chat row, then each message as it comes."""
    store.save_chat(conv)
    for m in conv.messages:
        store.save_message(conv, m)


def simple_chat(
    store: ChatStore, prompt: str, reply: str, *, model: str = "gpt-4o-mini", updated_at: float | None = None
) -> Conversation:
    conv = Conversation()
    conv.append(Message("user", prompt))
    conv.append(Message("assistant", reply, model=model))
    if updated_at is not None:
        conv.created_at = conv.updated_at = updated_at
    save_all(store, conv)
    return conv
