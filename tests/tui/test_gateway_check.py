"""Issue 10 item 9: the app says what the gateway did (one short GET /models after the
first frame: reachable, key refused, unreachable) instead of "connected" without a
request, and the gateway can be set up again from the command palette."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from textual.widgets import Input

from chatterm.config import Connection, load_config
from chatterm.demo import BAD_API_KEY

from .conftest import wait_until


def _welcome_text(app: Any) -> str:
    from chatterm.tui.widgets.welcome import Welcome

    return " ".join(str(w.render()) for w in app.chat_screen.query(Welcome))


def _toasts(app: Any) -> list[Any]:
    return list(app._notifications)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_reachable_gateway_is_checked_not_assumed(chat_context: Any, demo_gateway: Any) -> None:
    from chatterm.tui.app import ChatApp

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "gateway reachable" in _welcome_text(app))
        assert "connected to" not in _welcome_text(app)
        assert any(r.path.endswith("/models") for r in demo_gateway.requests)
        assert not [n for n in _toasts(app) if n.severity == "error"]
        # The one list fetched serves the model picker too: it is in the cache already.
        assert len([r for r in demo_gateway.requests if r.path.endswith("/models")]) == 1
        assert chat_context.cached_models()


async def test_a_refused_key_is_said_with_the_way_to_fix_it(chat_context: Any) -> None:
    from chatterm.tui.app import ChatApp

    chat_context.connection = Connection(chat_context.connection.base_url, BAD_API_KEY, "test")
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "gateway key refused" in _welcome_text(app))
        [toast] = [n for n in _toasts(app) if n.severity == "error"]
        assert toast.title == "Gateway key refused" and "Set up gateway" in toast.message


async def test_an_unreachable_gateway_is_said(tmp_path: Path) -> None:
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp

    context = AppContext.for_tests(f"http://127.0.0.1:{_closed_port()}/v1", tmp_path)
    app = ChatApp(context)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "gateway unreachable" in _welcome_text(app))
        assert any(n.title == "Gateway unreachable" for n in _toasts(app))


async def test_first_run_setup_reports_the_check_not_a_blind_connected(tmp_path: Path) -> None:
    from chatterm.config import Config
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.first_run import FirstRunScreen

    context = AppContext(
        Config(),
        Connection(None, None),
        config_path=tmp_path / "config.toml",
        history_path=tmp_path / "history.db",
        cache_path=tmp_path / "models.json",
    )
    app = ChatApp(context)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        app.screen.query_one("#first-run-url", Input).value = f"http://127.0.0.1:{_closed_port()}/v1"
        app.screen.query_one("#first-run-key", Input).value = "sk-test"
        await pilot.click("#first-run-save")
        await wait_until(pilot, lambda: any(n.title == "Gateway unreachable" for n in _toasts(app)))
        assert not any(n.title == "Connected" for n in _toasts(app))


async def test_the_palette_sets_up_the_gateway_again(tmp_path: Path, demo_gateway: Any) -> None:
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp
    from chatterm.tui.commands import chat_commands
    from chatterm.tui.screens.first_run import FirstRunScreen

    old_url = f"http://127.0.0.1:{_closed_port()}/v1"
    context = AppContext.for_tests(old_url, tmp_path)
    app = ChatApp(context)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "gateway unreachable" in _welcome_text(app))
        assert any(c.action == "setup_gateway" and c.text == "Set up gateway…" for c in chat_commands(app))
        await app.run_action("setup_gateway")
        await wait_until(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        assert app.screen.query_one("#first-run-url", Input).value == old_url
        await pilot.press("escape")  # cancels; the app stays
        await wait_until(pilot, lambda: not isinstance(app.screen, FirstRunScreen))
        assert app.is_running
        await app.run_action("setup_gateway")
        await wait_until(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        app.screen.query_one("#first-run-url", Input).value = demo_gateway.base_url
        app.screen.query_one("#first-run-key", Input).value = "sk-new"
        await pilot.click("#first-run-save")
        await wait_until(pilot, lambda: any(n.title == "Connected" for n in _toasts(app)))
        assert context.connection.base_url == demo_gateway.base_url
    assert load_config(tmp_path / "config.toml").base_url == demo_gateway.base_url
