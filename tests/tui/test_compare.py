"""Compare mode in the TUI, on the demo gateway with a real history file: models marked
in the picker, two replies streaming side by side in columns, one stopped on its own,
one picked, and the chat continuing from the picked reply."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList

from chatterm.tui.app import ChatApp
from chatterm.tui.screens.picker import ModelPickerScreen
from chatterm.tui.widgets.compare_view import CompareColumn, CompareView
from chatterm.tui.widgets.error_row import ErrorRow
from chatterm.tui.widgets.message import AssistantMessageView

from .conftest import reply_done, send, wait_until

MODELS = ["gpt-4o", "claude-sonnet-4-5-20250929"]


async def mark_in_picker(pilot: Any, models: list[str]) -> None:
    """Open the picker, mark each model with Space, Enter."""
    app: Any = pilot.app
    await pilot.press("ctrl+l")
    await wait_until(pilot, lambda: isinstance(app.screen, ModelPickerScreen))
    screen = app.screen
    for model in models:
        option_list = screen.query_one("#picker-list", OptionList)
        index = next(i for i, o in enumerate(option_list.options) if screen._option_models.get(o.id or "") == model)
        option_list.highlighted = index
        await pilot.press("space")
    assert screen.marked == models
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, ModelPickerScreen))


def columns(app: Any) -> list[CompareColumn]:
    return list(app.chat_screen.query(CompareColumn))


def column_text(column: CompareColumn) -> str:
    return "".join(view.body.text for view in column.replies)


async def test_two_columns_stream_side_by_side_stop_one_and_pick_the_other(
    chat_context: Any, demo_gateway: Any
) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await mark_in_picker(pilot, MODELS)
        assert app.compare_models == MODELS
        await send(pilot, "compare these !tokens=400 !rate=80")

        await wait_until(pilot, lambda: len(columns(app)) == 2 and all(column_text(c) for c in columns(app)))
        left, right = columns(app)
        assert [c.model for c in (left, right)] == MODELS
        assert left.state == right.state == "streaming", "both stream at once"
        assert left.region.y == right.region.y and right.region.x > left.region.x, "side by side"
        assert "gpt-4o" in str(left.head.render()) and "claude-sonnet" in str(right.head.render())

        await pilot.press("ctrl+delete")  # stop the selected (first) column alone
        await wait_until(pilot, lambda: left.state == "stopped")
        assert right.state in ("streaming", "ok"), "the other column goes on"
        await wait_until(pilot, lambda: right.state == "ok" and not app.chat_screen.replying, timeout=20)
        assert "tok/s" in str(right.figures.render()) and "TTFT" in str(right.figures.render())
        picked_text = app.compare_view().comparison.first_reply(1).content
        assert picked_text and len(picked_text) > len(left.last_reply.content)

        await pilot.press("ctrl+down", "ctrl+end")  # select the second column, pick it
        await wait_until(pilot, lambda: not list(app.chat_screen.query(CompareView)))
        shown = [v for v in app.chat_screen.pane.views() if isinstance(v, AssistantMessageView)]
        assert [v.message.model for v in shown] == [MODELS[1]]
        assert app.settings.model == MODELS[1] and app.compare_models is None
        await wait_until(pilot, lambda: shown[0].stepper.has_class("-shown"))  # the other reply is a branch
        await wait_until(pilot, lambda: not footer_actions(app) & {"compare_column", "compare_stop", "compare_pick"})

        await send(pilot, "and next?")
        await reply_done(pilot, replies=2)
        body = [r.body for r in demo_gateway.requests if r.method == "POST"][-1]
        assert body["model"] == MODELS[1]
        assert [m["content"] for m in body["messages"] if m["role"] == "assistant"] == [picked_text]


async def test_narrow_terminals_stack_the_columns(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(80, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.start_compare_mode(MODELS)
        await send(pilot, "stacked")
        await wait_until(pilot, lambda: len(columns(app)) == 2 and not app.chat_screen.replying)
        top, bottom = columns(app)
        assert app.chat_screen.query_one(CompareView).has_class("-stacked")
        assert top.region.x == bottom.region.x and bottom.region.y > top.region.y


async def test_a_failing_model_leaves_the_other_column_and_the_prompt(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.start_compare_mode(["no-such-model", "gpt-4o"])
        await send(pilot, "one fails")
        await wait_until(pilot, lambda: len(columns(app)) == 2 and not app.chat_screen.replying)
        failed, ok = columns(app)
        assert failed.state == "failed" and ok.state == "ok"
        assert "no-such-model" in str(failed.query_one(ErrorRow).render())
        assert app.chat_screen.prompt.text == "", "the prompt is not handed back while a reply succeeded"
        assert app.conversation.messages[-1].model == "gpt-4o"


async def test_a_saved_compare_set_from_the_palette_starts_compare_mode(chat_context: Any) -> None:
    from chatterm.tui.commands import chat_commands, run_command

    chat_context.config.compare_sets = ["gpt-4o, claude-sonnet-4-5-20250929", "gpt-4o-mini,deepseek-chat,glm-5"]
    app = ChatApp(chat_context)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        offered = [c for c in chat_commands(app) if c.text.startswith("Compare:")]
        assert [c.text for c in offered] == [
            "Compare: gpt-4o · claude-sonnet-4-5-20250929",
            "Compare: gpt-4o-mini · deepseek-chat · glm-5",
        ]
        await run_command(app, offered[0])
        assert app.compare_models == MODELS
        await wait_until(pilot, lambda: "COMPARE" in str(app.chat_screen.query_one("CompareBar").render()))


def test_a_compare_set_of_one_model_is_refused_with_its_key(tmp_path: Any) -> None:
    import pytest

    from chatterm.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text('[compare]\nsets = ["gpt-4o,claude-sonnet-4-5-20250929", "gpt-4o"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "compare.sets" in str(caught.value) and "[1] 'gpt-4o' must name 2 to 4 models" in str(caught.value)


async def test_compare_mode_belongs_to_its_tab(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.start_compare_mode(MODELS)
        first = app.chat_screen
        await app.action_new_tab()
        await wait_until(pilot, lambda: app.chat_screen is not first)
        assert app.compare_models is None
        await send(pilot, "one model here")
        await reply_done(pilot)
        assert not list(app.chat_screen.query(CompareView))
        await app.action_previous_tab()
        await wait_until(pilot, lambda: app.chat_screen is first)
        assert app.compare_models == MODELS


def footer_actions(app: Any) -> set[str]:
    """The actions the footer offers now (the compare keys only while a compare turn is shown)."""
    from textual.widgets._footer import FooterKey

    return {key.action for key in app.screen.query(FooterKey)}
