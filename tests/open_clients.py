"""Clients the tests' session helpers open, closed when the test's demo gateway stops.

A `ChatClient` holds pooled keep-alive sockets; a helper that builds a session and
hands it back cannot close it, and a socket left to the garbage collector is a
`ResourceWarning` in whichever test happens to run then. The `demo_gateway` fixture
(tests/conftest.py) closes every tracked client in the test's own loop before it stops.
"""

from __future__ import annotations

from typing import TypeVar

from chatterm.api.client import ChatClient

_open: list[ChatClient] = []

Client = TypeVar("Client", bound=ChatClient)


def tracked(client: Client) -> Client:
    """`client`, to be closed when the test's demo gateway stops."""
    _open.append(client)
    return client


async def close_tracked() -> None:
    while _open:
        await _open.pop().aclose()
