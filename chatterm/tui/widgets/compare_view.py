"""A compare turn on screen: one column per model, side by side, stacked when narrow.

    CompareView          (in the conversation pane, under the prompt it answers)
      CompareColumn × N  header (number, model, state), figures (TTFT, tok/s, then the
                         lane's tokens in/out/think, context and cost: `column_figures`),
                         then one AssistantMessageView per reply of the lane (a tool
                         round starts another), each with its thinking block and tool
                         rows, and an ErrorRow if the lane failed

The engine's `Comparison` runs the lanes; the app's compare actions
(`tui/actions/compare.py`) iterate it in the chat screen's `reply` worker and post
`CompareUpdate` / `CompareDeltas` / `CompareEnded` to the app, whose handlers call
`apply` / `feed` / `end` here. Text reaches each column's reply body in batches (one
message per batch of a lane, never per token), and each body paints once per frame as
in a single reply. The columns are laid out in a row when the pane has `WIDE` cells or
more, else one under another.

The view keeps a selected column (highlighted header): the compare keys (stop one
reply, pick one) act on it. After a pick the app shows the chat again, on the picked
branch, and this view leaves the pane with the rest of the old rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message as TextualMessage
from textual.widget import Widget
from textual.widgets import Static

from chatterm.api.errors import ChatTermError
from chatterm.api.types import CitationsUpdate, ToolCallDelta
from chatterm.engine.compare import CompareEvent, Comparison, LaneEnded, LaneEvent
from chatterm.engine.conversation import Message
from chatterm.engine.events import ImageAdded, ReplyFailed, ReplyFinished, ReplyStarted, ToolCallStatus, ToolLoopStopped
from chatterm.engine.reply_figures import chat_totals, context_text, cost_text
from chatterm.terminal_text import visible_line
from chatterm.tui.screens.reply_messages import DeltaBatch
from chatterm.tui.widgets.error_row import ErrorRow, NoticeRow
from chatterm.tui.widgets.message import AssistantMessageView
from chatterm.tui.widgets.status_bar import stats_parts

WIDE = 100
"""Pane widths from which the columns stand side by side."""

NUMBERS = "①②③④"
STATE_WORDS = {"waiting": "waiting…", "streaming": "writing…", "ok": "done", "stopped": "stopped", "failed": "failed"}


class CompareUpdate(TextualMessage):
    """An event of the comparison other than streamed text (worker -> app)."""

    def __init__(self, view: CompareView, item: CompareEvent) -> None:
        super().__init__()
        self.view = view
        self.item = item


class CompareDeltas(TextualMessage):
    """Text and reasoning one lane gathered since its column last looked."""

    def __init__(self, view: CompareView, lane: int, batch: DeltaBatch) -> None:
        super().__init__()
        self.view = view
        self.lane = lane
        self.batch = batch


class CompareEnded(TextualMessage):
    """The worker is done: every lane ended, or the whole turn was stopped or refused."""

    def __init__(self, view: CompareView, *, stopped: bool = False, error: ChatTermError | None = None) -> None:
        super().__init__()
        self.view = view
        self.stopped = stopped
        self.error = error


class CompareColumn(Vertical):
    """One model's side: its header, its figures and its reply (or replies).

    While the replies stream, the replies part of a column is at most `max-height` tall
    and scrolls on its own, anchored to its end, under a header that stays in sight:
    each column shows the tail of its reply, and the compare view stops growing, so a
    frame of one column does not lay out the whole pane again. When the turn ends
    (`CompareView.-ended`) the columns show their replies whole."""

    DEFAULT_CSS = """
    CompareColumn { height: auto; width: 1fr; border-left: tall $secondary 40%; }
    CompareColumn > .compare-replies {
        height: auto; max-height: 70vh; scrollbar-size-vertical: 1; scrollbar-gutter: stable;
    }
    CompareView.-ended CompareColumn > .compare-replies { max-height: 100000; overflow-y: hidden; }
    CompareColumn.-selected { border-left: tall $accent; }
    CompareColumn > .compare-head { height: 1; padding: 0 1; text-style: bold; color: $text-secondary; }
    CompareColumn.-selected > .compare-head { color: $text-accent; background: $accent 15%; }
    CompareColumn > .compare-figures { height: auto; padding: 0 1; color: $text-muted; }
    CompareColumn.-failed > .compare-head { color: $text-error; }
    CompareColumn.-stopped > .compare-head { color: $text-warning; }
    CompareColumn AssistantMessageView { border-left: none; margin: 0; }
    """

    def __init__(self, lane: int, model: str) -> None:
        super().__init__(classes="compare-column")
        self.lane = lane
        self.model = model
        self.state = "waiting"
        self.head = Static("", classes="compare-head", markup=False)
        self.figures = Static("", classes="compare-figures", markup=False)
        self.scroller = VerticalScroll(classes="compare-replies")
        self.replies: list[AssistantMessageView] = []
        self.tool_rows: dict[str, Any] = {}
        self.last_reply: Message | None = None
        self._figures_width = 0
        self._show_head()

    def compose(self) -> ComposeResult:
        yield self.head
        yield self.figures
        yield self.scroller

    def on_mount(self) -> None:
        self.scroller.anchor()

    async def add_row(self, row: Widget) -> None:
        """An error or notice row under the lane's replies."""
        await self.scroller.mount(row)

    @property
    def current(self) -> AssistantMessageView | None:
        return self.replies[-1] if self.replies else None

    def state_words(self) -> str:
        return STATE_WORDS.get(self.state, self.state)

    def _show_head(self) -> None:
        self.head.update(f"{NUMBERS[self.lane]} {visible_line(self.model)} · {self.state_words()}")
        for state in ("stopped", "failed"):
            self.set_class(self.state == state, f"-{state}")

    def _show_figures(self) -> None:
        replies = [view.message for view in self.replies]
        if self.last_reply is not None and all(m is not self.last_reply for m in replies):
            replies.append(self.last_reply)
        self.figures.update(column_figures(replies, max(10, self.size.width - 2) if self.size.width else None))

    async def start(self, message: Message, response_format: dict[str, Any] | None) -> None:
        view = AssistantMessageView(message, response_format=response_format, live=True)
        self.replies.append(view)
        self.last_reply = message
        self.state = "streaming"
        self._show_head()
        await self.scroller.mount(view)

    async def feed(self, reasoning: str, text: str) -> None:
        if self.current is not None:
            await self.current.add_deltas(reasoning, text)

    async def finish_reply(self, message: Message) -> None:
        view = self.current
        if view is not None and view.message is message:
            await view.finish(message)
            self.tool_rows.update(view.tool_rows)
        self.last_reply = message
        self._show_figures()

    async def ended(self, outcome: str, reply: Message | None) -> None:
        """The lane ended: the last reply rendered whole (a stop lands here too)."""
        view = self.current
        if view is not None and view.live:
            if view.message.state == "streaming":
                view.message.state = "stopped"
            await view.finish()
        if reply is not None:
            self.last_reply = reply
        self.state = outcome
        self._show_head()
        self._show_figures()

    def on_resize(self, event: events.Resize) -> None:
        # A column grows with every frame of its reply; only a new width changes what fits.
        if event.size.width != self._figures_width:
            self._figures_width = event.size.width
            self._show_figures()


def column_figures(replies: Sequence[Message], width: int | None) -> str:
    """The figures under a column's header: the last reply's speed (TTFT, tok/s), then
    what the lane's answer took and cost, summed over its replies (a tool round is a
    request of its own, and paid), in the words of a single reply's figure line.

    Tokens and cost are what columns are compared by, so a narrow column shortens them
    and moves them to a line of their own rather than dropping them (the status bar,
    one line for the whole chat, drops them first). `width` None: everything, one line."""
    last = replies[-1] if replies else None
    speed = stats_parts(last)
    if last is not None and last.usage is not None:
        speed = speed[:-1]  # its token counts: the lane's sums below stand for them
    totals = chat_totals(replies)
    tokens_full = tokens_short = None
    if totals.replies:
        tokens_full = f"in {totals.prompt_tokens:,} · out {totals.answer_tokens:,}"
        tokens_short = f"{totals.prompt_tokens:,}→{totals.answer_tokens:,}"
        if totals.reasoning_tokens:
            tokens_full += f" · think {totals.reasoning_tokens:,}"
            tokens_short += f" +{totals.reasoning_tokens:,}"
    context = None if totals.context is None else context_text(totals.context)
    cost = None if totals.cost is None else cost_text(totals.cost)

    def line(*texts: str | None) -> str:
        return " · ".join(t for t in texts if t)

    speed_full, speed_short = line(*(f for f, _ in speed)), line(*(s for _, s in speed))
    context_full, context_short = (f"context {context}", f"ctx {context.split()[0]}") if context else (None, None)
    if width is None:
        return line(speed_full, tokens_full, context_full, cost)
    for text in (
        line(speed_full, tokens_full, context_full, cost),
        line(speed_full, tokens_full, context_short, cost),
        line(speed_full, tokens_full, cost),
    ):
        if len(text) <= width:
            return text
    first = next((t for t in (speed_full, speed_short, speed[0][1] if speed else "") if len(t) <= width), "")
    candidates = (
        line(tokens_full, context_full, cost),
        line(tokens_full, context_short, cost),
        line(tokens_full, cost),
        line(tokens_short, cost),
        line(cost),
        line(tokens_short),
    )
    second = next((t for t in candidates if len(t) <= width), "")
    return "\n".join(t for t in (first, second) if t)


class CompareView(Widget):
    """The columns of one compare turn."""

    DEFAULT_CSS = """
    CompareView { layout: horizontal; height: auto; margin: 0 0 1 0; }
    CompareView.-stacked { layout: vertical; }
    CompareView.-stacked > CompareColumn { width: 1fr; margin: 0 0 1 0; }
    """

    def __init__(self, comparison: Comparison, *, response_format: dict[str, Any] | None = None) -> None:
        super().__init__(classes="compare-view")
        self.comparison = comparison
        self.response_format = response_format
        self.columns = [CompareColumn(lane, model) for lane, model in enumerate(comparison.models)]
        self.selected = 0
        self.ended = False
        self.prompt_text = ""
        """What was sent (back into the prompt box if every model failed)."""
        self.host_screen: Any = None
        """The chat screen (tab) the prompt was sent from."""
        self.columns[0].add_class("-selected")

    def compose(self) -> ComposeResult:
        yield from self.columns

    def on_resize(self, event: events.Resize) -> None:
        stacked = event.size.width < WIDE
        if stacked != self.has_class("-stacked"):  # it grows every frame: no restyle for that
            self.set_class(stacked, "-stacked")

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < WIDE, "-stacked")

    def select(self, lane: int) -> None:
        self.selected = lane % len(self.columns)
        for column in self.columns:
            column.set_class(column.lane == self.selected, "-selected")
        self.columns[self.selected].scroll_visible(animate=False)

    # -- what the worker sends ------------------------------------------------------------

    async def feed(self, lane: int, batch: DeltaBatch) -> None:
        batch.posted = False
        reasoning, text = "".join(batch.reasoning), "".join(batch.text)
        batch.reasoning.clear()
        batch.text.clear()
        await self.columns[lane].feed(reasoning, text)

    async def apply(self, item: CompareEvent) -> None:
        if isinstance(item, LaneEnded):
            await self.columns[item.lane].ended(item.outcome, item.reply)
            return
        if not isinstance(item, LaneEvent):
            return
        column = self.columns[item.lane]
        match item.event:
            case ReplyStarted(message=reply):
                await column.start(reply, self.response_format)
            case ReplyFinished(message=reply):
                await column.finish_reply(reply)
            case ReplyFailed(message=reply, error=error):
                await column.finish_reply(reply)
                await column.add_row(ErrorRow(error))
            case ToolCallDelta() | CitationsUpdate() | ImageAdded() as part:
                if column.current is not None:
                    await column.current.add_part(part)
            case ToolCallStatus(call=call, status=status, output=output):
                row = column.tool_rows.get(call.id)
                if row is not None:
                    row.set_status(status, output)
            case ToolLoopStopped(reason=reason):
                await column.add_row(NoticeRow(reason))

    async def end(self) -> None:
        """The turn is over (also after a stop of the whole turn, whose lanes' ends
        never reached the queue's reader): every column shows how its lane ended, whole."""
        self.ended = True
        self.add_class("-ended")
        for column, lane_outcome in zip(self.columns, self.comparison.outcomes, strict=True):
            if column.state in ("waiting", "streaming"):
                lane = self.comparison.lanes[column.lane] if column.lane < len(self.comparison.lanes) else None
                await column.ended(lane_outcome or "stopped", lane.last_reply if lane is not None else None)
