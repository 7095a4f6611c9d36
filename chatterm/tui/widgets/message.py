"""Message views: a user prompt, an assistant reply.

    UserMessageView        "You" + attachments + the prompt as plain text
    AssistantMessageView   header (model, state, ‹ 1/2 › branch stepper)
                           ThinkingBlock?  ToolCallRow*  ReplyBody  CitationList?

A reply view is driven by the chat screen while it streams (`add_text`,
`add_reasoning`, `tool_call_delta`, `finish`) and built whole for loaded chats
(`build_message_view`). Views are focusable so a message can be copied (`c`), a prompt
edited (`e`) and a reply regenerated (`r`) from the keyboard.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message as TextualMessage
from textual.widgets import Static

from chatterm.api.types import Citation, ToolCall, ToolCallDelta
from chatterm.engine.conversation import Message
from chatterm.tui.widgets.citations import CitationList
from chatterm.tui.widgets.error_row import ErrorRow
from chatterm.tui.widgets.reply_body import ReplyBody
from chatterm.tui.widgets.thinking import ThinkingBlock
from chatterm.tui.widgets.tool_call import ToolCallRow

STATE_LABELS = {"streaming": "writing…", "stopped": "stopped", "failed": "failed", "ok": ""}


class MessageView(Vertical, can_focus=True):
    """Base of both views: holds the engine's `Message`."""

    BINDINGS = [Binding("c", "copy", "Copy message", show=False)]

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

    def action_copy(self) -> None:
        self.post_message(self.Action(self, "copy"))


class UserMessageView(MessageView):
    BINDINGS = [Binding("e", "edit", "Edit and resend", show=False)]

    def __init__(self, message: Message) -> None:
        super().__init__(message, classes="-user")

    def compose(self) -> ComposeResult:
        yield Static("You", classes="message-header")
        if self.message.attachments:
            yield Static("📎 " + ", ".join(self.message.attachments), classes="message-attachments", markup=False)
        yield Static(self.message.text, classes="user-text", markup=False)

    def action_edit(self) -> None:
        self.post_message(self.Action(self, "edit"))


class BranchStepper(Horizontal):
    """‹ 2/3 › on a reply that has siblings (regenerated or edited branches)."""

    DEFAULT_CSS = """
    BranchStepper { width: auto; height: 1; display: none; }
    BranchStepper.-shown { display: block; }
    BranchStepper > Static { width: auto; padding: 0 0; }
    BranchStepper > .step { color: $accent; }
    BranchStepper > .step:hover { text-style: bold reverse; }
    """

    def compose(self) -> ComposeResult:
        yield Static("‹", classes="step", id="branch-prev")
        yield Static("", id="branch-count")
        yield Static("›", classes="step", id="branch-next")

    def show(self, index: int, count: int) -> None:
        self.set_class(count > 1, "-shown")
        self.query_one("#branch-count", Static).update(f" {index + 1}/{count} ")

    def on_click(self, event: events.Click) -> None:
        widget = event.widget
        view = next((a for a in self.ancestors if isinstance(a, AssistantMessageView)), None)
        if view is None or widget is None:
            return
        if widget.id in ("branch-prev", "branch-next"):
            event.stop()
            view.post_message(MessageView.Action(view, "branch", -1 if widget.id == "branch-prev" else 1))


class AssistantMessageView(MessageView):
    BINDINGS = [
        Binding("r", "regenerate", "Regenerate", show=False),
        Binding("left,[", "branch(-1)", "Previous branch", show=False),
        Binding("right,]", "branch(1)", "Next branch", show=False),
        Binding("b", "copy_code", "Copy code block", show=False),
    ]

    def __init__(self, message: Message, *, tool_outputs: dict[str, tuple[str, str]] | None = None) -> None:
        super().__init__(message, classes="-assistant")
        streaming = message.state == "streaming"
        self.header = Static("", classes="message-header", markup=False)
        self.stepper = BranchStepper()
        self.thinking: ThinkingBlock | None = None
        if message.reasoning:
            self.thinking = ThinkingBlock(message.reasoning, streaming=streaming and not message.content)
        self.body = ReplyBody("" if streaming else message.text)
        self.tool_rows: dict[str, ToolCallRow] = {}
        self._delta_rows: dict[int, ToolCallRow] = {}
        outputs = tool_outputs or {}
        for call in message.tool_calls:
            status, output = outputs.get(call.id, ("pending", None))  # type: ignore[assignment]
            self.tool_rows[call.id] = ToolCallRow(call, status, output)
        self.citations: CitationList | None = CitationList(message.citations) if message.citations else None
        self._update_header()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="message-header-row"):
            yield self.header
            yield self.stepper
        if self.thinking is not None:
            yield self.thinking
        yield from self.tool_rows.values()
        yield self.body
        if self.citations is not None:
            yield self.citations
        if self.message.state == "failed" and self.message.error:
            yield ErrorRow(self.message.error)

    def _update_header(self) -> None:
        label = STATE_LABELS.get(self.message.state, self.message.state)
        model = self.message.model or "assistant"
        self.header.update(f"{model}" + (f"  · {label}" if label else ""))
        for state in ("streaming", "stopped", "failed"):
            self.set_class(self.message.state == state, f"-{state}")

    # -- streaming -----------------------------------------------------------------

    async def add_reasoning(self, text: str) -> None:
        if self.thinking is None:
            self.thinking = ThinkingBlock(streaming=True)
            await self.mount(self.thinking, before=self.body if not self.tool_rows else next(iter(self.tool_rows.values())))
        self.thinking.feed(text)

    async def add_text(self, text: str) -> None:
        if self.thinking is not None and self.thinking.streaming:
            await self.thinking.finish()  # the answer starts: fold the reasoning
        self.body.feed(text)

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
        if self.thinking is not None:
            await self.thinking.finish()
        await self.body.finish()
        if message.text != self.body.text and (message.state == "ok" or not self.body.text):
            old, self.body = self.body, ReplyBody(message.text)
            await self.mount(self.body, after=old)
            await old.remove()
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
        self._update_header()

    def set_branches(self, index: int, count: int) -> None:
        self.stepper.show(index, count)

    def action_regenerate(self) -> None:
        self.post_message(self.Action(self, "regenerate"))

    def action_branch(self, step: int) -> None:
        self.post_message(self.Action(self, "branch", step))

    def action_copy_code(self) -> None:
        self.post_message(self.Action(self, "copy_code"))


def build_message_view(message: Message, tool_outputs: dict[str, tuple[str, str]]) -> MessageView | None:
    """The view for a loaded message; None for messages shown elsewhere (tool, system)."""
    if message.role == "user":
        return UserMessageView(message)
    if message.role == "assistant":
        return AssistantMessageView(message, tool_outputs=tool_outputs)
    return None


def tool_outputs(messages: Sequence[Message]) -> dict[str, tuple[str, str]]:
    """Tool results by call id, from the `tool` messages of a branch."""
    outputs: dict[str, tuple[str, str]] = {}
    for message in messages:
        if message.role == "tool" and message.tool_call_id:
            text = message.text
            status = "denied" if "declined" in text else "done"
            outputs[message.tool_call_id] = (status, text)
    return outputs
