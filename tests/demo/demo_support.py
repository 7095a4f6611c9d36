"""Helpers for the demo gateway tests: the OpenAI spec schemas and an SSE splitter.

The schemas are vendored in `tests/spec/`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.spec import validator

AUTH = {"Authorization": "Bearer demo-key"}


def validate(name: str, value: Any) -> None:
    """Raise jsonschema.ValidationError when `value` does not fit `<name>.schema.json`."""
    validator(name).validate(value)


def sse_events(text: str) -> list[tuple[str | None, str]]:
    """(event, data) pairs of an SSE body, as the demo writes it (LF line ends)."""
    out: list[tuple[str | None, str]] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        event = None
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        out.append((event, "\n".join(data)))
    return out


def chunks(text: str) -> list[dict[str, Any]]:
    """The JSON chunks of a chat completions stream (everything but `[DONE]`)."""
    return [json.loads(data) for _, data in sse_events(text) if data != "[DONE]"]


def content_of(chunk_list: list[dict[str, Any]]) -> str:
    return "".join(
        c["choices"][0]["delta"].get("content") or ""
        for c in chunk_list
        if c.get("choices") and not c["choices"][0]["delta"].get("extra_content")
    )


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


# --- the spec watch: every frame the demo sends, every request chatterm sends --------------

_FREE_TEXT = frozenset({"content", "reasoning_content", "reasoning", "arguments", "delta", "text", "refusal"})
"""Fields whose wording never decides whether a chunk fits the schema; blanked for the
shape key, so a 20,000-token stream is validated once per shape, not once per token."""


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("" if k in _FREE_TEXT and isinstance(v, str) else _shape(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


class SpecWatch:
    """Wraps the demo's encoders and request recorder for one test (see `watch_demo`):
    every chat chunk it sends is checked against chat-completion-chunk.schema.json, every
    Responses event against responses-stream-event.schema.json, every whole body against
    its response schema, a mid-stream error frame against error-response.schema.json.
    With `requests=True`, every body the demo receives is checked too: chat requests
    against chat-completion-request.schema.json (streamed ones must ask for usage),
    Responses requests against responses-create-request.schema.json. Problems are
    collected (the server must not swallow them) and asserted at the end of the test."""

    def __init__(self, *, requests: bool) -> None:
        self.problems: list[str] = []
        self.checked = {"frames": 0, "requests": 0}
        self._seen: set[tuple[str, str]] = set()
        self._requests = requests

    def check(self, schema: str, value: Any, where: str) -> None:
        key = (schema, json.dumps(_shape(value), sort_keys=True))
        if key in self._seen:
            return
        self._seen.add(key)
        errors = sorted(validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            self.problems.append(f"{where} does not fit {schema}: {first.message} at {list(first.absolute_path)}")

    def frame(self, schema: str, frame: bytes, where: str, *, fault: bool = False) -> None:
        """`fault`: the frame a fault trigger sends; `!malformed` is not JSON on purpose."""
        for _, data in sse_events(frame.decode("utf-8")):
            if data == "[DONE]":
                continue
            try:
                value = json.loads(data)
            except ValueError:
                if fault:
                    continue
                raise
            self.checked["frames"] += 1
            self.check(schema, value, where)

    def request(self, path: str, body: Any) -> None:
        self.checked["requests"] += 1
        if path.endswith("/chat/completions"):
            check_chat_request(body, self.problems)
        elif path.endswith("/responses"):
            self.check("responses-create-request", body, f"request to {path}")


def check_chat_request(body: Any, problems: list[str]) -> None:
    """A chat request chatterm sent: the schema (GLM's documented `web_search` tool, which
    the OpenAI `tools` union does not know, is checked without that tool), and a streamed
    request asks for `stream_options: {"include_usage": true}`."""
    if not isinstance(body, dict):
        problems.append(f"chat request body is not an object: {body!r}")
        return
    tools = body.get("tools")
    if isinstance(tools, list) and any(isinstance(t, dict) and t.get("type") == "web_search" for t in tools):
        kept = [t for t in tools if not (isinstance(t, dict) and t.get("type") == "web_search")]
        body = {**body, "tools": kept} if kept else {k: v for k, v in body.items() if k != "tools"}
    for error in validator("chat-completion-request").iter_errors(body):
        problems.append(f"chat request does not fit the spec: {error.message} at {list(error.absolute_path)}")
        break
    if body.get("stream") is True and body.get("stream_options") != {"include_usage": True}:
        problems.append(f"streamed chat request without stream_options.include_usage: {body.get('stream_options')!r}")


def watch_demo(monkeypatch: pytest.MonkeyPatch, *, requests: bool) -> SpecWatch:
    """Install a `SpecWatch` on the demo gateway's encoders (and recorder) for one test."""
    from chatterm.demo import chat_wire, responses_wire, server

    watch = SpecWatch(requests=requests)

    def frames_checked(encode: Any, schema: str, fault_schema: str) -> Any:
        def wrapped(*args: Any, **kw: Any) -> Any:
            frames = encode(*args, **kw)
            for frame in frames.frames:
                watch.frame(schema, frame, f"{schema} frame")
            if frames.fault_frame is not None:
                watch.frame(fault_schema, frames.fault_frame, f"{fault_schema} fault frame", fault=True)
            return frames

        return wrapped

    def body_checked(encode: Any, schema: str) -> Any:
        def wrapped(*args: Any, **kw: Any) -> Any:
            body = encode(*args, **kw)
            watch.check(schema, body, schema)
            return body

        return wrapped

    # A chat stream's fault frame is `{"error": {...}}` (or not JSON: `!malformed`); a
    # Responses stream's is an `error` / `response.failed` event.
    monkeypatch.setattr(
        chat_wire, "stream_frames", frames_checked(chat_wire.stream_frames, "chat-completion-chunk", "error-response")
    )
    monkeypatch.setattr(
        chat_wire, "completion_body", body_checked(chat_wire.completion_body, "chat-completion-response")
    )
    monkeypatch.setattr(
        responses_wire,
        "stream_frames",
        frames_checked(responses_wire.stream_frames, "responses-stream-event", "responses-stream-event"),
    )
    monkeypatch.setattr(
        responses_wire, "response_body", body_checked(responses_wire.response_body, "responses-response")
    )
    if requests:
        record = server.DemoGateway._record

        def recording(self: Any, request: Any) -> Any:
            body = record(self, request)
            if request.method == "POST":
                watch.request(request.path, body)
            return body

        monkeypatch.setattr(server.DemoGateway, "_record", recording)
    return watch
