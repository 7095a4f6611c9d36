"""The demo gateway as an HTTP server: auth, routing, errors, keep-alive, recording."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from chatterm.demo import BAD_API_KEY, DemoGateway
from tests.demo.demo_support import user, validate


async def test_models_lists_the_gateway_page_models(client: httpx.AsyncClient) -> None:
    r = await client.get("models")
    assert r.status_code == 200
    validate("models-list-response", r.json())
    ids = [m["id"] for m in r.json()["data"]]
    for name in (
        "o4-mini",
        "o3-mini",
        "gpt-5.2",
        "gpt-5.1",
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-3.5-turbo",
        "claude-opus-4-6",
        "claude-sonnet-4-5-20250929",
        "claude-haiku-4-5-20251001",
        "deepseek-v3-1-250821",
        "deepseek-v3",
        "deepseek-r1",
        "grok-4",
        "grok-4-fast-reasoning",
        "grok-3",
        "grok-3-fast",
        "gemini-3-pro-preview",
        "gemini-3-flash-preview",
        "nano-banana-pro",
        "glm-5",
        "glm-4.7",
        "doubao-seed-1-8-251228",
        "qwen3-coder-plus",
        "qwen3-omni-flash",
        "kimi-k2.5",
    ):
        assert name in ids
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_api_key"),
        ({"Authorization": f"Bearer {BAD_API_KEY}"}, "invalid_api_key"),
        ({"Authorization": "Basic abc"}, "invalid_api_key"),
    ],
)
async def test_bad_or_missing_key_gets_401_in_error_shape(
    gateway: DemoGateway, headers: dict[str, str], code: str
) -> None:
    async with httpx.AsyncClient() as c:
        r = await c.post(
            gateway.base_url + "/chat/completions", json={"model": "gpt-4o", "messages": user("hi")}, headers=headers
        )
    assert r.status_code == 401
    validate("error-response", r.json())
    assert r.json()["error"]["code"] == code


async def test_any_other_key_is_accepted(gateway: DemoGateway) -> None:
    async with httpx.AsyncClient(headers={"Authorization": "Bearer sk-whatever-123"}) as c:
        r = await c.get(gateway.base_url + "/models")
    assert r.status_code == 200


async def test_unknown_model_is_404_model_not_found(client: httpx.AsyncClient) -> None:
    r = await client.post("chat/completions", json={"model": "gpt-99", "messages": user("hi")})
    assert r.status_code == 404
    validate("error-response", r.json())
    err = r.json()["error"]
    assert err["message"] == "The model `gpt-99` does not exist"
    assert err["code"] == "model_not_found"


@pytest.mark.parametrize(
    "model",
    [
        "gemini-3-pro-preview-thinking",
        "gemini-3-flash-preview-nothinking",
        "gemini-3-pro-preview-thinking-2048",
        "gemini-3-pro-preview-thinking-low",
        "nano-banana-pro-thinking-high",
    ],
)
async def test_gemini_variants_are_accepted_but_not_listed(client: httpx.AsyncClient, model: str) -> None:
    r = await client.post("chat/completions", json={"model": model, "messages": user("hi")})
    assert r.status_code == 200
    assert r.json()["model"] == model
    listed = [m["id"] for m in (await client.get("models")).json()["data"]]
    assert model not in listed


async def test_a_variant_of_a_non_gemini_model_is_unknown(client: httpx.AsyncClient) -> None:
    r = await client.post("chat/completions", json={"model": "gpt-4o-thinking", "messages": user("hi")})
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"model": "gpt-4o", "messages": user("hi"), "temperature": 2.5}, 400, "temperature"),
        ({"model": "gpt-4o", "messages": user("hi"), "top_p": -0.1}, 400, "top_p"),
        ({"model": "gpt-4o", "messages": []}, 400, "messages"),
        ({"messages": user("hi")}, 400, "model"),
    ],
)
async def test_invalid_bodies_get_400_naming_the_field(
    client: httpx.AsyncClient, body: dict, status: int, param: str
) -> None:
    r = await client.post("chat/completions", json=body)
    assert r.status_code == status
    validate("error-response", r.json())
    assert r.json()["error"]["param"] == param


async def test_body_that_is_not_json_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post("chat/completions", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    validate("error-response", r.json())


async def test_unknown_path_and_wrong_method(client: httpx.AsyncClient) -> None:
    r = await client.post("embeddings", json={})
    assert r.status_code == 404
    assert "Unknown request URL" in r.json()["error"]["message"]
    r = await client.get("chat/completions")
    assert r.status_code == 405


async def test_requests_are_recorded_without_the_key(gateway: DemoGateway, client: httpx.AsyncClient) -> None:
    body = {"model": "gpt-4o", "messages": user("record me"), "temperature": 0.5}
    await client.post("chat/completions", json=body)
    rec = gateway.requests[-1]
    assert (rec.method, rec.path) == ("POST", "/v1/chat/completions")
    assert rec.body == body
    assert rec.headers["authorization"] == "<redacted>"
    assert "demo-key" not in repr(gateway.requests) + str(rec.headers)


async def _raw_exchange(gateway: DemoGateway, payload: bytes, reads: int) -> bytes:
    reader, writer = await asyncio.open_connection(gateway.host, gateway.port)
    writer.write(payload)
    await writer.drain()
    data = b""
    try:
        while data.count(b"HTTP/1.1 ") < reads or not data.endswith((b"}", b"0\r\n\r\n")):
            more = await asyncio.wait_for(reader.read(65536), 5)
            if not more:
                break
            data += more
    finally:
        writer.close()
    return data


async def test_keep_alive_serves_two_requests_on_one_connection(gateway: DemoGateway) -> None:
    one = b"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n\r\n"
    data = await _raw_exchange(gateway, one + one, reads=2)
    assert data.count(b"HTTP/1.1 200 OK") == 2
    assert b"Connection: keep-alive" in data


async def test_stream_is_chunked_and_connection_stays_usable(gateway: DemoGateway) -> None:
    body = b'{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}'
    req = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%b" % (len(body), body)
    )
    data = await _raw_exchange(gateway, req, reads=1)
    head, _, rest = data.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head
    assert b"text/event-stream" in head
    assert rest.endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n")


async def test_garbage_request_line_gets_400(gateway: DemoGateway) -> None:
    data = await _raw_exchange(gateway, b"HELLO\r\n\r\n", reads=1)
    assert data.startswith(b"HTTP/1.1 400 ")


async def test_chunked_request_body_and_expect_100_continue(gateway: DemoGateway) -> None:
    body = b'{"model":"gpt-4o","messages":[{"role":"user","content":"chunked body"}]}'
    half = len(body) // 2
    req = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nExpect: 100-continue\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"%x\r\n%b\r\n%x\r\n%b\r\n0\r\n\r\n" % (half, body[:half], len(body) - half, body[half:])
    )
    data = await _raw_exchange(gateway, req, reads=2)
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")
    assert b"> chunked body" in data
    assert gateway.requests[-1].body["messages"][0]["content"] == "chunked body"
