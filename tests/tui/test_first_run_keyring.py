"""The first-run dialog keeps the key out of the config file when it can: with a usable
keyring (here the file-backed backend the key tests use) it offers, ticked, to store the
key there, and the config gets only `api_key_keyring`; without one it saves the key in
the config as before and says where it went and that `chatterm key set` can move it.
The demo gateway accepts only the key typed, so a reply proves the key reached it."""

from __future__ import annotations

import argparse
import json
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, Static

from chatterm.config import Config, Connection
from chatterm.demo import DemoGateway

from .conftest import reply_done, send, wait_until

KEY = "sk-typed-in-7c6b5a4d3e2f"


@pytest.fixture
async def gateway() -> AsyncIterator[DemoGateway]:
    gateway = DemoGateway(required_key=KEY)
    await gateway.start()
    try:
        yield gateway
    finally:
        from tests.open_clients import close_tracked

        await close_tracked()
        await gateway.stop()


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    import keyring.core

    from tests.keyring_file_backend import FileKeyring

    store = tmp_path / "keyring.json"
    monkeypatch.setenv("CHATTERM_TEST_KEYRING", str(store))
    monkeypatch.setattr(keyring.core, "_keyring_backend", FileKeyring())
    yield store


def _app(tmp_path: Path, config_text: str = "") -> Any:
    from chatterm.config import load_config
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp

    path = tmp_path / "config.toml"
    if config_text:
        path.write_text(config_text, encoding="utf-8")
    config = load_config(path) if config_text else Config()
    context = AppContext(
        config,
        Connection(None, None),
        config_path=path,
        history_path=tmp_path / "history.db",
        cache_path=tmp_path / "models.json",
    )
    return ChatApp(context)


def _toasts(app: Any) -> list[Any]:
    return list(app._notifications)


async def _fill_and_save(pilot: Any, gateway: DemoGateway) -> None:
    from chatterm.tui.screens.first_run import FirstRunScreen

    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, FirstRunScreen))
    app.screen.query_one("#first-run-url", Input).value = gateway.base_url
    app.screen.query_one("#first-run-key", Input).value = KEY
    await pilot.click("#first-run-save")
    await wait_until(pilot, lambda: any(n.title == "Key saved" for n in _toasts(app)))


async def test_the_key_goes_to_the_keyring_and_the_config_names_only_where(
    gateway: DemoGateway, file_keyring: Path, tmp_path: Path
) -> None:
    # A plain key left from before, and a comment: the key goes, the comment stays.
    app = _app(tmp_path, '# my gateway\napi_key = "sk-old-plain-0123456789"\n')
    async with app.run_test(size=(100, 30)) as pilot:
        from chatterm.tui.screens.first_run import FirstRunScreen

        await wait_until(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        assert app.screen.query_one("#first-run-keyring", Checkbox).value  # offered, ticked
        await _fill_and_save(pilot, gateway)
        [saved] = [n for n in _toasts(app) if n.title == "Key saved"]
        assert "OS keyring (chatterm/default)" in saved.message
        await send(pilot, "hello")
        await reply_done(pilot)
        assert app.conversation.messages[-1].state == "ok"
    config_file = tmp_path / "config.toml"
    text = config_file.read_text(encoding="utf-8")
    assert KEY not in text and "sk-old-plain" not in text
    assert 'api_key_keyring = "default"' in text and "# my gateway" in text
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert json.loads(file_keyring.read_text(encoding="utf-8")) == {"chatterm/default": KEY}
    for written in [*tmp_path.glob("history.db*"), tmp_path / "models.json"]:
        assert KEY.encode() not in written.read_bytes(), written
    # The next start finds the key in the keyring.
    from chatterm.config import load_config
    from chatterm.process import build_context

    context = build_context(argparse.Namespace(), load_config(config_file), save_history=False)
    assert context.connection.api_key == KEY
    assert context.connection.key_source == "keyring chatterm/default"


async def test_untick_keeps_the_key_in_the_config_file(
    gateway: DemoGateway, file_keyring: Path, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        from chatterm.tui.screens.first_run import FirstRunScreen

        await wait_until(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        app.screen.query_one("#first-run-keyring", Checkbox).value = False
        await _fill_and_save(pilot, gateway)
    assert f'api_key = "{KEY}"' in (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert not file_keyring.exists()


async def test_without_a_keyring_the_key_is_saved_as_before_and_the_dialog_says_where(
    gateway: DemoGateway, tmp_path: Path
) -> None:
    """The suite's default keyring is keyring's failing backend, as on a headless Linux."""
    app = _app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        from chatterm.tui.screens.first_run import FirstRunScreen

        await wait_until(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        assert not app.screen.query(Checkbox)
        where = str(app.screen.query_one("#first-run-where", Static).render())
        assert "config file" in where and "chatterm key set" in where and "no OS keyring" in where
        await _fill_and_save(pilot, gateway)
        [saved] = [n for n in _toasts(app) if n.title == "Key saved"]
        assert str(tmp_path / "config.toml") in saved.message and "chatterm key set" in saved.message
        await send(pilot, "hello")
        await reply_done(pilot)
        assert app.conversation.messages[-1].state == "ok"
    assert f'api_key = "{KEY}"' in (tmp_path / "config.toml").read_text(encoding="utf-8")
