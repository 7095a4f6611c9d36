"""`ChatClient`: one pooled httpx connection to an OpenAI-compatible gateway.

    async with ChatClient("http://127.0.0.1:8080/v1", key) as client:
        async for event in client.stream(request):     # Notice..., deltas..., Finished
            ...
        completion = await client.complete(request)
        ids = await client.list_models()

One request, step by step:

1. `shaping.prepare(req)` validates it and builds the family's exact body and path
   (chat completions or Responses); its notices are yielded first, each only the first
   time this client meets it (a chat's every turn and tool round would repeat them).
2. POST over the shared `httpx.AsyncClient` (keep-alive pool), Bearer auth added per request
   so the key lives only in this object and never in the pool, a repr or an error.
3. The reply is read by what it is, not by what was asked or what its content type
   says (servers mislabel): `text/event-stream`, or a body whose first line is an SSE
   field, goes through `SSEDecoder` into the protocol's parser (an `SSEFeed`), one batch
   of events per network read; NDJSON (one chunk per line, no `data:`) is re-framed as
   SSE; JSON (a non-streamed reply, or a server that ignores `stream: true`) goes through
   `parse_chat_body` / `parse_response_body`; an HTML page is an error (`reply_body.py`).
   A stream chunk that is not JSON is skipped with one `Notice(kind="malformed")`. The
   last event is always `Finished`.
4. Failures become the gateway table's errors (`failures.error_for`): status, the provider's
   own message (an HTML page is cut to its title), the partial reply when a stream broke.
5. Retries (`retry.py`) happen only before the first event of the reply reached the
   caller; after that a failure is raised with `partial` set.
6. Search degrades: with `req.search` on, a 4xx saying search is not supported (or
   naming search) gets one more try without search at once, even with retries off: that
   is a fix, not a retry, told with a `Notice(kind="search_refused")` (the engine keeps
   the refusal for the chat). A retryable failure (5xx, timeout) whose words name search
   gets one normal retry with search, then a try without search that counts as the next
   retry (only while a retry is left, so never with `max_retries` 0 or 1; not for 429),
   told with a `Notice(kind="search")`. Any other failure is not search's: retried as usual.
7. Bounds (`limits.py`): every body is read through `bounded_body.body_chunks`, which
   inflates gzip itself a piece at a time and caps what is held (`Limits`), and times
   each read against the call's `Clock` (`Deadlines`: first byte, idle, total). A failure
   after a 2xx reply's headers arrived (the server took the request) is not retried, nor
   is a first-byte deadline: the server may still be working on (and billing) the request.
8. A 400/422 (or a validation error dressed as a 500) saying the server does not take an
   optional field (`stream_options` on an old Azure API version, `temperature` on a
   reasoning model under an unknown name) gets the same request again without it
   (`field_fallback.py`), told once with `Notice(kind="field_refused")`; the client then
   leaves the field out from the start.
9. Two more fixes of the same kind, each told once and remembered by the client (that
   is, for its base URL): a server with no `/v1/responses` route gets catalogue-routed
   requests through chat completions (`route_fallback.py`, `kind="route_fallback"`); a
   server refusing `json_schema` gets JSON mode with the schema in a system message
   (`format_fallback.py`, `kind="format_refused"`). Neither counts as a retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx

from chatterm import __version__
from chatterm.api.bounded_body import ACCEPT_ENCODING, StreamCaps, body_chunks, read_capped, read_head
from chatterm.api.context_window import listed_windows
from chatterm.api.deadline_clock import Clock
from chatterm.api.errors import (
    CONNECT_MESSAGE,
    APIConnectionError,
    APIError,
    DeadlineError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    api_failed_message,
)
from chatterm.api.failures import error_for, error_from_payload
from chatterm.api.field_fallback import apply_refusals, refused_field, rename_for
from chatterm.api.format_fallback import LEVELS, format_notice, format_refused, sent_format, weaker
from chatterm.api.json_body import json_bytes
from chatterm.api.limits import Deadlines, Limits
from chatterm.api.redact import Redactor
from chatterm.api.reply_body import (
    drain,
    excerpt,
    first_chunk,
    html_summary,
    is_ndjson,
    looks_like_sse,
    ndjson_lines,
)
from chatterm.api.request import ChatRequest
from chatterm.api.retry import RetryPolicy, is_retryable, parse_retry_after, retry_notice
from chatterm.api.route_fallback import movable, route_missing, route_notice, through_chat
from chatterm.api.server_quirks import ServerQuirks
from chatterm.api.shaping import PreparedRequest, prepare, search_unsupported
from chatterm.api.sse import SSEDecoder, SSEEvent
from chatterm.api.sse_feed import SSEFeed
from chatterm.api.stream import ChatStreamParser, parse_chat_body
from chatterm.api.types import Completion, Finished, Notice, StreamEvent

DEFAULT_USER_AGENT = f"chatterm/{__version__}"


class _Failed(Exception):
    """One attempt failed: the user-facing error plus what the retry logic needs."""

    def __init__(self, error: APIError, retry_after: float | None = None, *, answered: bool = False) -> None:
        super().__init__(error.kind)  # no text of its own: it sits in the raised error's chain
        self.error = error
        self.retry_after = retry_after
        self.answered = answered
        """A 2xx reply's headers had arrived: the server took the request."""

    @property
    def retryable(self) -> bool:
        """A broken or stalled reply to a request the server took is not sent again blindly
        (it may still run, and bill); what the server said (5xx, 429) keeps its own rule."""
        if self.answered and isinstance(self.error, APIConnectionError):
            return False
        return is_retryable(self.error)


class ChatClient:
    """Talks to one gateway. Reuse one instance: it holds the connection pool."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        max_retries: int = 2,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        http: httpx.AsyncClient | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        retry: RetryPolicy | None = None,
        limits: Limits | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        """`retry`, when given, replaces the whole policy (tests shrink the backoff with it);
        otherwise the default policy with `max_retries`. `connect_timeout` sets
        `deadlines.connect`; `read_timeout` (the older single setting) sets both
        `first_byte` and `idle`."""
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.base_url = normalize_base_url(base_url)
        self._api_key = api_key or None
        self.redactor = Redactor(self._api_key)
        """The key and its long fragments out of any text: the engine runs what it saves through it."""
        self.retry = retry if retry is not None else RetryPolicy(max_retries=max_retries)
        self._refused: dict[str, str | None] = {}
        """Optional fields this server refused (-> the name it wants instead, if any)."""
        self._no_responses_route = False
        """This server has no `/v1/responses`: catalogue-routed requests go to chat."""
        self._format_level = 0
        """How far this server made structured output step down (`format_fallback.LEVELS`)."""
        deadlines = deadlines or Deadlines()
        if connect_timeout is not None:
            deadlines = replace(deadlines, connect=connect_timeout)
        if read_timeout is not None:
            deadlines = replace(deadlines, first_byte=read_timeout, idle=read_timeout)
        self.deadlines = deadlines
        self.limits = limits or Limits()
        self.ends_at: float | None = None
        """One end (a `time.monotonic()` instant) for every call from now on, on top of
        `deadlines.total`: `ask --timeout` bounds a whole run, tool rounds included."""
        connect = deadlines.connect
        # Reads are timed by the call's Clock (first byte, idle, total), not by httpx.
        self.timeout = httpx.Timeout(connect=connect, read=None, write=max(30.0, connect), pool=connect)
        self.user_agent = user_agent
        self._owns_http = http is None
        self._pool = http
        """Made on first use: building an httpx client loads the TLS trust store (~20 ms)."""
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        """How the client waits between retries (tests replace it to record the waits)."""
        self._told: set[str] = set()
        """Shaping notices already yielded ("o3-mini does not take temperature; dropped
        it"): each is told once per client, not again on every turn or tool round."""
        self.context_windows: dict[str, int] = {}
        """Context windows the last model list stated (`api/context_window.py`)."""

    @property
    def quirks(self) -> ServerQuirks:
        """What this client learned about its server (a profile keeps it between runs)."""
        return ServerQuirks(dict(self._refused), self._no_responses_route, self._format_level)

    def remember(self, quirks: ServerQuirks) -> None:
        """Start from what an earlier run learned about this server."""
        self._refused.update(quirks.refused)
        self._no_responses_route = self._no_responses_route or quirks.no_responses_route
        self._format_level = max(self._format_level, quirks.format_level)

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"ChatClient(base_url={self.base_url!r}, api_key=<{key}>, max_retries={self.retry.max_retries})"

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._pool is None:
            self._pool = httpx.AsyncClient(
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30.0),
            )
        return self._pool

    async def aclose(self) -> None:
        """Close the pool (only if this client made it)."""
        if self._owns_http and self._pool is not None:
            await self._pool.aclose()
            self._pool = None

    # --- public calls --------------------------------------------------------------

    async def complete(self, req: ChatRequest) -> Completion:
        """The whole reply at once (streamed or not, as `req.stream` says)."""
        completion: Completion | None = None
        async for event in self.stream(req):
            if isinstance(event, Finished):
                completion = event.completion
        assert completion is not None  # stream() always ends with Finished or raises
        return completion

    async def list_models(self) -> list[str]:
        """Model ids from `GET /models`, in the server's order."""
        retries = 0
        clock = Clock(self.deadlines, self.ends_at)
        while True:
            try:
                return await self._models_once(clock)
            except _Failed as failed:
                error = self._redact(failed.error)
                delay = self._retry_delay(failed, retries)
                if delay is None or not clock.allows(delay):
                    raise error from None
                retries += 1
                await self.sleep(delay)

    async def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Events of one reply: the request's notices, deltas, then `Finished`.

        Raises RequestValidationError before sending, and APIError subclasses after.
        """
        prepared = await self._shaped_off_loop(req)
        for notice in self._untold(prepared.notices):
            yield notice
        current = req
        retries = 0
        search_dropped = False
        fields_dropped = 0
        clock = Clock(self.deadlines, self.ends_at)
        while True:
            progressed = False
            attempt = self._attempt(prepared, req.model, clock, encode_off_loop=bool(req.files))
            try:
                async for batch in attempt:
                    progressed = True  # batches are never empty
                    for event in batch:
                        yield event
                return
            except _Failed as failed:
                error = self._redact(failed.error)
                if progressed:
                    raise error from None
                if prepared.protocol == "responses" and movable(current) and route_missing(error, req.model):
                    self._no_responses_route = True  # a fix, not a retry: the same request through chat
                    prepared = await self._shaped_off_loop(current)
                    yield route_notice(error, req.model, self.base_url)
                    for notice in self._untold(prepared.notices):
                        yield notice
                    continue
                if format_refused(error, prepared.body):  # a fix: a weaker format, the schema in the prompt
                    self._format_level = LEVELS.index(sent_format(prepared.body)) + 1
                    prepared = await self._shaped_off_loop(current)
                    yield format_notice(req.model, self._format_level, error)
                    continue
                if current.search and not search_dropped:
                    fallback = self._search_fallback(failed, retries, req.model)
                    if fallback is not None:
                        if failed.retryable:
                            retries += 1  # a retry that also drops search: it counts
                        search_dropped = True
                        current = replace(current, search=False)
                        prepared = await self._shaped_off_loop(current)
                        yield fallback
                        for notice in self._untold(prepared.notices):
                            yield notice
                        continue
                refused = refused_field(error, prepared.body) if fields_dropped < 3 else None
                if refused is not None:  # a fix, not a retry: the same request without the field
                    fields_dropped += 1
                    renamed = rename_for(refused, error, self._refused)
                    self._refused[refused] = renamed
                    prepared = replace(prepared, body=apply_refusals(prepared.body, self._refused))
                    how = f"sent it as `{renamed}`" if renamed else "sent without it"
                    yield Notice(f"{req.model}: the server does not take `{refused}`; {how}", kind="field_refused")
                    continue
                delay = self._retry_delay(failed, retries)
                if delay is None or not clock.allows(delay):
                    raise error from None
                retries += 1
                yield retry_notice(error, delay, retries, self.retry.max_retries)
                await self.sleep(delay)
            finally:
                await attempt.aclose()

    def _shaped(self, req: ChatRequest) -> PreparedRequest:
        """`prepare(req)`, as this server has taught the client: through chat completions
        when it has no `/v1/responses`, with the output format it takes, less the fields
        it refused."""
        if self._no_responses_route and movable(req):
            req = through_chat(req)
        if self._format_level:
            req = weaker(req, self._format_level)
        prepared = prepare(req)
        if self._refused:
            prepared = replace(prepared, body=apply_refusals(prepared.body, self._refused))
        return prepared

    async def _shaped_off_loop(self, req: ChatRequest) -> PreparedRequest:
        """`_shaped(req)` in a worker thread when it reads files: reading and base64-encoding
        a 40 MB file takes ~300 ms, which on the event loop freezes the TUI that waits."""
        if req.files:
            return await asyncio.to_thread(self._shaped, req)
        return self._shaped(req)

    def _untold(self, notices: list[Notice]) -> list[Notice]:
        """The shaping notices this client has not told yet (each is told once)."""
        fresh: list[Notice] = []
        for notice in notices:
            if notice.text not in self._told:
                self._told.add(notice.text)
                fresh.append(notice)
        return fresh

    # --- retry decisions ---------------------------------------------------------------

    def _retry_delay(self, failed: _Failed, retries: int) -> float | None:
        """Seconds to wait before trying again, or None: give up and raise."""
        policy = self.retry
        if retries >= policy.max_retries or not failed.retryable:
            return None
        if failed.retry_after is not None:
            if failed.retry_after > policy.max_retry_after:
                return None  # the message already says how long the server wants
            return failed.retry_after
        return policy.backoff(retries)

    def _search_fallback(self, failed: _Failed, retries: int, model: str) -> Notice | None:
        """A Notice when the next try should go without search; None to carry on as usual."""
        error = failed.error
        said = error.provider_message or error.message
        status = error.status
        if status is not None and 400 <= status < 500 and status not in (401, 403, 404, 429):
            if search_unsupported(said):
                return Notice(
                    f"{model}: web search is not supported here ({said}); answering without search",
                    kind="search_refused",
                )
            if "search" in said.lower():
                return Notice(
                    f"{model}: web search was refused ({said}); answering without search", kind="search_refused"
                )
            return None
        if "search" not in f"{said} {error.detail}".lower():
            return None  # a plain server error is not search's fault: retried with search as usual
        if not failed.retryable or isinstance(error, RateLimitError) or retries >= self.retry.max_retries:
            return None  # (the try without search is a retry: none left, none made)
        if retries < 1:
            return None  # one normal retry with search first
        return Notice(f"{model}: web search failed ({error.detail}); answering without search", kind="search")

    # --- one attempt ---------------------------------------------------------------------

    def _headers(self, accept: str) -> dict[str, str]:
        headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING, "User-Agent": self.user_agent}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    async def _attempt(
        self, prepared: PreparedRequest, model: str, clock: Clock, *, encode_off_loop: bool = False
    ) -> AsyncGenerator[list[StreamEvent], None]:
        """Send once and yield the reply's events, a list per network read (one generator
        hop per read, not per token); every failure leaves as `_Failed`. A body carrying
        files (up to 50 MB of base64) is serialised in a worker thread, in slices (`json_body.py`)."""
        body = prepared.body
        streamed = bool(body.get("stream"))
        parser = _make_parser(prepared.protocol, model)
        headers = self._headers("text/event-stream" if streamed else "application/json")
        url = self.base_url + prepared.path
        payload: dict[str, Any] = {"json": body}
        if encode_off_loop:
            payload = {"content": await asyncio.to_thread(json_bytes, body)}
            headers["Content-Type"] = "application/json"
        sent = _SentTracker()
        answered = False
        try:
            async with contextlib.AsyncExitStack() as stack:
                opening = self._http.stream(
                    "POST", url, **payload, headers=headers, timeout=self.timeout, extensions={"trace": sent.trace}
                )
                resp = await clock.first_byte(stack.enter_async_context(opening), streamed=streamed, sent=sent.done)
                if not 200 <= resp.status_code < 300:
                    raise await self._http_failure(resp, model, clock)
                answered = True
                ctype = resp.headers.get("content-type", "").lower()
                chunks: AsyncIterator[bytes] = body_chunks(resp, clock, self.limits)
                caps = StreamCaps(self.limits)
                first = b""
                if "text/event-stream" not in ctype:
                    # The content type is a hint only: the body's first bytes decide.
                    first = await first_chunk(chunks)
                    start = first.lstrip()[:1]
                    if "html" in ctype or start == b"<":
                        rest = first + await read_head(chunks, self.limits.error_body)
                        raise _Failed(error_for(None, f"{resp.status_code} {html_summary(rest)}", model=model))
                    if looks_like_sse(first):
                        ctype = "text/event-stream"
                    elif "ndjson" in ctype or "jsonl" in ctype:
                        chunks, first, ctype = ndjson_lines(first, chunks), b"", "text/event-stream"
                    elif start in (b"{", b"[", b'"') or not start:
                        ctype = "application/json"
                if "event-stream" not in ctype:
                    raw = await read_capped(first, chunks, self.limits.json_body)
                    if is_ndjson(raw):  # chunks one per line, where one body was expected
                        async for batch in self._sse_events(ndjson_lines(raw), b"", parser, caps):
                            yield batch
                        return
                    if len(raw) >= _BIG_EVENT:  # a body carrying an image: read off the loop
                        events = await asyncio.to_thread(
                            self._json_events, raw, resp.status_code, prepared.protocol, model
                        )
                    else:
                        events = self._json_events(raw, resp.status_code, prepared.protocol, model)
                    caps.check_whole(events, model)
                    yield events
                    return
                async for batch in self._sse_events(chunks, first, parser, caps):
                    yield batch
        except httpx.TimeoutException as exc:
            raise _Failed(
                APIConnectionError(CONNECT_MESSAGE, provider_message=self._timeout_words(exc), partial=parser.partial),
                answered=answered,
            ) from None
        except httpx.TransportError as exc:
            words = self._scrub(str(exc)) or type(exc).__name__
            raise _Failed(
                APIConnectionError(CONNECT_MESSAGE, provider_message=words, partial=parser.partial), answered=answered
            ) from None
        except APIError as error:
            if error.partial is None and isinstance(error, (DeadlineError, ResponseTooLargeError)):
                error.partial = parser.partial  # a bound fired mid-reply: what was shown is kept
            raise _Failed(error, answered=answered) from None

    async def _sse_events(
        self, chunks: AsyncIterator[bytes], first: bytes, parser: SSEFeed, caps: StreamCaps
    ) -> AsyncIterator[list[StreamEvent]]:
        """Bytes -> SSE events -> parser events, a list per network read; `caps` counts
        each read (one event's size) and each batch (the reply's text)."""
        decoder = SSEDecoder()
        parser.scrub = self._scrub
        counted, shown = caps.read, caps.shown
        if first:
            items = decoder.feed(first)
            counted(len(first), bool(items))
            batch = await _feed_off_loop(parser, items)
            if batch:
                yield batch
                shown(batch, parser)
        if not parser.done and parser.failure is None:
            async for chunk in chunks:
                if caps.pending + len(chunk) >= _BIG_EVENT:  # a big event: assembled off the loop too
                    items, batch = await asyncio.to_thread(_decode_and_feed, decoder, parser, chunk)
                    counted(len(chunk), bool(items))
                else:
                    items = decoder.feed(chunk)
                    counted(len(chunk), bool(items))
                    batch = parser.feed_sse(items)
                if batch:
                    yield batch
                    shown(batch, parser)
                if parser.done or parser.failure is not None:
                    break
            else:  # the body ended: an event may still lack its blank line
                batch = await _feed_off_loop(parser, decoder.close())
                if batch:
                    yield batch
        if parser.failure is not None:
            raise parser.failure
        if parser.done:
            await drain(chunks)
        completion = parser.finish(parser.done)
        yield [*parser.flush(), Finished(completion)]

    def _json_events(self, raw: bytes, status: int, protocol: str, model: str) -> list[StreamEvent]:
        text = self._scrub(raw.decode("utf-8", "replace"))
        if not text.strip():
            raise _Failed(error_for(None, f"{status} the reply was empty", model=model))
        try:
            body = json.loads(text)
        except ValueError:
            raise _Failed(
                error_for(None, f"{status} the reply is not valid JSON: {excerpt(text.encode(), 120)}", model=model)
            ) from None
        if protocol == "chat":
            return parse_chat_body(body, model)
        from chatterm.api.responses import parse_response_body

        if not isinstance(body, dict) or body.get("error"):
            raise error_from_payload(body, model=model)
        return parse_response_body(body, model)

    async def _http_failure(self, resp: httpx.Response, model: str | None, clock: Clock) -> _Failed:
        """The error for a non-2xx reply, with the provider's own words (from at most
        `limits.error_body` of its body). `model` is None for `GET /models`, where a 404
        means the base URL is wrong, not the model."""
        raw = await read_head(body_chunks(resp, clock, self.limits), self.limits.error_body)
        retry_after = parse_retry_after(resp.headers)
        status = resp.status_code
        reason = resp.reason_phrase or None
        text = self._scrub(raw.decode("utf-8", "replace")).strip()
        ctype = resp.headers.get("content-type", "").lower()
        message: str | None = None
        payload: Any = None
        if text[:1] in ("{", "[", '"'):
            try:
                payload = json.loads(text)
            except ValueError:
                payload = None
        if payload is None:
            if "html" in ctype or text[:1] == "<":
                message = html_summary(text.encode())
                if message.startswith(f"{status} "):
                    message = message[len(str(status)) + 1 :]
            else:
                message = excerpt(text.encode()) or None
        if model is None and status == 404:
            said = (
                error_from_payload(payload, model="").provider_message if payload is not None else message
            ) or reason
            where = f"{self.base_url}/models"
            return _Failed(
                NotFoundError(
                    api_failed_message(f"404 {said}: no model list at {where}"), status=404, provider_message=said
                )
            )
        if payload is not None:
            error = error_from_payload(
                payload, model=model or "", status=status, reason=reason, retry_after=retry_after
            )
        else:
            error = error_for(status, message, model=model or "", reason=reason, retry_after=retry_after)
        return _Failed(error, retry_after)

    async def _models_once(self, clock: Clock) -> list[str]:
        answered = False
        sent = _SentTracker()
        try:
            async with contextlib.AsyncExitStack() as stack:
                opening = self._http.stream(
                    "GET",
                    self.base_url + "/models",
                    headers=self._headers("application/json"),
                    timeout=self.timeout,
                    extensions={"trace": sent.trace},
                )
                resp = await clock.first_byte(stack.enter_async_context(opening), streamed=True, sent=sent.done)
                if not 200 <= resp.status_code < 300:
                    raise await self._http_failure(resp, None, clock)
                answered = True
                raw = await read_capped(b"", body_chunks(resp, clock, self.limits), self.limits.json_body)
            body = json.loads(raw.decode("utf-8", "replace"))
        except httpx.TimeoutException as exc:
            error = APIConnectionError(CONNECT_MESSAGE, provider_message=self._timeout_words(exc))
            raise _Failed(error, answered=answered) from None
        except httpx.TransportError as exc:
            words = self._scrub(str(exc)) or type(exc).__name__
            raise _Failed(APIConnectionError(CONNECT_MESSAGE, provider_message=words), answered=answered) from None
        except APIError as error:
            raise _Failed(error, answered=answered) from None
        except ValueError:
            raise _Failed(error_for(None, "unreadable model list from the server", model="")) from None
        items = body
        if isinstance(body, dict):
            # OpenAI's `data`; Ollama's and some gateways' `models`
            items = body.get("data") if body.get("data") is not None else body.get("models")
        if not isinstance(items, list):
            raise _Failed(error_for(None, "unreadable model list from the server", model=""))
        ids: list[str] = []
        for item in items:
            name = item
            if isinstance(item, dict):
                name = next(
                    (item[k] for k in ("id", "model", "name") if isinstance(item.get(k), str) and item[k]), None
                )
            if isinstance(name, str) and name and name not in ids:
                ids.append(name)
        self.context_windows = listed_windows(items)
        return ids

    # --- small helpers -----------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        """Servers sometimes echo the key back (whole or in pieces); it never leaves this object."""
        return self.redactor(text)

    def _redact(self, error: APIError) -> APIError:
        """Every error the client raises passes here (`Redactor.error`)."""
        return self.redactor.error(error)

    def _timeout_words(self, exc: httpx.TimeoutException) -> str:
        if isinstance(exc, httpx.ConnectTimeout):
            return f"no connection within {self.timeout.connect:g} s"
        if isinstance(exc, httpx.ReadTimeout):
            return f"no data from the server for {self.timeout.read:g} s"
        if isinstance(exc, httpx.PoolTimeout):
            return "no free connection in the pool"
        return "the server took too long to accept the request"


class _SentTracker:
    """Whether the request went out (httpx's trace): a first-byte deadline then reads
    "accepted the request but sent nothing", not "did not take the request"."""

    __slots__ = ("sent",)

    def __init__(self) -> None:
        self.sent = False

    async def trace(self, name: str, info: dict[str, Any]) -> None:
        if name.endswith("send_request_body.complete"):
            self.sent = True

    def done(self) -> bool:
        return self.sent


def _make_parser(protocol: str, model: str) -> SSEFeed:
    if protocol == "chat":
        return ChatStreamParser(model)
    from chatterm.api.responses import ResponsesStreamParser

    return ResponsesStreamParser(model)


_ENDPOINT_TAIL = re.compile(r"/(?:chat/completions|responses|completions|models)/?$")


def normalize_base_url(url: str) -> str:
    """The base URL the endpoints hang from, forgiving what people paste: an endpoint's
    full URL (`.../v1/chat/completions`) loses the endpoint, and a bare local host
    (`http://localhost:11434`: Ollama, llama.cpp, vLLM, LM Studio all serve `/v1`) gets
    `/v1`, without which each request would 404 and read as "model does not exist".
    A remote bare host is kept as given: some providers serve the API at the root
    (Perplexity's `https://api.perplexity.ai`)."""
    url = _ENDPOINT_TAIL.sub("", url.strip()).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname and not parts.path and _is_local(parts.hostname):
        url += "/v1"
    return url


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


_BIG_EVENT = 1024 * 1024
"""An SSE event at least this long (a generated image's base64) is parsed off the loop."""


def _decode_and_feed(decoder: SSEDecoder, parser: SSEFeed, chunk: bytes) -> tuple[list[SSEEvent], list[StreamEvent]]:
    """One read of a big event, decoded and parsed (in a worker thread)."""
    items = decoder.feed(chunk)
    return items, parser.feed_sse(items)


async def _feed_off_loop(parser: SSEFeed, items: list[SSEEvent]) -> list[StreamEvent]:
    """`parser.feed_sse(items)`, in a worker thread when an event is big: reading and
    decoding a 20 MB image event takes a tenth of a second or more, which would freeze
    the TUI's frames if it ran on the event loop. Small events stay on the loop (a thread
    hop per token would cost more than the parse)."""
    if any(len(item[1]) >= _BIG_EVENT for item in items):
        return await asyncio.to_thread(parser.feed_sse, items)
    return parser.feed_sse(items)
