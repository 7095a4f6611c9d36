"""Full-text search: bm25 with prompts above replies, snippets, safe for any input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatterm.engine.conversation import ChatSettings, Conversation, Message
from chatterm.store import ChatStore
from tests.store.store_helpers import save_all, simple_chat


def test_prompt_match_ranks_above_reply_match(store: ChatStore) -> None:
    # Same word, same length of text: once in a reply (saved first), once in a prompt.
    in_reply = simple_chat(store, "tell me about animals", "the capybara is large")
    in_prompt = simple_chat(store, "the capybara is large", "tell me about animals")
    hits = store.search("capybara")
    assert [(h.chat_id, h.role) for h in hits] == [
        (in_prompt.id, "user"),
        (in_reply.id, "assistant"),
    ]
    assert hits[0].rank < hits[1].rank


def test_snippet_marks_the_match_with_offsets(store: ChatStore) -> None:
    long_text = " ".join(["filler"] * 40) + " the Quokka smiles " + " ".join(["padding"] * 40)
    conv = simple_chat(store, "question", long_text)
    [hit] = store.search("quokka")
    assert hit.chat_id == conv.id and hit.title == "question"
    assert "«Quokka»" in hit.snippet
    [(start, end)] = hit.highlights
    assert hit.text[start:end] == "Quokka"
    assert hit.text.startswith("…") and hit.text.endswith("…")
    assert len(hit.text) < len(long_text) / 2
    assert hit.marked("[", "]").count("[Quokka]") == 1


def test_prefix_and_phrase_and_multiple_terms(store: ChatStore) -> None:
    a = simple_chat(store, "python packaging woes", "use a venv")
    b = simple_chat(store, "packaging a python app", "try zipapp")
    assert {h.chat_id for h in store.search("pyth")} == {a.id, b.id}
    assert {h.chat_id for h in store.search('"python packaging"')} == {a.id}
    assert {h.chat_id for h in store.search("python zipapp")} == set()  # terms AND within a message
    assert {h.chat_id for h in store.search("zipapp")} == {b.id}


def test_accents_and_case_are_folded(store: ChatStore) -> None:
    conv = simple_chat(store, "Crème brûlée recipe", "Caramelise the top")
    assert [h.chat_id for h in store.search("creme BRULEE")] == [conv.id]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "(",
        "a OR",
        "NOT",
        "AND AND",
        "col:value",
        "x*y",
        "-",
        "^start",
        "NEAR(a b)",
        "'; DROP TABLE chats; --",
        "*",
        "\\",
        "\ue000",
        "   ",
        "",
        'a"b',
    ],
)
def test_any_user_input_is_safe(store: ChatStore, query: str) -> None:
    simple_chat(store, "plain words here", "and a reply")
    assert isinstance(store.search(query), list)
    assert len(store.list_chats()) == 1


def test_operators_are_searched_as_words(store: ChatStore) -> None:
    conv = simple_chat(store, "should I use AND or OR here", "either")
    assert [h.chat_id for h in store.search("OR here")] == [conv.id]


def test_system_prompt_and_tool_output_are_not_indexed(store: ChatStore) -> None:
    conv = Conversation(settings=ChatSettings(system_prompt="You are an ocelot expert."))
    conv.append(Message("user", "hello"))
    conv.append(Message("tool", "ocelot facts from a tool", tool_call_id="c1", name="lookup"))
    conv.append(Message("assistant", "hi there", model="m"))
    save_all(store, conv)
    assert store.search("ocelot") == []
    assert [h.role for h in store.search("hello")] == ["user"]


def test_index_follows_a_streaming_reply(store: ChatStore, db_path: Path) -> None:
    conv = Conversation()
    store.save_message(conv, conv.append(Message("user", "go")))
    reply = conv.append(Message("assistant", "", model="m", state="streaming"))
    for text in ["The arma", "The armadillo", "The armadillo digs burrows"]:
        reply.content = text
        store.save_message(conv, reply)
    assert [h.message_id for h in store.search("burrows")] == [reply.id]
    assert [h.message_id for h in store.search("armadillo")] == [reply.id]
    assert store.search("arma ") == []  # the stale partial word is gone (no prefix: trailing space)
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT COUNT(*) FROM messages_fts").fetchone() == (2,)
    raw.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
    raw.close()


def test_limit(store: ChatStore) -> None:
    for i in range(5):
        simple_chat(store, f"narwhal number {i}", "ok")
    assert len(store.search("narwhal", limit=3)) == 3
