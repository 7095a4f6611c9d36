"""`chatterm history import --from elia|oterm|chatgpt|llm`: databases written by the real
apps (tests/store/fixtures/README.md) imported through the CLI, checked against what
the source holds: titles, times, models, system prompts, message counts, last messages,
ChatGPT's branches; a second import adds nothing; a file of the wrong kind is refused
and nothing is written."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatterm.engine.conversation import Conversation
from chatterm.store import ChatStore
from tests.store.import_fixtures import CHATGPT, FIXTURES, load_dump, run_cli, source_rows


def utc(text: object) -> float:
    when = datetime.fromisoformat(str(text))
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def imported(history: Path) -> dict[str, Conversation]:
    """Every chat in the history by title, with its current branch."""
    with ChatStore(history) as store:
        return {c.title: store.load(c.id) for c in store.list_chats(limit=100)}


def summary_line(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.strip()


# --- each reader against its source ---------------------------------------------------


def test_elia_chats_match_its_database(tmp_path: Path, capsys) -> None:
    source = load_dump("elia", tmp_path)
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "elia", str(source)) == 0
    assert summary_line(capsys) == "imported 2 chats (10 messages), skipped 0 already imported"
    chats = imported(history)
    for chat_id, model, title, started_at in source_rows(source, "SELECT id, model, title, started_at FROM chat"):
        rows = source_rows(
            source, "SELECT role, content, timestamp FROM message WHERE chat_id = ? ORDER BY id", chat_id
        )
        first_prompt = next(content for role, content, _ in rows if role == "user")
        conv = chats[str(title or first_prompt)]  # an untitled elia chat is shown by its first prompt
        assert conv.created_at == pytest.approx(utc(started_at))
        assert conv.settings.model == model  # a configured model keeps elia's id
        assert conv.settings.system_prompt == next(content for role, content, _ in rows if role == "system")
        spoken = [(role, content, utc(ts)) for role, content, ts in rows if role != "system"]
        assert [(m.role, m.content, pytest.approx(m.created_at)) for m in conv.messages] == spoken
        assert {m.model for m in conv.messages if m.role == "assistant"} == {model}
    assert chats["SQLite WAL notes"].messages[-1].content.startswith("## Echo: And what is a checkpoint?")


def test_elia_builtin_model_ids_lose_their_prefix(tmp_path: Path) -> None:
    source = load_dump("elia", tmp_path)
    conn = sqlite3.connect(source)
    conn.execute("UPDATE chat SET model = 'elia-gpt-4o' WHERE id = 1")
    conn.execute("UPDATE message SET model = 'elia-gpt-4o' WHERE chat_id = 1")
    conn.commit()
    conn.close()
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "elia", str(source)) == 0
    conv = imported(history)["Name a hardy animal."]
    assert conv.settings.model == "gpt-4o" and conv.models == ["gpt-4o"]


def test_oterm_chats_match_its_store(tmp_path: Path, capsys) -> None:
    source = load_dump("oterm", tmp_path)
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "oterm", str(source)) == 0
    said = capsys.readouterr()
    assert said.out == "imported 3 chats (8 messages), skipped 0 already imported\n"
    assert said.err == "note: images sent in oterm are not imported: each prompt notes how many it had\n"
    chats = imported(history)
    for chat_id, name, model, system, parameters in source_rows(
        source, "SELECT id, name, model, system, parameters FROM chat"
    ):
        rows = source_rows(source, "SELECT author, text FROM message WHERE chat_id = ? ORDER BY id", chat_id)
        conv = chats[str(name)]
        assert conv.settings.model == model
        assert conv.settings.system_prompt == system
        assert conv.settings.temperature == json.loads(str(parameters)).get("temperature")
        assert len(conv.messages) == len(rows)
        assert [m.role for m in conv.messages] == [r[0] for r in rows]
        if rows:
            assert conv.messages[-1].content == rows[-1][1]  # the regenerated reply, as oterm keeps it
    pixel = chats["A white pixel"].messages
    assert pixel[0].content == "What is in this picture?\n\n[1 image not imported]"
    # oterm keeps no times: the file's, in oterm's order
    mtime = source.stat().st_mtime
    times = [chats[t].created_at for t in ("Tardigrades", "A white pixel", "Empty chat")]
    assert times == sorted(times) and times[-1] == pytest.approx(mtime)


def fragments(source: Path, table: str, response_id: object) -> list[str]:
    """A response's fragments (`llm -f`, `--sf`), in llm's order."""
    return [
        str(r[0])
        for r in source_rows(
            source,
            f"SELECT f.content FROM {table} x JOIN fragments f ON f.id = x.fragment_id "
            f'WHERE x.response_id = ? ORDER BY x."order"',
            response_id,
        )
    ]


def test_llm_conversations_match_its_log(tmp_path: Path, capsys) -> None:
    source = load_dump("llm", tmp_path)
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "llm", str(source)) == 0
    said = capsys.readouterr()
    assert said.out == "imported 6 chats (19 messages), skipped 0 already imported\n"
    assert said.err == "note: llm attachments are not imported: each prompt notes how many it had\n"
    chats = imported(history)
    for conv_id, name in source_rows(source, "SELECT id, name FROM conversations"):
        responses = source_rows(
            source,
            "SELECT model, prompt, system, response, datetime_utc, input_tokens, output_tokens, id "
            "FROM responses WHERE conversation_id = ? ORDER BY datetime_utc",
            conv_id,
        )
        conv = chats[str(name).strip()]  # a name that starts with the prompt's blank, trimmed
        assert conv.created_at == pytest.approx(utc(responses[0][4]))
        system = [*fragments(source, "system_fragments", responses[0][7]), responses[0][2] or ""]
        assert conv.settings.system_prompt == ("\n\n".join(b.strip() for b in system if b.strip()) or None)
        assert conv.settings.model == responses[-1][0]
        prompts = [m for m in conv.messages if m.role == "user"]
        replies = [m for m in conv.messages if m.role == "assistant"]
        sent = ["\n".join([*fragments(source, "prompt_fragments", r[7]), str(r[1])]) for r in responses]
        assert [m.content.removesuffix("\n\n[1 attachment not imported]") for m in prompts] == sent
        assert [m.content for m in replies] == [r[3] for r in responses]
        assert [(m.usage.prompt_tokens, m.usage.completion_tokens) for m in replies if m.usage] == [
            (r[5], r[6]) for r in responses
        ]
        assert [m.model for m in replies] == [r[0] for r in responses]
    # a system prompt changed mid-conversation (`llm -c -s ...`) sits before its prompt
    wal = chats["Explain WAL mode in SQLite"].messages
    assert [(m.role, m.content) for m in wal if m.role == "system"] == [("system", "You are a database teacher.")]
    assert [m.role for m in wal] == ["user", "assistant", "system", "user", "assistant"]
    # `llm -a -` (a PNG piped in): the picture is not imported, the prompt says so
    assert chats["What is in this picture?"].messages[0].content == (
        "What is in this picture?\n\n[1 attachment not imported]"
    )
    # `llm -f note.txt --sf note.txt`: the note's text in the prompt and the system prompt, as llm sent them
    noted = chats["Tardigrades survive from -272 C…"]
    assert noted.messages[0].content == "Tardigrades survive from -272 C to 150 C.\n\nSummarise the note in five words."
    assert noted.settings.system_prompt == "Tardigrades survive from -272 C to 150 C."


def test_llm_036_message_tree_matches_its_log(tmp_path: Path, capsys) -> None:
    source = load_dump("llm-0.36", tmp_path)
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "llm", str(source)) == 0
    assert summary_line(capsys) == "imported 3 chats (12 messages), skipped 0 already imported"
    chats = imported(history)
    for thread_id, name, tip in source_rows(source, "SELECT id, name, tip_message_hash FROM threads"):
        turns = source_rows(
            source, "SELECT model, datetime_utc FROM turns WHERE thread_id = ? ORDER BY datetime_utc", thread_id
        )
        conv = chats[str(name)]
        assert sum(m.role == "assistant" for m in conv.messages) == len(turns)
        assert (
            conv.messages[-1].content == source_rows(source, "SELECT text FROM parts WHERE message_hash = ?", tip)[0][0]
        )
        assert conv.models == sorted({t[0] for t in turns})
    assert chats["Name a hardy animal."].settings.system_prompt == "You are terse. Answer in one line."


def test_chatgpt_export_keeps_its_tree_as_branches(tmp_path: Path, capsys) -> None:
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "chatgpt", str(CHATGPT)) == 0
    assert summary_line(capsys) == "imported 2 chats (15 messages), skipped 0 already imported"
    export = json.loads(CHATGPT.read_text(encoding="utf-8"))
    chats = imported(history)
    facts = chats["Tardigrade facts"]
    assert facts.created_at == export[0]["create_time"] and facts.updated_at == export[0]["update_time"]
    assert facts.settings.system_prompt is not None and "Answer briefly." in facts.settings.system_prompt
    # current_node's branch: the regenerated reply, then the edited prompt and its o3 reply
    assert [(m.role, m.content) for m in facts.messages] == [
        ("user", "What is a tardigrade?"),
        ("assistant", "Tardigrades, or water bears, are eight-legged micro-animals."),
        ("user", "How do they survive in space?"),
        ("assistant", "In the tun state they survived open space on the FOTON-M3 mission (2007)."),
    ]
    assert facts.messages[-1].model == "o3" and "FOTON-M3 in 2007" in (facts.messages[-1].reasoning or "")
    leaf = export[0]["mapping"][export[0]["current_node"]]["message"]
    assert facts.messages[-1].created_at == leaf["create_time"]
    with ChatStore(history) as store:
        replies = store.siblings(facts.messages[1].id)
        assert [m.content for m in replies] == [
            "A tardigrade is a micro-animal, about half a millimetre long.",  # the first answer
            "Tardigrades, or water bears, are eight-legged micro-animals.",  # "Regenerate"
        ]
        prompts = store.siblings(facts.messages[2].id)
        assert [m.content for m in prompts] == ["How do they survive drying out?", "How do they survive in space?"]
        before_edit = store.switch_branch(facts.id, prompts[0].id)
        assert [m.content for m in before_edit.messages][-2:] == [
            "How do they survive drying out?",
            "They curl into a dry 'tun' and slow their metabolism almost to zero.",
        ]


def test_chatgpt_tools_and_parts_that_are_not_text(tmp_path: Path, capsys) -> None:
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "chatgpt", str(CHATGPT)) == 0
    err = capsys.readouterr().err
    assert "images are not in conversations.json" in err and "(2x)" in err
    plot = imported(history)["Sine plot"].messages
    assert plot[0].content == (
        "[image not imported: file-service://file-Sk3tchPng01, 640x480]\n\nPlot a sine wave like my sketch."
    )
    assert plot[0].attachments == ["sketch.png"]
    call, result = plot[1], plot[2]
    assert call.tool_calls[0].name == "python" and "np.sin(x)" in json.loads(call.tool_calls[0].arguments)["input"]
    assert result.role == "tool" and result.tool_call_id == call.tool_calls[0].id and result.content == "0.9999998"
    assert plot[4].content == "[audio_asset_pointer not imported]\n\nNow draw it for me."
    # a tool's answer with no call in front gets one, so the chat can be sent again
    assert plot[5].role == "assistant" and plot[6].role == "tool" and plot[6].tool_call_id == plot[5].tool_calls[0].id
    assert plot[-1].state == "stopped" and plot[-1].content == "Here is the drawing."
    conv = Conversation(messages=plot)
    wire = conv.wire_messages()
    calls = {c["id"] for m in wire for c in m.get("tool_calls", [])}
    assert {m["tool_call_id"] for m in wire if m["role"] == "tool"} <= calls


def test_chatgpt_export_folder_stands_for_its_conversations_json(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "conversations.json").write_bytes(CHATGPT.read_bytes())
    assert run_cli(tmp_path / "history.db", "import", "--from", "chatgpt", str(folder)) == 0
    assert summary_line(capsys).startswith("imported 2 chats")


# --- nothing twice ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "which", "chats"),
    [("elia", "elia", 2), ("oterm", "oterm", 3), ("llm", "llm", 6), ("llm", "llm-0.36", 3), ("chatgpt", None, 2)],
)
def test_importing_again_adds_nothing(tmp_path: Path, capsys, app: str, which: str | None, chats: int) -> None:
    source = load_dump(which, tmp_path) if which else CHATGPT
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", app, str(source)) == 0
    capsys.readouterr()
    before = source_rows(history, "SELECT id, content FROM messages ORDER BY rid")
    assert run_cli(history, "import", "--from", app, str(source)) == 0
    assert summary_line(capsys) == f"imported 0 chats (0 messages), skipped {chats} already imported"
    assert source_rows(history, "SELECT id, content FROM messages ORDER BY rid") == before
    assert len(source_rows(history, "SELECT id FROM chats")) == chats


def test_a_chat_that_went_on_in_its_app_gets_only_its_new_messages(tmp_path: Path, capsys) -> None:
    source = load_dump("elia", tmp_path)
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "elia", str(source)) == 0
    conn = sqlite3.connect(source)  # what elia writes for one more exchange
    conn.execute(
        "INSERT INTO message (chat_id, role, content, timestamp, meta, model) VALUES "
        "(2, 'user', 'One more?', '2026-12-05 17:00:00.000000', '{}', 'demo-claude'), "
        "(2, 'assistant', 'One more answer.', '2026-12-05 17:00:01.000000', '{}', 'demo-claude')"
    )
    conn.commit()
    conn.close()
    capsys.readouterr()
    assert run_cli(history, "import", "--from", "elia", str(source)) == 0
    assert summary_line(capsys) == (
        "imported 0 chats (0 messages), skipped 1 already imported; added 2 new messages to 1 chat imported before"
    )
    notes = imported(history)["SQLite WAL notes"]
    assert [m.content for m in notes.messages[-2:]] == ["One more?", "One more answer."]


def test_big_imports_commit_in_chunks_with_the_same_result(tmp_path: Path) -> None:
    from chatterm.store.importers import open_source

    whole, chunked = tmp_path / "whole.db", tmp_path / "chunked.db"
    with ChatStore(whole) as store:
        open_source("chatgpt", CHATGPT).into(store)
    with ChatStore(chunked) as store:
        store.chunk_rows = 4  # chats cut across commits, several chats in one commit
        counts = open_source("chatgpt", CHATGPT).into(store)
    assert counts.summary() == "imported 2 chats (15 messages), skipped 0 already imported"
    query = "SELECT id, chat_id, parent_id, role, content FROM messages ORDER BY id"
    assert source_rows(chunked, query) == source_rows(whole, query)
    assert source_rows(chunked, "SELECT * FROM chats ORDER BY id") == source_rows(
        whole, "SELECT * FROM chats ORDER BY id"
    )


def test_the_source_is_only_read(tmp_path: Path) -> None:
    for app, which in (("elia", "elia"), ("oterm", "oterm"), ("llm", "llm")):
        source = load_dump(which, tmp_path)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        assert run_cli(tmp_path / "history.db", "import", "--from", app, str(source)) == 0
        assert hashlib.sha256(source.read_bytes()).hexdigest() == digest
        assert sorted(p.name for p in source.parent.iterdir()) == [source.name]  # no journal, no -wal


def test_text_from_the_source_is_kept_and_shown_safely(tmp_path: Path, capsys) -> None:
    source = load_dump("oterm", tmp_path)
    conn = sqlite3.connect(source)
    conn.execute("UPDATE message SET text = 'red \x1b[31mtext\x1b[0m' WHERE id = 4")
    conn.commit()
    conn.close()
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "oterm", str(source)) == 0
    conv = imported(history)["Tardigrades"]
    assert conv.messages[-1].content == "red \x1b[31mtext\x1b[0m"  # stored as written
    capsys.readouterr()
    assert run_cli(history, "show", conv.id) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "red ␛[31mtext␛[0m" in out


# --- the wrong kind of file ---------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """One file of each kind a user might pass by mistake."""
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.executescript("CREATE TABLE notes (id INTEGER); CREATE TABLE tags (name TEXT);")
    conn.close()
    chatterm = tmp_path / "mine" / "history.db"
    ChatStore(chatterm).close()
    export = tmp_path / "chat.json"
    export.write_text(json.dumps({"format": "chatterm-chat", "version": 1, "chat": {}, "messages": []}))
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n")
    return {
        "elia": load_dump("elia", tmp_path),
        "oterm": load_dump("oterm", tmp_path),
        "llm": load_dump("llm", tmp_path),
        "chatgpt": CHATGPT,
        "other": other,
        "chatterm": chatterm,
        "export": export,
        "text": text,
    }


WRONG = [
    ("elia", "oterm", "is oterm's store.db, not an elia database"),
    ("elia", "llm", "is llm's logs.db, not an elia database"),
    ("elia", "chatgpt", "is not SQLite: a JSON file (expected an elia database)"),
    ("oterm", "elia", "is an elia database, not oterm's store.db"),
    ("oterm", "llm", "is llm's logs.db, not oterm's store.db"),
    ("oterm", "chatgpt", "is not SQLite: a JSON file (expected oterm's store.db)"),
    ("llm", "elia", "is an elia database, not llm's logs.db"),
    ("llm", "oterm", "is oterm's store.db, not llm's logs.db"),
    ("llm", "chatgpt", "is not SQLite: a JSON file (expected llm's logs.db)"),
    ("chatgpt", "elia", "is an elia database, not a ChatGPT export's conversations.json"),
    ("chatgpt", "oterm", "is oterm's store.db, not a ChatGPT export's conversations.json"),
    ("chatgpt", "llm", "is llm's logs.db, not a ChatGPT export's conversations.json"),
    ("elia", "other", "is a SQLite database with tables notes, tags (not elia's)"),
    ("llm", "chatterm", "is a chatterm history, not llm's logs.db"),
    ("chatgpt", "export", "is a chatterm JSON export (import it without --from)"),
    ("oterm", "text", "is not SQLite: a text file (expected oterm's store.db)"),
    ("chatgpt", "text", "is a text file, not a ChatGPT export's conversations.json"),
]


@pytest.mark.parametrize(("app", "kind", "says"), WRONG, ids=[f"{a}<-{k}" for a, k, _ in WRONG])
def test_a_file_of_the_wrong_kind_is_refused_and_nothing_written(
    tmp_path: Path, files: dict[str, Path], capsys, app: str, kind: str, says: str
) -> None:
    history = tmp_path / "new" / "history.db"
    assert run_cli(history, "import", "--from", app, str(files[kind])) == 1
    err = capsys.readouterr().err
    assert f"{files[kind]} {says}" in err
    assert not history.parent.exists()  # not even an empty history


def test_a_json_file_that_is_no_export(tmp_path: Path, capsys) -> None:
    other = tmp_path / "list.json"
    other.write_text('[{"name": "not a conversation"}]')
    assert run_cli(tmp_path / "h.db", "import", "--from", "chatgpt", str(other)) == 1
    assert 'a JSON file without ChatGPT\'s conversation tree (no "mapping")' in capsys.readouterr().err


def test_the_chatterm_export_import_is_unchanged(tmp_path: Path, capsys) -> None:
    """Without --from, `history import` still reads chatterm's own JSON export."""
    assert run_cli(tmp_path / "h.db", "import", str(FIXTURES / "chatgpt-conversations.json")) == 1
    assert "is not a chatterm chat export" in capsys.readouterr().err


def test_conversations_json_is_read_one_conversation_at_a_time(monkeypatch) -> None:
    """Items cut anywhere by the reads come out whole, and no read asks for much more
    than the longest item (a big export is never held whole)."""
    import io

    from chatterm.store.importers import json_stream

    class Reads(io.StringIO):
        biggest = 0

        def read(self, size: int | None = -1) -> str:
            self.biggest = max(self.biggest, size or 0)
            return super().read(size)

    text = CHATGPT.read_text(encoding="utf-8")
    expected = json.loads(text) * 20
    longest = max(len(json.dumps(item, indent=2)) for item in expected)
    monkeypatch.setattr(json_stream, "READ_CHARS", 97)
    stream = Reads("[" + ",\n".join(json.dumps(item, indent=2) for item in expected) + "]")
    assert list(json_stream.json_items(stream)) == expected
    assert 0 < stream.biggest <= 4 * longest


def test_an_import_cut_short_is_finished_by_running_it_again(tmp_path: Path) -> None:
    from chatterm.store.importers import open_source

    history, clean = tmp_path / "history.db", tmp_path / "clean.db"

    def cut_after_first_chat(source):  # the process killed while the second chat is read
        chats = source.chats()
        yield next(chats)
        raise KeyboardInterrupt

    with ChatStore(history) as store:
        store.chunk_rows = 3  # the first chat spans several commits
        with pytest.raises(KeyboardInterrupt):
            store.import_chats(cut_after_first_chat(open_source("chatgpt", CHATGPT)))
    assert len(source_rows(history, "SELECT id FROM chats")) == 1
    with ChatStore(history) as store:
        counts = open_source("chatgpt", CHATGPT).into(store)
    assert counts.summary().startswith("imported 1 chat (")
    with ChatStore(clean) as store:
        open_source("chatgpt", CHATGPT).into(store)
    query = "SELECT id, chat_id, parent_id, role, content FROM messages ORDER BY id"
    assert source_rows(history, query) == source_rows(clean, query)


def test_text_columns_held_as_bytes_are_read_as_text(tmp_path: Path) -> None:
    source = load_dump("elia", tmp_path)
    conn = sqlite3.connect(source)
    conn.execute(
        "UPDATE message SET content = CAST(? AS BLOB) WHERE id = 7",
        ("Größe: 1 mm ".encode() + b"\xff",),
    )
    conn.commit()
    conn.close()
    history = tmp_path / "history.db"
    assert run_cli(history, "import", "--from", "elia", str(source)) == 0
    assert imported(history)["Name a hardy animal."].messages[-1].content == "Größe: 1 mm \ufffd"


def test_a_malformed_conversation_is_skipped_with_a_note(tmp_path: Path, capsys) -> None:
    export = json.loads(CHATGPT.read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(export[1]))
    broken["conversation_id"] = broken["id"] = "broken"
    broken["title"] = "Broken"
    next(n for n in broken["mapping"].values() if n["message"])["message"]["author"] = "user"  # not an object
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([broken, export[0]]), encoding="utf-8")
    assert run_cli(tmp_path / "h.db", "import", "--from", "chatgpt", str(path)) == 0
    said = capsys.readouterr()
    assert said.out.startswith("imported 1 chat (")
    assert "note: conversation 1 ('Broken') has a malformed message; skipped" in said.err
