"""Responses API (`POST /v1/responses`) replies -> chatterm's stream events.

Streamed replies arrive as typed SSE events; `ResponsesStreamParser.feed(event, data)`
maps each to the same events a chat completion stream gives:

    response.output_text.delta                 -> TextDelta
    response.reasoning_summary_text.delta,
    response.reasoning_text.delta              -> ReasoningDelta (summary parts split by a blank line)
    response.output_item.added (function_call) -> ToolCallDelta(index, id=call_id, name, "")
    response.function_call_arguments.delta     -> ToolCallDelta(index, None, None, delta)
    response.function_call_arguments.done,
    response.output_item.done                  -> the call's final arguments (no event)
    output_item.done (image_generation_call),
    Markdown data-URL images in the text       -> ImageDelta (`media/images_out.py`)
    response.output_text.annotation.added
      (url_citation)                           -> CitationsUpdate (all citations so far)
    response.completed / response.incomplete   -> UsageUpdate (+ text/calls the stream
                                                  never streamed, taken from `output`)
    error, response.failed, a data object      -> raises an APIError subclass, .partial set
      with only an `error` (a proxy's shape),
      or data that is not a JSON object
                                                  (`failures.error_from_payload`: the same
                                                  class, message and status as chat completions)
    anything else (created, in_progress, keep-alives, part added/done) -> ignored

`feed` never yields `Finished`: the caller calls `finish()` at the end of the stream
and wraps the `Completion` itself, so a stream that was cut before
`response.completed` (or a `data: [DONE]`) becomes `APIConnectionError` with the
partial reply kept.
`parse_response_body(body, model)` does the same for a non-streamed reply and ends
with `Finished`.
"""

from __future__ import annotations

import json
from typing import Any

from chatterm.api.errors import CONNECT_MESSAGE, APIConnectionError
from chatterm.api.failures import error_from_payload, text_or_none
from chatterm.api.sse_feed import SSEFeed, loads
from chatterm.api.types import (
    Citation,
    CitationsUpdate,
    Completion,
    Finished,
    ImageDelta,
    ImageOutput,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageUpdate,
)
from chatterm.api.usage import responses_usage
from chatterm.media.images_out import MarkdownImageStripper, image_from_part, strip_markdown_images

_TERMINAL = ("response.completed", "response.incomplete")


class ResponsesStreamParser(SSEFeed):
    """Assembles one streamed Responses reply; see the module docstring for the map.
    `feed_sse` (from `SSEFeed`) is how the client drives it."""

    def __init__(self, model: str) -> None:
        super().__init__()
        self._model = model
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._reasoning_parts: set[tuple[str, str]] = set()
        """(item id, summary index) of the reasoning summary parts met so far."""
        self._calls: list[ToolCall] = []
        self._call_index: dict[str, int] = {}
        """Output item id (and call_id) -> index in `_calls`."""
        self._citations: list[Citation] = []
        self._usage: Usage | None = None
        self._response_id: str | None = None
        self._finish_reason: str | None = None
        self._done = False
        self._strip = MarkdownImageStripper()
        self._saw_text = False
        self._images: list[ImageOutput] = []
        self._image_items: set[str] = set()
        """Ids of `image_generation_call` items already read (done, then completed)."""

    # --- public ----------------------------------------------------------------------

    def feed_text(self, event: str | None, text: str) -> list[StreamEvent]:
        """`feed()` for the raw data text of one SSE message; ValueError when it is not
        JSON or not in the event's shape (an `item` that is not an object, say), so the
        stream goes on without it and the user is told once."""
        data = loads(text)
        try:
            return self.feed(event, data)
        except (AttributeError, TypeError) as exc:
            raise ValueError(f"not a {event or 'Responses'} event: {exc}") from None

    def feed(self, event: str | None, data: Any) -> list[StreamEvent]:
        """Events for one SSE message (`event` is the SSE event name, if any). Data that
        is not a JSON object is an error reply, as on chat completions."""
        if not isinstance(data, dict):
            raise error_from_payload(data, model=self._model, partial=self.partial)
        kind = data.get("type") or event or ""
        if not kind and data.get("error"):
            kind = "error"  # a proxy's chat-style `data: {"error": {...}}` mid-stream
        handler = _HANDLERS.get(kind)
        if handler is None:
            return []
        return handler(self, data)

    def finish(self, saw_done: bool = False) -> Completion:
        """The finished reply; raises APIConnectionError if the stream ended early.

        `saw_done`: the stream ended with `data: [DONE]` (gateways that translate chat
        completions send it instead of `response.completed`): the server said it is
        complete, as it does for chat completions, so the reply is complete."""
        if not self._done and saw_done:
            self._finish_reason = self._finish_reason or ("tool_calls" if self._calls else "stop")
            self._done = True
        if not self._done:
            raise APIConnectionError(
                CONNECT_MESSAGE,
                provider_message="the stream ended before response.completed",
                partial=self.partial,
            )
        return self.partial

    @property
    def partial(self) -> Completion:
        """What has arrived so far, as a Completion."""
        return Completion(
            model=self._model,
            content="".join(self._text) + self._strip.holding,
            reasoning="".join(self._reasoning) or None,
            tool_calls=[ToolCall(c.id, c.name, c.arguments, dict(c.extra)) for c in self._calls],
            finish_reason=self._finish_reason,
            usage=self._usage,
            citations=list(self._citations),
            response_id=self._response_id,
            images=list(self._images),
        )

    def flush(self) -> list[StreamEvent]:
        """Text the image stripper still holds at the end, as events."""
        text, images = self._strip.flush()
        events: list[StreamEvent] = []
        if text:
            self._text.append(text)
            events.append(TextDelta(text))
        return events + self._add_images(images)

    def _add_images(self, images: list[ImageOutput]) -> list[StreamEvent]:
        self._images.extend(images)
        return [ImageDelta(image) for image in images]

    def _image_item(self, item: dict[str, Any]) -> list[StreamEvent]:
        key = str(item.get("id") or len(self._image_items))
        if key in self._image_items:
            return []
        image = image_from_part(item)
        if image is None:
            return []
        self._image_items.add(key)
        return self._add_images([image])

    # --- handlers --------------------------------------------------------------------

    def _on_created(self, data: dict[str, Any]) -> list[StreamEvent]:
        response = _obj(data.get("response"))
        self._response_id = text_or_none(response.get("id")) or self._response_id
        self._model = _text(response.get("model")) or self._model
        return []

    def _on_text_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        delta = _text(data.get("delta"))
        if not delta:
            return []
        self._saw_text = True
        delta, images = self._strip.feed(delta)
        events: list[StreamEvent] = []
        if delta:
            self._text.append(delta)
            events.append(TextDelta(delta))
        return events + self._add_images(images)

    def _on_reasoning_part(self, data: dict[str, Any]) -> list[StreamEvent]:
        key = (str(data.get("item_id", "")), str(data.get("summary_index") or 0))
        if key in self._reasoning_parts:
            return []
        self._reasoning_parts.add(key)
        if self._reasoning and not "".join(self._reasoning).endswith("\n\n"):
            self._reasoning.append("\n\n")
            return [ReasoningDelta("\n\n")]
        return []

    def _on_reasoning_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        if "summary_index" in data:
            events.extend(self._on_reasoning_part(data))
        delta = _text(data.get("delta"))
        if delta:
            self._reasoning.append(delta)
            events.append(ReasoningDelta(delta))
        return events

    def _on_item_added(self, data: dict[str, Any]) -> list[StreamEvent]:
        item = _obj(data.get("item"))
        if item.get("type") == "image_generation_call":
            return self._image_item(item)
        if item.get("type") != "function_call":
            return []
        return self._add_call(item, data.get("output_index"))[1]

    def _add_call(self, item: dict[str, Any], output_index: Any = None) -> tuple[int, list[StreamEvent]]:
        """The call's index (a new one unless the item was met before) and its events."""
        item_id = str(item.get("id") or item.get("call_id") or f"output-{output_index}")
        if item_id in self._call_index:
            return self._call_index[item_id], []
        call_id = str(item.get("call_id") or item.get("id") or "")
        index = len(self._calls)
        call = ToolCall(call_id, _text(item.get("name")), _arguments(item.get("arguments")))
        self._calls.append(call)
        self._call_index[item_id] = index
        if call_id:
            self._call_index.setdefault(call_id, index)
        if output_index is not None:
            self._call_index.setdefault(f"output-{output_index}", index)
        return index, [ToolCallDelta(index, call.id, call.name, call.arguments)]

    def _find_call(self, data: dict[str, Any]) -> int | None:
        for key in (data.get("item_id"), data.get("call_id")):
            if key is not None and str(key) in self._call_index:
                return self._call_index[str(key)]
        if data.get("output_index") is not None:
            return self._call_index.get(f"output-{data['output_index']}")
        return None

    def _on_args_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        index = self._find_call(data)
        delta = _text(data.get("delta"))
        if index is None:
            # Arguments before the item was announced: start the call from what we have.
            index, _ = self._add_call(
                {"id": data.get("item_id"), "call_id": data.get("item_id")}, data.get("output_index")
            )
        if not delta:
            return []
        self._calls[index].arguments += delta
        return [ToolCallDelta(index, None, None, delta)]

    def _on_args_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        index = self._find_call(data)
        if index is None or data.get("arguments") is None:
            return []
        call = self._calls[index]
        final = _arguments(data["arguments"])
        if not final and call.arguments:  # not text: keep what streamed
            return []
        events: list[StreamEvent] = []
        if final.startswith(call.arguments) and final != call.arguments:
            events.append(ToolCallDelta(index, None, None, final[len(call.arguments) :]))
        call.arguments = final
        return events

    def _on_item_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        item = _obj(data.get("item"))
        if item.get("type") == "image_generation_call":
            return self._image_item(item)
        if item.get("type") != "function_call":
            return []
        _, events = self._add_call(item, data.get("output_index"))
        index = self._find_call({"item_id": item.get("id"), "call_id": item.get("call_id")})
        if index is not None:
            call = self._calls[index]
            if item.get("call_id"):
                call.id = str(item["call_id"])
            if _text(item.get("name")):
                call.name = item["name"]
            if item.get("arguments") is not None:
                events.extend(
                    self._on_args_done(
                        {"item_id": item.get("id"), "call_id": item.get("call_id"), "arguments": item["arguments"]}
                    )
                )
        return events

    def _on_annotation(self, data: dict[str, Any]) -> list[StreamEvent]:
        return self._add_citations([data.get("annotation")])

    def _add_citations(self, annotations: Any) -> list[StreamEvent]:
        added = False
        seen = {c.url for c in self._citations}
        for annotation in _objs(annotations):
            url = _text(annotation.get("url"))
            if annotation.get("type") != "url_citation" or not url or url in seen:
                continue
            seen.add(url)
            self._citations.append(Citation(url, text_or_none(annotation.get("title"))))
            added = True
        return [CitationsUpdate(tuple(self._citations))] if added else []

    def _on_terminal(self, data: dict[str, Any]) -> list[StreamEvent]:
        response = _obj(data.get("response"))
        events = self._absorb_output(response.get("output"))
        self._response_id = text_or_none(response.get("id")) or self._response_id
        self._model = _text(response.get("model")) or self._model
        self._usage = responses_usage(response.get("usage")) or self._usage
        if self._usage is not None:
            events.append(UsageUpdate(self._usage))
        self._finish_reason = _finish_reason(response, bool(self._calls))
        self._done = True
        return events

    def _absorb_output(self, output: Any) -> list[StreamEvent]:
        """Take from the final `output` whatever the stream did not deliver as deltas
        (some gateways send only `response.completed`), plus all citations."""
        events: list[StreamEvent] = []
        streamed_text = bool(self._text) or self._saw_text
        streamed_reasoning = bool(self._reasoning)
        for item in _objs(output):
            kind = item.get("type")
            if kind == "message":
                content = item.get("content")
                if isinstance(content, str):  # a plain string where parts belong
                    content = [{"type": "output_text", "text": content}]
                for part in _objs(content):
                    text = _text(part.get("text") if part.get("type") == "output_text" else part.get("refusal"))
                    if text and not streamed_text:
                        text, images = strip_markdown_images(text)
                        if text:
                            self._text.append(text)
                            events.append(TextDelta(text))
                        events.extend(self._add_images(images))
                    elif not streamed_text and (image := image_from_part(part)) is not None:
                        events.extend(self._add_images([image]))
                    events.extend(self._add_citations(part.get("annotations")))
            elif kind == "reasoning" and not streamed_reasoning:
                texts = [_text(s.get("text")) for s in _objs(item.get("summary"))]
                if not any(texts):
                    texts = [_text(c.get("text")) for c in _objs(item.get("content"))]
                text = "\n\n".join(t for t in texts if t)
                if text:
                    if self._reasoning:
                        text = "\n\n" + text
                    self._reasoning.append(text)
                    events.append(ReasoningDelta(text))
            elif kind == "function_call":
                events.extend(self._on_item_done({"item": item}))
            elif kind == "image_generation_call":
                events.extend(self._image_item(item))
        return events

    def _on_error(self, data: dict[str, Any]) -> list[StreamEvent]:
        if data.get("type") == "error":  # the event's own type, not an error class
            data = {key: value for key, value in data.items() if key != "type"}
        raise error_from_payload(data, model=self._model, partial=self.partial)

    def _on_failed(self, data: dict[str, Any]) -> list[StreamEvent]:
        response = _obj(data.get("response"))
        self._response_id = text_or_none(response.get("id")) or self._response_id
        error = response.get("error") or {"message": "the response failed", "code": "response_failed"}
        raise error_from_payload(error, model=self._model, partial=self.partial)


_HANDLERS = {
    "response.created": ResponsesStreamParser._on_created,
    "response.in_progress": ResponsesStreamParser._on_created,
    "response.output_text.delta": ResponsesStreamParser._on_text_delta,
    "response.refusal.delta": ResponsesStreamParser._on_text_delta,  # a refusal is the answer
    "response.reasoning_summary_part.added": ResponsesStreamParser._on_reasoning_part,
    "response.reasoning_summary_text.delta": ResponsesStreamParser._on_reasoning_delta,
    "response.reasoning_text.delta": ResponsesStreamParser._on_reasoning_delta,
    "response.output_item.added": ResponsesStreamParser._on_item_added,
    "response.output_item.done": ResponsesStreamParser._on_item_done,
    "response.function_call_arguments.delta": ResponsesStreamParser._on_args_delta,
    "response.function_call_arguments.done": ResponsesStreamParser._on_args_done,
    "response.output_text.annotation.added": ResponsesStreamParser._on_annotation,
    "response.completed": ResponsesStreamParser._on_terminal,
    "response.incomplete": ResponsesStreamParser._on_terminal,
    "error": ResponsesStreamParser._on_error,
    "response.failed": ResponsesStreamParser._on_failed,
}


def parse_response_body(body: Any, model: str) -> list[StreamEvent]:
    """Events for a non-streamed `/v1/responses` reply, ending with `Finished`.

    A body whose status is "failed" (or that carries an `error`), or that is not a JSON
    object, raises the APIError subclass the error maps to.
    """
    if not isinstance(body, dict):
        raise error_from_payload(body, model=model)
    parser = ResponsesStreamParser(_text(body.get("model")) or model)
    if body.get("error") or body.get("status") == "failed":
        parser.feed("response.failed", {"type": "response.failed", "response": body})
    events = parser.feed("response.completed", {"type": "response.completed", "response": body})
    completion = parser.finish()
    return [*events, Finished(completion)]


def _finish_reason(response: dict[str, Any], had_calls: bool) -> str:
    if response.get("status") == "incomplete":
        reason = _obj(response.get("incomplete_details")).get("reason")
        return "content_filter" if reason == "content_filter" else "length"
    return "tool_calls" if had_calls else "stop"


# --- values of the wrong JSON type are read as absent ----------------------------------


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objs(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _arguments(value: Any) -> str:
    """A call's arguments as JSON text; some servers send the parsed object."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return ""
