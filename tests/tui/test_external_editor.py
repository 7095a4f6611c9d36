"""The prompt in `$VISUAL` / `$EDITOR` (Alt+E), through Pilot with a small script as the
editor (a headless app has no terminal to hand over, so the editor just runs; the real
terminal's suspend and resume are `test_tmux_editor.py`'s). The script records what it was
given (the file's text and mode, its own arguments) and rewrites the file."""

from __future__ import annotations

import json
import shlex
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import reply_done, send, wait_until

EDITOR_SCRIPT = """\
import json, os, stat, sys
path = sys.argv[-1]
text = open(path, encoding="utf-8").read()
with open(os.environ["EDITOR_LOG"], "w") as log:
    json.dump({"path": path, "mode": stat.S_IMODE(os.stat(path).st_mode), "text": text,
               "args": sys.argv[1:-1]}, log)
with open(path, "w", encoding="utf-8") as out:
    out.write(text.upper() + " (edited)\\n")
sys.exit(int(os.environ.get("EDITOR_EXIT", "0")))
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR is the script (with two arguments, one quoted); returns its log's path."""
    script = tmp_path / "fake_editor.py"
    script.write_text(EDITOR_SCRIPT)
    log = tmp_path / "editor.json"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} --wait 'two words'")
    monkeypatch.setenv("EDITOR_LOG", str(log))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # mkstemp's folder: the test's own
    return log


def _toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_edited_text_comes_back_into_the_prompt_and_is_sent(
    chat_context: Any, editor: Path, demo_gateway: Any
) -> None:
    from chatterm.tui.app import ChatApp

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.chat_screen.prompt
        prompt.load_text("draft prompt")
        await pilot.press("alt+e")
        await wait_until(pilot, lambda: prompt.text == "DRAFT PROMPT (edited)")
        seen = json.loads(editor.read_text())
        assert seen["text"] == "draft prompt"  # the prompt box's text, as it was
        assert seen["mode"] == 0o600  # private: a prompt may hold anything
        assert seen["args"] == ["--wait", "two words"]  # $EDITOR split as a shell would
        assert Path(seen["path"]).parent == editor.parent and not Path(seen["path"]).exists()  # removed after
        assert app.focused is prompt and prompt.cursor_location == prompt.document.end
        await pilot.press("enter")
        await reply_done(pilot)
    assert demo_gateway.requests[-1].body["messages"][-1]["content"] == "DRAFT PROMPT (edited)"


async def test_a_failed_editor_leaves_the_prompt_as_it_was(
    chat_context: Any, editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatterm.tui.app import ChatApp

    monkeypatch.setenv("EDITOR_EXIT", "3")  # vim's :cq, say: the file was written, but "no"
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.chat_screen.prompt
        prompt.load_text("keep me")
        await pilot.press("alt+e")
        await wait_until(pilot, lambda: any("exited 3; the prompt is unchanged" in t for t in _toasts(app)))
        assert prompt.text == "keep me"
        assert not Path(json.loads(editor.read_text())["path"]).exists()


async def test_visual_wins_over_editor(
    chat_context: Any, editor: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from chatterm.tui.app import ChatApp

    monkeypatch.setenv("VISUAL", f"{shlex.quote(sys.executable)} {shlex.quote(str(tmp_path / 'fake_editor.py'))}")
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.chat_screen.prompt
        prompt.load_text("via visual")
        await pilot.press("alt+e")
        await wait_until(pilot, lambda: prompt.text == "VIA VISUAL (edited)")
        assert json.loads(editor.read_text())["args"] == []


async def test_an_editor_that_cannot_start_is_said_and_the_prompt_kept(
    chat_context: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from chatterm.tui.app import ChatApp

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.chat_screen.prompt
        prompt.load_text("still here")
        await pilot.press("alt+e")
        await wait_until(pilot, lambda: any("could not start the editor" in t for t in _toasts(app)))
        assert prompt.text == "still here"
    assert list(tmp_path.glob("chatterm-prompt-*")) == []


async def test_no_editor_at_all_is_a_clear_toast(
    chat_context: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from chatterm.tui.app import ChatApp

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # neither vi nor nano
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        app.chat_screen.prompt.load_text("text")
        await pilot.press("alt+e")
        await wait_until(pilot, lambda: any("No editor found: set $VISUAL or $EDITOR" in t for t in _toasts(app)))
        assert app.chat_screen.prompt.text == "text"


async def test_an_earlier_prompt_being_edited_goes_through_the_editor_and_is_resent_as_a_branch(
    chat_context: Any, editor: Path
) -> None:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.widgets.message import UserMessageView

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "first question")
        await reply_done(pilot)
        app.chat_screen.query_one(UserMessageView).focus()
        await pilot.press("e")  # message mode: this prompt into the box, to edit and resend
        prompt = app.chat_screen.prompt
        await wait_until(pilot, lambda: prompt.text == "first question" and app.editing is not None)
        await pilot.press("ctrl+underscore")  # the editor key's Ctrl form (Ctrl+/)
        await wait_until(pilot, lambda: prompt.text == "FIRST QUESTION (edited)")
        assert app.editing is not None  # still an edit: Enter resends it
        first_id = app.conversation.messages[0].id
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.conversation.messages[0].text == "FIRST QUESTION (edited)")
        await reply_done(pilot)
        siblings = app.session.siblings(app.conversation.messages[0].id)
        assert first_id in [m.id for m in siblings] and len(siblings) == 2  # the old prompt is a branch


def test_the_fallback_is_vi_then_nano_on_the_path(tmp_path: Path) -> None:
    from chatterm.tui.external_editor import editor_command

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    nano = bin_dir / "nano"
    nano.write_text("#!/bin/sh\n")
    nano.chmod(nano.stat().st_mode | stat.S_IXUSR)
    assert editor_command({"PATH": str(bin_dir)}) == [str(nano)]
    vi = bin_dir / "vi"
    vi.write_text("#!/bin/sh\n")
    vi.chmod(vi.stat().st_mode | stat.S_IXUSR)
    assert editor_command({"PATH": str(bin_dir)}) == [str(vi)]
    assert editor_command({"PATH": str(bin_dir), "EDITOR": "  "}) == [str(vi)]  # blank is unset
    assert editor_command({"PATH": str(tmp_path / "nowhere")}) is None


async def test_the_editor_waits_while_a_reply_streams(chat_context: Any, editor: Path) -> None:
    """The terminal cannot be the editor's while a reply is drawn: the key says so, and
    nothing is run (a stalled reply could meet its idle deadline)."""
    from chatterm.tui.app import ChatApp

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "!tokens=4000 !rate=400")
        screen = app.chat_screen
        await wait_until(pilot, lambda: screen.current_view is not None and len(screen.current_view.body.text) > 20)
        screen.prompt.load_text("next prompt")
        await pilot.press("alt+e")
        await wait_until(pilot, lambda: any("A reply is still being written" in t for t in _toasts(app)))
        assert screen.prompt.text == "next prompt" and not editor.exists()
        await pilot.press("escape")
        await reply_done(pilot)
