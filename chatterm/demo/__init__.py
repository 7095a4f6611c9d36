"""chatterm's embedded demo gateway: an OpenAI-compatible server on loopback.

It lets the whole product (and every test) run offline: `/v1/models`,
`/v1/chat/completions` and `/v1/responses`, streamed and not, with each model family's
thinking and search shapes, tool calls, structured output and documented fault triggers
(`chatterm/demo/README.md`). It imports nothing from the rest of chatterm.

Names are loaded on first use so importing the package costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["BAD_API_KEY", "DEMO_API_KEY", "DemoGateway", "RecordedRequest", "main", "start_in_thread"]

if TYPE_CHECKING:
    from chatterm.demo.server import BAD_API_KEY, DEMO_API_KEY, DemoGateway, RecordedRequest, main, start_in_thread


def __getattr__(name: str) -> Any:
    if name in __all__:
        from chatterm.demo import server

        return getattr(server, name)
    raise AttributeError(f"module 'chatterm.demo' has no attribute {name!r}")
