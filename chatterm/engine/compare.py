"""`Comparison`: one prompt sent to 2-4 models at once, their replies sibling branches.

Each model gets a lane: a `ChatSession` of its own (`_LaneSession`) on the same client,
recorder, tools and options, holding a copy of the chat's branch with the shared prompt
at its end. Its reply is appended under the prompt, so the store keeps the replies as
siblings of one turn, exactly as regenerating does, and history, search and export see
all of them. The lanes run as tasks of their own: each can be stopped alone
(`stop(lane)`), one failing does not stop the others, and each reply keeps its own
timings and usage. The tool loop runs per lane (a lane's tool results follow its own
reply); approvals are asked one at a time, so two lanes never put two questions up
together, and "allow for this chat" holds for every lane.

When every lane has ended the chat's current branch is the first lane whose reply can
be sent (so the chat is valid even if nobody picks); `pick(lane)` makes another lane's
branch current and its model the chat's model, so the chat continues from it.
The prompt is marked failed (and handed back) only when every lane failed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

from chatterm.api.errors import ChatTermError
from chatterm.engine.conversation import Conversation, Message
from chatterm.engine.events import EngineEvent, ReplyFailed, UserMessageAdded
from chatterm.engine.session import Approval, ChatSession, _file_label

if TYPE_CHECKING:
    from chatterm.api.types import ToolCall
    from chatterm.engine.session import ApprovalCallback
    from chatterm.tools import Tool

MIN_MODELS = 2
MAX_MODELS = 4

LaneOutcome: TypeAlias = Literal["ok", "stopped", "failed"]


class CompareError(ChatTermError):
    """A comparison that cannot be run as asked (too few or too many models)."""


@dataclass(frozen=True, slots=True)
class LaneEvent:
    """An engine event of one lane (the same events a plain send yields)."""

    lane: int
    event: EngineEvent


@dataclass(frozen=True, slots=True)
class LaneEnded:
    """A lane is done: its last reply (None if it never started), how it ended, and why
    it failed. The lane's events are all delivered before this."""

    lane: int
    model: str
    reply: Message | None
    outcome: LaneOutcome
    error: ChatTermError | None = None


CompareEvent: TypeAlias = UserMessageAdded | LaneEvent | LaneEnded


def check_models(models: Sequence[str]) -> list[str]:
    """The models of a comparison, or a `CompareError` saying what is wrong with them."""
    names = [m.strip() for m in models]
    if any(not n for n in names):
        raise CompareError("A comparison needs model names; one of them is empty.")
    if not MIN_MODELS <= len(names) <= MAX_MODELS:
        raise CompareError(f"A comparison takes {MIN_MODELS} to {MAX_MODELS} models; got {len(names)}.")
    return names


class _LaneSession(ChatSession):
    """One model's side of a comparison: the chat's branch up to the shared prompt,
    this model in its settings, everything else shared with the chat's session."""

    def __init__(self, parent: ChatSession, model: str, approve_lock: asyncio.Lock) -> None:
        chat = parent.conversation
        conversation = Conversation(
            id=chat.id,
            title=chat.title,
            title_is_custom=chat.title_is_custom,
            settings=dataclasses.replace(
                chat.settings, model=model, search_refused_by=list(chat.settings.search_refused_by)
            ),
            messages=list(chat.messages),
            created_at=chat.created_at,
            updated_at=chat.updated_at,
        )
        super().__init__(
            parent.client,
            conversation,
            tools=parent.tools,
            approve=_one_at_a_time(parent, approve_lock),
            recorder=parent.recorder,
            options=parent.options,
            blobs=parent.blobs,
        )
        self.model = model
        self._parent = parent
        self._allowed_for_session = parent._allowed_for_session  # "allow for this chat" is the chat's
        self._shared_prompt_id: str | None = None

    def _save(self, message: Message) -> None:
        # The shared prompt's state is the comparison's to decide: one lane failing
        # must not mark it failed for the others.
        if message.id == self._shared_prompt_id:
            return
        super()._save(message)

    def _remember_search_refusal(self, model: str) -> None:
        self._parent._remember_search_refusal(model)
        super()._remember_search_refusal(model)

    def _save_chat(self) -> None:
        """The chat row is the parent session's to write (its settings and branch)."""


def _one_at_a_time(parent: ChatSession, lock: asyncio.Lock) -> ApprovalCallback | None:
    approve = parent.approve
    if approve is None:
        return None

    async def ask(call: ToolCall, tool: Tool | None) -> Approval:
        async with lock:
            return await approve(call, tool)

    return ask


class Comparison:
    """One compare turn on a session: `send()` yields `CompareEvent`s until every lane
    has ended; `stop(lane)` stops one; `pick(lane)` continues the chat from one."""

    def __init__(self, session: ChatSession, models: Sequence[str]) -> None:
        self.session = session
        self.models = check_models(models)
        self.lanes: list[_LaneSession] = []
        self.outcomes: list[LaneOutcome | None] = [None] * len(self.models)
        self.errors: list[ChatTermError | None] = [None] * len(self.models)
        self.picked: int | None = None
        self.prompt: Message | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.running = False

    async def send(self, prompt: str, files: Sequence[str] = ()) -> AsyncIterator[CompareEvent]:
        session = self.session
        session._begin()
        self.running = True
        try:
            lock = asyncio.Lock()
            self.lanes = [_LaneSession(session, model, lock) for model in self.models]
            for lane in self.lanes:  # every model's refusals before anything is saved
                lane._preflight(files)
            session._answer_dangling_calls()
            user = Message(role="user", content=prompt, attachments=[_file_label(f) for f in files])
            session.conversation.append(user)
            session._save_chat()
            session._save(user)
            self.prompt = user
            for lane in self.lanes:
                lane.conversation.messages = list(session.conversation.messages)
                lane._shared_prompt_id = user.id
            yield UserMessageAdded(user)
            queue: asyncio.Queue[LaneEvent | LaneEnded] = asyncio.Queue()
            self._tasks = [
                asyncio.create_task(self._drive(index, lane, user, list(files), queue))
                for index, lane in enumerate(self.lanes)
            ]
            try:
                left = len(self._tasks)
                while left:
                    item = await queue.get()
                    if isinstance(item, LaneEnded):
                        left -= 1
                    yield item
            finally:
                for task in self._tasks:
                    task.cancel()  # a stop of the whole turn stops every lane (each saves its reply)
                await asyncio.gather(*self._tasks, return_exceptions=True)
                self._settle(user)
        finally:
            self.running = False
            session.busy = False

    def stop(self, lane: int) -> bool:
        """Stop one lane's reply (its partial text is kept); False if it had ended."""
        if not 0 <= lane < len(self._tasks) or self._tasks[lane].done():
            return False
        self._tasks[lane].cancel()
        return True

    def pick(self, lane: int, *, take_model: bool = True) -> Message | None:
        """Make `lane`'s branch the chat's current one and its model the chat's model:
        the next prompt continues from its reply. Returns that lane's last reply."""
        if self.running:
            raise ChatTermError("The replies are still being written; stop them before picking one.")
        if not 0 <= lane < len(self.lanes):
            raise ChatTermError(f"There is no reply {lane + 1} in this comparison.")
        chosen = self.lanes[lane]
        chat = self.session.conversation
        chat.messages = list(chosen.conversation.messages)
        if take_model:
            chat.settings.model = chosen.model
        chat.updated_at = time.time()
        self.session.last_reply = chosen.last_reply
        self.picked = lane
        self.session._save_chat()  # the chat row's current leaf: this lane's last message
        return chosen.last_reply

    def first_reply(self, lane: int) -> Message | None:
        """The lane's reply to the prompt (the sibling the branch stepper shows)."""
        if self.prompt is None or not 0 <= lane < len(self.lanes):
            return None
        messages = self.lanes[lane].conversation.messages
        index = next((i for i, m in enumerate(messages) if m.id == self.prompt.id), None)
        if index is None or index + 1 >= len(messages):
            return None
        return messages[index + 1]

    async def _drive(
        self,
        index: int,
        lane: _LaneSession,
        user: Message,
        files: list[str],
        queue: asyncio.Queue[LaneEvent | LaneEnded],
    ) -> None:
        outcome: LaneOutcome = "ok"
        error: ChatTermError | None = None
        try:
            # A copy of the prompt: the lane marks its own copy failed, never the shared one.
            async for event in lane._run_turn(dataclasses.replace(user), files):
                if isinstance(event, ReplyFailed):
                    outcome, error = "failed", event.error
                queue.put_nowait(LaneEvent(index, event))
        except asyncio.CancelledError:
            outcome = "stopped"
        except ChatTermError as failure:
            outcome, error = "failed", failure
        except Exception as failure:  # one lane's bug must not take the others down
            outcome, error = "failed", ChatTermError(f"{type(failure).__name__}: {failure}")
        self.outcomes[index], self.errors[index] = outcome, error
        queue.put_nowait(LaneEnded(index, lane.model, lane.last_reply, outcome, error))

    def _settle(self, user: Message) -> None:
        """After the last lane: the chat's branch is the first lane that has a reply to
        send; if every lane failed, the prompt is failed too (it goes back to the box)."""
        if not self.lanes:
            return
        usable = [i for i in range(len(self.lanes)) if (reply := self.first_reply(i)) is not None and reply.is_sent()]
        if not usable:
            user.state = "failed"
            self.session._save(user)
        self.running = False
        self.pick(usable[0] if usable else 0, take_model=bool(usable))
        self.picked = None  # a default, not the user's choice
