"""Which tools the demo model calls, and with what arguments.

`plan_calls(dialogue, triggers, model)` for a turn that starts from the user:
  forced `tool_choice` -> that tool; `!unknown-tool` -> `no_such_tool`; `!bad-args` ->
  arguments that are not JSON; `!parallel` -> current_time + calculator; `!chain` ->
  calculator; `!call <tool> <json-args>` -> that tool with those arguments (any tool,
  MCP or local, driven offline; a tool not offered is called all the same, so the
  user sees chatterm's answer to that); otherwise natural words: time/date -> current_time, arithmetic ->
  calculator, "search"/"latest"/"news" -> an offered `*search*` tool.
`chain_calls(...)` for a turn that ends with tool results (`!chain`'s second call).
Only tools the request offers are called (except `!unknown-tool`, on purpose).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from chatterm.demo import schema_fill
from chatterm.demo.catalogue import ModelInfo
from chatterm.demo.dialogue import Dialogue

_ARITH = re.compile(
    r"(?<![\w.\-])\(*\s*-?\d+(?:\.\d+)?(?:\s*(?:\*\*|[-+*/%^])\s*\(*\s*-?\d+(?:\.\d+)?\s*\)*)+(?![\w.])"
)
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_TIME_WORDS = re.compile(r"\b(time|date|clock|today)\b", re.IGNORECASE)
_SEARCH_WORDS = re.compile(r"\b(search|look up|latest|news)\b", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_CALL = re.compile(r"!call\s+([^\s{]+)\s*(.*)", re.DOTALL)
_TRIGGER_WORD = re.compile(r"![a-z0-9][a-z0-9-]*(?:=[\d.]+)?", re.IGNORECASE)


@dataclass(slots=True)
class PlannedCall:
    id: str
    name: str
    arguments: str
    extra: dict[str, Any] | None = None
    """Provider extras on the call (Gemini's `extra_content.google.thought_signature`)."""


def _call_id(d: Dialogue, index: int, name: str) -> str:
    digest = hashlib.sha1(f"{d.prompt}\0{d.rounds}\0{index}\0{name}".encode()).hexdigest()[:20]
    return f"call_{digest}"


_CITY_ZONES = {
    "tokyo": "Asia/Tokyo",
    "beijing": "Asia/Shanghai",
    "shanghai": "Asia/Shanghai",
    "singapore": "Asia/Singapore",
    "delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "dubai": "Asia/Dubai",
    "moscow": "Europe/Moscow",
    "berlin": "Europe/Berlin",
    "paris": "Europe/Paris",
    "london": "Europe/London",
    "new york": "America/New_York",
    "chicago": "America/Chicago",
    "denver": "America/Denver",
    "los angeles": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "sydney": "Australia/Sydney",
    "sao paulo": "America/Sao_Paulo",
}


def _time_args(schema: dict[str, Any], prompt: str = "") -> dict[str, Any]:
    """`timezone` for a city the prompt names ("time in Tokyo"), else UTC."""
    props = schema.get("properties") if isinstance(schema, dict) else None
    if not (isinstance(props, dict) and "timezone" in props):
        return {}
    lowered = prompt.lower()
    zone = next((z for city, z in _CITY_ZONES.items() if re.search(rf"\b{city}\b", lowered)), "UTC")
    return {"timezone": zone}


def _calc_args(schema: dict[str, Any], expression: str) -> dict[str, Any]:
    props = schema.get("properties") if isinstance(schema, dict) else None
    key = "expression"
    if isinstance(props, dict) and props and "expression" not in props:
        key = next((k for k, v in props.items() if isinstance(v, dict) and v.get("type") == "string"), key)
    return {key: expression}


def _args_for(name: str, d: Dialogue, expression: str = "6*7") -> str:
    schema = d.tools.get(name, {})
    if name == "current_time":
        return json.dumps(_time_args(schema, d.prompt))
    if name == "calculator":
        return json.dumps(_calc_args(schema, expression))
    props = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(props, dict) and "query" in props:
        args = schema_fill.instance(schema)
        args["query"] = _TRIGGER_WORD.sub("", d.prompt).strip()[:200] or "demo"
        return json.dumps(args)
    return json.dumps(schema_fill.instance(schema) if schema else {})


def _expression(prompt: str) -> str | None:
    """The first arithmetic expression in the prompt ("2+3*4"), ignoring dates and model names."""
    for match in _ARITH.finditer(prompt):
        text = match.group(0).strip()
        if not _ISO_DATE.fullmatch(text):
            return text
    return None


def _requested_call(prompt: str) -> tuple[str, str] | None:
    """`!call <tool> <json-args>` -> (tool, arguments). The arguments are the JSON object
    after the name (`{}` when there is none); text that is not JSON is sent as it is, so
    the client's answer to bad arguments can be seen too."""
    match = _CALL.search(prompt)
    if match is None:
        return None
    rest = match.group(2).strip()
    if not rest:
        return match.group(1), "{}"
    try:
        _, end = json.JSONDecoder().raw_decode(rest)
    except ValueError:
        return match.group(1), rest
    return match.group(1), rest[:end]


def plan_calls(d: Dialogue, triggers: dict[str, str], model: ModelInfo) -> list[PlannedCall]:
    """Calls for a turn that starts from the user (no trailing tool results)."""
    choice = d.body.get("tool_choice")
    if not d.tools or choice == "none":
        return []
    wanted: list[tuple[str, str]] = []
    forced = None
    if isinstance(choice, dict):
        forced = (choice.get("function") or {}).get("name") or choice.get("name")
    arith = _expression(d.prompt)
    requested = _requested_call(d.prompt) if "call" in triggers else None
    if forced in d.tools:
        wanted.append((forced, _args_for(forced, d, arith or "6*7")))
    elif requested is not None:
        wanted.append(requested)
    elif "unknown-tool" in triggers:
        wanted.append(("no_such_tool", "{}"))
    elif "bad-args" in triggers:
        name = "calculator" if "calculator" in d.tools else next(iter(d.tools))
        wanted.append((name, '{"expression": "2+2'))
    elif "parallel" in triggers:
        wanted += [(n, _args_for(n, d)) for n in ("current_time", "calculator") if n in d.tools]
    elif "chain" in triggers:
        if "calculator" in d.tools:
            wanted.append(("calculator", _args_for("calculator", d, "6*7")))
    else:
        if _TIME_WORDS.search(d.prompt) and "current_time" in d.tools:
            wanted.append(("current_time", _args_for("current_time", d)))
        if arith and "calculator" in d.tools:
            wanted.append(("calculator", _args_for("calculator", d, arith)))
        search_tool = next((n for n in d.tools if "search" in n), None)
        if search_tool and _SEARCH_WORDS.search(d.prompt):
            wanted.append((search_tool, _args_for(search_tool, d)))
    if not wanted and choice == "required":
        first = next(iter(d.tools))
        wanted.append((first, _args_for(first, d)))
    return [_planned(d, i, name, args, model) for i, (name, args) in enumerate(wanted)]


def _planned(d: Dialogue, index: int, name: str, args: str, model: ModelInfo) -> PlannedCall:
    """A call with a deterministic id; Gemini calls carry a thought signature to send back."""
    extra = None
    if model.family == "gemini":
        extra = {"extra_content": {"google": {"thought_signature": f"demo-signature-{d.rounds}-{index}"}}}
    return PlannedCall(_call_id(d, index, name), name, args, extra)


def chain_calls(d: Dialogue, triggers: dict[str, str], model: ModelInfo) -> list[PlannedCall]:
    """`!chain`: after the first calculator result, one more call that uses it."""
    if "chain" not in triggers or d.rounds != 1 or "calculator" not in d.tools:
        return []
    calc = [r for r in d.results if r.name == "calculator"]
    number = _NUMBER.search(calc[0].output) if calc else None
    if not number:
        return []
    args = _args_for("calculator", d, f"{number.group(0)} + 1")
    return [_planned(d, 0, "calculator", args, model)]
