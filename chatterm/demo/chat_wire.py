"""A `Plan` in the chat completions wire format: SSE chunks, or one `chat.completion` body.

Stream order: a role chunk (GLM's `web_search` results ride on it), reasoning deltas
(`reasoning_content`, `reasoning`, or Gemini thought parts: content flagged
`extra_content.google.thought` and wrapped in `<thought>...</thought>`), content deltas,
an `annotations` delta for OpenAI search, tool-call fragments (first fragment: index, id,
type, name; later ones: index + a piece of the arguments; parallel calls interleaved),
the finish chunk (Grok/Qwen top-level `citations` ride on it), the usage chunk when
`stream_options.include_usage` is set, then `data: [DONE]`.
"""

from __future__ import annotations

from typing import Any

from chatterm.demo.frames import Frames, dumps, sse
from chatterm.demo.planner import Plan
from chatterm.demo.toolplan import PlannedCall

DONE = b"data: [DONE]\n\n"
_MARK = "@@DEMO_TOKEN@@"


def usage(plan: Plan) -> dict[str, Any]:
    done = plan.completion_tokens
    out: dict[str, Any] = {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": done,
        "total_tokens": plan.prompt_tokens + done,
        "prompt_tokens_details": {"cached_tokens": plan.cached_tokens},
    }
    if plan.reasoning_tokens:
        out["completion_tokens_details"] = {"reasoning_tokens": plan.reasoning_tokens}
    return out


def _search_extras(plan: Plan) -> dict[str, Any]:
    if plan.citation_style == "citations":
        return {"citations": [c.url for c in plan.citations]}
    if plan.citation_style == "web_search":
        return {
            "web_search": [
                {"title": c.title, "link": c.url, "content": c.snippet, "refer": f"ref_{i}"}
                for i, c in enumerate(plan.citations, 1)
            ]
        }
    return {}


def _annotations(plan: Plan) -> list[dict[str, Any]]:
    return [{"type": "url_citation", "url_citation": a} for a in plan.annotations()]


def _call_fragments(index: int, call: PlannedCall) -> list[dict[str, Any]]:
    head: dict[str, Any] = {
        "index": index,
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": ""},
    }
    if call.extra:
        head.update(call.extra)
    args = call.arguments
    step = max(1, -(-len(args) // 3))
    pieces = [args[i : i + step] for i in range(0, len(args), step)] or [""]
    return [head] + [{"index": index, "function": {"arguments": p}} for p in pieces]


class _Templates:
    """Byte templates for the frames sent once per token."""

    def __init__(self, base: dict[str, Any]) -> None:
        self.base = base
        self.cache: dict[tuple[str, str], bytes] = {}
        self.parts: dict[str, tuple[bytes, bytes]] = {}

    def frame(self, key: str, token: str, delta_of: Any) -> bytes:
        hit = self.cache.get((key, token))
        if hit is not None:
            return hit
        parts = self.parts.get(key)
        if parts is None:
            text = (
                "data: "
                + dumps({**self.base, "choices": [{"index": 0, "delta": delta_of(_MARK), "finish_reason": None}]})
                + "\n\n"
            )
            head, tail = text.split(f'"{_MARK}"')
            parts = self.parts[key] = (head.encode(), tail.encode())
        frame = parts[0] + dumps(token).encode() + parts[1]
        if len(self.cache) < 4096:
            self.cache[(key, token)] = frame
        return frame


def stream_frames(plan: Plan, *, cid: str, created: int, include_usage: bool) -> Frames:
    base: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": plan.model}

    def chunk(delta: dict[str, Any], finish: str | None = None, **top: Any) -> bytes:
        return sse({**base, **top, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    out = Frames()
    tpl = _Templates(base)
    first_extras = _search_extras(plan) if plan.citation_style == "web_search" else {}
    out.add(chunk({"role": "assistant", "content": ""}, **first_extras))

    field = plan.reasoning_field
    if plan.reasoning and field in ("reasoning_content", "reasoning"):
        for tok in plan.reasoning:
            out.add_token(tpl.frame(field, tok, lambda m, f=field: {f: m}))
    elif plan.reasoning and field == "gemini":
        last = len(plan.reasoning) - 1
        for i, tok in enumerate(plan.reasoning):
            text = ("<thought>" if i == 0 else "") + tok + ("</thought>" if i == last else "")
            out.add_token(chunk({"content": text, "extra_content": {"google": {"thought": True}}}))

    for tok in plan.content:
        out.add_token(tpl.frame("content", tok, lambda m: {"content": m}))
    annotations = _annotations(plan)
    if annotations:
        out.add(chunk({"annotations": annotations}))
    if plan.image is not None and plan.image.style == "images":  # the whole image, one event
        out.add(chunk({"images": [plan.image.part()]}))

    fragments = [_call_fragments(i, c) for i, c in enumerate(plan.tool_calls)]
    for step in range(max((len(f) for f in fragments), default=0)):
        for frags in fragments:
            if step < len(frags):
                out.add_token(chunk({"tool_calls": [frags[step]]}))

    out.close_cut()
    finish_extras = _search_extras(plan) if plan.citation_style == "citations" else {}
    out.add(chunk({}, plan.finish_reason, **finish_extras))
    if include_usage:
        out.add(sse({**base, "choices": [], "usage": usage(plan)}))
    out.add(DONE)

    if plan.fault in ("error", "failed"):
        out.fault_frame = sse(
            {
                "error": {
                    "message": "The model stream failed mid-reply (demo !error).",
                    "type": "server_error",
                    "param": None,
                    "code": "stream_error",
                }
            }
        )
    elif plan.fault == "malformed":
        out.fault_frame = b'data: {"id": "' + cid.encode() + b'", "choices": [{"delta": {"content": "oops\n\n'
    return out


def completion_body(plan: Plan, *, cid: str, created: int) -> dict[str, Any]:
    text = plan.text
    message: dict[str, Any] = {
        "role": "assistant",
        "content": text if text or not plan.tool_calls else None,
        "refusal": None,
    }
    reasoning = "".join(plan.reasoning)
    if reasoning and plan.reasoning_field in ("reasoning_content", "reasoning"):
        message[plan.reasoning_field] = reasoning
    elif reasoning and plan.reasoning_field == "gemini":
        message["content"] = f"<thought>{reasoning}</thought>{text}"
    if plan.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}, **(c.extra or {})}
            for c in plan.tool_calls
        ]
    annotations = _annotations(plan)
    if annotations:
        message["annotations"] = annotations
    if plan.image is not None and plan.image.style == "images":
        message["images"] = [plan.image.part()]
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": plan.model,
        "choices": [{"index": 0, "message": message, "finish_reason": plan.finish_reason, "logprobs": None}],
        "usage": usage(plan),
        **_search_extras(plan),
    }
