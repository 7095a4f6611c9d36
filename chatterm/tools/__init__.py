"""Tools: local Python functions the model may call (stdlib and `chatterm.api.types` only).

    registry.py    Tool, ToolRegistry, the module-level @tool and default_registry
    schema.py      function signature + hints + docstring -> JSON schema
    validate.py    a model's arguments against that schema -> clear messages
    runner.py      run_tool_call(): one call, never raising for the model's or tool's faults
    calculator.py  arithmetic by parsing (no eval)
    builtins.py    builtin_registry(): current_time, calculator, read_file, list_directory
    loader.py      load_user_tools(): config files, modules, the `chatterm.tools` entry points

The tool *loop* (approval, rounds, sending results back) is the engine's; this package
only knows how to describe a tool and run one call.

Names are imported lazily (PEP 562) so `import chatterm.tools` costs nothing until a
name is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .builtins import builtin_registry
    from .loader import load_user_tools
    from .registry import Tool, ToolRegistry, default_registry, tool
    from .runner import MAX_OUTPUT_CHARS, ToolError, ToolResult, run_tool_call
    from .schema import ToolDefinitionError, function_schema

__all__ = [
    "MAX_OUTPUT_CHARS",
    "Tool",
    "ToolDefinitionError",
    "ToolError",
    "ToolRegistry",
    "ToolResult",
    "builtin_registry",
    "default_registry",
    "function_schema",
    "load_user_tools",
    "run_tool_call",
    "tool",
]

_HOMES = {
    "Tool": "registry",
    "ToolRegistry": "registry",
    "default_registry": "registry",
    "tool": "registry",
    "MAX_OUTPUT_CHARS": "runner",
    "ToolError": "runner",
    "ToolResult": "runner",
    "run_tool_call": "runner",
    "ToolDefinitionError": "schema",
    "function_schema": "schema",
    "builtin_registry": "builtins",
    "load_user_tools": "loader",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'chatterm.tools' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
