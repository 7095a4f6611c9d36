"""Issue 10 item 15: toasts hide neither the prompt nor the status bar, and repeats
merge into one toast with a count instead of stacking up."""

from __future__ import annotations

from typing import Any

from textual.widgets._toast import Toast

from .conftest import wait_until


def _toasts(app: Any) -> list[Toast]:
    return [t for t in app.screen.query(Toast) if t.region.area]


def _toast_text(toast: Toast) -> str:
    return str(toast.render())


async def test_toasts_leave_the_prompt_and_status_bar_visible(chat_context: Any) -> None:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.widgets.status_bar import StatusBar

    app = ChatApp(chat_context)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        app.notify("Copied the last reply (12 lines)", title="Copy")
        app.notify("A warning that is a little longer and wraps onto a second line", severity="warning")
        await wait_until(pilot, lambda: len(_toasts(app)) == 2)
        screen = app.chat_screen
        prompt = screen.prompt.region
        status = screen.query_one(StatusBar).region
        for toast in _toasts(app):
            assert not toast.region.overlaps(prompt), (toast.region, prompt)
            assert not toast.region.overlaps(status), (toast.region, status)


async def test_repeats_merge_and_the_stack_stays_short(chat_context: Any) -> None:
    from chatterm.tui.app import ChatApp

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        for _ in range(3):
            app.notify("Copied the message (1 line)")
        await wait_until(pilot, lambda: any("(×3)" in _toast_text(t) for t in _toasts(app)))
        await pilot.pause()
        assert [_toast_text(t) for t in _toasts(app)] == ["Copied the message (1 line) (×3)"]
        for n in range(5):
            app.notify(f"Different news {n}")
        await wait_until(pilot, lambda: "Different news 4" in " ".join(_toast_text(t) for t in _toasts(app)))
        await pilot.pause()
        texts = [_toast_text(t) for t in _toasts(app)]
        assert len(texts) == 3 and texts[-1] == "Different news 4"
