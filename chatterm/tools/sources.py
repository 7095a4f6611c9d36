"""The small interface through which tools from outside this process join the registry.

An MCP server (`chatterm/mcp/`) is such a source: it registers its tools with
`ToolRegistry.replace_source(name, tools)` whenever its list changes, and adds itself
with `ToolRegistry.add_source` so the tools screen and `chatterm tools list` can show
its state and restart it. `tools/` knows nothing of MCP; it only defines this contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["SourceState", "SourceStatus", "ToolSource"]

SourceState = Literal["starting", "ready", "failed", "stopped"]


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """What a user sees of a source: its state, and why when it failed."""

    state: SourceState
    detail: str = ""


class ToolSource(Protocol):
    """A source of tools outside this process."""

    @property
    def name(self) -> str:
        """`mcp:<server>`: what `Tool.source` holds for its tools."""
        ...

    def status(self) -> SourceStatus: ...

    def restart(self) -> None:
        """Start it again in the background (the tools screen's restart)."""
        ...
