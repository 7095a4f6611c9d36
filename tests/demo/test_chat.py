"""Chat completions: the reply, the stream, usage, max_tokens, `!tokens=N`."""

from __future__ import annotations

import httpx

from tests.demo.demo_support import chunks, content_of, user, validate


async def _stream(client: httpx.AsyncClient, body: dict) -> tuple[str, list[dict]]:
    r = await client.post("chat/completions", json={**body, "stream": True})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    return r.text, chunks(r.text)


async def test_plain_reply_is_markdown_built_from_the_prompt(client: httpx.AsyncClient) -> None:
    prompt = "Explain the borrow checker in three sentences"
    r = await client.post("chat/completions", json={"model": "gpt-4o", "messages": user(prompt)})
    assert r.status_code == 200
    body = r.json()
    validate("chat-completion-response", body)
    text = body["choices"][0]["message"]["content"]
    assert text.startswith("## ")
    assert f"> {prompt}" in text
    assert "**7 words**" in text
    assert "\n- " in text and "|---|---|" in text and "```python\n" in text
    assert body["choices"][0]["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    again = await client.post("chat/completions", json={"model": "gpt-4o", "messages": user(prompt)})
    assert again.json()["choices"][0]["message"]["content"] == text


async def test_stream_chunks_validate_and_match_the_plain_reply(client: httpx.AsyncClient) -> None:
    body = {"model": "gpt-4o-mini", "messages": user("Tell me about tables"), "stream_options": {"include_usage": True}}
    raw, parts = await _stream(client, body)
    for chunk in parts:
        validate("chat-completion-chunk", chunk)
    assert raw.rstrip().endswith("data: [DONE]")
    assert parts[0]["choices"][0]["delta"]["role"] == "assistant"
    assert len({c["id"] for c in parts}) == 1
    finishes = [c["choices"][0]["finish_reason"] for c in parts if c["choices"]]
    assert finishes[-1] == "stop" and finishes.count("stop") == 1
    usage_chunk = parts[-1]
    assert usage_chunk["choices"] == [] and usage_chunk["usage"]["completion_tokens"] > 0
    assert usage_chunk["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    plain = await client.post("chat/completions", json=body)
    assert content_of(parts) == plain.json()["choices"][0]["message"]["content"]
    assert plain.json()["usage"] == usage_chunk["usage"]


async def test_no_usage_chunk_unless_asked(client: httpx.AsyncClient) -> None:
    _, parts = await _stream(client, {"model": "gpt-4o", "messages": user("hi")})
    assert all("usage" not in c for c in parts)


async def test_one_token_per_content_chunk_and_max_tokens_cuts_with_length(client: httpx.AsyncClient) -> None:
    _, parts = await _stream(client, {"model": "gpt-4o", "messages": user("count these words"), "max_tokens": 7})
    contents = [c["choices"][0]["delta"]["content"] for c in parts[1:] if c["choices"][0]["delta"].get("content")]
    assert len(contents) == 7
    assert parts[-1]["choices"][0]["finish_reason"] == "length"
    r = await client.post(
        "chat/completions", json={"model": "gpt-4o", "messages": user("count these words"), "max_tokens": 7}
    )
    assert r.json()["choices"][0]["finish_reason"] == "length"
    assert r.json()["choices"][0]["message"]["content"] == "".join(contents)


async def test_filtered_trigger_ends_with_content_filter(client: httpx.AsyncClient) -> None:
    _, parts = await _stream(client, {"model": "gpt-4o", "messages": user("say it !filtered")})
    contents = [c["choices"][0]["delta"]["content"] for c in parts[1:] if c["choices"][0]["delta"].get("content")]
    assert len(contents) == 5
    assert parts[-1]["choices"][0]["finish_reason"] == "content_filter"


async def test_bench_trigger_sends_exactly_n_tokens_of_mixed_markdown(client: httpx.AsyncClient) -> None:
    _raw, parts = await _stream(
        client, {"model": "gpt-4o", "messages": user("!tokens=1234"), "stream_options": {"include_usage": True}}
    )
    contents = [
        c["choices"][0]["delta"]["content"]
        for c in parts[1:]
        if c["choices"] and c["choices"][0]["delta"].get("content")
    ]
    assert len(contents) == 1234
    text = "".join(contents)
    assert "## Section" in text and "\n- " in text and "```python" in text and "**bold words**" in text
    assert parts[-1]["usage"]["completion_tokens"] == 1234


async def test_cached_tokens_count_the_earlier_turns(client: httpx.AsyncClient) -> None:
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "first question here"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "second"},
    ]
    r = await client.post("chat/completions", json={"model": "gpt-4o", "messages": messages})
    usage = r.json()["usage"]
    assert 0 < usage["prompt_tokens_details"]["cached_tokens"] < usage["prompt_tokens"]
    assert "Messages in this conversation: 4" in r.json()["choices"][0]["message"]["content"]


async def test_content_parts_are_read_as_the_prompt(client: httpx.AsyncClient) -> None:
    messages = [{"role": "user", "content": [{"type": "text", "text": "parts work"}]}]
    r = await client.post("chat/completions", json={"model": "gpt-4o", "messages": messages})
    assert "> parts work" in r.json()["choices"][0]["message"]["content"]
