"""`ask`'s y/N tool question on a terminal: what it shows, and which answer counts.

The question shows the call as it will run (`tools/preview.py`: the parsed arguments,
re-serialised on one line, escapes for anything invisible or controlling, long values
cut), never the model's raw text, and the tool name made visible.

Keys typed before the question was on screen must not answer it: type-ahead is
discarded right before asking (`tcflush`), and a yes that arrives within
`ARM_SECONDS` of the question (too soon to have read it) is not taken: the question is
asked again. A no counts at once. The same half second arms the TUI's approval dialog.
"""

from __future__ import annotations

import sys
import time

from chatterm.api.types import ToolCall
from chatterm.terminal_text import visible_line
from chatterm.tools.preview import arguments_preview

ARM_SECONDS = 0.5
APPROVALS = ("y", "yes")
TOO_SOON = "(answered before the question could be read; answer again) "


def tool_question(call: ToolCall) -> str:
    preview = arguments_preview(call)
    flag = "" if preview.valid_json else " (not valid JSON: the tool will get an error)"
    return f"Run tool {visible_line(call.name)}({preview.text}){flag}? [y/N] "


def _discard_type_ahead() -> None:
    try:
        import termios

        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
    except (ImportError, OSError, ValueError):
        pass  # not a terminal we can flush (Windows, a closed stdin): nothing typed ahead to drop


def ask_on_terminal(question: str) -> str:
    """Ask on stderr, read a line from stdin; the first line counted is the answer."""
    while True:
        _discard_type_ahead()
        asked = time.monotonic()  # before writing: the question is readable once written
        sys.stderr.write(question)
        sys.stderr.flush()
        answer = sys.stdin.readline()
        if answer.strip().lower() not in APPROVALS or time.monotonic() - asked >= ARM_SECONDS:
            return answer  # a refusal counts at once
        question = TOO_SOON + "[y/N] "
