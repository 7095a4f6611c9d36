"""Token counts and cited sources, from every shape providers put them in.

    parse_usage(obj)            a chat completion's `usage` -> `Usage` (None when empty)
    responses_usage(obj)        a Responses `usage` (input/output tokens) -> `Usage`
    merge_usage(old, new)       cumulative reports: latest wins, field by field
    citations_in(chunk, delta)  top-level `citations`, Perplexity's `search_results`, GLM's
                                `web_search`, `url_citation` annotations, in the order
                                they appear

Reasoning tokens come from `completion_tokens_details` (or a top-level
`reasoning_tokens`), cached tokens from `prompt_tokens_details`, DeepSeek's
`prompt_cache_hit_tokens` or a top-level `cached_tokens`; numbers sent as strings or
whole floats are read, anything else is None.
"""

from __future__ import annotations

from typing import Any

from chatterm.api.failures import text_or_none
from chatterm.api.types import Citation, Usage


def parse_usage(data: Any) -> Usage | None:
    """A `Usage` from the server's usage object (None when it is empty or not an object)."""
    if not isinstance(data, dict) or not data:
        return None
    details = data.get("completion_tokens_details") or {}
    prompt_details = data.get("prompt_tokens_details") or {}
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
    if reasoning is None:
        reasoning = data.get("reasoning_tokens")
    cached = prompt_details.get("cached_tokens") if isinstance(prompt_details, dict) else None
    if cached is None:
        cached = data.get("prompt_cache_hit_tokens")
    if cached is None:
        cached = data.get("cached_tokens")
    return Usage(
        prompt_tokens=_int(data.get("prompt_tokens")),
        completion_tokens=_int(data.get("completion_tokens")),
        total_tokens=_int(data.get("total_tokens")),
        reasoning_tokens=_int(reasoning),
        cached_tokens=_int(cached),
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def merge_usage(old: Usage | None, new: Usage) -> Usage:
    """Latest wins field by field; a field the new report leaves out keeps its old value."""
    if old is None:
        return new
    return Usage(
        prompt_tokens=new.prompt_tokens if new.prompt_tokens is not None else old.prompt_tokens,
        completion_tokens=new.completion_tokens if new.completion_tokens is not None else old.completion_tokens,
        total_tokens=new.total_tokens if new.total_tokens is not None else old.total_tokens,
        reasoning_tokens=new.reasoning_tokens if new.reasoning_tokens is not None else old.reasoning_tokens,
        cached_tokens=new.cached_tokens if new.cached_tokens is not None else old.cached_tokens,
    )


def citations_in(chunk: dict[str, Any], holder: dict[str, Any] | None) -> list[Citation]:
    """Citations in any of the places providers put them, in the order they appear."""
    found: list[Citation] = []
    # `citations` (URLs or source objects), Perplexity's `search_results` and GLM's
    # `web_search` (source objects: {title, url} or {title, link}).
    for key in ("citations", "search_results", "web_search"):
        items = chunk.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, str):
                if key == "citations" and item:
                    found.append(Citation(item))
            elif isinstance(item, dict):
                url = item.get("url") or item.get("link")
                if isinstance(url, str) and url:
                    found.append(Citation(url, text_or_none(item.get("title"))))
    if holder is not None:
        annotations = holder.get("annotations")
        if isinstance(annotations, list):
            for item in annotations:
                if not isinstance(item, dict):
                    continue
                if item.get("type") not in (None, "url_citation"):
                    continue
                inner = item.get("url_citation")
                source = inner if isinstance(inner, dict) else item
                url = source.get("url")
                if isinstance(url, str) and url:
                    found.append(Citation(url, text_or_none(source.get("title"))))
    return found


def responses_usage(usage: Any) -> Usage | None:
    """Responses usage (input/output tokens) -> `Usage`; fields of the wrong type are None."""
    if not isinstance(usage, dict):
        return None
    prompt = _int(usage.get("input_tokens"))
    completion = _int(usage.get("output_tokens"))
    total = _int(usage.get("total_tokens"))
    if total is None and prompt is not None and completion is not None:
        total = prompt + completion
    output_details = usage.get("output_tokens_details")
    input_details = usage.get("input_tokens_details")
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=total,
        reasoning_tokens=_int(output_details.get("reasoning_tokens")) if isinstance(output_details, dict) else None,
        cached_tokens=_int(input_details.get("cached_tokens")) if isinstance(input_details, dict) else None,
    )
