"""Chat-completions-shaped request parts -> their `/v1/responses` shapes.

    to_responses_input(messages, file_parts)  -> (instructions, input items)
    responses_tool(tool)                      {"type": "function", "function": {...}} -> flat
    responses_tool_choice(choice)             {"type": "function", "function": {"name"}} -> flat
    responses_format(response_format)         json_schema response_format -> `text.format`

Pure conversions of the wire shapes, no family rules: `shaping.prepare` decides what
goes into a Responses body and uses these to write it.
"""

from __future__ import annotations

from typing import Any


def to_responses_input(
    messages: list[dict[str, Any]], file_parts: list[dict[str, Any]] | None = None
) -> tuple[str | None, list[dict[str, Any]]]:
    """Chat wire messages -> (instructions, Responses input items).

    Leading system messages become `instructions`; later ones stay system messages.
    Files go with the last user message, before its text (the prompt).
    """
    instructions: list[str] = []
    items: list[dict[str, Any]] = []
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    for index, message in enumerate(messages):
        role = message.get("role")
        content = message.get("content")
        if role in ("system", "developer"):
            text = _plain_text(content)
            if not items:
                if text:
                    instructions.append(text)
            else:
                items.append({"role": role, "content": text})
        elif role == "user":
            parts = _user_parts(content)
            if index == last_user and file_parts:
                parts = list(file_parts) + parts
            items.append({"role": "user", "content": parts})
        elif role == "assistant":
            text = _plain_text(content)
            if text:
                items.append({"role": "assistant", "content": text})
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                items.append(
                    {
                        "type": "function_call",
                        "call_id": call.get("id") or "",
                        "name": function.get("name") or "",
                        "arguments": function.get("arguments") or "{}",
                    }
                )
        elif role == "tool":
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": message.get("tool_call_id") or "",
                    "output": _plain_text(content),
                }
            )
    if last_user == -1 and file_parts:
        items.append({"role": "user", "content": list(file_parts)})
    return ("\n\n".join(instructions) or None), items


def _plain_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and "text" in p)
    return str(content)


def _user_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, list):
        parts: list[dict[str, Any]] = []
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind in ("text", "input_text"):
                parts.append({"type": "input_text", "text": part.get("text", "")})
            elif kind == "image_url":
                image = part.get("image_url")
                url = image.get("url") if isinstance(image, dict) else image
                detail = image.get("detail", "auto") if isinstance(image, dict) else "auto"
                parts.append({"type": "input_image", "image_url": url, "detail": detail})
            elif isinstance(part, dict) and kind in ("input_image", "input_file"):
                parts.append(dict(part))
        return parts
    return [{"type": "input_text", "text": _plain_text(content)}]


def responses_tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "function" or "function" not in tool:
        return dict(tool)
    function = tool["function"]
    converted: dict[str, Any] = {"type": "function", "name": function["name"]}
    if function.get("description"):
        converted["description"] = function["description"]
    converted["parameters"] = function.get("parameters") or {"type": "object", "properties": {}}
    # The Responses API makes strict mode the default; registry schemas are not
    # written for it, so only a tool that asked for strict gets it.
    converted["strict"] = bool(function.get("strict", False))
    return converted


def responses_tool_choice(choice: str | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        return {"type": "function", "name": name}
    return choice


def responses_format(fmt: dict[str, Any]) -> dict[str, Any]:
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        converted: dict[str, Any] = {"type": "json_schema", "name": spec.get("name", "response")}
        if spec.get("description"):
            converted["description"] = spec["description"]
        converted["schema"] = spec.get("schema") or {}
        if "strict" in spec:
            converted["strict"] = spec["strict"]
        return converted
    return dict(fmt)
