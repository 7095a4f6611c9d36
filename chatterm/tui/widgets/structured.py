"""Structured output: a JSON reply shown pretty, and checked against the chat's schema.

    structured_reply(text, response_format)  -> StructuredReply(markdown, outcome)
    SchemaCheck                                 "✓ fits person" / "✗ $.age: expected integer"

A reply written while the chat holds a `response_format` is shown as a ```json block
of the parsed value, indented, and validated locally (`chatterm.api.structured`), so a
reply that does not fit is flagged with the first error's path, whatever the gateway
promised. The message keeps the model's own text; only the view is pretty.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from textual.content import Content
from textual.widgets import Static

from chatterm.api.structured import ValidationOutcome, check_schema_of, validate_reply
from chatterm.terminal_text import visible

_TICKS = re.compile(r"`+")


@dataclass(frozen=True, slots=True)
class StructuredReply:
    markdown: str
    """What the reply body shows: a json code block, or the raw text if it is not JSON."""
    outcome: ValidationOutcome
    name: str
    """The schema's name ("JSON" for json_object)."""


def schema_name_of(response_format: dict[str, Any]) -> str:
    spec = response_format.get("json_schema")
    if isinstance(spec, dict) and isinstance(spec.get("name"), str):
        return str(spec["name"])
    return "JSON"


def json_block(value: Any) -> str:
    """`value` as a fenced json block (the fence longer than any backtick run inside)."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    longest = max((len(m.group()) for m in _TICKS.finditer(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}json\n{text}\n{fence}\n"


def structured_reply(
    text: str, response_format: dict[str, Any] | None, *, only_json: bool = False
) -> StructuredReply | None:
    """The pretty view of a reply written under `response_format` (None: show as usual).

    `only_json`: for replies loaded from history, where the schema may have been
    attached after them: prose replies are shown as prose, not flagged.
    """
    if not response_format or not text.strip():
        return None
    outcome = validate_reply(text, check_schema_of(response_format))
    parsed = outcome.ok or outcome.data is not None
    if only_json and not parsed:
        return None
    markdown = json_block(outcome.data) if parsed else text
    return StructuredReply(markdown, outcome, schema_name_of(response_format))


def check_content(reply: StructuredReply) -> Content:
    outcome = reply.outcome
    json_only = reply.name == "JSON"
    if outcome.ok:
        label = "Valid JSON" if json_only else f"Fits the schema {reply.name}"
        return Content.assemble(("✓ ", "$text-success"), (label, "$text-muted"))
    if json_only:
        label = "Not valid JSON" if outcome.data is None else "Not a JSON object"
    else:
        label = f"Does not fit the schema {reply.name}"
    detail = f" · {outcome.error_path or '$'}: {outcome.message or 'invalid'}"  # it may quote the reply
    return Content.assemble((f"✗ {label}", "bold"), visible(detail))


class SchemaCheck(Static):
    """The verdict under a structured reply: a quiet ✓, or a visible error row."""

    DEFAULT_CSS = """
    SchemaCheck { height: auto; margin: 0; padding: 0 1; }
    /* No border of its own: the reply's left border is right beside it. */
    SchemaCheck.-invalid { color: $text-error; background: $error 15%; margin: 0 1; }
    """

    def __init__(self, reply: StructuredReply) -> None:
        self.reply = reply
        super().__init__(check_content(reply), classes="" if reply.outcome.ok else "-invalid")

    @property
    def ok(self) -> bool:
        return self.reply.outcome.ok
