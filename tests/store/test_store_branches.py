"""Branches: regenerate and edit keep the old messages; the user steps between them."""

from __future__ import annotations

from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from tests.store.store_helpers import save_all


def _branching_chat(store: ChatStore) -> tuple[Conversation, Message, Message, Message]:
    conv = Conversation()
    q = conv.append(Message("user", "Name a colour"))
    first = conv.append(Message("assistant", "Red", model="m1", created_at=q.created_at + 1))
    save_all(store, conv)
    # regenerate: drop the last reply from the branch, append a new one with the same parent
    conv.messages.pop()
    second = conv.append(Message("assistant", "Blue", model="m2", created_at=q.created_at + 2))
    store.save_message(conv, second)
    return conv, q, first, second


def test_regenerated_reply_is_a_sibling(store: ChatStore) -> None:
    conv, q, first, second = _branching_chat(store)
    assert [m.content for m in store.siblings(second.id)] == ["Red", "Blue"]
    assert [m.content for m in store.siblings(first.id)] == ["Red", "Blue"]
    assert [m.id for m in store.siblings(q.id)] == [q.id]
    loaded = store.load(conv.id)
    assert [m.content for m in loaded.messages] == ["Name a colour", "Blue"]
    assert store.list_chats()[0].message_count == 3


def test_switch_branch_follows_the_newest_descendants(store: ChatStore) -> None:
    conv, _q, first, second = _branching_chat(store)
    # continue on the old branch: Red -> follow-up -> answer
    old = store.switch_branch(conv.id, first.id)
    assert [m.content for m in old.messages] == ["Name a colour", "Red"]
    follow = old.append(Message("user", "Why red?"))
    store.save_message(old, follow)
    answer = old.append(Message("assistant", "Because.", model="m1"))
    store.save_message(old, answer)

    assert [m.content for m in store.load(conv.id).messages] == ["Name a colour", "Red", "Why red?", "Because."]
    back = store.switch_branch(conv.id, second.id)
    assert [m.content for m in back.messages] == ["Name a colour", "Blue"]
    # switching to the root's branch follows the newest child (Blue) to its leaf
    again = store.switch_branch(conv.id[:8], first.id)
    assert again.messages[-1].id == answer.id
    assert [m.content for m in store.load(conv.id).messages][-1] == "Because."


def test_edited_prompt_branches_from_the_root(store: ChatStore) -> None:
    conv, q, _first, _second = _branching_chat(store)
    conv.messages.clear()
    edited = conv.append(Message("user", "Name a fruit"))
    store.save_message(conv, edited)
    assert [m.content for m in store.siblings(edited.id)] == ["Name a colour", "Name a fruit"]
    assert [m.content for m in store.load(conv.id).messages] == ["Name a fruit"]
    assert [m.content for m in store.switch_branch(conv.id, q.id).messages] == ["Name a colour", "Blue"]
