"""Message views: a user prompt, an assistant reply.

    UserMessageView        "You" (‹ 1/2 › stepper) + attachments + the prompt as plain text
    AssistantMessageView   header (model, state, ‹ 1/2 › branch stepper)
                           ThinkingBlock?  ToolCallRow*  ReplyBody  ImageView*  SchemaCheck?
                           CitationList?  ReplyFigures? (tokens, context, cost)

A reply view is driven by the chat screen while it streams (`add_text`,
`add_reasoning`, `tool_call_delta`, `finish`) and built whole for loaded chats
(`build_message_view`). A reply written while the chat holds a `response_format`
streams inside a json code block and, once finished, shows as pretty JSON with its
schema verdict (widgets/structured.py). Views take the focus only in message mode (the
chat screen's: entered on purpose, never by a click), where single keys act on them
(`MESSAGE_KEYS`: c copy, e edit, r regenerate, b code block, t thinking, o tool rows,
←/→ branches, ↑/↓ the next message); each view offers only the keys that apply to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message as TextualMessage
from textual.widgets import Static
from textual.widgets._collapsible import CollapsibleTitle

from chatterm.api.types import Citation, CitationsUpdate, ToolCall, ToolCallDelta
from chatterm.engine.conversation import Message
from chatterm.engine.events import ImageAdded
from chatterm.key_actions import MESSAGE_KEYS
from chatterm.media.blobs import ImageRef
from chatterm.terminal_text import visible, visible_line
from chatterm.tui.keys import bindings
from chatterm.tui.widgets.branch_stepper import BranchStepper
from chatterm.tui.widgets.citations import CitationList
from chatterm.tui.widgets.cut_note import CutNote
from chatterm.tui.widgets.error_row import ErrorRow
from chatterm.tui.widgets.image import ImageView
from chatterm.tui.widgets.reply_body import ReplyBody
from chatterm.tui.widgets.reply_figures import ReplyFigures
from chatterm.tui.widgets.structured import SchemaCheck, StructuredReply, structured_reply
from chatterm.tui.widgets.thinking import ThinkingBlock
from chatterm.tui.widgets.tool_call import ToolCallRow

STATE_LABELS = {"streaming": "writing…", "stopped": "stopped", "failed": "failed · not sent to the model", "ok": ""}
NOT_SENT_NOTE = "✗ Not sent to the model: the reply failed, so this turn is left out of the chat"
"""Under a failed prompt: `wire_messages()` leaves failed turns out of every later request."""
STOPPED_NOTE = "⏹ Stopped here"
"""Under a stopped reply's text, where the eye is (the header saying so may be far above)."""


class MessageView(Vertical, can_focus=True):
    """Base of both views: holds the engine's `Message`."""

    BINDINGS = bindings(MESSAGE_KEYS)
    ONLY_ON: ClassVar[dict[str, str]] = {
        "edit": "UserMessageView",
        "regenerate": "AssistantMessageView",
        "copy_code": "AssistantMessageView",
        "thinking": "AssistantMessageView",
        "tools": "AssistantMessageView",
    }
    """Message keys that apply to one kind of view only (hidden from the footer elsewhere)."""

    class Action(TextualMessage):
        """A view asks the screen to act on its message ("copy", "edit", "regenerate")."""

        def __init__(self, view: MessageView, action: str, argument: int = 0) -> None:
            super().__init__()
            self.view = view
            self.action = action
            self.argument = argument

    def __init__(self, message: Message, *, classes: str = "") -> None:
        super().__init__(classes=f"message {classes}")
        self.message = message
        self.stepper = BranchStepper()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        kind = self.ONLY_ON.get(action)
        return kind is None or type(self).__name__ == kind

    def action_copy(self) -> None:
        self.post_message(self.Action(self, "copy"))

    def action_move(self, step: int) -> None:
        self.post_message(self.Action(self, "move", step))

    def action_leave(self) -> None:
        self.post_message(self.Action(self, "leave"))

    def set_branches(self, index: int, count: int) -> None:
        """Show ‹ index+1/count › (hidden when count is 1)."""
        self.stepper.show(index, count)

    def action_branch(self, step: int) -> None:
        if self.stepper.count > 1:
            self.post_message(self.Action(self, "branch", step))

    @on(BranchStepper.Step)
    def _step(self, event: BranchStepper.Step) -> None:
        event.stop()
        self.post_message(self.Action(self, "branch", event.step))


class UserMessageView(MessageView):
    def __init__(self, message: Message) -> None:
        super().__init__(message, classes="-user")

    def compose(self) -> ComposeResult:
        with Horizontal(classes="message-header-row"):
            yield Static("You", classes="message-header")
            yield self.stepper
        if self.message.attachments:
            attachments = visible_line(", ".join(self.message.attachments))
            yield Static("📎 " + attachments, classes="message-attachments", markup=False)
        yield Static(visible(self.message.text), classes="user-text", markup=False)  # may come from history
        if self.message.state == "failed":
            yield self._not_sent_note()
        self.set_class(self.message.state == "failed", "-failed")

    async def show_state(self) -> None:
        """The turn failed after this view was shown: say that it was not sent."""
        if self.message.state == "failed" and not self.query(".not-sent-note"):
            self.add_class("-failed")
            await self.mount(self._not_sent_note())

    @staticmethod
    def _not_sent_note() -> Static:
        return Static(NOT_SENT_NOTE, classes="not-sent-note", markup=False)

    def action_edit(self) -> None:
        self.post_message(self.Action(self, "edit"))


class AssistantMessageView(MessageView):
    def __init__(
        self,
        message: Message,
        *,
        tool_outputs: dict[str, tuple[str, str]] | None = None,
        response_format: dict[str, Any] | None = None,
        live: bool = False,
    ) -> None:
        """`live`: a reply about to stream. The engine fills `message` as it goes, so
        by the time this view is built it may already hold text or reasoning that the
        deltas will bring again: a live view starts empty and shows only what it is fed.

        `response_format`: the chat's, when this reply was asked for as JSON. A live
        reply is then shown as JSON whatever it turns out to be; a loaded one only if
        it is JSON (the schema may have been attached after it was written)."""
        super().__init__(message, classes="-assistant")
        self.live = live
        self.response_format = response_format
        self.header = Static("", classes="message-header", markup=False)
        self.thinking: ThinkingBlock | None = None
        if message.reasoning and not self.live:
            self.thinking = ThinkingBlock(message.reasoning)
        self._answering = False
        """Answer text has arrived (reasoning after it goes into a folded block)."""
        self.structured: StructuredReply | None = None
        self.schema_check: SchemaCheck | None = None
        if not self.live and message.state == "ok":
            self.structured = structured_reply(message.text, response_format, only_json=True)
        if self.structured is not None:
            self.schema_check = SchemaCheck(self.structured)
        self.body = ReplyBody("" if self.live else self._shown_text())
        self.tool_rows: dict[str, ToolCallRow] = {}
        self._delta_rows: dict[int, ToolCallRow] = {}
        outputs = tool_outputs or {}
        for call in [] if self.live else message.tool_calls:
            status, output = outputs.get(call.id, ("pending", None))
            self.tool_rows[call.id] = ToolCallRow(call, status, output)
        self.images = [] if self.live else [ImageView(ref) for ref in message.images]
        self.citations: CitationList | None = None
        if message.citations and not self.live:
            self.citations = CitationList(message.citations)
        self._update_header()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="message-header-row"):
            yield self.header
            yield self.stepper
        if self.thinking is not None:
            yield self.thinking
        yield from self.tool_rows.values()
        yield self.body
        yield from self.images
        if self.message.state == "stopped" and not self.live:
            yield self._stop_note()
        if not self.live and self.message.state == "ok" and CutNote.wanted(self.message.finish_reason):
            yield CutNote(self.message.finish_reason)
        if self.schema_check is not None:
            yield self.schema_check
        if self.citations is not None:
            yield self.citations
        if self.message.state == "failed" and self.message.error and not self.live:
            # A failed reply loaded from history. A live one gets its error row from the
            # chat screen (with the gateway's detail) even when it failed before this view
            # was mounted, so it is not shown twice.
            yield ErrorRow(self.message.error)
        if not self.live and self.message.usage is not None:
            yield ReplyFigures(self.message)

    def _update_header(self) -> None:
        shown_state = "streaming" if self.live else self.message.state
        label = STATE_LABELS.get(shown_state, shown_state)
        model = visible_line(self.message.model or "assistant")
        self.header.update(f"{model}" + (f" · {label}" if label else ""))
        # The streaming mark lives on the header alone: a class change on the view would
        # restyle the whole reply beneath it (tens of ms for a long one) as it ends.
        self.header.set_class(shown_state == "streaming", "-streaming")
        for state in ("stopped", "failed"):
            self.set_class(shown_state == state, f"-{state}")

    # -- streaming -----------------------------------------------------------------

    def _shown_text(self) -> str:
        return self.structured.markdown if self.structured is not None else self.message.text

    async def add_deltas(self, reasoning: str, text: str) -> None:
        """A frame's gathered reasoning, then its answer text (either may be empty)."""
        if reasoning:
            await self.add_reasoning(reasoning)
        if text:
            await self.add_text(text)

    async def add_reasoning(self, text: str) -> None:
        if self.thinking is None:
            # Reasoning that starts after the answer did is born folded.
            self.thinking = ThinkingBlock(streaming=True, folded=self._answering)
            first_row = next(iter([*self.tool_rows.values(), *self._delta_rows.values()]), None)
            await self.mount(self.thinking, before=first_row or self.body)
        self.thinking.feed(text)

    async def add_text(self, text: str) -> None:
        if not self._answering:
            self._answering = True
            if self.thinking is not None:
                self.thinking.fold()  # the answer starts: fold the reasoning (once)
            if self.response_format is not None:
                self.body.feed("```json\n")  # JSON asked for: stream it as code
        self.body.feed(text)

    async def add_part(self, part: ToolCallDelta | CitationsUpdate | ImageAdded) -> None:
        """What the engine streams into a reply beside its text: a tool call being
        written, the reply's sources, a generated image (the chat screen and each compare
        column hand them over alike)."""
        match part:
            case ToolCallDelta():
                await self.tool_call_delta(part)
            case CitationsUpdate(citations=citations):
                self.set_citations(citations)
            case ImageAdded(image=image, path=path):
                await self.add_image(image, path)

    async def tool_call_delta(self, delta: ToolCallDelta) -> None:
        row = self._delta_rows.get(delta.index)
        if row is None:
            call = ToolCall(delta.id or f"call-{delta.index}", delta.name or "", delta.arguments)
            row = self._delta_rows[delta.index] = ToolCallRow(call, "streaming")
            await self.mount(row, before=self.body)
        else:
            call = row.call
            call.arguments += delta.arguments
            if delta.name:
                call.name = delta.name
            if delta.id:
                call.id = delta.id
            row.update_call(call)

    async def add_image(self, ref: ImageRef, path: Any = None) -> None:
        """A generated image arrived: shown below the text (and any image before it)."""
        view = ImageView(ref, path)
        await self.mount(view, after=self.images[-1] if self.images else self.body)
        self.images.append(view)

    def set_citations(self, citations: Sequence[Citation]) -> None:
        if self.citations is None:
            self.citations = CitationList(citations)
            self.mount(self.citations, after=self.body)
        else:
            self.citations.set_citations(citations)

    async def finish(self, message: Message | None = None) -> None:
        """The reply ended (ok, stopped or failed): render it whole, fold thinking."""
        if message is not None:
            self.message = message
        message = self.message
        self.live = False
        if self.thinking is not None:
            await self.thinking.finish()
        elif message.reasoning:  # not streamed: the reasoning came with the whole reply
            self.thinking = ThinkingBlock(message.reasoning)
            first_row = next(iter([*self.tool_rows.values(), *self._delta_rows.values()]), None)
            await self.mount(self.thinking, before=first_row or self.body)
        await self.body.finish()
        if message.state == "ok" and self.structured is None:
            self.structured = structured_reply(message.text, self.response_format)
        shown = self._shown_text()
        if shown != self.body.text and (message.state == "ok" or not self.body.text):
            old, self.body = self.body, ReplyBody(shown)
            await self.mount(self.body, after=old)
            await old.remove()
        if self.structured is not None and self.schema_check is None:
            self.schema_check = SchemaCheck(self.structured)
            await self.mount(self.schema_check, after=self.body)
        for index, call in enumerate(message.tool_calls):
            row = self._delta_rows.pop(index, None)
            if row is not None:
                row.update_call(call)
                row.set_status("pending")
                self.tool_rows[call.id] = row
            elif call.id not in self.tool_rows:
                row = self.tool_rows[call.id] = ToolCallRow(call, "pending")
                await self.mount(row, before=self.body)
        if message.citations:
            self.set_citations(message.citations)
        if message.state == "stopped" and not self.query(".stop-note"):
            await self.mount(self._stop_note(), after=self.body)
        if message.state == "ok" and CutNote.wanted(message.finish_reason) and not self.query(CutNote):
            await self.mount(CutNote(message.finish_reason), after=self.schema_check or self.body)
        if message.usage is not None:
            figures = self.query(ReplyFigures)
            if figures:
                figures.first().show(message)
            else:
                await self.mount(ReplyFigures(message))
        self._update_header()

    @on(CutNote.ContinuePressed)
    def _continue(self, event: CutNote.ContinuePressed) -> None:
        event.stop()
        self.post_message(self.Action(self, "continue"))

    @staticmethod
    def _stop_note() -> Static:
        return Static(STOPPED_NOTE, classes="stop-note", markup=False)

    def action_regenerate(self) -> None:
        self.post_message(self.Action(self, "regenerate"))

    def action_copy_code(self) -> None:
        self.post_message(self.Action(self, "copy_code"))

    def action_thinking(self) -> None:
        """Open or fold the thinking block, and bring it into sight."""
        if self.thinking is None:
            self.notify("This reply has no thinking.", timeout=2)
            return
        self.thinking.collapsed = not self.thinking.collapsed
        self.thinking.scroll_visible(animate=False)

    def action_tools(self) -> None:
        """Open the next tool-call row (after the one holding the focus) and focus its
        title: Enter folds it, Tab reaches its output, o goes on to the next."""
        rows = [*self.tool_rows.values(), *self._delta_rows.values()]
        if not rows:
            self.notify("This reply called no tools.", timeout=2)
            return
        focused = self.screen.focused
        current = next((i for i, row in enumerate(rows) if focused is not None and row in focused.ancestors), -1)
        row = rows[(current + 1) % len(rows)]
        row.collapsed = False
        title = row.query_one(CollapsibleTitle)
        title.focus()
        row.scroll_visible(animate=False)


def build_message_view(
    message: Message,
    tool_outputs: dict[str, tuple[str, str]],
    response_format: dict[str, Any] | None = None,
) -> MessageView | None:
    """The view for a loaded message; None for messages shown elsewhere (tool, system)."""
    if message.role == "user":
        return UserMessageView(message)
    if message.role == "assistant":
        return AssistantMessageView(message, tool_outputs=tool_outputs, response_format=response_format)
    return None


def tool_outputs(messages: Sequence[Message]) -> dict[str, tuple[str, str]]:
    """Tool results by call id, from the `tool` messages of a branch."""
    outputs: dict[str, tuple[str, str]] = {}
    for message in messages:
        if message.role == "tool" and message.tool_call_id:
            status = message.tool_outcome  # stored with the result, never read off its text
            outputs[message.tool_call_id] = ("interrupted" if status == "running" else status, message.text)
    return outputs
