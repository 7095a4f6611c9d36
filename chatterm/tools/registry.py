"""The tool registry: named Python functions the model may call.

    registry = ToolRegistry()

    @registry.tool                       # or @registry.tool(name=..., safe=True)
    def weather(city: str) -> str:
        "Current weather for a city."

    registry.wire(["weather"])           # -> the `tools` list of a chat request

`tool` (module level) registers into `default_registry`; it is what user tool files
use, and the loader copies those tools into the registry the app builds.

A decorated function stays a plain function (it can still be called and tested); the
`Tool` made from it hangs on it as `__chatterm_tool__`, which is how the loader finds
tools in a module that was imported before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, overload

from .schema import ToolDefinitionError, function_schema
from .sources import ToolSource

__all__ = ["TOOL_ATTRIBUTE", "Tool", "ToolRegistry", "default_registry", "tool"]

TOOL_ATTRIBUTE = "__chatterm_tool__"

# The chat completions spec: a-z, A-Z, 0-9, underscores and dashes, at most 64.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(slots=True)
class Tool:
    """One callable tool: what the model sees (name, description, parameters) and the
    function that runs. `safe` marks read-only tools the user may let run without
    asking (the engine decides; nothing here skips approval)."""

    name: str
    description: str
    parameters: dict[str, Any]
    func: Callable[..., Any]
    safe: bool = False
    source: str = ""
    """Where the tool comes from: `builtin`, `user`, or `mcp:<server>` (see `sources.py`)."""
    read_only: bool = False
    """The tool's own claim that it changes nothing (an MCP server's `readOnlyHint`):
    shown in the approval dialog, never a reason to skip it."""

    def to_wire(self) -> dict[str, Any]:
        """The entry for `tools` in a chat completions request."""
        function: dict[str, Any] = {"name": self.name}
        if self.description:
            function["description"] = self.description
        function["parameters"] = self.parameters
        return {"type": "function", "function": function}


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ToolDefinitionError(f"tool name {name!r} is not allowed: use 1-64 letters, digits, '_' or '-'")
    return name


def make_tool(
    func: Callable[..., Any],
    *,
    name: str | None = None,
    description: str | None = None,
    safe: bool = False,
) -> Tool:
    """Build a Tool from a function's signature, hints and docstring (no registering)."""
    if not callable(func):
        raise ToolDefinitionError(f"{func!r} is not callable, so it cannot be a tool")
    tool_name = _check_name(name or str(getattr(func, "__name__", "")))
    schema = function_schema(func, name=tool_name)
    return Tool(
        name=tool_name,
        description=description if description is not None else schema.description,
        parameters=schema.parameters,
        func=func,
        safe=safe,
    )


def _same_function(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    if a is b:
        return True
    key = ("__module__", "__qualname__")
    return all(getattr(a, k, None) is not None and getattr(a, k, None) == getattr(b, k, None) for k in key)


class ToolRegistry:
    """Tools by name, in registration order.

    A second function under a taken name is an error, unless it is the same function
    reloaded (same module and qualified name) or `replace_duplicates` is set (the
    default registry, a staging area where the last definition wins).
    """

    def __init__(self, *, replace_duplicates: bool = False) -> None:
        self._tools: dict[str, Tool] = {}
        self._replace_duplicates = replace_duplicates
        self.sources: dict[str, ToolSource] = {}
        """Outside sources by name (`mcp:time`): their state, and a restart."""

    def register(
        self,
        func_or_tool: Callable[..., Any] | Tool,
        *,
        name: str | None = None,
        description: str | None = None,
        safe: bool = False,
    ) -> Tool:
        """Add a function (its schema is generated) or a ready `Tool`.

        Raises ToolDefinitionError when the function cannot be a tool, and ValueError
        when another function already holds the name (registering the same function
        again, or a reload of it, replaces the entry).
        """
        if isinstance(func_or_tool, Tool):
            new = func_or_tool
            if name is not None or description is not None or safe:
                new = replace(
                    new,
                    name=_check_name(name) if name is not None else new.name,
                    description=description if description is not None else new.description,
                    safe=safe or new.safe,
                )
            _check_name(new.name)
        else:
            new = make_tool(func_or_tool, name=name, description=description, safe=safe)
        old = self._tools.get(new.name)
        if old is not None and not self._replace_duplicates and not _same_function(old.func, new.func):
            raise ValueError(f"a tool named {new.name!r} is already registered")
        self._tools[new.name] = new
        return new

    @overload
    def tool(self, func: Callable[..., Any]) -> Callable[..., Any]: ...

    @overload
    def tool(
        self,
        func: None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        safe: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...

    def tool(
        self,
        func: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        safe: bool = False,
    ) -> Any:
        """Decorator: `@registry.tool` or `@registry.tool(name=..., safe=...)`.
        Returns the function unchanged apart from its `__chatterm_tool__` attribute."""

        def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
            made = self.register(f, name=name, description=description, safe=safe)
            try:
                setattr(f, TOOL_ATTRIBUTE, made)
            except (AttributeError, TypeError):
                pass  # a builtin or slotted callable: it is registered all the same
            return f

        return decorate(func) if func is not None else decorate

    def replace_source(self, source: str, tools: Iterable[Tool]) -> list[str]:
        """Swap every tool of `source` for `tools` (a server's list changed), keeping the
        order of the others. Names another source already holds are skipped and returned,
        so a server can never shadow a built-in. One dict assignment: a reader in another
        thread sees the old set or the new one."""
        kept = {name: t for name, t in self._tools.items() if t.source != source}
        clashes: list[str] = []
        for new in tools:
            _check_name(new.name)
            if new.name in kept:
                clashes.append(new.name)
                continue
            kept[new.name] = replace(new, source=source)
        self._tools = kept
        return clashes

    def add_source(self, source: ToolSource) -> None:
        """A source of tools that lives outside this process (an MCP server)."""
        self.sources[source.name] = source

    def unregister(self, name: str) -> Tool | None:
        return self._tools.pop(name, None)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def names(self) -> list[str]:
        return list(self._tools)

    def wire(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The `tools` list for a request: all tools, or the named ones in the given
        order. Raises KeyError naming an unknown tool (a config typo should be loud)."""
        if names is None:
            return [t.to_wire() for t in self._tools.values()]
        picked = []
        for tool_name in names:
            found = self._tools.get(tool_name)
            if found is None:
                raise KeyError(f"unknown tool {tool_name!r}; registered: {', '.join(self._tools) or 'none'}")
            picked.append(found.to_wire())
        return picked

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(list(self._tools.values()))

    def __repr__(self) -> str:
        return f"ToolRegistry({', '.join(self._tools)})"


default_registry = ToolRegistry(replace_duplicates=True)
"""Where the module-level `@tool` puts tools (user tool files use it)."""

tool = default_registry.tool
