"""History in the running app (Pilot, real `ChatApp`, demo gateway on loopback, real
SQLite file): F8 opens the history, Enter opens a chat that shows at once and continues;
search and delete from there; `chatterm --continue` / `--chat ID` (the app built with
`conversation=store.load(...)` exactly as `chatterm.cli` does); regenerate keeps the old
reply as a branch and the pane steps between sibling replies; the title is the first
prompt's first line until renamed; deleting the chat that is open."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input

from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.screens.history import HistoryScreen
from chatterm.tui.widgets.message import AssistantMessageView, UserMessageView

from .conftest import reply_done, send, wait_until
from .waiting import wait_for_palette_hit

SIZE = (110, 36)


def chat_bodies(gateway: Any) -> list[dict[str, Any]]:
    return [r.body for r in gateway.requests if r.path.endswith("/chat/completions")]


def seed(context: Any) -> list[Conversation]:
    """Three saved chats, oldest first; the middle one is about wombats."""
    chats = []
    with ChatStore(context.history_path) as store:
        for i, (prompt, reply) in enumerate(
            [
                ("Tell me about otters", "Otters hold hands while they sleep."),
                ("where do wombats live?", "Wombats live in Australia."),
                ("What is a quokka?", "A small marsupial."),
            ]
        ):
            conv = Conversation()
            conv.append(Message("user", prompt))
            conv.append(Message("assistant", reply, model="gpt-4o-mini"))
            conv.created_at = conv.updated_at = 1_700_000_000 + i * 60
            store.save_conversation(conv)
            chats.append(conv)
    return chats


def shown(app: ChatApp) -> list[tuple[str, str]]:
    """(role, text) of every message view in the pane."""
    out = []
    for view in app.chat_screen.pane.views():
        if isinstance(view, (UserMessageView, AssistantMessageView)):
            out.append((view.message.role, view.message.text))
    return out


async def session_ready(pilot: Any) -> None:
    await wait_until(pilot, lambda: pilot.app.session is not None)


async def open_history(pilot: Any) -> HistoryScreen:
    await pilot.press("f8")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
    return pilot.app.screen


def row_of(screen: HistoryScreen, chat_id: str) -> int:
    table = screen.query_one("#history-table", DataTable)
    keys = [str(row.key.value) for row in table.ordered_rows]
    return keys.index(chat_id)


async def move_to(pilot: Any, screen: HistoryScreen, chat_id: str) -> None:
    table = screen.query_one("#history-table", DataTable)
    table.move_cursor(row=row_of(screen, chat_id))
    await pilot.pause()


# --- open and continue -------------------------------------------------------------------


async def test_f8_opens_history_and_enter_opens_a_chat_that_continues(chat_context: Any, demo_gateway: Any) -> None:
    otters, wombats, quokka = seed(chat_context)
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        screen = await open_history(pilot)
        table = screen.query_one("#history-table", DataTable)
        assert [str(r.key.value) for r in table.ordered_rows] == [quokka.id, wombats.id, otters.id]
        await move_to(pilot, screen, wombats.id)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        await wait_until(pilot, lambda: len(shown(app)) == 2)
        assert app.conversation.id == wombats.id
        assert shown(app) == [("user", "where do wombats live?"), ("assistant", "Wombats live in Australia.")]

        await send(pilot, "and what do they eat?")
        await reply_done(pilot, replies=2)
        sent = chat_bodies(demo_gateway)[-1]["messages"]
        assert [(m["role"], m["content"]) for m in sent] == [
            ("user", "where do wombats live?"),
            ("assistant", "Wombats live in Australia."),
            ("user", "and what do they eat?"),
        ]
    with ChatStore(chat_context.history_path) as store:
        loaded = store.load(wombats.id)
        assert [m.role for m in loaded.messages] == ["user", "assistant", "user", "assistant"]
        assert loaded.title == "where do wombats live?"
        assert store.last_chat_id() == wombats.id  # continuing made it the newest


async def test_command_palette_opens_history(chat_context: Any) -> None:
    seed(chat_context)
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"History")
        await wait_for_palette_hit(pilot, "History")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))


async def test_search_then_open_the_hit(chat_context: Any) -> None:
    _otters, wombats, _quokka = seed(chat_context)
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        screen = await open_history(pilot)
        await pilot.press(*"australia")  # typing on the list goes to the search box
        await wait_until(pilot, lambda: screen.mode == "search")
        assert screen.query_one("#history-search", Input).value == "australia"
        table = screen.query_one("#history-table", DataTable)
        assert table.row_count == 1
        await pilot.press("enter")  # Enter in the box focuses the hits
        await pilot.press("enter")  # Enter on the hit opens its chat
        await wait_until(pilot, lambda: app.conversation.id == wombats.id and len(shown(app)) == 2)
        assert shown(app)[1] == ("assistant", "Wombats live in Australia.")


async def test_a_search_hit_far_up_a_long_chat_opens_in_sight(chat_context: Any) -> None:
    """The hit is message 21 of 240: the chat opens with it mounted and on screen,
    not at the chat's end."""
    conv = Conversation()
    for i in range(120):
        conv.append(Message("user", f"question {i}" + (" about platypus eggs" if i == 10 else "")))
        conv.append(Message("assistant", f"answer {i}", model="gpt-4o-mini"))
    with ChatStore(chat_context.history_path) as store:
        store.save_conversation(conv)
    hit = conv.messages[20]
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        screen = await open_history(pilot)
        await pilot.press(*"platypus")
        await wait_until(pilot, lambda: screen.mode == "search")
        await wait_until(pilot, lambda: screen.query_one("#history-table", DataTable).row_count == 1)
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: app.conversation.id == conv.id)
        pane = app.chat_screen.pane
        await wait_until(pilot, lambda: any(v.message.id == hit.id for v in pane.views()))
        view = next(v for v in pane.views() if v.message.id == hit.id)
        await wait_until(
            pilot,
            lambda: (
                pane.max_scroll_y > 0
                and pane.scroll_offset.y < pane.max_scroll_y
                and pane.region.y <= view.region.y < pane.region.bottom
            ),
        )
        assert "platypus" in view.message.text


async def test_delete_from_history_asks_then_removes_the_chat(chat_context: Any) -> None:
    otters, wombats, quokka = seed(chat_context)
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        screen = await open_history(pilot)
        await move_to(pilot, screen, otters.id)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # no: nothing happens
        await pilot.pause()
        assert screen.query_one("#history-table", DataTable).row_count == 3
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.query_one("#history-table", DataTable).row_count == 2)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HistoryScreen))
    with ChatStore(chat_context.history_path) as store:
        assert [c.id for c in store.list_chats()] == [quokka.id, wombats.id]
        assert store.search("otters") == []


async def test_deleting_the_open_chat_starts_a_new_one_and_never_resurrects_it(
    chat_context: Any, demo_gateway: Any
) -> None:
    _otters, wombats, _quokka = seed(chat_context)
    with ChatStore(chat_context.history_path) as store:
        conversation = store.load(wombats.id)
    app = ChatApp(chat_context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        screen = await open_history(pilot)
        await move_to(pilot, screen, wombats.id)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.query_one("#history-table", DataTable).row_count == 2)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        assert app.conversation.id != wombats.id
        assert shown(app) == []
        await send(pilot, "a fresh start")
        await reply_done(pilot)
        assert chat_bodies(demo_gateway)[-1]["messages"] == [{"role": "user", "content": "a fresh start"}]
    with ChatStore(chat_context.history_path) as store:
        ids = [c.id for c in store.list_chats()]
        assert wombats.id not in ids and len(ids) == 3


# --- chatterm --continue / --chat ID ----------------------------------------------------------


async def test_continue_opens_the_last_chat_at_once_with_its_tool_history(chat_context: Any, demo_gateway: Any) -> None:
    """`chatterm -c`: cli.py loads `store.last_chat_id()` and hands it to ChatApp."""
    seed(chat_context)

    # a chat with a tool round trip, written by the engine through the store
    async def allow(call: Any, tool: Any) -> str:
        return "once"

    session = chat_context.make_session(approve=allow)
    async for _ in session.send("calculate 6*7"):
        pass
    await chat_context.aclose()
    with ChatStore(chat_context.history_path) as store:
        last = store.last_chat_id()
        assert last == session.conversation.id
        conversation = store.load(last)
    app = ChatApp(chat_context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(shown(app)) == 3)
        assert [role for role, _ in shown(app)] == ["user", "assistant", "assistant"]
        replies = list(app.chat_screen.query(AssistantMessageView))
        assert replies[0].message.tool_calls[0].name == "calculator"
        assert "42" in replies[1].message.text
        await session_ready(pilot)
        before = len(chat_bodies(demo_gateway))
        await send(pilot, "thanks")
        await reply_done(pilot, replies=3)
        sent = chat_bodies(demo_gateway)[before:][0]["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant", "user"]
        assert sent[2]["content"] == "42"


async def test_chat_id_opens_that_chat(chat_context: Any) -> None:
    """`chatterm --chat ID` (an id prefix works too)."""
    otters, _wombats, _quokka = seed(chat_context)
    with ChatStore(chat_context.history_path) as store:
        conversation = store.load(otters.id[:8])
    app = ChatApp(chat_context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(shown(app)) == 2)
        assert shown(app)[0] == ("user", "Tell me about otters")


# --- branches ------------------------------------------------------------------------------


async def test_regenerate_keeps_the_old_reply_as_a_branch_and_the_pane_steps_between_them(
    chat_context: Any, demo_gateway: Any
) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        await send(pilot, "hello there")
        await reply_done(pilot)
        first = app.conversation.messages[-1]
        app.set_model("deepseek-v3")  # so the two replies differ on screen
        await pilot.press("ctrl+up", "r")  # message mode: regenerate
        await wait_until(pilot, lambda: app.conversation.messages[-1].id != first.id)
        await reply_done(pilot)
        second = app.conversation.messages[-1]
        assert second.model == "deepseek-v3" and second.parent_id == first.parent_id
        [view] = app.chat_screen.query(AssistantMessageView)
        assert view.message.id == second.id
        store = app.session.recorder
        assert [m.id for m in store.siblings(second.id)] == [first.id, second.id]
        await wait_until(pilot, lambda: (view.stepper.index, view.stepper.count) == (1, 2))

        # step back to the first reply
        view.focus()
        await pilot.press("left")
        await wait_until(pilot, lambda: app.conversation.messages[-1].id == first.id)
        await pilot.pause()
        [view] = app.chat_screen.query(AssistantMessageView)
        assert view.message.id == first.id and view.message.model == "gpt-4o-mini"
        await wait_until(pilot, lambda: (view.stepper.index, view.stepper.count) == (0, 2))

        # the next message continues the branch on screen
        app.chat_screen.prompt.focus()
        await send(pilot, "go on")
        await reply_done(pilot, replies=2)
        sent = chat_bodies(demo_gateway)[-1]["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    with ChatStore(chat_context.history_path) as again:
        loaded = again.load(app.conversation.id)
        assert [m.id for m in loaded.messages][:2] == [first.parent_id, first.id]
        assert again.summary(loaded.id).message_count == 5  # both replies kept


async def test_edit_and_resend_branches_from_the_prompt(chat_context: Any, demo_gateway: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        await send(pilot, "first version")
        await reply_done(pilot)
        old_prompt = app.conversation.messages[0]
        [user_view] = app.chat_screen.query(UserMessageView)
        user_view.focus()
        await pilot.press("e")
        await wait_until(pilot, lambda: app.chat_screen.prompt.text == "first version")
        app.chat_screen.prompt.load_text("second version")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.conversation.messages[0].id != old_prompt.id)
        await reply_done(pilot)
        assert shown(app)[0] == ("user", "second version")
        assert chat_bodies(demo_gateway)[-1]["messages"] == [{"role": "user", "content": "second version"}]
        store = app.session.recorder
        assert [m.text for m in store.siblings(app.conversation.messages[0].id)] == ["first version", "second version"]


# --- titles ----------------------------------------------------------------------------------


async def test_title_is_the_first_prompts_first_line_until_renamed(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        await send(pilot, "\n   Plan a trip to Lisbon   \nwith two kids")
        await reply_done(pilot)
        await send(pilot, "Make it cheaper")
        await reply_done(pilot, replies=2)
        store = app.session.recorder
        chat_id = app.conversation.id
        assert store.summary(chat_id).title == "Plan a trip to Lisbon"

        screen = await open_history(pilot)
        await move_to(pilot, screen, chat_id)
        await pilot.press("r")
        await pilot.pause()
        rename = app.screen.query_one("#rename-input", Input)
        rename.value = "Lisbon with kids"
        await pilot.press("enter")
        await wait_until(pilot, lambda: store.summary(chat_id).title == "Lisbon with kids")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HistoryScreen))

        # later messages in the open chat keep the user's title
        await send(pilot, "Thanks")
        await reply_done(pilot, replies=3)
        assert store.summary(chat_id).title == "Lisbon with kids"
    with ChatStore(chat_context.history_path) as again:
        assert again.load(chat_id).title == "Lisbon with kids"


async def test_opening_a_search_hit_on_an_older_branch_shows_that_branch(chat_context: Any) -> None:
    conv = Conversation()
    prompt = conv.append(Message("user", "Tell me about penguins"))
    old = conv.append(Message("assistant", "Penguins huddle together for warmth.", model="gpt-4o-mini"))
    with ChatStore(chat_context.history_path) as store:
        store.save_conversation(conv)
        del conv.messages[1:]  # regenerated: the new reply is the current branch
        new = conv.append(Message("assistant", "Emperor penguins breed in winter.", model="deepseek-v3"))
        store.save_message(conv, new)
        assert store.load(conv.id).messages[-1].id == new.id
        assert new.parent_id == old.parent_id == prompt.id
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await session_ready(pilot)
        screen = await open_history(pilot)
        await pilot.press(*"huddle")
        await wait_until(pilot, lambda: screen.mode == "search")
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: app.conversation.id == conv.id and len(shown(app)) == 2)
        assert shown(app)[1] == ("assistant", "Penguins huddle together for warmth.")
