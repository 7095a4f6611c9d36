"""Fault triggers: status errors, stalls, drops, malformed chunks, errors inside a stream."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from chatterm.demo import DemoGateway
from tests.demo.demo_support import chunks, sse_events, user, validate


async def _post(client: httpx.AsyncClient, prompt: str, **extra: object) -> httpx.Response:
    return await client.post("chat/completions", json={"model": "gpt-4o", "messages": user(prompt), **extra})


@pytest.mark.parametrize("stream", [False, True])
async def test_429_says_when_to_retry(client: httpx.AsyncClient, stream: bool) -> None:
    r = await _post(client, "!429 hello", stream=stream)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1" and r.headers["retry-after-ms"] == "1000"
    validate("error-response", r.json())
    long = await _post(client, "!429long hello", stream=stream)
    assert long.status_code == 429 and long.headers["retry-after"] == "120"


async def test_quota_is_429_insufficient_quota(client: httpx.AsyncClient) -> None:
    r = await _post(client, "!quota")
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "insufficient_quota"
    assert "retry-after" not in r.headers


async def test_500_and_proxy_502_html(client: httpx.AsyncClient) -> None:
    r = await _post(client, "!500")
    assert r.status_code == 500
    validate("error-response", r.json())
    html = await _post(client, "!502html")
    assert html.status_code == 502
    assert html.headers["content-type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in html.text


async def test_flaky_fails_once_per_prompt_then_succeeds(client: httpx.AsyncClient) -> None:
    assert (await _post(client, "!flaky one")).status_code == 500
    assert (await _post(client, "!flaky one")).status_code == 200
    assert (await _post(client, "!flaky two")).status_code == 500


async def test_flaky_memory_is_per_server(gateway: DemoGateway) -> None:
    other = DemoGateway()
    await other.start()
    try:
        async with httpx.AsyncClient(headers={"Authorization": "Bearer k"}) as c:
            body = {"model": "gpt-4o", "messages": user("!flaky")}
            assert (await c.post(gateway.base_url + "/chat/completions", json=body)).status_code == 500
            assert (await c.post(other.base_url + "/chat/completions", json=body)).status_code == 500
    finally:
        await other.stop()


async def test_stall_sends_a_few_tokens_then_nothing(client: httpx.AsyncClient) -> None:
    received: list[str] = []
    with pytest.raises(httpx.ReadTimeout):
        async with client.stream(
            "POST",
            "chat/completions",
            json={"model": "gpt-4o", "stream": True, "messages": user("!stall")},
            timeout=httpx.Timeout(5, read=0.3),
        ) as r:
            async for line in r.aiter_lines():
                received.append(line)
    contents = [
        json.loads(line[6:])["choices"][0]["delta"].get("content") for line in received if line.startswith("data: {")
    ]
    assert len([c for c in contents if c]) == 5
    assert "data: [DONE]" not in received


async def test_stall_without_stream_never_answers(client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.ReadTimeout):
        await client.post(
            "chat/completions", json={"model": "gpt-4o", "messages": user("!stall")}, timeout=httpx.Timeout(5, read=0.3)
        )


async def test_stop_ends_a_stalled_stream(gateway: DemoGateway, client: httpx.AsyncClient) -> None:
    async def consume() -> None:
        async with client.stream(
            "POST", "chat/completions", json={"model": "gpt-4o", "stream": True, "messages": user("!stall")}
        ) as r:
            async for _ in r.aiter_lines():
                pass

    task = asyncio.create_task(consume())
    while not gateway.requests:
        await asyncio.sleep(0.01)
    await gateway.stop()
    with pytest.raises(httpx.HTTPError):
        await task


async def test_drop_closes_mid_reply_without_finish(client: httpx.AsyncClient) -> None:
    received: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError):
        async with client.stream(
            "POST", "chat/completions", json={"model": "gpt-4o", "stream": True, "messages": user("!drop")}
        ) as r:
            async for line in r.aiter_lines():
                received.append(line)
    datas = [json.loads(line[6:]) for line in received if line.startswith("data: {")]
    assert sum(1 for d in datas if d["choices"][0]["delta"].get("content")) == 5
    assert all(d["choices"][0]["finish_reason"] is None for d in datas)
    with pytest.raises(httpx.RemoteProtocolError):
        await _post(client, "!drop")


async def test_malformed_chunk_in_the_middle_of_a_stream(client: httpx.AsyncClient) -> None:
    r = await _post(client, "!malformed", stream=True)
    datas = [d for _, d in sse_events(r.text)]
    bad = []
    for i, data in enumerate(datas):
        try:
            json.loads(data) if data != "[DONE]" else None
        except ValueError:
            bad.append(i)
    assert len(bad) == 1 and 0 < bad[0] < len(datas) - 2
    assert datas[-1] == "[DONE]"


async def test_error_object_inside_a_200_stream(client: httpx.AsyncClient) -> None:
    r = await _post(client, "!error", stream=True)
    assert r.status_code == 200
    datas = [json.loads(d) for _, d in sse_events(r.text)]
    assert "error" in datas[-1] and not datas[-1].get("choices")
    validate("error-response", datas[-1])
    assert sum(1 for d in datas[:-1] if d["choices"][0]["delta"].get("content")) == 5
    assert "[DONE]" not in r.text


async def test_rate_trigger_still_sends_the_whole_reply(client: httpx.AsyncClient) -> None:
    r = await _post(client, "!rate=2000 !tokens=40", stream=True)
    assert sum(1 for c in chunks(r.text) if c["choices"] and c["choices"][0]["delta"].get("content")) == 40


async def test_token_delay_still_sends_the_whole_reply() -> None:
    async with DemoGateway(token_delay=0.001) as gw, httpx.AsyncClient(headers={"Authorization": "Bearer k"}) as c:
        r = await c.post(
            gw.base_url + "/chat/completions",
            json={"model": "gpt-4o", "stream": True, "messages": user("!tokens=20")},
        )
    assert sum(1 for c in chunks(r.text) if c["choices"] and c["choices"][0]["delta"].get("content")) == 20
