"""A server without `/v1/responses`: the request goes to `/v1/chat/completions` instead.

The catalogue sends OpenAI's reasoning families (gpt-5.x, o-series) to `/v1/responses`,
as the gateway page says. Many OpenAI-compatible servers (llama.cpp, llama-cpp-python,
vLLM before 0.10, LM Studio, most one-api style proxies) have no such route and answer
404 (`{"detail": "Not Found"}`, an HTML page, an OpenAI-style error that names no
model), 405 or 501. Read as a 404 for the model, that would say "Model … does not
exist", which is wrong and leaves the user stuck. Instead:

    route_missing(error, model) -> True: send the same request through chat completions

The client then shapes the request for chat completions (the family's chat fields:
`reasoning_effort` for the Thinking toggle, `max_completion_tokens` for the cap), tells
the user once with `Notice(kind="route_fallback")`, and remembers it for its base URL,
so later requests go straight to chat completions.

Only requests the catalogue routed (`endpoint="auto"`) without files move: an
endpoint forced to Responses means the user wants that route, and files exist only there.
"""

from __future__ import annotations

from dataclasses import replace

from chatterm.api.errors import APIError
from chatterm.api.failures import plain_words
from chatterm.api.request import ChatRequest
from chatterm.api.types import Notice

MISSING_ROUTE_STATUSES = (404, 405, 501)
"""No such route (404), the path exists for other methods only (405), or the server
does not implement it (501)."""


def route_missing(error: APIError, model: str) -> bool:
    """True when a failed `/v1/responses` request says the route is missing, not the
    model: 405 or 501, or a 404 whose words do not name the model (nor say that a model
    was not found)."""
    if error.status not in MISSING_ROUTE_STATUSES:
        return False
    if error.status != 404:
        return True
    said = " ".join(t for t in (error.provider_message, error.code, error.error_type) if t).lower()
    names = {model.strip().lower(), model.strip().lower().rsplit("/", 1)[-1]}
    if any(name and name in said for name in names):
        return False
    return "model" not in said


def movable(req: ChatRequest) -> bool:
    """The request may go through chat completions instead: the catalogue chose the
    route (not the user) and no file needs `/v1/responses`."""
    return req.endpoint == "auto" and not req.files


def through_chat(req: ChatRequest) -> ChatRequest:
    """The same request, sent through chat completions."""
    return replace(req, endpoint="chat")


def route_notice(error: APIError, model: str, base_url: str) -> Notice:
    """Told once, when the client first meets the missing route."""
    status = plain_words(f"{error.status} {error.provider_message or ''}")
    return Notice(
        f"{model}: the server has no {base_url}/responses ({status}); sent through /chat/completions "
        "instead, as every request to this server will be from now on",
        kind="route_fallback",
    )
