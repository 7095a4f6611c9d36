"""What replies cost, in `chatterm history show` and the exports, as a user runs them on a
real history file: each reply whose cost was saved says it, the chat's total is given
(the total of the replies the output holds: the current branch in `show` and Markdown,
every branch in JSON), and a chat with no cost prints exactly what it printed before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatterm.api.types import Usage
from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from tests.cli.runner import chatterm
from tests.store.store_helpers import save_all, simple_chat


def _reply(text: str, cost: float | None) -> Message:
    return Message("assistant", text, model="gpt-4o", usage=Usage(prompt_tokens=1000, completion_tokens=200), cost=cost)


@pytest.fixture
def priced(tmp_path: Path) -> tuple[Path, Conversation, Conversation]:
    """A chat whose first reply was regenerated (the first try, $0.004, is on another
    branch; the second, $0.0125, is current) and whose last reply has no price; and a
    chat with no cost at all."""
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        chat = Conversation()
        chat.append(Message("user", "How do tides work?"))
        chat.append(_reply("The first try.", 0.004))
        save_all(store, chat)
        chat.messages.pop()
        second = chat.append(_reply("The moon pulls the sea.", 0.0125))
        store.save_message(chat, second)
        chat.append(Message("user", "And twice a day?"))
        chat.append(_reply("Two bulges.", None))
        save_all(store, chat)
        plain = simple_chat(store, "hello", "hi there", model="m-a")
    return db, chat, plain


def test_history_show_gives_each_priced_reply_and_the_total(priced) -> None:
    db, chat, _plain = priced
    run = chatterm("--history", str(db), "history", "show", chat.id)
    assert run.code == 0, run.err
    header = run.out.splitlines()[1]
    assert header.endswith("  ·  cost $0.0125")  # the branch shown: the first try is not on it
    replies = run.out.split("[Assistant · gpt-4o]")
    assert replies[1].strip().splitlines() == [
        "The moon pulls the sea.",
        "   cost: $0.0125",
        "",
        "[You]",
        "And twice a day?",
    ]
    assert replies[2].strip() == "Two bulges."


def test_exports_give_each_priced_reply_and_the_total(priced) -> None:
    db, chat, _plain = priced
    markdown = chatterm("--history", str(db), "history", "export", chat.id).out
    assert " · cost $0.0125 · chat `" in markdown.splitlines()[2]
    first, second = markdown.split("## Assistant · gpt-4o")[1:]
    assert first.strip().endswith("The moon pulls the sea.\n\n*Cost: $0.0125*\n\n## You\n\nAnd twice a day?")
    assert "Cost" not in second

    data = json.loads(chatterm("--history", str(db), "history", "export", chat.id, "--format", "json").out)
    costs = [m["cost"] for m in data["messages"]]
    assert costs == [None, 0.004, 0.0125, None, None]
    assert data["chat"]["cost"] == pytest.approx(0.0165)  # every branch the document holds
    shown = json.loads(chatterm("--history", str(db), "history", "show", chat.id, "--json").out)
    assert shown["chat"]["cost"] == data["chat"]["cost"]


def test_a_chat_without_cost_prints_as_before(priced) -> None:
    db, _chat, plain = priced
    show = chatterm("--history", str(db), "history", "show", plain.id).out
    assert "cost" not in show and "$" not in show
    assert show.splitlines()[1].endswith("  ·  m-a")
    markdown = chatterm("--history", str(db), "history", "export", plain.id).out
    assert "ost" not in markdown and "$" not in markdown
    data = json.loads(chatterm("--history", str(db), "history", "export", plain.id, "--format", "json").out)
    assert set(data["chat"]) == {
        "id",
        "title",
        "title_is_custom",
        "settings",
        "created_at",
        "updated_at",
        "current_leaf_id",
    }
