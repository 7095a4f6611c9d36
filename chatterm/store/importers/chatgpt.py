"""A ChatGPT data export's `conversations.json` -> chats, its message tree kept as
chatterm branches.

Each conversation's `mapping` is a tree of nodes (`parent`, `children`); an edited
prompt or a regenerated reply is a second child, which becomes a second branch here;
`current_node` is the end of the branch the user last saw. Nodes that ChatGPT does not
show are left out and their children hang on the nearest node that is kept: the
synthetic root, hidden system messages, empty placeholders, "Thought for 5s" recaps.
Custom instructions (`user_editable_context`) become the chat's system prompt; a
model's thoughts become the reasoning of the reply they led to. A message to a tool
(`recipient` other than "all") becomes a tool call, and the tool's answer its result
(a result without a call gets a call, so the chat can still be sent to a gateway).
Content parts that are not text (images, audio, files) are not in the export's JSON:
each is marked in its message ("[image not imported: file-service://...]") and
counted in the import's notes.

The file is read one conversation at a time (`json_stream`), never whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chatterm.api.types import ToolCall
from chatterm.engine.conversation import ChatSettings, Conversation, Message
from chatterm.store.importers.chat import ImportedChat, Notes, first_line_title
from chatterm.store.importers.json_stream import JSONStreamError, json_items
from chatterm.store.importers.sniff import WHAT, SourceError

APP = "chatgpt"
_FINISH = {"stop": "stop", "max_tokens": "length"}


def json_kind(path: Path) -> tuple[str | None, str]:
    """What a JSON file is, from its first conversation only."""
    try:
        with path.open(encoding="utf-8-sig") as f:
            for item in json_items(f):
                if isinstance(item, dict) and isinstance(item.get("mapping"), dict):
                    return "chatgpt", WHAT["chatgpt"]
                if isinstance(item, dict) and item.get("format") == "chatterm-chat":
                    return "chatterm-export", WHAT["chatterm-export"]
                return None, 'a JSON file without ChatGPT\'s conversation tree (no "mapping")'
    except (JSONStreamError, UnicodeDecodeError) as exc:
        return None, f"a file that is not valid JSON ({exc})"
    return "chatgpt", WHAT["chatgpt"]  # an empty list: an export with no conversations


def read(path: Path, notes: Notes) -> Iterator[ImportedChat]:
    """Every conversation of the export, one at a time."""
    try:
        with path.open(encoding="utf-8-sig") as f:
            for number, item in enumerate(json_items(f), 1):
                if not isinstance(item, dict) or not isinstance(item.get("mapping"), dict):
                    notes.add(f"conversation {number} has no message tree; skipped")
                    continue
                try:
                    chat = conversation_to_chat(item, notes)
                except (AttributeError, TypeError, ValueError, KeyError) as exc:
                    # a node of a shape this reader does not know: the others still come in
                    notes.add(
                        f"conversation {number} ({item.get('title')!r}) has a malformed message; skipped: {exc!r}"
                    )
                    continue
                yield chat
    except (JSONStreamError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path} breaks off or is damaged after the chats read so far: {exc}") from exc


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _part_text(part: Any, notes: Notes) -> str:
    """One content part as text; a part that is not text is marked and noted."""
    if isinstance(part, str):
        return part
    if isinstance(part, dict):
        kind = str(part.get("content_type") or "part")
        if isinstance(part.get("text"), str):  # audio transcriptions and the like
            return str(part["text"])
        if kind == "image_asset_pointer":
            size = f", {part['width']}x{part['height']}" if part.get("width") and part.get("height") else ""
            notes.add("images are not in conversations.json: each is marked [image not imported: ...]")
            return f"[image not imported: {part.get('asset_pointer', '?')}{size}]"
        notes.add(f"{kind} parts are not imported: each is marked [{kind} not imported]")
        return f"[{kind} not imported]"
    return ""


def _content_text(content: Any, notes: Notes) -> str:
    if not isinstance(content, dict):
        return ""
    kind = content.get("content_type")
    if isinstance(content.get("parts"), list):
        return "\n\n".join(t for t in (_part_text(p, notes) for p in content["parts"]) if t)
    if kind == "code":
        text = str(content.get("text") or "")
        language = content.get("language") or ""
        return f"```{language if language != 'unknown' else ''}\n{text}\n```" if text else ""
    if isinstance(content.get("text"), str):  # execution_output, tether_quote, ...
        if kind == "tether_quote" and content.get("url"):
            return f"{content.get('title') or content['url']} <{content['url']}>\n\n{content['text']}"
        return str(content["text"])
    if isinstance(content.get("result"), str):  # tether_browsing_display
        return str(content["result"])
    if kind == "thoughts":
        return "\n\n".join(
            str(t.get("content") or t.get("summary") or "")
            for t in content.get("thoughts") or []
            if isinstance(t, dict)
        )
    if kind in ("reasoning_recap", "user_editable_context", "model_editable_context"):
        return ""
    notes.add(f"{kind} messages are not imported: each is marked [{kind} not imported]")
    return f"[{kind} not imported]"


def _instructions(content: dict[str, Any]) -> str:
    """Custom instructions, as the system prompt ChatGPT built from them."""
    pieces = [str(content.get(k) or "").strip() for k in ("user_profile", "user_instructions")]
    return "\n\n".join(p for p in pieces if p)


class _Tree:
    """One conversation's mapping turned into messages, parents first."""

    def __init__(self, conv: dict[str, Any], notes: Notes) -> None:
        self.conv = conv
        self.notes = notes
        self.mapping: dict[str, Any] = conv["mapping"]
        self.messages: list[Message] = []
        self.by_id: dict[str, Message] = {}
        self.answered: set[str] = set()
        self.tail: dict[str, str | None] = {}
        """node id -> the id of the message its children hang on (None: the root)."""
        self.system_prompt: str | None = None
        self.start = _number(conv.get("create_time")) or 0.0

    def walk(self) -> None:
        roots = [
            nid
            for nid, node in self.mapping.items()
            if isinstance(node, dict) and (node.get("parent") is None or node.get("parent") not in self.mapping)
        ]
        # (node id, message it hangs on, reasoning carried from a skipped thoughts node, time)
        stack: list[tuple[str, str | None, str | None, float]] = [(r, None, None, self.start) for r in reversed(roots)]
        seen: set[str] = set()
        while stack:
            nid, parent, reasoning, when = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            node = self.mapping.get(nid)
            if not isinstance(node, dict):
                continue
            tail, reasoning, when = self._convert(nid, node, parent, reasoning, when)
            self.tail[nid] = tail
            children = [c for c in node.get("children") or [] if isinstance(c, str) and c in self.mapping]
            children.sort(key=self._time_of, reverse=True)  # popped oldest first
            stack.extend((c, tail, reasoning, when) for c in children)

    def _time_of(self, nid: str) -> float:
        message = (self.mapping.get(nid) or {}).get("message") or {}
        return _number(message.get("create_time")) or 0.0

    def _convert(
        self, nid: str, node: dict[str, Any], parent: str | None, reasoning: str | None, when: float
    ) -> tuple[str | None, str | None, float]:
        """Add the node's message(s); returns what its children hang on, the reasoning
        they carry and the time they default to."""
        msg = node.get("message")
        if not isinstance(msg, dict):
            return parent, reasoning, when
        when = _number(msg.get("create_time")) or when
        author = msg.get("author") or {}
        role = author.get("role")
        content = msg.get("content") or {}
        kind = content.get("content_type") if isinstance(content, dict) else None
        metadata = msg.get("metadata") or {}
        if kind == "user_editable_context":
            self.system_prompt = self.system_prompt or _instructions(content) or None
            return parent, reasoning, when
        if metadata.get("is_visually_hidden_from_conversation"):
            return parent, reasoning, when
        text = _content_text(content, self.notes)
        if role == "system":
            if text.strip() and self.system_prompt is None:
                self.system_prompt = text
            return parent, reasoning, when
        if role == "assistant" and kind == "thoughts":
            return parent, "\n\n".join(r for r in (reasoning, text) if r) or None, when
        if role == "assistant" and kind == "reasoning_recap":
            return parent, reasoning, when
        if role == "user":
            attachments = [str(a.get("name")) for a in metadata.get("attachments") or [] if isinstance(a, dict)]
            self._add(Message("user", text, attachments=attachments, id=nid, parent_id=parent, created_at=when))
            return nid, None, when
        if role == "assistant":
            recipient = msg.get("recipient") or "all"
            model = metadata.get("model_slug") or None
            if recipient != "all":
                raw = content.get("text") if kind == "code" and isinstance(content.get("text"), str) else text
                call = ToolCall(f"call_{nid}", str(recipient), _arguments(str(raw)))
                self._add(
                    Message(
                        "assistant",
                        None,
                        reasoning=reasoning,
                        tool_calls=[call],
                        model=model,
                        finish_reason="tool_calls",
                        id=nid,
                        parent_id=parent,
                        created_at=when,
                    )
                )
                return nid, None, when
            if not text.strip():
                return parent, reasoning, when  # an empty placeholder before the reply
            finish = (metadata.get("finish_details") or {}).get("type")
            self._add(
                Message(
                    "assistant",
                    text,
                    reasoning=reasoning,
                    model=model,
                    finish_reason=_FINISH.get(str(finish)),
                    state="stopped" if finish == "interrupted" else "ok",
                    id=nid,
                    parent_id=parent,
                    created_at=when,
                )
            )
            return nid, None, when
        if role == "tool":
            name = str(author.get("name") or "tool")
            call_id = self._open_call(parent)
            if call_id is None:  # a result with no call in front: give it one
                call_id = f"call_{nid}"
                self._add(
                    Message(
                        "assistant",
                        None,
                        tool_calls=[ToolCall(call_id, name, "{}")],
                        finish_reason="tool_calls",
                        id=f"{nid}#call",
                        parent_id=parent,
                        created_at=when,
                    )
                )
                parent = f"{nid}#call"
            self._add(Message("tool", text, tool_call_id=call_id, name=name, id=nid, parent_id=parent, created_at=when))
            return nid, reasoning, when
        self.notes.add(f"messages from {role!r} are not imported")
        return parent, reasoning, when

    def _open_call(self, parent: str | None) -> str | None:
        """The id of the parent's tool call, when the parent is a call not yet answered."""
        message = self.by_id.get(parent) if parent else None
        if message is None or message.role != "assistant" or not message.tool_calls or parent in self.answered:
            return None
        return message.tool_calls[0].id

    def _add(self, message: Message) -> None:
        self.messages.append(message)
        self.by_id[message.id] = message
        if message.role == "tool" and message.parent_id:
            self.answered.add(message.parent_id)


def _arguments(text: str) -> str:
    """A tool call's arguments: the text as it is when it is a JSON object, else wrapped."""
    try:
        if isinstance(json.loads(text), dict):
            return text
    except ValueError:
        pass
    return json.dumps({"input": text}, ensure_ascii=False)


def conversation_to_chat(conv: dict[str, Any], notes: Notes) -> ImportedChat:
    """One conversation of the export as an `ImportedChat` (source ids, not yet stamped)."""
    tree = _Tree(conv, notes)
    tree.walk()
    messages = tree.messages
    current = conv.get("current_node")
    leaf = tree.tail.get(current) if isinstance(current, str) else None
    model = conv.get("default_model_slug") or next(
        (m.model for m in reversed(messages) if m.role == "assistant" and m.model), None
    )
    settings = ChatSettings(system_prompt=tree.system_prompt)
    if model:
        settings.model = str(model)
    created = _number(conv.get("create_time")) or (messages[0].created_at if messages else 0.0)
    updated = _number(conv.get("update_time")) or max((m.created_at for m in messages), default=created)
    title = conv.get("title")
    conversation = Conversation(
        title=str(title) if isinstance(title, str) and title.strip() else first_line_title(messages),
        settings=settings,
        created_at=created,
        updated_at=updated,
    )
    key = conv.get("conversation_id") or conv.get("id")
    if not isinstance(key, str) or not key:
        # no id: what the conversation is made of stands for it
        key = "sha1:" + hashlib.sha1(json.dumps(conv, sort_keys=True, default=str).encode()).hexdigest()
    return ImportedChat(APP, key, conversation, messages, leaf)
