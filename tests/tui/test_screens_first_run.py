"""First run: each choice returns its tuple; a non-URL or an empty key is refused."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input, Static

from chatterm.tui.screens.first_run import FirstRunScreen, check_base_url

SECRET = "sk-secret-123"


class Host(App[None]):
    def __init__(self, default_base_url: str = "") -> None:
        super().__init__()
        self.default_base_url = default_base_url
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(FirstRunScreen(self.default_base_url), self.results.append)


async def test_save_and_start_returns_url_and_key() -> None:
    app = Host("https://gateway.example.com/v1")
    async with app.run_test() as pilot:
        assert app.screen.query_one("#first-run-key", Input).password
        app.screen.query_one("#first-run-key", Input).value = SECRET
        await pilot.click("#first-run-save")
    assert app.results == [("key", "https://gateway.example.com/v1", SECRET)]


async def test_typing_and_enter_walks_the_fields() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press(*"http://127.0.0.1:8080/v1", "enter")
        assert app.screen.focused is app.screen.query_one("#first-run-key", Input)
        await pilot.press(*SECRET, "enter")
    assert app.results == [("key", "http://127.0.0.1:8080/v1", SECRET)]


async def test_demo_and_escape() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.click("#first-run-demo")
    assert app.results == [("demo", None, None)]
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press("escape")
    assert app.results == [None]


async def test_a_non_url_is_refused_and_the_key_never_shown() -> None:
    app = Host()
    async with app.run_test() as pilot:
        screen = app.screen
        screen.query_one("#first-run-url", Input).value = "gateway.example.com"
        screen.query_one("#first-run-key", Input).value = SECRET
        await pilot.click("#first-run-save")
        assert isinstance(app.screen, FirstRunScreen)
        message = str(screen.query_one("#first-run-error", Static).render())
        assert "http://" in message and "https://" in message
        assert screen.query_one("#first-run-url", Input).has_class("-invalid")
        assert SECRET not in app.export_screenshot()
        assert SECRET not in repr(screen)
    assert app.results == []


async def test_an_empty_key_is_refused() -> None:
    app = Host("https://gateway.example.com/v1")
    async with app.run_test() as pilot:
        await pilot.click("#first-run-save")
        message = str(app.screen.query_one("#first-run-error", Static).render())
        assert "API key" in message
        assert app.screen.focused is app.screen.query_one("#first-run-key", Input)
    assert app.results == []


def test_check_base_url() -> None:
    assert check_base_url("https://x.example/v1") is None
    assert check_base_url("http://127.0.0.1:9/v1") is None
    for bad in ("", "ftp://x.example", "https://", "x.example/v1", "http//x", "http://[::1"):
        assert check_base_url(bad) is not None, bad
