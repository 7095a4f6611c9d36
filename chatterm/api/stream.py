"""Chat completions, streamed or whole, turned into the API layer's events.

`ChatStreamParser` eats `chat.completion.chunk` payloads one at a time and returns the
events each one carries; `finish()` gives the `Completion`. `parse_chat_body()` does the
same for a non-streamed reply, so both paths end in the same `Completion`.

What real servers send and how it is read:

- text: `choices[0].delta.content`.
- refusal: `delta.refusal` / `message.refusal` (OpenAI structured outputs) is the answer
  the user gets, so it is read as text (the Responses parser does the same).
- reasoning: `delta.reasoning_content` (DeepSeek, GLM, Qwen, Kimi) or `delta.reasoning`
  (routers, Ollama, Groq); a chunk carrying both with the same text counts once. Mistral's
  Magistral sends content as parts, `{"type": "thinking", "thinking": [...]}` among them.
  Reasoning inside the content (`<think>` blocks, with or without their opening tag, and
  Gemini's flagged `<thought>` parts) is taken out by `ThinkSplitter` (`think_split.py`).
- tool calls: `delta.tool_calls` (or the older single `delta.function_call`), put back
  together by `toolcalls.ToolCallAssembler` (see there for the providers' habits).
- usage: on a final chunk with empty `choices`, on every chunk (cumulative: the latest
  wins, field by field), inside `choices[0].usage` (Moonshot) or `x_groq.usage` (Groq);
  `usage.py` reads its shapes.
- images: `delta.images[]` / `message.images[]`, `image_url` parts in a content array,
  Markdown data-URL images inside the text (taken out of it, even split across chunks);
  each arrives as one `ImageDelta` with the decoded bytes (`media/images_out.py`).
- citations: top-level `citations` (URLs), Perplexity's `search_results` (`{title, url}`),
  GLM's `web_search` results (`{title, link}`), `url_citation` annotations on the delta or
  message; de-duplicated by URL (a later title fills an untitled one), order kept.
- an `error` object inside a chunk (or an `event: error`) raises the matching `APIError`
  with the provider's message and the partial reply; the class and message come from the
  gateway's table in `failures.py`, shared with the Responses parser and the client.

Speed: every chunk goes through `json.loads` and `feed`; at ~2.5 µs a token this is well
inside the API layer's target (`benchmarks/api_stream.py`, docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from chatterm.api.catalogue import family_for
from chatterm.api.errors import CONNECT_MESSAGE, APIConnectionError
from chatterm.api.failures import error_from_payload, text_or_none
from chatterm.api.sse_feed import SSEFeed, loads
from chatterm.api.think_split import ThinkSplitter
from chatterm.api.toolcalls import ToolCallAssembler
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
    Usage,
    UsageUpdate,
)
from chatterm.api.usage import citations_in, merge_usage, parse_usage
from chatterm.media.images_out import MarkdownImageStripper, image_from_part, images_in


def _is_thought(delta: dict[str, Any]) -> bool:
    extra = delta.get("extra_content")
    if not isinstance(extra, dict):
        return False
    google = extra.get("google")
    return isinstance(google, dict) and google.get("thought") is True


def _part_text(value: Any) -> str:
    """The text of a content part's value: a string, or a list of `{"text"}` parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            p if isinstance(p, str) else p["text"]
            for p in value
            if isinstance(p, str) or (isinstance(p, dict) and isinstance(p.get("text"), str))
        )
    return ""


class ChatStreamParser(SSEFeed):
    """Chat completion chunks in, stream events out; `finish()` gives the Completion.

    `feed(event, data)` has the same shape as the Responses parser's so the client drives
    both alike: `event` is the SSE event name ("message" or None for normal chunks).
    `feed_text(event, text)` takes the SSE data text itself; it raises ValueError when
    the text is not JSON.
    """

    def __init__(self, model: str) -> None:
        super().__init__()
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
        self._think = ThinkSplitter(implied=family_for(model).think_open_implied)
        self._strip = MarkdownImageStripper()
        self._images: list[ImageOutput] = []

    def feed_text(self, event: str | None, text: str) -> list[StreamEvent]:
        """`feed()` for the raw `data:` text of one chunk; ValueError when it is not JSON."""
        return self.feed(event, loads(text))

    def _text(self, text: str, events: list[StreamEvent]) -> None:
        """Content text: the answer, or reasoning inside a leading `<think>` block; a
        Markdown data-URL image in it becomes an image, never text."""
        text, images = self._strip.feed(text)
        if text:
            self._emit(*self._think.feed(text), events)
        self._add_images(images, events)

    def _add_images(self, images: list[ImageOutput], events: list[StreamEvent]) -> None:
        for image in images:
            self._images.append(image)
            events.append(ImageDelta(image))

    def _emit(self, reasoning: str, answer: str, events: list[StreamEvent]) -> None:
        if reasoning:
            self._reasoning.append(reasoning)
            events.append(ReasoningDelta(reasoning))
        if answer:
            self._content.append(answer)
            events.append(TextDelta(answer))

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
        if "x_groq" in data:  # Groq: usage inside `x_groq` on the last chunk
            groq = data["x_groq"]
            if isinstance(groq, dict) and groq.get("usage"):
                self._read_usage(groq["usage"], events)
        if (
            "citations" in data
            or "search_results" in data
            or "web_search" in data
            or (delta is not None and "annotations" in delta)
        ):
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
            self._think.reasoning_seen()
        content = delta.get("content")
        if content:
            if isinstance(content, list):  # content parts (Mistral's Magistral, some proxies)
                texts: list[str] = []
                for part in content:
                    if not isinstance(part, dict):
                        continue
                    if part.get("type") == "thinking":
                        thought = _part_text(part.get("thinking"))
                        if thought:
                            self._reasoning.append(thought)
                            events.append(ReasoningDelta(thought))
                    elif isinstance(part.get("text"), str):
                        texts.append(part["text"])
                    elif (image := image_from_part(part)) is not None:
                        self._add_images([image], events)
                content = "".join(texts)
            elif not isinstance(content, str):
                content = ""  # a number or an object where text belongs: not text
            if "extra_content" in delta and _is_thought(delta):
                self._emit(self._think.feed_thought(content), "", events)
            elif content:
                self._text(content, events)
        refusal = delta.get("refusal")
        if refusal and isinstance(refusal, str):  # the model declined: that is its answer
            self._text(refusal, events)
        tool_calls = delta.get("tool_calls")
        if tool_calls:
            if isinstance(tool_calls, dict):
                tool_calls = [tool_calls]
            if isinstance(tool_calls, list):
                events.extend(self._tools.feed(tool_calls))
        if "images" in delta:
            self._add_images(images_in(delta["images"]), events)
        function_call = delta.get("function_call")  # the pre-tools single-call shape
        if isinstance(function_call, dict) and function_call:
            events.extend(self._tools.feed([{"index": 0, "function": function_call}]))

    def _read_usage(self, raw: Any, events: list[StreamEvent]) -> None:
        usage = parse_usage(raw)
        if usage is None:
            return
        merged = merge_usage(self._usage, usage)
        if merged != self._usage:
            self._usage = merged
            events.append(UsageUpdate(merged))

    def _read_citations(self, chunk: dict[str, Any], delta: dict[str, Any] | None, events: list[StreamEvent]) -> None:
        changed = False
        for citation in citations_in(chunk, delta):
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
        held_reasoning, held_answer = self._think.pending()
        return Completion(
            model=self.model,
            content="".join(self._content) + held_answer + self._strip.holding,
            reasoning="".join(self._reasoning) + held_reasoning or None,
            tool_calls=self._tools.build(),
            finish_reason=self.finish_reason,
            usage=self._usage,
            citations=list(self._citations),
            response_id=self.response_id,
            images=list(self._images),
        )

    def flush(self) -> list[StreamEvent]:
        """What `ThinkSplitter` still holds at the end (a reply that is only `<`, a
        block cut inside its closing tag) as events, so what is shown is what is kept."""
        events: list[StreamEvent] = []
        text, images = self._strip.flush()
        if text:
            self._emit(*self._think.feed(text), events)
        self._add_images(images, events)
        self._emit(*self._think.take_pending(), events)
        return events

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
    return [*events, *parser.flush(), Finished(parser.finish(saw_done=True))]
