"""A server's tool as the model sees it: `<server>__<tool>`, a name every provider takes.

Chat completions allow `[A-Za-z0-9_-]{1,64}`. MCP tool names may hold dots, slashes and
more, and be longer: other characters become `_`, and a name over 64 characters is cut
with a short hash of the whole name at its end, so two long names that share a start
stay apart and the same tool gets the same name on every run.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["MAX_NAME", "SEPARATOR", "tool_name"]

MAX_NAME = 64
SEPARATOR = "__"
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]")


def tool_name(server: str, tool: str) -> str:
    """The registry name for `tool` of `server` (deterministic, at most 64 characters)."""
    whole = f"{server}{SEPARATOR}{tool}"
    clean = _NOT_ALLOWED.sub("_", whole)
    if clean == whole and len(clean) <= MAX_NAME:
        return clean
    digest = hashlib.sha1(whole.encode("utf-8")).hexdigest()[:8]
    # Cut, or characters replaced: the hash keeps `a.b` and `a_b` (or two long names
    # with one start) apart.
    return f"{clean[: MAX_NAME - len(digest) - 1]}_{digest}"
