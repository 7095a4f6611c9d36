"""Switching gateway from the TUI: the model picker groups models by gateway, and a
model of another gateway moves the chat there, with that gateway's own key.

Two demo gateways, each accepting only its own key (the first's in a key file at the
top level of the config, the second's printed by a command of its profile), and a
third profile whose gateway is down. Each gateway records the Authorization header of
every request it gets, so a key sent to the wrong gateway would show."""

from __future__ import annotations

import argparse
import socket
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatterm.demo import DemoGateway
from chatterm.demo.http11 import HttpRequest

from .conftest import reply_done, send, wait_until

FIRST_KEY = "sk-first-5f4e3d2c1b0a"
SECOND_KEY = "sk-second-a0b1c2d3e4f5"


class KeyRecordingGateway(DemoGateway):
    """The demo gateway, noting the key of every request before it checks it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys_seen: list[str] = []

    def _authorize(self, request: HttpRequest) -> None:
        self.keys_seen.append(request.headers.get("authorization", "").partition(" ")[2].strip())
        super()._authorize(request)

    def chat_posts(self) -> int:
        return sum(1 for r in self.requests if r.method == "POST")


@pytest.fixture
async def two_gateways() -> AsyncIterator[tuple[KeyRecordingGateway, KeyRecordingGateway]]:
    first, second = KeyRecordingGateway(required_key=FIRST_KEY), KeyRecordingGateway(required_key=SECOND_KEY)
    await first.start()
    await second.start()
    try:
        yield first, second
    finally:
        from tests.open_clients import close_tracked

        await close_tracked()
        await first.stop()
        await second.stop()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_config(tmp_path: Path, first: DemoGateway, second: DemoGateway) -> Path:
    key_file = tmp_path / "first.key"
    key_file.write_text(FIRST_KEY + "\n", encoding="utf-8")
    script = tmp_path / "second-key"
    script.write_text(f"#!{sys.executable}\nprint('{SECOND_KEY}')\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    config = tmp_path / "config.toml"
    config.write_text(
        f'base_url = "{first.base_url}"\n'
        f'api_key_file = "{key_file}"\n'
        'model = "glm-5"\n'
        "\n[profiles.second]\n"
        f'base_url = "{second.base_url}"\n'
        f'api_key_cmd = "{script}"\n'
        'model = "gpt-4o-mini"\n'
        "\n[profiles.down]\n"
        f'base_url = "http://127.0.0.1:{_closed_port()}/v1"\n'
        'api_key = "sk-down-never-used"\n',
        encoding="utf-8",
    )
    return config


def _context(config_path: Path, tmp_path: Path, **flags: Any) -> Any:
    from chatterm.config import load_config
    from chatterm.process import build_context

    args = argparse.Namespace(history=tmp_path / "history.db", **flags)
    return build_context(args, load_config(config_path))


async def test_a_model_of_the_second_gateway_moves_the_chat_there_with_its_key(
    two_gateways: tuple[KeyRecordingGateway, KeyRecordingGateway], tmp_path: Path
) -> None:
    from textual.widgets import OptionList

    from chatterm.store import ChatStore
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.gateway_picker import GatewayPickerScreen
    from chatterm.tui.widgets.status_bar import GatewayChip

    first, second = two_gateways
    config_path = _write_config(tmp_path, first, second)
    app = ChatApp(_context(config_path, tmp_path))
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        chip = app.chat_screen.query_one(GatewayChip)
        assert chip.has_class("-on") and "default" in str(chip.render())
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, GatewayPickerScreen))
        picker = app.screen
        assert isinstance(picker, GatewayPickerScreen)
        names = [other.name for other in picker.others]
        assert names == ["down", "second"]
        # The gateway that is down says so; the other one lists its models all the same.
        await wait_until(pilot, lambda: all(state is not None for state in picker.other_models.values()))
        down, listed = picker.other_models[0], picker.other_models[1]
        assert isinstance(down, str) and isinstance(listed, list) and "gpt-4o-mini" in listed
        headers = [str(o.prompt) for o in picker.query_one(OptionList).options if o.disabled]
        assert any(h.startswith("⇄ down") and "unreachable" in h for h in headers), headers
        assert any(h.startswith("⇄ second") for h in headers), headers
        # Walk down to the second gateway's gpt-4o-mini and pick it.
        for _ in range(400):
            if picker._highlighted_choice() == (1, "gpt-4o-mini"):
                break
            await pilot.press("down")
        assert picker._highlighted_choice() == (1, "gpt-4o-mini")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.settings.profile == "second" and app.session is not None)
        assert app.settings.model == "gpt-4o-mini"
        await pilot.pause()
        assert "second" in str(chip.render())
        posts_before = first.chat_posts()
        await send(pilot, "hello over there")
        await reply_done(pilot)
        reply = app.conversation.messages[-1]
        assert reply.role == "assistant" and reply.state == "ok", reply.text
        chat_id = app.conversation.id
    assert second.chat_posts() == 1
    assert first.chat_posts() == posts_before == 0
    assert set(first.keys_seen) == {FIRST_KEY}  # its model list, with its own key
    assert set(second.keys_seen) == {SECOND_KEY}

    # The chat recorded its gateway: opened again on a chatterm started on the first
    # gateway, its next reply comes from the second one.
    store = ChatStore(tmp_path / "history.db")
    try:
        conversation = store.load(chat_id)
    finally:
        store.close()
    assert conversation.settings.profile == "second"
    app = ChatApp(_context(config_path, tmp_path), conversation=conversation)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        assert app.context.connection.base_url == second.base_url
        await send(pilot, "and again")
        await reply_done(pilot, replies=2)
        assert app.conversation.messages[-1].state == "ok"
    assert second.chat_posts() == 2
    assert first.chat_posts() == 0
    assert set(first.keys_seen) <= {FIRST_KEY} and set(second.keys_seen) == {SECOND_KEY}


async def test_chatterm_c_reopens_the_chat_on_its_gateway(
    two_gateways: tuple[KeyRecordingGateway, KeyRecordingGateway], tmp_path: Path
) -> None:
    """The palette's "Switch gateway: second" moves the chat; `-c` later starts on it."""
    from chatterm.tui.app import ChatApp

    from .waiting import wait_for_palette_hit

    first, second = two_gateways
    config_path = _write_config(tmp_path, first, second)
    app = ChatApp(_context(config_path, tmp_path))
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await pilot.press("ctrl+p")
        await pilot.press(*"Switch gateway: second")
        await wait_for_palette_hit(pilot, "Switch gateway: second")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.settings.profile == "second")
        assert app.settings.model == "gpt-4o-mini"  # the profile's own default
        await send(pilot, "first words")
        await reply_done(pilot)
    context = _context(config_path, tmp_path, continue_chat=True, chat_id=None)
    try:
        assert context.config.profile == "second"
        assert context.connection.base_url == second.base_url
        assert context.connection.api_key == SECOND_KEY
    finally:
        context.close()
    assert first.chat_posts() == 0 and second.chat_posts() == 1


async def test_a_gateway_that_never_answers_holds_up_no_other() -> None:
    """One gateway's list hangs, another fails, a third answers: the third's models are
    listed and pickable while the first still says it is loading; typing filters them."""
    import asyncio

    from textual.app import App
    from textual.widgets import Input, OptionList

    from chatterm.tui.screens.gateway_picker import GatewayPickerScreen, OtherGateway

    never = asyncio.Event()

    async def hangs() -> list[str]:
        await never.wait()
        return []

    async def fails() -> list[str]:
        raise ConnectionError("Connection refused")

    async def answers() -> list[str]:
        return ["llama3.2", "qwen3-coder", "llama3.2"]

    others = [
        OtherGateway("slow", "slow", "http://slow.example/v1", hangs),
        OtherGateway("down", "down", "http://down.example/v1", fails),
        OtherGateway("local", "local", "http://localhost:11434/v1", answers, ("qwen3-coder",)),
    ]
    results: list[tuple[str | None, str | None]] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            screen = GatewayPickerScreen(
                {"OpenAI": ["gpt-4o"]}, [], "gpt-4o", gateway="work", base_url="https://w/v1", others=others
            )
            self.push_screen(
                screen, lambda model: results.append((model, getattr(screen.chosen_gateway, "name", None)))
            )

    app = Host()
    async with app.run_test() as pilot:
        picker = app.screen
        assert isinstance(picker, GatewayPickerScreen)
        await wait_until(pilot, lambda: picker.other_models[2] is not None and picker.other_models[1] is not None)
        assert picker.other_models[0] is None  # still waiting, and nobody waits for it
        assert picker.other_models[2] == ["llama3.2", "qwen3-coder"]
        headers = [str(o.prompt) for o in picker.query_one(OptionList).options if o.disabled]
        assert headers[0].startswith("● work")
        assert "loading models" in next(h for h in headers if h.startswith("⇄ slow"))
        assert "unreachable: Connection refused" in next(h for h in headers if h.startswith("⇄ down"))
        assert picker.shown_models[-2:] == ["qwen3-coder", "llama3.2"]  # its favourite first
        picker.query_one(Input).value = "qwen"
        await wait_until(pilot, lambda: "qwen3-coder" in picker.shown_models)
        for _ in range(10):
            if picker._highlighted_choice() == (2, "qwen3-coder"):
                break
            await pilot.press("down")
        await pilot.press("enter")
    assert results == [("qwen3-coder", "local")]


async def test_each_tab_keeps_its_own_gateway(
    two_gateways: tuple[KeyRecordingGateway, KeyRecordingGateway], tmp_path: Path
) -> None:
    """A second tab moved to the second gateway leaves the first tab's chat on the first
    one: its replies and its picker are its own gateway's."""
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.gateway_picker import GatewayPickerScreen

    first, second = two_gateways
    config_path = _write_config(tmp_path, first, second)
    app = ChatApp(_context(config_path, tmp_path))
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await app.action_new_tab()
        await wait_until(pilot, lambda: app.session is not None and not app.conversation.messages)
        assert await app.switch_gateway("second")
        await send(pilot, "from the second tab")
        await reply_done(pilot)
        await app.action_previous_tab()
        await wait_until(pilot, lambda: app.settings.profile is None and app.session is not None)
        await send(pilot, "from the first tab")
        await reply_done(pilot)
        assert first.chat_posts() == 1 and second.chat_posts() == 1
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, GatewayPickerScreen))
        picker = app.screen
        assert isinstance(picker, GatewayPickerScreen)
        assert picker.gateway == "default" and [o.name for o in picker.others] == ["down", "second"]
        await pilot.press("escape")
    assert set(first.keys_seen) == {FIRST_KEY} and set(second.keys_seen) == {SECOND_KEY}
