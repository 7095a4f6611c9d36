"""Chat export (JSON, Markdown) and JSON import, independent of SQLite.

JSON (`format: "chatterm-chat"`, `version: 1`)::

    {"format": "chatterm-chat", "version": 1,
     "chat": {"id", "title", "title_is_custom", "settings", "created_at", "updated_at",
              "current_leaf_id", "cost" (the replies' total, every branch; only when one has a cost)},
     "messages": [ every message of every branch, oldest first:
        {"role", "content", "tool_calls" (wire format, provider extras inline),
         "tool_call_id",                      <- the gateway's chat completions format
         "id", "parent_id", "name", "model", "reasoning", "usage", "timings",
         "cost", "context_window", "finish_reason", "citations", "state", "error", "attachments",
         "images" (references), "created_at"}  <- chatterm's ],
     "images": {sha256: {"mime", "data" (base64)}}   <- when the chat has generated images}

Tool call `arguments` are kept exactly as the model wrote them (even empty), so
export -> import -> export is byte-identical. Markdown shows the current branch only:
what the user sees, with reasoning and tool traffic folded into <details>, each reply's
cost where one was saved and the branch's total in the opening line.
"""

from __future__ import annotations

import re
import time
from typing import Any

from chatterm.api.types import Citation, ToolCall
from chatterm.engine.conversation import ChatSettings, Conversation, Message, new_id
from chatterm.engine.finish_reasons import cut_note
from chatterm.engine.reply_figures import chat_totals, cost_text
from chatterm.store.errors import StoreError

FORMAT = "chatterm-chat"
VERSION = 1
_WIRE_CALL_KEYS = ("id", "type", "function")


def tool_call_to_export(call: ToolCall) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }
    data.update(call.extra)
    return data


def tool_call_from_export(data: dict[str, Any]) -> ToolCall:
    function = data.get("function") or {}
    extra = {k: v for k, v in data.items() if k not in _WIRE_CALL_KEYS}
    return ToolCall(str(data["id"]), str(function["name"]), function.get("arguments", ""), extra)


def message_to_export(m: Message) -> dict[str, Any]:
    data = m.to_dict()
    data["tool_calls"] = [tool_call_to_export(c) for c in m.tool_calls]
    order = ("role", "content", "tool_calls", "tool_call_id", "id", "parent_id")
    return {k: data[k] for k in order} | {k: v for k, v in data.items() if k not in order}


def message_from_export(data: dict[str, Any]) -> Message:
    body = dict(data)
    calls = [tool_call_from_export(c) for c in body.pop("tool_calls", None) or []]
    message = Message.from_dict(body | {"tool_calls": []})
    message.tool_calls = calls
    return message


def chat_to_export(conv: Conversation, messages: list[Message], leaf_id: str | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "chat": {
            "id": conv.id,
            "title": conv.title,
            "title_is_custom": conv.title_is_custom,
            "settings": conv.settings.to_dict(),
            "created_at": conv.created_at,
            "updated_at": conv.updated_at,
            "current_leaf_id": leaf_id,
        },
        "messages": [message_to_export(m) for m in messages],
    }
    total = chat_totals(messages).cost
    if total is not None:  # what the replies of the document cost, every branch (read by nothing on import)
        document["chat"]["cost"] = round(total, 10)
    return document


def chat_from_export(data: Any, source: str = "the import") -> tuple[Conversation, list[Message], str | None]:
    """Validate an export; returns the chat (without messages), all messages, the leaf id."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(f'{source} is not a chatterm chat export (no "format": "{FORMAT}")')
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise StoreError(f"{source} has export version {version!r}; this chatterm reads up to {VERSION}")
    chat = data.get("chat")
    raw_messages = data.get("messages")
    if not isinstance(chat, dict) or not isinstance(raw_messages, list):
        raise StoreError(f'{source} lacks its "chat" object or "messages" list')
    try:
        messages = [message_from_export(m) for m in raw_messages]
        now = time.time()
        conv = Conversation(
            id=str(chat.get("id") or new_id()),
            title=chat.get("title"),
            title_is_custom=bool(chat.get("title_is_custom")),
            settings=ChatSettings.from_dict(chat.get("settings")),
            created_at=chat.get("created_at") or now,
            updated_at=chat.get("updated_at") or now,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StoreError(f"{source} has a malformed message or chat field: {exc!r}") from exc
    for m in messages:
        if m.role not in ("system", "user", "assistant", "tool"):
            raise StoreError(f"{source} has a message with unknown role {m.role!r}")
    return conv, messages, chat.get("current_leaf_id")


def give_fresh_ids(conv: Conversation, messages: list[Message], leaf_id: str | None) -> str | None:
    """New ids for an imported chat and its messages, parent links remapped (for an
    import whose ids are already in the store, or repeat); returns the new leaf id."""
    mapping = {m.id: new_id() for m in messages}
    for m in messages:
        m.id = mapping[m.id]
        m.parent_id = mapping.get(m.parent_id) if m.parent_id else None
    conv.id = new_id()
    return mapping.get(leaf_id) if leaf_id else None


# --- Markdown ------------------------------------------------------------------------

ROLE_NAMES = {"user": "You", "assistant": "Assistant", "tool": "Tool", "system": "System"}


def _fence(text: str, lang: str = "") -> str:
    """A code block whose fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def _details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def chat_to_markdown(conv: Conversation, image_links: dict[str, str] | None = None) -> str:
    """The current branch as a readable Markdown document. `image_links` (sha256 ->
    relative path) are the generated images copied beside the file."""
    title = conv.title or "Untitled chat"
    parts = [f"# {title}"]
    meta = [f"Started {_when(conv.created_at)}", f"updated {_when(conv.updated_at)}"]
    if conv.models:
        meta.append("models: " + ", ".join(f"`{m}`" for m in conv.models))
    total = chat_totals(conv.messages).cost  # of the replies shown: the current branch
    if total is not None:
        meta.append(f"cost {cost_text(total)}")
    meta.append(f"chat `{conv.id}`")
    parts.append("*" + " · ".join(meta) + "*")
    if conv.settings.system_prompt:
        parts.append(_details("System prompt", conv.settings.system_prompt))
    for m in conv.messages:
        parts.append(_message_markdown(m, image_links or {}))
    return "\n\n".join(parts) + "\n"


def sources_markdown(citations: list[Citation]) -> str:
    """A reply's sources numbered like its [1], [2] markers, so each marker finds its
    source (exports, and the TUI's copy of a reply)."""
    return "Sources:\n\n" + "\n".join(f"{n}. [{c.title or c.url}]({c.url})" for n, c in enumerate(citations, 1))


_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def nest_headings(text: str, below: int = 2) -> str:
    """A message's own `#` headings moved `below` levels down (at most `######`), so a
    reply's "# Title" sits under the export's "## Assistant" turn heading instead of
    above it. Lines inside fenced code are left as they are."""
    lines = text.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        opened = _FENCE_OPEN.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        heading = _ATX.match(line)
        if heading:
            hashes = "#" * min(6, len(heading.group(2)) + below)
            lines[i] = heading.group(1) + hashes + line[heading.end() :]
    return "\n".join(lines)


def _message_markdown(m: Message, image_links: dict[str, str]) -> str:
    if m.role == "tool":
        name = m.name or "tool"
        outcome = "" if m.tool_outcome == "done" else f" ({m.tool_outcome})"  # stored, not read off the text
        return _details(f"Tool result: {name}{outcome}", _fence(m.content or ""))
    heading = f"## {ROLE_NAMES.get(m.role, m.role)}"
    if m.role == "assistant" and m.model:
        heading += f" · {m.model}"
    blocks = [heading]
    if m.reasoning:
        blocks.append(_details("Reasoning", m.reasoning))
    if m.content:
        blocks.append(nest_headings(m.content))
    if m.images:
        from chatterm.store.export_images import image_markdown

        blocks.extend(image_markdown(ref, image_links) for ref in m.images)
    if m.attachments:
        blocks.append("Attached: " + ", ".join(f"`{a}`" for a in m.attachments))
    for call in m.tool_calls:
        blocks.append(_details(f"Tool call: {call.name}", _fence(call.arguments or "{}", "json")))
    if m.citations:
        blocks.append(sources_markdown(m.citations))
    if m.state in ("stopped", "streaming"):
        blocks.append("*(reply stopped before the end)*")
    elif m.role == "assistant" and (cut := cut_note(m.finish_reason)):
        blocks.append(f"*({cut}: finish_reason `{m.finish_reason}`)*")
    elif m.state == "failed" and m.role == "user" and not m.error:
        # A prompt is marked failed when its reply failed; the reason is on the reply.
        blocks.append("*(not answered: the request failed)*")
    elif m.state == "failed":
        blocks.append(f"*(failed: {m.error or 'unknown error'})*")
    if m.role == "assistant" and m.cost is not None:
        blocks.append(f"*Cost: {cost_text(m.cost)}*")
    return "\n\n".join(blocks)
