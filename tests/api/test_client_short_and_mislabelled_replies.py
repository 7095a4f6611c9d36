"""Client edge cases: a retry budget of one with search on, a mislabelled
stream whose first read is a few bytes, a reply that is only a possible `<think>`
start."""

from __future__ import annotations

import json
from typing import Any

from chatterm.api import RetryPolicy
from chatterm.api.types import Finished, TextDelta
from tests.api.conftest import RawServer, Reply, chunk, pieces_of, sse
from tests.api.test_client_errors import json_error, make, request  # noqa: F401 - the fixture


async def test_one_retry_with_search_on_is_still_two_requests(raw_server: RawServer, make: Any) -> None:
    """max_retries=1: the first try and one retry, search on or off."""
    failing = json_error(500, "Internal Server Error", "boom", type="server_error")
    raw_server.script(failing, failing, failing)
    client = make(retry=RetryPolicy(max_retries=1, base_delay=0.001))
    error = await client.fail(request(model="grok-3", search=True))
    assert "500 boom" in str(error)
    assert len(raw_server.requests) == 2


async def test_sse_labelled_json_whose_first_read_is_a_few_bytes(raw_server: RawServer, make: Any) -> None:
    body = sse(chunk("ok"), chunk(finish="stop"))
    raw_server.script(Reply(pieces_of(body, 3), headers={"content-type": "application/json"}))
    events = await make().run(request(stream=True))
    assert events[-1].completion.content == "ok"


async def test_a_reply_that_is_only_a_less_than_sign_is_shown(raw_server: RawServer, make: Any) -> None:
    """`<` could start `<think>`: held back, but told before the reply ends."""
    raw_server.script(sse(chunk("<"), chunk(finish="stop")))
    events = await make().run(request(stream=True))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "<"
    assert isinstance(events[-1], Finished) and events[-1].completion.content == "<"


async def test_a_non_streamed_reply_of_a_less_than_sign_is_shown(raw_server: RawServer, make: Any) -> None:
    body = {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "<"}, "finish_reason": "stop"}],
    }
    raw_server.script(Reply([json.dumps(body).encode()], headers={"content-type": "application/json"}, chunked=False))
    events = await make().run(request(stream=False))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "<"
