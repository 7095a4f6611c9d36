"""What the chat screen's reply worker posts to its handlers, and `@path` attachments.

DeltaBatch / DeltasReady   text and reasoning gathered since the handler last looked
                           (one message per batch, never one per token)
EngineMessage              any other engine event, in order
ReplyEnded                 the worker is done: normally, stopped, or with an error
at_paths(text)             files named as `@path` in a prompt (that exist)
missing_at_paths(text)     `@/...`, `@~/...`, `@./...` paths that name no file
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message as TextualMessage

from chatterm.api.errors import ChatTermError
from chatterm.engine.events import EngineEvent

_AT_PATH = re.compile(r"(?:^|\s)@(\S+)")


def at_paths(text: str) -> list[str]:
    """Files named as `@path` in a prompt (only those that exist), to attach."""
    found: list[str] = []
    for match in _AT_PATH.finditer(text):
        path = Path(match.group(1)).expanduser()
        if path.is_file() and str(path) not in found:
            found.append(str(path))
    return found


_PATH_PREFIXES = ("/", "~/", "./", "../")


def missing_at_paths(text: str) -> list[str]:
    """`@path`s in a prompt that are clearly meant as files (they start with `/`, `~/`,
    `./` or `../`) but name none: sent as they are, the model would get the bare text
    and the user no file. (`@name` and `@org/repo` are left alone: they may be words.)"""
    missing: list[str] = []
    for match in _AT_PATH.finditer(text):
        name = match.group(1)
        if name.startswith(_PATH_PREFIXES) and not Path(name).expanduser().is_file() and name not in missing:
            missing.append(name)
    return missing


@dataclass(slots=True)
class DeltaBatch:
    """Text and reasoning that arrived since the handler last looked (worker -> handler)."""

    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    posted: bool = False


class DeltasReady(TextualMessage):
    def __init__(self, batch: DeltaBatch) -> None:
        super().__init__()
        self.batch = batch


class EngineMessage(TextualMessage):
    def __init__(self, event: EngineEvent) -> None:
        super().__init__()
        self.event = event


class ReplyEnded(TextualMessage):
    """The worker is done: normally, stopped (`stopped`), or with an error it could not pass on."""

    def __init__(self, stopped: bool = False, error: ChatTermError | None = None) -> None:
        super().__init__()
        self.stopped = stopped
        self.error = error
