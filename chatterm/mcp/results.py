"""A `tools/call` result (its wire form, a dict) -> the text the model gets.

Chat completions' tool messages carry text, so each content block becomes text: text
as it is, an embedded text resource as its text, an image or audio block as a line
naming its type and size (its base64 would only cost tokens), a resource link as its
name and URI. Structured content is the text, as JSON, when there are no content
blocks (servers are asked to send it as text as well). `isError: true` is the tool saying it failed: the caller turns that into an error
result for the model (`ToolError`), not a crash.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["CallOutcome", "outcome_of", "prompt_text"]


@dataclass(frozen=True, slots=True)
class CallOutcome:
    text: str
    is_error: bool


def _size(data: Any) -> str:
    try:
        raw = base64.b64decode(str(data), validate=False)
    except (binascii.Error, ValueError):
        return "undecodable data"
    return f"{len(raw):,} bytes"


def _block_text(block: Any) -> str:
    if not isinstance(block, dict):
        return str(block)
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind in ("image", "audio"):
        return f"[{kind}: {block.get('mimeType', 'unknown type')}, {_size(block.get('data', ''))}]"
    if kind == "resource_link":
        name = block.get("title") or block.get("name") or ""
        described = f" - {block['description']}" if block.get("description") else ""
        return f"[resource: {name} {block.get('uri', '')}{described}]".replace("  ", " ")
    if kind == "resource":
        resource = block.get("resource") or {}
        if "text" in resource:
            return str(resource["text"])
        return f"[resource: {resource.get('uri', '')} ({resource.get('mimeType', 'binary')}, {_size(resource.get('blob', ''))})]"
    return json.dumps(block, ensure_ascii=False)


def outcome_of(result: dict[str, Any]) -> CallOutcome:
    """The model's text for a result, and whether the tool reported an error."""
    blocks = result.get("content") or []
    parts = [_block_text(block) for block in blocks]
    text = "\n".join(part for part in parts if part)
    structured = result.get("structuredContent")
    if structured is not None and not blocks:
        # Servers are asked to send structured content as text too; only when they did
        # not is it the model's text (sending it twice would only cost tokens).
        text = json.dumps(structured, ensure_ascii=False, indent=2)
    return CallOutcome(text=text, is_error=bool(result.get("isError")))


def prompt_text(result: dict[str, Any]) -> str:
    """A `prompts/get` result as one text for the prompt box: each message's content in
    turn (a prompt is usually one user message; others are kept, in order)."""
    parts = [
        _block_text(message.get("content")) for message in result.get("messages") or [] if isinstance(message, dict)
    ]
    return "\n\n".join(part for part in parts if part)
