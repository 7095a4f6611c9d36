"""Is the gateway there, and does it take the key? One `GET /models`, bounded by a
short timeout, said in a user's words.

The TUI asks this after its first frame (never before: start-up time is a benchmark)
and after the gateway setup, instead of claiming "connected" without a request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from chatterm.api.errors import APIConnectionError, APIError, AuthenticationError

CHECK_TIMEOUT = 4.0
"""Seconds the check waits for the model list (a request can still take longer)."""

Outcome = Literal["reachable", "key refused", "unreachable"]


@dataclass(frozen=True, slots=True)
class GatewayCheck:
    outcome: Outcome
    detail: str
    """What the gateway said or did ("42 models", "HTTP 401 ...", "no answer in 4 s")."""

    @property
    def ok(self) -> bool:
        return self.outcome == "reachable"

    def __str__(self) -> str:
        return f"{self.outcome}: {self.detail}" if self.detail else self.outcome


async def check_gateway(
    list_models: Callable[[], Awaitable[list[str]]], timeout: float = CHECK_TIMEOUT
) -> GatewayCheck:
    """The outcome of one model-list request (`list_models`: the caller's, so the list
    fetched can also serve the model picker). A gateway that answers but has no model
    list (404, say) is reachable: chat requests may still work."""
    try:
        models = await asyncio.wait_for(list_models(), timeout)
    except TimeoutError:
        return GatewayCheck("unreachable", f"no answer in {timeout:g} s")
    except AuthenticationError as error:
        return GatewayCheck("key refused", error.detail)
    except APIConnectionError as error:
        return GatewayCheck("unreachable", error.detail)
    except APIError as error:
        status = f"HTTP {error.status}" if error.status else error.kind
        return GatewayCheck("reachable", f"the model list answered {status}")
    return GatewayCheck("reachable", f"{len(models)} model{'s' if len(models) != 1 else ''}")
