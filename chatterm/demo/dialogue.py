"""One view of a request, whichever endpoint it came to.

`from_chat(body)` reads a `/v1/chat/completions` body, `from_responses(body)` a
`/v1/responses` body; both give a `Dialogue`: the last user prompt (where triggers
live), the tools offered, the tool results that end the conversation, files sent,
and rough token counts. `planner.py` decides the reply from it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from chatterm.demo.errors import GatewayError, bad_request
from chatterm.demo.media_headers import describe
from chatterm.demo.text import count_words

MAX_FILE_BYTES = 50 * 1024 * 1024
_TRIGGER = re.compile(r"!([a-z0-9][a-z0-9-]*)(?:=(\d+(?:\.\d+)?))?", re.IGNORECASE)


@dataclass(slots=True)
class ToolResult:
    call_id: str
    name: str
    output: str


@dataclass(slots=True)
class Dialogue:
    body: dict[str, Any]
    prompt: str = ""
    """Text of the last user message: the reply quotes it and triggers are read from it."""
    message_count: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    """Tokens before the last user message: what a prefix cache would have kept."""
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Offered function tools: name -> parameters schema."""
    tool_types: set[str] = field(default_factory=set)
    """`type` of every offered tool (function, web_search, ...)."""
    results: list[ToolResult] = field(default_factory=list)
    """Tool results at the very end of the conversation (the reply must use them)."""
    rounds: int = 0
    """Assistant tool-call rounds since the last user message."""
    files: list[str] = field(default_factory=list)
    """One line per input file: name, type and decoded size."""
    media: list[str] = field(default_factory=list)
    """One line per image or audio part of the last user message, read from its header
    ("PNG image, 64x48"): what a vision or speech model answers with."""

    @property
    def triggers(self) -> dict[str, str]:
        """`!name` or `!name=value` words in the last user message, lower-cased."""
        return {m.group(1).lower(): m.group(2) or "" for m in _TRIGGER.finditer(self.prompt)}


def _text_of(content: Any, files: list[str] | None = None, media: list[str] | None = None) -> str:
    """Plain text of a message's content (a string or a list of parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return str(content)
    texts: list[str] = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind in ("text", "input_text", "output_text"):
            texts.append(str(part.get("text", "")))
        elif kind in ("input_file", "file") and files is not None:
            files.append(_describe_file(part.get("file", part) if kind == "file" else part))
        elif kind in ("image_url", "input_image", "input_audio") and media is not None:
            media.append(_describe_media(part))
    return "\n".join(texts)


def _describe_media(part: dict[str, Any]) -> str:
    """ "PNG image, 64x48" for an image or audio part carried as data; a URL is named."""
    kind = part.get("type")
    url: Any
    if kind == "input_audio":
        audio = part.get("input_audio")
        url = audio.get("data") if isinstance(audio, dict) else None
        if not isinstance(url, str) or not url:
            raise bad_request("input_audio needs data", "input_audio", "invalid_media")
    else:
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if not isinstance(url, str) or not url:
            raise bad_request(f"{kind} needs an image_url", "image_url", "invalid_image")
        if not url.startswith("data:"):
            return f"image from {url} (not downloaded by the demo)"
    payload = url
    if url.startswith("data:"):
        header, sep, payload = url.partition(",")
        if not sep or ";base64" not in header:
            raise bad_request("media data must be a base64 data: URL", str(kind), "invalid_media")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request("media data is not valid base64", str(kind), "invalid_media") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise bad_request("File size exceeds the 50 MB limit", str(kind), "file_too_large")
    described = describe(raw)
    if described is None:
        what = "audio" if kind == "input_audio" else "image"
        raise bad_request(f"the {what} could not be read (unknown format)", str(kind), "invalid_media")
    return described


def _describe_file(part: dict[str, Any]) -> str:
    """ "`name` (type, N bytes)" for a data-URL file, "`name` (from URL)" for a file_url."""
    name = part.get("filename")
    data = part.get("file_data")
    if isinstance(data, str) and data:
        mime = "application/octet-stream"
        payload = data
        if data.startswith("data:"):
            header, sep, payload = data.partition(",")
            if not sep or ";base64" not in header:
                raise bad_request("file_data must be a base64 data: URL", "file_data", "invalid_file")
            mime = header[5:].split(";", 1)[0] or mime
        try:
            size = len(base64.b64decode(payload, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise bad_request("file_data is not valid base64", "file_data", "invalid_file") from exc
        if size > MAX_FILE_BYTES:
            raise bad_request("File size exceeds the 50 MB limit", "file_data", "file_too_large")
        return f"`{name or 'file'}` ({mime}, {size:,} bytes)"
    url = part.get("file_url")
    if isinstance(url, str) and url:
        guessed = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "file"
        return f"`{name or guessed}` (from {url}, not downloaded by the demo)"
    if part.get("file_id"):
        return f"`{name or part['file_id']}` (file id {part['file_id']})"
    raise bad_request("input_file needs file_data, file_url or file_id", "input", "invalid_file")


def _function_tools(tools: Any, dialogue: Dialogue) -> None:
    if not isinstance(tools, list):
        return
    for tool in tools:
        if not isinstance(tool, dict):
            continue
        kind = str(tool.get("type", "function"))
        dialogue.tool_types.add(kind)
        if kind != "function":
            continue
        fn = tool.get("function", tool)  # chat nests under "function"; Responses does not
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            params = fn.get("parameters")
            dialogue.tools[fn["name"]] = params if isinstance(params, dict) else {}


def _output_text(output: Any) -> str:
    return output if isinstance(output, str) else _text_of(output) if isinstance(output, list) else str(output)


def from_chat(body: dict[str, Any]) -> Dialogue:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty array", "messages")
    d = Dialogue(body=body, message_count=len(messages))
    _function_tools(body.get("tools"), d)
    last_user = max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "user"), default=-1)
    names: dict[str, str] = {}
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            raise bad_request(f"messages[{i}] must be an object", f"messages[{i}]")
        files: list[str] | None = d.files if i == last_user else None
        text = _text_of(msg.get("content"), files, d.media if i == last_user else None)
        tokens = count_words(text) + 3
        for call in msg.get("tool_calls") or []:
            if isinstance(call, dict):
                fn = call.get("function") or {}
                names[str(call.get("id"))] = str(fn.get("name", "tool"))
                tokens += count_words(str(fn.get("arguments", ""))) + 3
        d.prompt_tokens += tokens
        if i < last_user:
            d.cached_tokens += tokens
        if i == last_user:
            d.prompt = text
        if i > last_user and msg.get("role") == "assistant" and msg.get("tool_calls"):
            d.rounds += 1
    tail: list[ToolResult] = []
    for msg in reversed(messages):
        if msg.get("role") != "tool":
            break
        call_id = str(msg.get("tool_call_id", ""))
        tail.append(
            ToolResult(call_id, names.get(call_id, str(msg.get("name") or "tool")), _text_of(msg.get("content")))
        )
    d.results = tail[::-1]
    return d


def from_responses(body: dict[str, Any]) -> Dialogue:
    raw = body.get("input")
    if isinstance(raw, str):
        items: list[Any] = [{"role": "user", "content": raw}]
    elif isinstance(raw, list) and raw:
        items = raw
    else:
        raise bad_request("'input' must be a string or a non-empty array", "input")
    d = Dialogue(body=body, message_count=len(items))
    _function_tools(body.get("tools"), d)
    if isinstance(body.get("instructions"), str):
        d.prompt_tokens += count_words(body["instructions"]) + 3
        d.cached_tokens += count_words(body["instructions"]) + 3
    is_user = [isinstance(it, dict) and it.get("role") == "user" for it in items]
    last_user = max((i for i, u in enumerate(is_user) if u), default=-1)
    names: dict[str, str] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad_request(f"input[{i}] must be an object", f"input[{i}]")
        kind = item.get("type", "message")
        if kind == "function_call":
            names[str(item.get("call_id"))] = str(item.get("name", "tool"))
            tokens = count_words(str(item.get("arguments", ""))) + 3
        elif kind == "function_call_output":
            tokens = count_words(_output_text(item.get("output", ""))) + 3
        else:
            last = i == last_user
            text = _text_of(item.get("content"), d.files if last else None, d.media if last else None)
            tokens = count_words(text) + 3
            if i == last_user:
                d.prompt = text
        d.prompt_tokens += tokens
        if i < last_user:
            d.cached_tokens += tokens
    # consecutive function_call items form one round
    prev_call = False
    for it in items[last_user + 1 :]:
        is_call = isinstance(it, dict) and it.get("type") == "function_call"
        if is_call and not prev_call:
            d.rounds += 1
        prev_call = is_call
    tail: list[ToolResult] = []
    for item in reversed(items):
        if not isinstance(item, dict) or item.get("type") != "function_call_output":
            break
        call_id = str(item.get("call_id", ""))
        tail.append(ToolResult(call_id, names.get(call_id, "tool"), _output_text(item.get("output", ""))))
    d.results = tail[::-1]
    return d


def check_sampling(body: dict[str, Any]) -> None:
    """400 for temperature / top_p outside the ranges the page gives."""
    for name, low, high in (("temperature", 0.0, 2.0), ("top_p", 0.0, 1.0)):
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise GatewayError(
                400,
                f"Invalid '{name}': expected a number between {low:g} and {high:g}, got {value!r}.",
                "invalid_request_error",
                "invalid_value",
                name,
            )
