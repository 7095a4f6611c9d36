"""Chat completions, streamed or whole, turned into the API layer's events.

`ChatStreamParser` eats `chat.completion.chunk` payloads one at a time and returns the
events each one carries; `finish()` gives the `Completion`. `parse_chat_body()` does the
same for a non-streamed reply, so both paths end in the same `Completion`.

What real servers send and how it is read:

- text: `choices[0].delta.content`.
- reasoning: `delta.reasoning_content` (DeepSeek, GLM, Qwen, Kimi) or `delta.reasoning`
  (routers); a chunk carrying both with the same text counts once. Gemini marks thought
  parts with `extra_content.google.thought: true` on a content delta, wrapped in
  `<thought>...</thought>`: those are reasoning, wrappers stripped.
- tool calls: `delta.tool_calls` (or the older single `delta.function_call`), put back
  together by `toolcalls.ToolCallAssembler` (see there for the providers' habits).
- usage: on a final chunk with empty `choices`, on every chunk (cumulative: the latest
  wins, field by field), or inside `choices[0].usage`. Reasoning tokens from
  `completion_tokens_details`, cached tokens from `prompt_tokens_details` or DeepSeek's
  top-level `prompt_cache_hit_tokens`; the total as the server says.
- citations: top-level `citations` (URLs), GLM's `web_search` results (`{title, link}`),
  `url_citation` annotations on the delta or message; de-duplicated by URL, order kept.
- an `error` object inside a chunk (or an `event: error`) raises the matching `APIError`
  with the provider's message and the partial reply; the class and message come from the
  gateway's table in `failures.py`, shared with the Responses parser and the client.

Speed: the client calls `feed_sse()` once per network read. A chunk that is the previous
plain token chunk with another token in it (nearly all of a long reply) is read through a
`_ChunkTemplate` (prefix and suffix compared, only the token's JSON string decoded) instead
of a full `json.loads`; anything else takes the full path. Tests check both agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from chatterm.api.errors import CONNECT_MESSAGE, APIConnectionError, APIError
from chatterm.api.failures import error_from_payload, text_or_none
from chatterm.api.toolcalls import ToolCallAssembler
from chatterm.api.types import (
    Citation,
    CitationsUpdate,
    Completion,
    Finished,
    Notice,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    Usage,
    UsageUpdate,
)

# --- usage & citations ----------------------------------------------------------------


def parse_usage(data: Any) -> Usage | None:
    """A `Usage` from the server's usage object (None when it is empty or not an object)."""
    if not isinstance(data, dict) or not data:
        return None
    details = data.get("completion_tokens_details") or {}
    prompt_details = data.get("prompt_tokens_details") or {}
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
    if reasoning is None:
        reasoning = data.get("reasoning_tokens")
    cached = prompt_details.get("cached_tokens") if isinstance(prompt_details, dict) else None
    if cached is None:
        cached = data.get("prompt_cache_hit_tokens")
    if cached is None:
        cached = data.get("cached_tokens")
    return Usage(
        prompt_tokens=_int(data.get("prompt_tokens")),
        completion_tokens=_int(data.get("completion_tokens")),
        total_tokens=_int(data.get("total_tokens")),
        reasoning_tokens=_int(reasoning),
        cached_tokens=_int(cached),
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _merge_usage(old: Usage | None, new: Usage) -> Usage:
    """Latest wins field by field; a field the new report leaves out keeps its old value."""
    if old is None:
        return new
    return Usage(
        prompt_tokens=new.prompt_tokens if new.prompt_tokens is not None else old.prompt_tokens,
        completion_tokens=new.completion_tokens if new.completion_tokens is not None else old.completion_tokens,
        total_tokens=new.total_tokens if new.total_tokens is not None else old.total_tokens,
        reasoning_tokens=new.reasoning_tokens if new.reasoning_tokens is not None else old.reasoning_tokens,
        cached_tokens=new.cached_tokens if new.cached_tokens is not None else old.cached_tokens,
    )


def _citations_in(chunk: dict[str, Any], holder: dict[str, Any] | None) -> list[Citation]:
    """Citations in any of the places providers put them, in the order they appear."""
    found: list[Citation] = []
    top = chunk.get("citations")
    if isinstance(top, list):
        for item in top:
            if isinstance(item, str) and item:
                found.append(Citation(item))
            elif isinstance(item, dict):
                url = item.get("url") or item.get("link")
                if isinstance(url, str) and url:
                    found.append(Citation(url, text_or_none(item.get("title"))))
    web = chunk.get("web_search")
    if isinstance(web, list):
        for item in web:
            if isinstance(item, dict):
                url = item.get("link") or item.get("url")
                if isinstance(url, str) and url:
                    found.append(Citation(url, text_or_none(item.get("title"))))
    if holder is not None:
        annotations = holder.get("annotations")
        if isinstance(annotations, list):
            for item in annotations:
                if not isinstance(item, dict):
                    continue
                if item.get("type") not in (None, "url_citation"):
                    continue
                inner = item.get("url_citation")
                source = inner if isinstance(inner, dict) else item
                url = source.get("url")
                if isinstance(url, str) and url:
                    found.append(Citation(url, text_or_none(source.get("title"))))
    return found


# --- the parser -----------------------------------------------------------------------


def malformed_notice(text: str) -> Notice:
    """A data text that is not JSON is skipped (the rest of the reply still counts) and
    the user is told once that a piece of the reply may be missing."""
    excerpt = " ".join(text.split())
    if len(excerpt) > 80:
        excerpt = excerpt[:79] + "…"
    return Notice(
        f"The server sent a malformed stream chunk ({excerpt}); part of the reply may be missing",
        kind="malformed",
    )


def _strip_thought(text: str) -> str:
    if "thought>" in text:
        text = text.replace("<thought>", "").replace("</thought>", "")
    return text


def _is_thought(delta: dict[str, Any]) -> bool:
    extra = delta.get("extra_content")
    if not isinstance(extra, dict):
        return False
    google = extra.get("google")
    return isinstance(google, dict) and google.get("thought") is True


_DELTA_KEY = re.compile(r'"(content|reasoning_content|reasoning)"\s*:\s*"')
_PLAIN_TOP_KEYS = frozenset(("id", "object", "created", "model", "system_fingerprint", "choices", "service_tier", "provider", "usage"))
_PLAIN_CHOICE_KEYS = frozenset(("index", "delta", "finish_reason", "logprobs"))
_SENTINEL = "\x01"


_new_object = object.__new__
_set_text = TextDelta.text.__set__  # type: ignore[attr-defined]


def _text_delta(text: str) -> TextDelta:
    """`TextDelta(text)` at half the cost: a frozen dataclass's __init__ goes through
    `object.__setattr__`; this sets the slot directly (same object, same equality)."""
    event = _new_object(TextDelta)
    _set_text(event, text)
    return event


class _ChunkTemplate:
    """The text of a plain token chunk with its one string value cut out.

    Nearly every chunk of a long reply is the previous one with another token in it:
    `{"id":"x",...,"delta":{"content":"<TOKEN>"},"finish_reason":null}]}`. When a chunk's
    text is this template's prefix, one valid JSON string, and this template's suffix,
    it *is* that chunk with a new value, so only the string is decoded (C `scanstring`)
    instead of the whole object. The template is made from a chunk that was parsed in
    full and proved by re-parsing the template with a sentinel value; anything that
    differs by one character outside the string goes the normal way.
    """

    __slots__ = ("prefix", "suffix", "start", "tail", "reasoning")

    def __init__(self, prefix: str, suffix: str, reasoning: bool) -> None:
        self.prefix = prefix
        self.suffix = suffix
        self.start = len(prefix)
        self.tail = len(suffix)
        self.reasoning = reasoning

    def match(self, text: str) -> str | None:
        """The chunk's token when `text` fits this template, else None."""
        if not (text.startswith(self.prefix) and text.endswith(self.suffix)):
            return None
        try:
            value, end = scanstring(text, self.start, True)
        except ValueError:
            return None
        return value if end == len(text) - len(self.suffix) else None

    @classmethod
    def derive(cls, text: str, chunk: Any) -> _ChunkTemplate | None:
        """A template from a parsed chunk that carries one text or reasoning token and
        nothing else; None for any other chunk."""
        if not isinstance(chunk, dict) or not _PLAIN_TOP_KEYS.issuperset(chunk) or chunk.get("usage") is not None:
            return None
        choices = chunk.get("choices")
        if not isinstance(choices, list) or len(choices) != 1:
            return None
        choice = choices[0]
        if not isinstance(choice, dict) or not _PLAIN_CHOICE_KEYS.issuperset(choice):
            return None
        if choice.get("finish_reason") is not None or choice.get("logprobs") is not None:
            return None
        delta = choice.get("delta")
        if not isinstance(delta, dict) or len(delta) != 1:
            return None
        key, value = next(iter(delta.items()))
        if key not in ("content", "reasoning_content", "reasoning") or not isinstance(value, str):
            return None
        for found in reversed(list(_DELTA_KEY.finditer(text))):
            if found.group(1) != key:
                continue
            start = found.end()
            try:
                got, end = scanstring(text, start, True)
            except ValueError:
                continue
            if got != value:
                continue
            prefix, suffix = text[:start], text[end:]
            delta[key] = _SENTINEL
            try:
                proven = json.loads(prefix + '\\u0001"' + suffix) == chunk
            except ValueError:
                proven = False
            finally:
                delta[key] = value
            if proven:
                return cls(prefix, suffix, key != "content")
        return None


class ChatStreamParser:
    """Chat completion chunks in, stream events out; `finish()` gives the Completion.

    `feed(event, data)` has the same shape as the Responses parser's so the client drives
    both alike: `event` is the SSE event name ("message" or None for normal chunks).
    `feed_text(event, text)` takes the SSE data text itself and is the client's hot path
    (see `_ChunkTemplate`); it raises ValueError when the text is not JSON.
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._tools = ToolCallAssembler()
        self._usage: Usage | None = None
        self._citations: list[Citation] = []
        self._cited: dict[str, int] = {}
        self.finish_reason: str | None = None
        self.response_id: str | None = None
        self.reported_model: str | None = None
        """The model name the server put on its chunks (may differ from the one asked)."""
        self._template: _ChunkTemplate | None = None
        self._derived = 0
        self._told_malformed = False
        self.scrub: Callable[[str], str] | None = None
        """Applied to a malformed chunk's text before it is quoted in the Notice (the
        client removes its API key with it: a server may echo the key anywhere)."""
        self.done = False
        """`data: [DONE]` arrived (set by `feed_sse`)."""
        self.failure: APIError | None = None
        """The error a chunk carried (set by `feed_sse`; `feed` raises it at once)."""

    def feed_text(self, event: str | None, text: str) -> list[StreamEvent]:
        """`feed()` for the raw `data:` text of one chunk; ValueError when it is not JSON."""
        template = self._template
        if template is not None and event is None:
            value = template.match(text)
            if value is not None:
                return self._token(value, template.reasoning)
        chunk = json.loads(text)
        events = self.feed(event, chunk)
        # Re-derive when the shape changed (text -> reasoning, a new id), but give up on
        # servers whose every chunk differs (a per-chunk nonce): deriving costs a parse.
        if event is None and (
            self._derived < 4 or len(self._content) + len(self._reasoning) > 16 * self._derived
        ):
            fresh = _ChunkTemplate.derive(text, chunk)
            if fresh is not None:
                self._derived += 1
                self._template = fresh
        return events

    def _token(self, value: str, reasoning: bool) -> list[StreamEvent]:
        if not value:
            return []
        if reasoning:
            self._reasoning.append(value)
            return [ReasoningDelta(value)]
        self._content.append(value)
        return [_text_delta(value)]

    def feed_sse(self, events: Iterable[tuple[str, str, str | None] | str]) -> list[StreamEvent]:
        """The client's hot path: the SSE events of one network read -> stream events.

        `data: [DONE]` sets `done` and ends the stream (anything after it is ignored). A
        data text that is not JSON is skipped, and said once as `Notice(kind="malformed")`:
        the rest of the reply still counts. An error chunk stops the batch and is kept in
        `failure`, so the caller can hand on the events before it, then raise it.

        Equivalent to `feed_text` per event, with the template match inlined and hoisted:
        this loop runs once per token. Takes `SSEDecoder.feed_fast()` output: an event may
        be a bare `data: ...` line (str), whose JSON starts at offset 6.
        """
        out: list[StreamEvent] = []
        if self.done or self.failure is not None:
            return out
        append = out.append
        content = self._content
        template = self._template
        prefix = suffix = ""
        start = tail = 0
        fast = False
        if template is not None:
            prefix, suffix, start, tail = template.prefix, template.suffix, template.start + 6, template.tail
            fast = not template.reasoning
        for item in events:
            if type(item) is str:  # `data: {json}`, the JSON at offset 6
                if fast and item.startswith(prefix, 6) and item.endswith(suffix):
                    try:
                        value, end = scanstring(item, start, True)
                    except ValueError:
                        end = -1
                    if end == len(item) - tail:
                        if value:
                            content.append(value)
                            delta = _new_object(TextDelta)  # TextDelta(value), see _text_delta
                            _set_text(delta, value)
                            append(delta)
                        continue
                name, text = "message", item[6:]
            else:
                name, text, _ = item
            if text == "[DONE]":
                self.done = True
                break
            try:
                out += self.feed_text(None if name == "message" else name, text)
            except APIError as error:
                self.failure = error
                break
            except ValueError:
                if not self._told_malformed:
                    self._told_malformed = True
                    append(malformed_notice(text if self.scrub is None else self.scrub(text)))
            if self._template is not template:
                template = self._template
                if template is not None:
                    prefix, suffix, start, tail = template.prefix, template.suffix, template.start + 6, template.tail
                    fast = not template.reasoning
        return out

    def feed(self, event: str | None, data: Any) -> list[StreamEvent]:
        if not isinstance(data, dict):
            raise error_from_payload(data, model=self.model, partial=self.partial)
        if "error" in data or event == "error":
            error = data.get("error", data)
            if error:
                raise error_from_payload(data, model=self.model, partial=self.partial)
        if self.response_id is None:
            self.response_id = text_or_none(data.get("id"))
            self.reported_model = text_or_none(data.get("model"))
        events: list[StreamEvent] = []
        choices = data.get("choices")
        choice = choices[0] if choices and isinstance(choices, list) else None
        delta = None
        if isinstance(choice, dict):
            delta = choice.get("delta")
            if delta is None:
                delta = choice.get("message")
            if delta is None and isinstance(choice.get("text"), str):
                delta = {"content": choice["text"]}  # completions-style servers stream `text`
            if isinstance(delta, dict):
                self._read_delta(delta, events)
            else:
                delta = None
            reason = choice.get("finish_reason")
            if reason:
                self.finish_reason = str(reason)
            if choice.get("usage"):
                self._read_usage(choice["usage"], events)
        if data.get("usage"):
            self._read_usage(data["usage"], events)
        if "citations" in data or "web_search" in data or (delta is not None and "annotations" in delta):
            self._read_citations(data, delta, events)
        return events

    def _read_delta(self, delta: dict[str, Any], events: list[StreamEvent]) -> None:
        reasoning = delta.get("reasoning_content")
        other = delta.get("reasoning")
        if other and isinstance(other, str) and other != reasoning:
            reasoning = (reasoning or "") + other if reasoning else other
        if reasoning and isinstance(reasoning, str):
            self._reasoning.append(reasoning)
            events.append(ReasoningDelta(reasoning))
        content = delta.get("content")
        if content:
            if isinstance(content, list):  # content parts (rare in chat deltas)
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            if "extra_content" in delta and _is_thought(delta):
                thought = _strip_thought(content)
                if thought:
                    self._reasoning.append(thought)
                    events.append(ReasoningDelta(thought))
            elif content:
                self._content.append(content)
                events.append(TextDelta(content))
        tool_calls = delta.get("tool_calls")
        if tool_calls:
            if isinstance(tool_calls, dict):
                tool_calls = [tool_calls]
            events.extend(self._tools.feed(tool_calls))
        function_call = delta.get("function_call")  # the pre-tools single-call shape
        if isinstance(function_call, dict) and function_call:
            events.extend(self._tools.feed([{"index": 0, "function": function_call}]))

    def _read_usage(self, raw: Any, events: list[StreamEvent]) -> None:
        usage = parse_usage(raw)
        if usage is None:
            return
        merged = _merge_usage(self._usage, usage)
        if merged != self._usage:
            self._usage = merged
            events.append(UsageUpdate(merged))

    def _read_citations(
        self, chunk: dict[str, Any], delta: dict[str, Any] | None, events: list[StreamEvent]
    ) -> None:
        changed = False
        for citation in _citations_in(chunk, delta):
            at = self._cited.get(citation.url)
            if at is None:
                self._cited[citation.url] = len(self._citations)
                self._citations.append(citation)
                changed = True
            elif citation.title and not self._citations[at].title:
                self._citations[at] = Citation(citation.url, citation.title)
                changed = True
        if changed:
            events.append(CitationsUpdate(tuple(self._citations)))

    @property
    def partial(self) -> Completion:
        """What has arrived so far, as a Completion (for errors that keep partial text)."""
        return Completion(
            model=self.model,
            content="".join(self._content),
            reasoning="".join(self._reasoning) or None,
            tool_calls=self._tools.build(),
            finish_reason=self.finish_reason,
            usage=self._usage,
            citations=list(self._citations),
            response_id=self.response_id,
        )

    def finish(self, saw_done: bool) -> Completion:
        """The Completion at the end of the stream. A stream that closed with neither
        `[DONE]` nor a finish_reason was cut off: APIConnectionError, partial kept."""
        completion = self.partial
        if not saw_done and self.finish_reason is None:
            raise APIConnectionError(
                CONNECT_MESSAGE,
                provider_message="the connection closed before the reply was complete",
                partial=completion,
            )
        return completion


def parse_chat_body(body: Any, model: str) -> list[StreamEvent]:
    """A non-streamed chat completion as events (one delta each, then Finished), so it
    ends in the same Completion a stream would. Raises the matching error for an error body."""
    parser = ChatStreamParser(model)
    if not isinstance(body, dict) or "error" in body or not isinstance(body.get("choices"), list):
        raise error_from_payload(body, model=model, reason="unexpected reply from the server")
    events = parser.feed(None, body)
    return [*events, Finished(parser.finish(saw_done=True))]
