"""The model picker: sections, fuzzy filter, background merge of gateway ids, results."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App
from textual.widgets import Input, OptionList, Static

from chatterm.tui.screens.picker import ModelPickerScreen

from .waiting import wait_until

GROUPS = {
    "OpenAI": ["gpt-4o", "gpt-4o-mini", "o3-mini"],
    "Claude": ["claude-sonnet-4-5", "claude-opus-4-1"],
    "DeepSeek": ["deepseek-chat", "deepseek-reasoner"],
}


class Host(App[None]):
    def __init__(
        self,
        favourites: list[str] | None = None,
        load_models: Callable[[], Awaitable[list[str]]] | None = None,
    ) -> None:
        super().__init__()
        self.favourites = favourites if favourites is not None else ["deepseek-chat"]
        self.load_models = load_models
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        screen = ModelPickerScreen(GROUPS, self.favourites, "gpt-4o", self.load_models)
        self.push_screen(screen, self.results.append)


def picker(app: App[None]) -> ModelPickerScreen:
    assert isinstance(app.screen, ModelPickerScreen)
    return app.screen


async def test_sections_favourites_first_and_current_highlighted() -> None:
    app = Host(favourites=["deepseek-chat", "claude-opus-4-1"])
    async with app.run_test() as pilot:
        screen = picker(app)
        assert screen.shown_models == [
            "deepseek-chat",
            "claude-opus-4-1",
            "gpt-4o",
            "gpt-4o-mini",
            "o3-mini",
            "claude-sonnet-4-5",
            "deepseek-reasoner",
        ]
        headers = [str(option.prompt) for option in screen.query_one(OptionList).options if option.disabled]
        assert headers == ["★ Favourites", "OpenAI", "Claude", "DeepSeek"]
        assert screen.highlighted_model == "gpt-4o"
        await pilot.press("enter")
    assert app.results == ["gpt-4o"]


async def test_typing_filters_fuzzily() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press(*"dsr")  # d..s..r: only deepseek-reasoner has all three in order
        assert picker(app).shown_models == ["deepseek-reasoner"]
        picker(app).query_one(Input).value = "sonnet"
        await pilot.pause()
        assert picker(app).shown_models == ["claude-sonnet-4-5"]
        await pilot.press("enter")
    assert app.results == ["claude-sonnet-4-5"]


async def test_favourite_matches_come_before_better_matches() -> None:
    app = Host(favourites=["deepseek-chat"])
    async with app.run_test() as pilot:
        await pilot.press(*"chat")
        shown = picker(app).shown_models
        assert shown[0] == "deepseek-chat"
        assert set(shown) == {"deepseek-chat"}


async def test_arrow_keys_move_and_enter_picks() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press(*"gpt")
        assert picker(app).shown_models == ["gpt-4o", "gpt-4o-mini"]
        await pilot.press("down", "enter")
    assert app.results == ["gpt-4o-mini"]


async def test_escape_cancels() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press(*"gpt", "escape")
    assert app.results == [None]


async def test_a_typed_name_not_in_the_list_is_used_as_is() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press(*"my-")
        picker(app).query_one(Input).value = "my-local-model"
        await pilot.pause()
        assert picker(app).shown_models == []
        await pilot.press("enter")
    assert app.results == ["my-local-model"]


async def test_click_picks() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press(*"opus")
        await pilot.click(OptionList, offset=(4, 0))
    assert app.results == ["claude-opus-4-1"]


async def test_gateway_models_load_in_background_and_merge() -> None:
    release = asyncio.Event()
    calls = 0

    async def load_models() -> list[str]:
        nonlocal calls
        calls += 1
        await release.wait()
        return ["gateway-only", "gpt-4o", "deepseek-chat", "gateway-only", ""]

    app = Host(load_models=load_models)
    async with app.run_test() as pilot:
        screen = picker(app)
        # Shown and usable before the gateway answers.
        await pilot.pause()
        assert calls == 1
        assert "gateway-only" not in screen.shown_models
        assert "Loading" in str(screen.query_one("#picker-status", Static).render())
        release.set()
        await wait_until(pilot, lambda: "gateway-only" in screen.shown_models)
        shown = screen.shown_models
        # Favourite first, then by family (the gateway's ids first in each), unknown
        # names last under "Other"; no dupes.
        assert shown[:4] == ["deepseek-chat", "gpt-4o", "gpt-4o-mini", "o3-mini"]
        assert shown[-1] == "gateway-only"
        assert [h for h, _ in screen.sections()][-1] == "Other"
        assert len(shown) == len(set(shown)) == 8
        assert screen.highlighted_model == "gpt-4o"  # the current model stays highlighted
        assert "3 models from the gateway" in str(screen.query_one("#picker-status", Static).render())


async def test_gateway_failure_is_shown_and_the_catalogue_still_works() -> None:
    async def load_models() -> list[str]:
        raise ConnectionError("gateway unreachable")

    app = Host(load_models=load_models)
    async with app.run_test() as pilot:
        status = picker(app).query_one("#picker-status", Static)
        await wait_until(pilot, lambda: status.has_class("-error"))
        assert "gateway unreachable" in str(status.render())
        assert status.has_class("-error")
        await pilot.press(*"o3", "enter")
    assert app.results == ["o3-mini"]


class CachedHost(App[None]):
    """A picker with no favourites, given a cached list of gateway ids."""

    def __init__(self, load_models: Callable[[], Awaitable[list[str]]], cached: list[str]) -> None:
        super().__init__()
        self.load_models = load_models
        self.cached = cached

    def on_mount(self) -> None:
        self.push_screen(ModelPickerScreen(GROUPS, [], "gpt-4o", self.load_models, cached=self.cached))


async def test_cached_models_show_at_once_and_the_refresh_replaces_them() -> None:
    release = asyncio.Event()

    async def load_models() -> list[str]:
        await release.wait()
        return ["fresh-model"]

    app = CachedHost(load_models, ["cached-model", "gpt-4o"])
    async with app.run_test() as pilot:
        screen = picker(app)
        await pilot.pause()
        status = screen.query_one("#picker-status", Static)
        assert "cached-model" in screen.shown_models  # from the cache, at once
        assert "2 models cached · refreshing" in str(status.render())
        release.set()
        await wait_until(pilot, lambda: "fresh-model" in screen.shown_models)
        assert "cached-model" not in screen.shown_models
        assert "1 model from the gateway" in str(status.render())


async def test_a_failed_refresh_keeps_the_cached_models() -> None:
    async def load_models() -> list[str]:
        raise ConnectionError("gateway unreachable")

    app = CachedHost(load_models, ["cached-model"])
    async with app.run_test() as pilot:
        screen = picker(app)
        status = screen.query_one("#picker-status", Static)
        await wait_until(pilot, lambda: status.has_class("-error"))
        assert "showing the 1 model cached" in str(status.render())
        assert "cached-model" in screen.shown_models


async def test_the_app_passes_its_cached_models_to_the_picker(
    chat_context: Any, demo_gateway: Any, monkeypatch: Any
) -> None:
    """The chat app's picker shows the data dir's cache before /v1/models answers."""
    import json

    from chatterm.tui.app import ChatApp

    chat_context.cache_path.write_text(json.dumps({"base_url": demo_gateway.base_url, "models": ["cached-only-model"]}))
    release = asyncio.Event()
    refresh = chat_context.refresh_models

    async def slow_refresh() -> list[str]:
        await release.wait()
        return await refresh()

    monkeypatch.setattr(chat_context, "refresh_models", slow_refresh)
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPickerScreen))
        screen = picker(app)
        await pilot.pause()
        assert "cached-only-model" in screen.shown_models
        release.set()
        await wait_until(pilot, lambda: "cached-only-model" not in screen.shown_models)
        assert "gpt-4o-mini" in screen.gateway_models
        await pilot.press("escape")


async def test_catalogue_models_the_gateway_does_not_list_are_marked() -> None:
    async def load_models() -> list[str]:
        return ["gpt-4o"]

    app = Host(load_models=load_models)
    async with app.run_test() as pilot:
        screen = picker(app)
        await wait_until(pilot, lambda: screen.gateway_models == ["gpt-4o"])
        labels = {str(o.prompt).strip(): o for o in screen.query_one(OptionList)._options if not o.disabled}
        assert any(label.startswith("gpt-4o-mini") and "not listed by the gateway" in label for label in labels)
        assert any(label.startswith("gpt-4o") and "not listed" not in label for label in labels)
