"""Issue 10 item 8: a connection that drops mid-reply is said as such ("connection lost
mid-reply; the partial text is kept"), followed by the gateway table's class and message,
never only "Cannot connect to API server" (which sends the user to check the URL)."""

from __future__ import annotations

from typing import Any

from .conftest import reply_done, send, wait_until

LEAD = "Connection lost mid-reply; the partial text is kept"


async def test_the_error_row_leads_with_what_happened(chat_context: Any) -> None:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.widgets.error_row import ErrorRow
    from chatterm.tui.widgets.message import AssistantMessageView

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "!drop")
        await wait_until(pilot, lambda: bool(app.chat_screen.query(ErrorRow)))
        await reply_done(pilot)
        [row] = app.chat_screen.query(ErrorRow)
        lines = str(row.render()).splitlines()
        assert lines[0] == LEAD
        assert lines[1] == "APIConnectionError: Error: Cannot connect to API server"
        [reply] = app.chat_screen.query(AssistantMessageView)
        assert reply.body.text.strip()  # the partial text is still there


async def test_the_saved_reply_keeps_the_wording(chat_context: Any) -> None:
    from chatterm.tui.app import ChatApp

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "!drop")
        await reply_done(pilot)
        await wait_until(pilot, lambda: app.conversation.messages[-1].error is not None)
        error = app.conversation.messages[-1].error
    assert error.startswith(LEAD + ". APIConnectionError: Error: Cannot connect to API server")


async def test_ask_says_it_on_stderr(demo_gateway: Any) -> None:
    from tests.cli.runner import achatterm, gw

    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "-m", "gpt-4o", "!drop")
    assert run.code == 1
    assert run.out.strip()  # the partial reply was printed
    assert LEAD + ". APIConnectionError: Error: Cannot connect to API server" in run.err


async def test_a_server_that_cannot_be_reached_is_still_said_plainly(tmp_path: Any) -> None:
    import socket

    from tests.cli.runner import achatterm

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = await achatterm(
        "ask", "--base-url", f"http://127.0.0.1:{port}/v1", "--api-key", "k", "--no-save", "--max-retries", "0", "hi"
    )
    assert run.code == 1
    assert "Cannot connect to API server" in run.err and "mid-reply" not in run.err
