"""A `Plan` in the Responses API wire format: SSE events, or one `response` body.

Event order (each SSE frame has `event: <type>` and a `sequence_number`):
  response.created, response.in_progress,
  [reasoning item: output_item.added, reasoning_summary_part.added,
   reasoning_summary_text.delta*, reasoning_summary_text.done,
   reasoning_summary_part.done, output_item.done]
  [message item: output_item.added, content_part.added, output_text.delta*,
   output_text.done, content_part.done, output_item.done]
  [per function call: output_item.added, function_call_arguments.delta*,
   function_call_arguments.done, output_item.done]
  response.completed (or response.incomplete when max_output_tokens cut the text)
Faults: `!error` sends an `error` event, `!failed` a `response.failed` event.
"""

from __future__ import annotations

import hashlib
from typing import Any

from chatterm.demo.frames import Frames, dumps
from chatterm.demo.planner import Plan


def usage(plan: Plan) -> dict[str, Any]:
    done = plan.completion_tokens
    return {
        "input_tokens": plan.prompt_tokens,
        "input_tokens_details": {"cached_tokens": plan.cached_tokens, "cache_write_tokens": 0},
        "output_tokens": done,
        "output_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
        "total_tokens": plan.prompt_tokens + done,
    }


def _echo_tools(body: dict[str, Any]) -> list[dict[str, Any]]:
    tools = body.get("tools")
    if not isinstance(tools, list):
        return []
    out = []
    for tool in tools:
        if isinstance(tool, dict) and tool.get("type", "function") == "function":
            echoed = {
                "type": "function",
                "name": tool.get("name", ""),
                "parameters": tool.get("parameters"),
                "strict": tool.get("strict"),
            }
            if "description" in tool:
                echoed["description"] = tool["description"]
            out.append(echoed)
        elif isinstance(tool, dict):
            out.append(tool)
    return out


_INCOMPLETE_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}
"""A plan's finish reason -> the Responses API's `incomplete_details.reason`."""


class ResponseBuilder:
    """Ids and the `response` object shared by the stream and the non-stream body."""

    def __init__(self, plan: Plan, body: dict[str, Any], rid: str, created: int) -> None:
        self.plan = plan
        self.body = body
        self.rid = rid
        self.created = created
        seed = hashlib.sha1(rid.encode()).hexdigest()
        self.rs_id = f"rs_{seed[:24]}"
        self.msg_id = f"msg_{seed[:24]}"
        self.fc_ids = [f"fc_{seed[:20]}{i:04d}" for i in range(len(plan.tool_calls))]

    @property
    def incomplete(self) -> bool:
        return self.plan.finish_reason in ("length", "content_filter")

    def response(
        self, status: str, output: list[dict[str, Any]], *, final: bool, error: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body = self.body
        reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else None
        text = body.get("text") if isinstance(body.get("text"), dict) else {"format": {"type": "text"}}
        obj: dict[str, Any] = {
            "id": self.rid,
            "object": "response",
            "created_at": self.created,
            "status": status,
            "error": error,
            "incomplete_details": {"reason": _INCOMPLETE_REASONS.get(self.plan.finish_reason, "max_output_tokens")}
            if status == "incomplete"
            else None,
            "instructions": body.get("instructions") if isinstance(body.get("instructions"), (str, list)) else None,
            "max_output_tokens": body.get("max_output_tokens"),
            "model": self.plan.model,
            "output": output,
            "parallel_tool_calls": True,
            "previous_response_id": None,
            "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")}
            if reasoning
            else None,
            "temperature": body.get("temperature", 1.0),
            "top_p": body.get("top_p", 1.0),
            "text": text,
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": _echo_tools(body),
            "truncation": "disabled",
            "metadata": body.get("metadata") if isinstance(body.get("metadata"), dict) else {},
        }
        if final:
            obj["usage"] = usage(self.plan)
        return obj

    # -- output items -------------------------------------------------------------
    def reasoning_item(self) -> dict[str, Any] | None:
        if self.plan.reasoning_field not in ("summary", "hidden"):
            return None
        summary = [{"type": "summary_text", "text": "".join(self.plan.reasoning)}] if self.plan.reasoning else []
        return {"type": "reasoning", "id": self.rs_id, "summary": summary, "status": "completed"}

    def text_part(self) -> dict[str, Any]:
        annotations = [{"type": "url_citation", **a} for a in self.plan.annotations()]
        return {"type": "output_text", "text": self.plan.text, "annotations": annotations, "logprobs": []}

    def message_item(self, status: str = "completed") -> dict[str, Any] | None:
        if not self.plan.content and self.plan.tool_calls:
            return None
        status = "incomplete" if self.incomplete and status == "completed" else status
        return {
            "type": "message",
            "id": self.msg_id,
            "role": "assistant",
            "status": status,
            "content": [self.text_part()],
        }

    def call_items(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "function_call",
                "id": fid,
                "call_id": c.id,
                "name": c.name,
                "arguments": c.arguments,
                "status": "completed",
            }
            for fid, c in zip(self.fc_ids, self.plan.tool_calls, strict=False)
        ]

    def image_items(self) -> list[dict[str, Any]]:
        """An `image_generation_call` for an `images`-style model's picture (bare base64)."""
        image = self.plan.image
        if image is None or image.style != "images" or not image.url.startswith("data:"):
            return []
        return [
            {
                "type": "image_generation_call",
                "id": "ig_" + self.msg_id.removeprefix("msg_"),
                "status": "completed",
                "result": image.b64,
            }
        ]

    def output(self) -> list[dict[str, Any]]:
        items = [self.reasoning_item(), self.message_item()]
        return [i for i in items if i is not None] + self.image_items() + self.call_items()

    def final_status(self) -> str:
        return "incomplete" if self.incomplete else "completed"


def response_body(plan: Plan, body: dict[str, Any], *, rid: str, created: int) -> dict[str, Any]:
    rb = ResponseBuilder(plan, body, rid, created)
    return rb.response(rb.final_status(), rb.output(), final=True)


class _Events:
    def __init__(self) -> None:
        self.frames = Frames()
        self.seq = 0

    def _frame(self, obj: dict[str, Any]) -> bytes:
        obj["sequence_number"] = self.seq
        self.seq += 1
        return f"event: {obj['type']}\ndata: {dumps(obj)}\n\n".encode()

    def add(self, obj: dict[str, Any]) -> None:
        self.frames.add(self._frame(obj))

    def add_delta(self, head: bytes, delta: str) -> None:
        frame = head + dumps(delta).encode() + b',"sequence_number":%d}\n\n' % self.seq
        self.seq += 1
        self.frames.add_token(frame)


def _delta_head(event: str, fields: dict[str, Any]) -> bytes:
    return (f"event: {event}\ndata: " + dumps({"type": event, **fields})[:-1] + ',"delta":').encode()


def stream_frames(plan: Plan, body: dict[str, Any], *, rid: str, created: int) -> Frames:
    rb = ResponseBuilder(plan, body, rid, created)
    ev = _Events()
    ev.add({"type": "response.created", "response": rb.response("in_progress", [], final=False)})
    ev.add({"type": "response.in_progress", "response": rb.response("in_progress", [], final=False)})
    index = 0

    reasoning = rb.reasoning_item()
    if reasoning is not None:
        ev.add(
            {
                "type": "response.output_item.added",
                "output_index": index,
                "item": {**reasoning, "summary": [], "status": "in_progress"},
            }
        )
        if plan.reasoning:
            text = "".join(plan.reasoning)
            where = {"item_id": rb.rs_id, "output_index": index, "summary_index": 0}
            ev.add(
                {"type": "response.reasoning_summary_part.added", **where, "part": {"type": "summary_text", "text": ""}}
            )
            head = _delta_head("response.reasoning_summary_text.delta", where)
            for tok in plan.reasoning:
                ev.add_delta(head, tok)
            ev.add({"type": "response.reasoning_summary_text.done", **where, "text": text})
            ev.add(
                {
                    "type": "response.reasoning_summary_part.done",
                    **where,
                    "part": {"type": "summary_text", "text": text},
                }
            )
        ev.add({"type": "response.output_item.done", "output_index": index, "item": reasoning})
        index += 1

    message = rb.message_item()
    if message is not None:
        ev.add(
            {
                "type": "response.output_item.added",
                "output_index": index,
                "item": {**message, "status": "in_progress", "content": []},
            }
        )
        where = {"item_id": rb.msg_id, "output_index": index, "content_index": 0}
        ev.add(
            {
                "type": "response.content_part.added",
                **where,
                "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []},
            }
        )
        head = _delta_head("response.output_text.delta", {**where, "logprobs": []})
        for tok in plan.content:
            ev.add_delta(head, tok)
        ev.add({"type": "response.output_text.done", **where, "text": plan.text, "logprobs": []})
        ev.add({"type": "response.content_part.done", **where, "part": rb.text_part()})
        ev.add({"type": "response.output_item.done", "output_index": index, "item": message})
        index += 1

    for item in rb.image_items():  # the whole image in one event, as OpenAI sends it
        ev.add(
            {
                "type": "response.output_item.added",
                "output_index": index,
                "item": {**item, "status": "in_progress", "result": None},
            }
        )
        ev.add({"type": "response.output_item.done", "output_index": index, "item": item})
        index += 1

    for item in rb.call_items():
        ev.add(
            {
                "type": "response.output_item.added",
                "output_index": index,
                "item": {**item, "arguments": "", "status": "in_progress"},
            }
        )
        args = item["arguments"]
        step = max(1, -(-len(args) // 3))
        head = _delta_head("response.function_call_arguments.delta", {"item_id": item["id"], "output_index": index})
        for i in range(0, len(args), step):
            ev.add_delta(head, args[i : i + step])
        ev.add(
            {
                "type": "response.function_call_arguments.done",
                "item_id": item["id"],
                "name": item["name"],
                "output_index": index,
                "arguments": args,
            }
        )
        ev.add({"type": "response.output_item.done", "output_index": index, "item": item})
        index += 1

    ev.frames.close_cut()
    status = rb.final_status()
    final_type = "response.incomplete" if status == "incomplete" else "response.completed"
    ev.add({"type": final_type, "response": rb.response(status, rb.output(), final=True)})

    out = ev.frames
    seq = out.cut if out.cut is not None else ev.seq
    if plan.fault == "error":
        err = {
            "type": "error",
            "code": "server_error",
            "message": "The model stream failed mid-reply (demo !error).",
            "param": None,
            "sequence_number": seq,
        }
        out.fault_frame = f"event: error\ndata: {dumps(err)}\n\n".encode()
    elif plan.fault == "failed":
        failed = rb.response(
            "failed",
            [],
            final=True,
            error={"code": "server_error", "message": "The response failed mid-reply (demo !failed)."},
        )
        out.fault_frame = f"event: response.failed\ndata: {dumps({'type': 'response.failed', 'sequence_number': seq, 'response': failed})}\n\n".encode()
    elif plan.fault == "malformed":
        out.fault_frame = (
            b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": "oops\n\n'
        )
    return out
