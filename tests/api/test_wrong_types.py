"""Replies whose fields have the wrong JSON type (a number where text belongs, a string
where a list belongs) from third-party servers: read what fits, never crash with a
Python error, and every field of the final Completion keeps its type."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from chatterm.api.errors import APIError
from chatterm.api.responses import ResponsesStreamParser, parse_response_body
from chatterm.api.stream import parse_chat_body
from chatterm.api.types import Completion, Finished

CHAT_BODY = {
    "id": "x",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": "hi",
                "reasoning_content": "r",
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                "annotations": [{"type": "url_citation", "url_citation": {"url": "http://a", "title": "t"}}],
            },
        }
    ],
    "usage": {
        "prompt_tokens": 1,
        "completion_tokens": 2,
        "total_tokens": 3,
        "completion_tokens_details": {"reasoning_tokens": 1},
    },
    "citations": ["http://b"],
}
RESPONSE_BODY = {
    "id": "r",
    "object": "response",
    "status": "completed",
    "model": "m",
    "output": [
        {"type": "reasoning", "id": "rs", "summary": [{"type": "summary_text", "text": "th"}]},
        {
            "type": "message",
            "id": "m",
            "role": "assistant",
            "content": [
                {
                    "type": "output_text",
                    "text": "hi",
                    "annotations": [{"type": "url_citation", "url": "http://a", "title": "t"}],
                }
            ],
        },
        {"type": "function_call", "id": "fc", "call_id": "c", "name": "f", "arguments": "{}"},
    ],
    "usage": {
        "input_tokens": 1,
        "output_tokens": 2,
        "total_tokens": 3,
        "output_tokens_details": {"reasoning_tokens": 1},
        "input_tokens_details": {"cached_tokens": 0},
    },
}
WRONG = [None, "s", 5, True, [], {}, ["x"], [None]]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    value = copy.deepcopy(value)
    holder = value
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = new
    return value


def _assert_typed(completion: Completion) -> None:
    assert isinstance(completion.content, str)
    assert completion.reasoning is None or isinstance(completion.reasoning, str)
    for call in completion.tool_calls:
        assert all(isinstance(part, str) for part in (call.id, call.name, call.arguments))
    for citation in completion.citations:
        assert isinstance(citation.url, str)
        assert citation.title is None or isinstance(citation.title, str)
    if completion.usage is not None:
        for count in (completion.usage.prompt_tokens, completion.usage.completion_tokens):
            assert count is None or type(count) is int


@pytest.mark.parametrize(
    "parse, body", [(parse_chat_body, CHAT_BODY), (parse_response_body, RESPONSE_BODY)], ids=["chat", "responses"]
)
def test_every_field_of_the_wrong_type_is_read_or_refused_cleanly(parse: Any, body: dict[str, Any]) -> None:
    for path in _paths(body):
        for wrong in WRONG:
            try:
                events = parse(_replaced(body, path, wrong), "m")
            except APIError:
                continue  # refused with the error table's message
            assert isinstance(events[-1], Finished), path
            _assert_typed(events[-1].completion)


def test_responses_body_with_plain_string_content_is_read_as_the_answer() -> None:
    body = {"status": "completed", "output": [{"type": "message", "content": "plain answer"}]}
    assert parse_response_body(body, "m")[-1].completion.content == "plain answer"


def test_responses_function_call_with_parsed_object_arguments_keeps_them_as_json() -> None:
    body = {
        "status": "completed",
        "output": [{"type": "function_call", "call_id": "c1", "name": "add", "arguments": {"a": 1, "b": 2}}],
    }
    call = parse_response_body(body, "m")[-1].completion.tool_calls[0]
    assert (call.id, call.name, call.arguments) == ("c1", "add", '{"a": 1, "b": 2}')


def test_responses_arguments_delta_without_any_item_id_starts_a_call() -> None:
    parser = ResponsesStreamParser("m")
    parser.feed("response.function_call_arguments.delta", {"delta": '{"x": 1}'})
    parser.feed("response.completed", {"response": {"status": "completed"}})
    assert parser.finish().tool_calls[0].arguments == '{"x": 1}'


def test_non_text_deltas_are_not_taken_as_text() -> None:
    parser = ResponsesStreamParser("m")
    assert parser.feed("response.output_text.delta", {"delta": 5}) == []
    parser.feed("response.output_text.delta", {"delta": "ok"})
    parser.feed("response.completed", {"response": {}})
    assert parser.finish().content == "ok"


def test_responses_body_that_is_not_an_object_is_an_api_error() -> None:
    with pytest.raises(APIError, match="API request failed"):
        parse_response_body(["not", "an", "object"], "m")
