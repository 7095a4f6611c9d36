"""`ChatSession`: one conversation talking to one client, for the TUI and `ask` alike.

`send()` is an async generator of `EngineEvent`s. It appends the user message, streams
the reply, and runs the two-phase tool loop: when the model asks for tool calls, each
call is approved (callback), run (`chatterm.tools.run_tool_call`) and answered with a
`tool` message, and the model is asked again, at most `max_tool_rounds` times.

Stopping is cancellation: cancel the task iterating `send()` and the reply being
written is marked "stopped" with its partial text kept, unanswered tool calls get a
"cancelled" result (so the conversation stays valid for the next request), the
recorder is told, and CancelledError propagates.

The recorder (the history store) hears of every message when it is added, at least
every `flush_interval` seconds while a reply streams, and when the reply ends, so a
crash loses at most the tokens since the last flush. A recorder with `append_text` gets
only the text that arrived since the last flush (a flush costs what arrived, not the
whole reply); the reply is saved whole once, when it ends. A tool call is saved as
running before it runs, so a call cut short (a stop, a killed process) is recorded as
interrupted, "it may have had effects", never as "not run".
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

from chatterm.api.errors import ChatTermError
from chatterm.api.pricing import Price
from chatterm.api.request import ChatRequest
from chatterm.api.shaping import preflight
from chatterm.api.types import (
    CitationsUpdate,
    Completion,
    Endpoint,
    FileInput,
    Finished,
    ImageDelta,
    ImageOutput,
    Notice,
    ReasoningDelta,
    TextDelta,
    ToolCall,
    UsageUpdate,
)
from chatterm.engine.conversation import Conversation, Message, Timings
from chatterm.engine.events import (
    EngineEvent,
    ImageAdded,
    ReplyFailed,
    ReplyFinished,
    ReplyStarted,
    ToolCallStatus,
    ToolLoopStopped,
    ToolStatus,
    UserMessageAdded,
)
from chatterm.engine.redaction import GrowingText, redact_message, redact_title
from chatterm.engine.reply_figures import meter_reply
from chatterm.media.blobs import BlobStore, ImageRef, image_size, sniff_mime
from chatterm.tools.selection import tools_named

if TYPE_CHECKING:
    from chatterm.api.client import ChatClient
    from chatterm.tools import Tool, ToolRegistry

Approval: TypeAlias = Literal["once", "session", "deny"]
ApprovalCallback: TypeAlias = Callable[[ToolCall, "Tool | None"], Awaitable[Approval]]

DENIED_OUTPUT = "The user declined to run this tool call."
CANCELLED_OUTPUT = "The tool call was cancelled by the user before it ran."
STOPPED_OUTPUT = "Interrupted: the tool call was stopped while it ran, so it may have had effects; it has no result."
KILLED_OUTPUT = "Interrupted: chatterm ended while this tool call ran, so it may have had effects; it has no result."
NOT_RUN_OUTPUT = "Not run."


class Recorder(Protocol):
    """What the engine needs from the history store. It may also have
    `append_text(conversation, message, content, reasoning)` (text a streaming reply
    gained since the last save) and `take_notice() -> str | None` (news about saving)."""

    def save_chat(self, conversation: Conversation) -> None: ...

    def save_message(self, conversation: Conversation, message: Message) -> None: ...


class BusyError(ChatTermError):
    """A reply is already being written in this session."""


@dataclass(slots=True)
class EngineOptions:
    max_tool_rounds: int = 8
    """Tool rounds per user message; 0 returns the calls without running them."""
    tool_timeout: float = 30.0
    safe_tools: frozenset[str] = frozenset()
    """Tools that run without asking (only tools marked safe qualify)."""
    offered_tools: Sequence[str] | None = None
    """Tools offered to the model; None offers every registered tool not disabled in the chat."""
    thinking_budget: int | None = None
    thinking_level: str | None = None
    search_options: dict[str, Any] | None = None
    endpoint: Endpoint = "auto"
    image_max_side: int = 2048
    """Attached images are scaled to this longest side (0: sent as they are)."""
    flush_interval: float = 0.5
    prices: Mapping[str, Price] = field(default_factory=dict)
    """`[prices."<model>"]` of the config: each reply's cost (`reply_figures.py`)."""
    context_window: Callable[[str], int | None] | None = None
    """A model's context window (server list, else catalogue), kept with each reply."""


@dataclass(slots=True)
class ToolRun:
    """A call that ran (or was refused) during the last send, for `ask --json`."""

    id: str
    name: str
    ok: bool
    output: str


@dataclass(slots=True)
class _ReplyBuffer:
    """Text of the reply being written, joined only when someone needs it."""

    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)


class ChatSession:
    def __init__(
        self,
        client: ChatClient,
        conversation: Conversation | None = None,
        *,
        tools: ToolRegistry | None = None,
        approve: ApprovalCallback | None = None,
        recorder: Recorder | None = None,
        options: EngineOptions | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        self.client = client
        self.conversation = conversation or Conversation()
        self.tools = tools
        self.approve = approve
        self.recorder = recorder
        self.blobs = blobs
        """Where generated images are kept; without one an image is only referenced."""
        self.options = options or EngineOptions()
        self.busy = False
        self.last_reply: Message | None = None
        self.tool_runs: list[ToolRun] = []
        """Calls that ran during the last send."""
        self._allowed_for_session: set[str] = set()
        self._history_notice: Notice | None = None

    # --- public operations ------------------------------------------------------------

    async def send(self, prompt: str, files: Sequence[str] = ()) -> AsyncIterator[EngineEvent]:
        """Send a prompt (and files for the Responses API) and yield the turn's events."""
        self._begin()
        try:
            self._preflight(files)  # refused before anything is saved
            self._answer_dangling_calls()
            user = Message(role="user", content=prompt, attachments=[_file_label(f) for f in files])
            self.conversation.append(user)
            self._save_chat()
            self._save(user)
            yield UserMessageAdded(user)
            async for event in self._run_turn(user, list(files)):
                yield event
        finally:
            self.busy = False

    async def regenerate(self) -> AsyncIterator[EngineEvent]:
        """Write the last reply again; the old one stays in the store as a sibling branch."""
        index = self._last_user_index()
        if index is None:
            raise ChatTermError("There is no prompt to regenerate a reply for.")
        self._begin()
        try:
            self._preflight([])
            user = self.conversation.messages[index]
            del self.conversation.messages[index + 1 :]
            user.state = "ok"
            self._save_chat()
            async for event in self._run_turn(user, []):
                yield event
        finally:
            self.busy = False

    async def edit(self, message_id: str, text: str) -> AsyncIterator[EngineEvent]:
        """Resend a user message with new text, branching from its parent."""
        messages = self.conversation.messages
        index = next((i for i, m in enumerate(messages) if m.id == message_id), None)
        if index is None or messages[index].role != "user":
            raise ChatTermError("Only a prompt of this chat can be edited.")
        if self.busy:  # before the cut: a refused edit leaves the chat as it was
            raise BusyError("A reply is still being written; wait for it or stop it first.")
        self._preflight([])  # refused: the chat stays as it was
        del messages[index:]
        async for event in self.send(text):
            yield event

    @property
    def keeps_branches(self) -> bool:
        """The recorder keeps siblings (regenerated replies, edited prompts) to step to."""
        return callable(getattr(self.recorder, "siblings", None))

    def siblings(self, message_id: str) -> list[Message]:
        """The message and its siblings (same parent), oldest first; [] when the chat is
        not saved or the store cannot tell (it failed, or the message is not in it)."""
        siblings = getattr(self.recorder, "siblings", None)
        if siblings is None:
            return []
        try:
            found: list[Message] = siblings(message_id)
        except Exception:
            return []
        return found

    def use_recorder(self, recorder: Recorder | None) -> None:
        """Record into another store from the next write on (a fresh history file that
        replaced a damaged one)."""
        self.recorder = recorder

    def switch_branch(self, message_id: str) -> None:
        """Make the branch through `message_id` current (needs a store that keeps branches)."""
        switch = getattr(self.recorder, "switch_branch", None)
        if switch is None:
            raise ChatTermError("Branches are kept only in saved chats.")
        loaded: Conversation = switch(self.conversation.id, message_id)
        self.conversation.messages = loaded.messages

    def offered_tools(self) -> list[str]:
        if self.tools is None:
            return []
        names = self.options.offered_tools
        if names is None:
            names = self.tools.names()
        settings = self.conversation.settings
        disabled = set(settings.disabled_tools)
        offered = [n for n in names if n not in disabled and n in self.tools]
        if settings.tool_words is not None:  # a preset's words: also for tools that joined since
            named = set(tools_named(settings.tool_words, self.tools))
            offered = [n for n in offered if n in named]
        return offered

    # --- the turn ---------------------------------------------------------------------

    def _begin(self) -> None:
        if self.busy:
            raise BusyError("A reply is still being written; wait for it or stop it first.")
        self.busy = True
        self.tool_runs = []

    async def _run_turn(self, user: Message, files: list[str]) -> AsyncIterator[EngineEvent]:
        rounds = 0
        while True:
            reply = Message(role="assistant", model=self.conversation.settings.model, state="streaming")
            request = self._build_request(files)
            files = []  # files go with the first request of the turn only
            self.conversation.append(reply)
            self.last_reply = reply
            self._save(reply)
            yield ReplyStarted(reply)
            try:
                async for event in self._stream_into(reply, request):
                    yield event
            except asyncio.CancelledError:
                reply.state = "stopped"
                self._save(reply)
                raise
            except ChatTermError as error:
                reply.state = "failed"
                reply.error = getattr(error, "detail", None) or str(error)
                if rounds == 0:
                    user.state = "failed"  # the prompt goes back to the box; it is not sent again
                    self._save(user)
                self._save(reply)
                yield ReplyFailed(reply, error, user.text if rounds == 0 else "")
                if (notice := self._take_history_notice()) is not None:
                    yield notice
                return
            reply.state = "ok"
            self._save(reply)
            yield ReplyFinished(reply)
            if (notice := self._take_history_notice()) is not None:
                yield notice
            if not reply.tool_calls or self.options.max_tool_rounds == 0:
                return
            if rounds >= self.options.max_tool_rounds:
                reason = (
                    f"Stopped after {rounds} tool round{'s' if rounds != 1 else ''}"
                    f" (the limit is {self.options.max_tool_rounds});"
                    " the model's last tool calls were not run."
                )
                self._answer_calls(reply.tool_calls, f"Not run: {reason}")
                yield ToolLoopStopped(reason)
                return
            rounds += 1
            async for event in self._run_tool_calls(reply.tool_calls):
                yield event

    async def _stream_into(self, reply: Message, request: ChatRequest) -> AsyncIterator[EngineEvent]:
        buffer = _ReplyBuffer()
        started = time.monotonic()
        first_token: float | None = None
        completion: Completion | None = None
        stop_flushing = asyncio.Event()
        flusher = (
            asyncio.ensure_future(self._flush_periodically(reply, buffer, stop_flushing))
            if self.recorder is not None
            else None
        )
        try:
            async for event in self.client.stream(request):
                if isinstance(event, TextDelta):
                    buffer.text.append(event.text)
                elif isinstance(event, ReasoningDelta):
                    buffer.reasoning.append(event.text)
                elif isinstance(event, Finished):
                    completion = event.completion
                    continue
                elif isinstance(event, UsageUpdate):
                    reply.usage = event.usage
                elif isinstance(event, CitationsUpdate):
                    reply.citations = list(event.citations)
                elif isinstance(event, ImageDelta):
                    yield await self._keep_image(reply, event.image)
                    continue
                elif isinstance(event, Notice) and event.kind == "search_refused":
                    self._remember_search_refusal(request.model)
                if first_token is None and isinstance(event, (TextDelta, ReasoningDelta)):
                    first_token = time.monotonic() - started
                yield event
        except BaseException as error:
            _fill(reply, buffer)
            partial = getattr(error, "partial", None)
            if partial is not None and partial.tool_calls and not reply.tool_calls:
                reply.tool_calls = list(partial.tool_calls)
            reply.timings = Timings(first_token, time.monotonic() - started, streamed=request.stream)
            meter_reply(reply, self.options.prices, self.options.context_window)
            raise
        finally:
            if flusher is not None:
                stop_flushing.set()
                await asyncio.wait([flusher])  # a write under way ends before the final save
        reply.timings = Timings(first_token, time.monotonic() - started, streamed=request.stream)
        if completion is None:  # a client that ended without Finished: keep what arrived
            _fill(reply, buffer)
            meter_reply(reply, self.options.prices, self.options.context_window)
            return
        reply.content = completion.content
        reply.reasoning = completion.reasoning or None
        reply.tool_calls = list(completion.tool_calls)
        reply.usage = completion.usage or reply.usage
        reply.finish_reason = completion.finish_reason
        if completion.citations:
            reply.citations = list(completion.citations)
        meter_reply(reply, self.options.prices, self.options.context_window)

    async def _keep_image(self, reply: Message, image: ImageOutput) -> ImageAdded:
        """Save a generated image (hashing and writing 20 MB happen in a worker thread,
        off the loop the TUI draws on) and reference it from the reply."""
        path = None
        if image.url and not image.data:
            ref = ImageRef(mime=image.mime, url=image.url)
        elif self.blobs is not None:
            ref = await asyncio.to_thread(self.blobs.save, image.data, image.mime)
            path = self.blobs.path_for(ref)
        else:
            ref = await asyncio.to_thread(_unsaved_ref, image)
        reply.images.append(ref)
        return ImageAdded(reply, ref, path)

    async def _flush_periodically(self, reply: Message, buffer: _ReplyBuffer, stop: asyncio.Event) -> None:
        """Save the reply being written every `flush_interval` while it grows, on a
        timer rather than per token: a stream that stalls after a burst still has the
        burst on disk, and the per-token path pays nothing. A recorder that can append
        gets only the new text, so each flush costs what arrived; one that cannot is
        written from a worker thread (a store busy with a history search must not freeze
        the TUI). A flush is never abandoned half way: `stop` ends the loop between
        writes, so no stale flush can land after the reply's final save."""
        text_sent = reasoning_sent = 0
        # Each piece is redacted as it is written; the whole reply again when it ends.
        text_out, reasoning_out = GrowingText(self.client.redactor), GrowingText(self.client.redactor)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.options.flush_interval)
                return
            text_size, reasoning_size = len(buffer.text), len(buffer.reasoning)
            if (text_size, reasoning_size) == (text_sent, reasoning_sent) or self.recorder is None:
                continue
            append = getattr(self.recorder, "append_text", None)
            if append is None:
                _fill(reply, buffer)
                await asyncio.to_thread(self._save, reply)
            else:
                text = text_out.take("".join(buffer.text[text_sent:text_size]))
                reasoning = reasoning_out.take("".join(buffer.reasoning[reasoning_sent:reasoning_size]))
                try:
                    append(self.conversation, reply, text, reasoning)
                except Exception as error:
                    self._recorder_failed(error)
            text_sent, reasoning_sent = text_size, reasoning_size

    async def _run_tool_calls(self, calls: list[ToolCall]) -> AsyncIterator[EngineEvent]:
        from chatterm.tools import ToolRegistry, ToolResult, run_tool_call

        registry = self.tools if self.tools is not None else ToolRegistry()
        answered: set[str] = set()
        running: Message | None = None
        try:
            for call in calls:
                tool = registry.get(call.name)
                decision: Approval = "once"
                status: ToolStatus
                if tool is not None and not self._may_run_unasked(tool):
                    yield ToolCallStatus(call, "waiting")
                    decision = await self._ask(call, tool)
                if decision == "deny":
                    result = ToolResult(False, DENIED_OUTPUT)
                    status = "denied"
                message = Message(role="tool", content="", tool_call_id=call.id, name=call.name)
                if decision != "deny":
                    yield ToolCallStatus(call, "running")
                    # Saved as running first: if chatterm ends mid-run, the call is
                    # known to have started (see `_answer_dangling_calls`).
                    message.state = "streaming"
                    self.conversation.append(message)
                    answered.add(call.id)
                    self._save(message)
                    running = message
                    result = await run_tool_call(registry, call, timeout=self.options.tool_timeout)
                    result.output = self.client.redactor(result.output)  # a tool may have read the key
                    running = None
                    status = "done" if result.ok else "failed"
                    self.tool_runs.append(ToolRun(call.id, call.name, result.ok, result.output))
                else:
                    self.conversation.append(message)
                    answered.add(call.id)
                message.content = result.output
                message.state = "ok"
                message.error = None if result.ok else status
                self._save(message)
                yield ToolCallStatus(call, status, result.output)
        except asyncio.CancelledError:
            if running is not None:
                self._interrupted(running, STOPPED_OUTPUT)
            self._answer_calls([c for c in calls if c.id not in answered], CANCELLED_OUTPUT)
            raise

    def _interrupted(self, message: Message, output: str) -> None:
        """A tool call that started and never finished: it may have done its work."""
        message.content = output
        message.state = "ok"
        message.error = "interrupted"
        self._save(message)

    def _may_run_unasked(self, tool: Tool) -> bool:
        if tool.name in self._allowed_for_session:
            return True
        return bool(tool.safe and tool.name in self.options.safe_tools)

    async def _ask(self, call: ToolCall, tool: Tool) -> Approval:
        if self.approve is None:
            return "deny"  # nothing runs without approval by default
        decision = await self.approve(call, tool)
        if decision == "session":
            self._allowed_for_session.add(tool.name)
        return decision

    def _answer_calls(self, calls: Sequence[ToolCall], output: str) -> None:
        """Give unanswered calls a result so the conversation stays valid."""
        for call in calls:
            message = Message(role="tool", content=output, tool_call_id=call.id, name=call.name, error="not run")
            self.conversation.append(message)
            self._save(message)

    def _answer_dangling_calls(self) -> None:
        """A chat whose last reply asked for tools that never ran (tool rounds 0, a
        crash) gets "not run" results before the next prompt, as the API requires."""
        messages = self.conversation.messages
        for index in range(len(messages) - 1, -1, -1):
            message = messages[index]
            if message.role == "assistant" and message.is_sent():
                results = [m for m in messages[index + 1 :] if m.role == "tool"]
                for result in results:
                    if result.state == "streaming":  # it was running when chatterm ended
                        self._interrupted(result, KILLED_OUTPUT)
                answered = {m.tool_call_id for m in results}
                missing = [c for c in message.tool_calls if c.id not in answered]
                self._answer_calls(missing, NOT_RUN_OUTPUT)
                return
            if message.role == "user":
                return

    def _last_user_index(self) -> int | None:
        for index in range(len(self.conversation.messages) - 1, -1, -1):
            if self.conversation.messages[index].role == "user":
                return index
        return None

    # --- request and persistence ------------------------------------------------------

    def _preflight(self, files: Sequence[str]) -> None:
        """The API layer's refusals (bad settings, files) for the next request, checked
        on its settings alone: the history and the tools are not built for it."""
        preflight(self._build_request(files, history=False))

    def _build_request(self, files: Sequence[str], *, history: bool = True) -> ChatRequest:
        """The next request; `history=False` leaves out the messages and tools (what
        `_preflight` checks does not depend on them)."""
        settings = self.conversation.settings
        tools = self.tools.wire(self.offered_tools()) if self.tools is not None and history else []
        return ChatRequest(
            model=settings.model,
            messages=self.conversation.wire_messages() if history else [],
            temperature=settings.temperature,
            top_p=settings.top_p,
            max_tokens=settings.max_tokens,
            stream=settings.stream,
            tools=tools or None,
            response_format=settings.response_format,
            thinking=settings.thinking,
            thinking_budget=self.options.thinking_budget,
            thinking_level=self.options.thinking_level,
            search=settings.search and not settings.search_refused(),
            search_options=self.options.search_options,
            files=[FileInput(f) for f in files],
            endpoint=self.options.endpoint,
            image_max_side=self.options.image_max_side,
            asr_options=settings.asr_options(),
        )

    def _remember_search_refusal(self, model: str) -> None:
        """The model refused the search request: later turns to it in this chat go
        without search (a new list, so a copy of the settings taken before keeps its own)."""
        settings = self.conversation.settings
        if model not in settings.search_refused_by:
            settings.search_refused_by = [*settings.search_refused_by, model]
            self._save_chat()

    def _save_chat(self) -> None:
        redact_title(self.conversation, self.client.redactor)
        if self.recorder is not None:
            try:
                self.recorder.save_chat(self.conversation)
            except Exception as error:
                self._recorder_failed(error)

    def _save(self, message: Message) -> None:
        """Every message passes here when it is added and as it changes: the key is taken
        out first (`engine/redaction.py`), history or not."""
        redact_message(message, self.client.redactor)
        if self.recorder is not None:
            try:
                self.recorder.save_message(self.conversation, message)
            except Exception as error:
                self._recorder_failed(error)

    def _recorder_failed(self, error: Exception) -> None:
        """A history write failed (a recorder that writes at once: disk full, a damaged
        file): stop saving this chat rather than fail the reply, and tell the user at the
        next event. The TUI's and `ask`'s recorder queues its writes and waits out a
        lock instead (`store/writer.py`), so a lock never turns history off."""
        self.recorder = None
        self._history_notice = Notice(f"History is off for this chat: {error}", kind="history")

    def _take_history_notice(self) -> Notice | None:
        notice, self._history_notice = self._history_notice, None
        take = getattr(self.recorder, "take_notice", None)
        news = take() if take is not None else None
        if notice is None and news:
            notice = Notice(news, kind="history")
        return notice


def _fill(reply: Message, buffer: _ReplyBuffer) -> None:
    reply.content = "".join(buffer.text)
    if buffer.reasoning:
        reply.reasoning = "".join(buffer.reasoning)


def _file_label(source: str) -> str:
    return source.rstrip("/").rsplit("/", 1)[-1] or source


def _unsaved_ref(image: ImageOutput) -> ImageRef:
    """The reference of an image no store keeps (a session built without one)."""
    import hashlib

    width, height = image_size(image.data)
    return ImageRef(
        mime=sniff_mime(image.data) or image.mime,
        sha256=hashlib.sha256(image.data).hexdigest(),
        width=width,
        height=height,
        size=len(image.data),
    )
