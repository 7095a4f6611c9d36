"""`--tools` words -> tool names: `all`, a tool's name, or a whole source (`mcp:time`)."""

from __future__ import annotations

from .registry import ToolRegistry

__all__ = ["select_tools"]


def select_tools(words: str, registry: ToolRegistry) -> list[str]:
    """The named tools in the order given, each once. `all` is every tool; a source
    name (`mcp:<server>`, `builtin`, `user`) is all of its tools. Raises KeyError with
    the message to show for a word that names nothing."""
    picked, unknown = _pick(words, registry)
    if unknown:
        available = registry.names()
        raise KeyError(f"unknown tool(s): {', '.join(unknown)}; available: {', '.join(available) or 'none'}")
    return picked


def tools_named(words: str, registry: ToolRegistry) -> list[str]:
    """As `select_tools`, leaving out words that name nothing (yet): a chat's preset words
    judged again when an MCP server's tools join later."""
    return _pick(words, registry)[0]


def _pick(words: str, registry: ToolRegistry) -> tuple[list[str], list[str]]:
    available = registry.names()
    picked: list[str] = []
    unknown: list[str] = []
    for word in (w.strip() for w in words.split(",")):
        if not word:
            continue
        if word == "all":
            found = available
        elif word in registry:
            found = [word]
        else:
            found = [tool.name for tool in registry if tool.source == word]
            if not found and word not in registry.sources:
                unknown.append(word)
        picked += [name for name in found if name not in picked]
    return picked, unknown
