"""`chatterm ask --timeout SECONDS`: one total deadline a script can put on a run."""

from __future__ import annotations

import json

from tests.cli.test_ask import chatterm, gw_args


async def test_timeout_ends_a_stalled_reply_saying_which_deadline_fired(demo_gateway) -> None:
    """`!stall` sends five tokens then nothing, for as long as the client waits: without
    `--timeout` that is the idle deadline (two minutes); with it, one second."""
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--json", "--timeout", "1", "!stall please")
    assert run.code == 1, run.err
    data = json.loads(run.out)
    assert data["error"]["type"] == "DeadlineError"
    assert data["error"]["message"] == "Error: no complete reply within 1 s (timeouts.total, retries included)"
    assert data["partial_content"]  # the five tokens that came are kept
    assert len([r for r in demo_gateway.requests if r.path.endswith("/chat/completions")]) == 1


async def test_timeout_must_be_a_positive_number_of_seconds(demo_gateway) -> None:
    for value, said in (("0", "must be more than 0 seconds"), ("soon", "expected a number of seconds")):
        run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--timeout", value, "hi")
        assert run.code == 2 and f"argument --timeout: {said}" in run.err
