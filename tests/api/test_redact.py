"""The key kept out of text: whole, and any 12+ character piece of it (a model quoting
"your key begins sk-proj-Ab3..." or a server echoing half of it)."""

from __future__ import annotations

import json

from chatterm.api import ChatClient, ChatRequest
from chatterm.api.errors import APIError
from chatterm.api.redact import Redactor

from .conftest import RawServer, Reply

KEY = "sk-proj-Zq8vX3mT5wLr9pK2Hn7cB4yD6fJ1gS0a"


def test_the_whole_key_and_its_long_pieces_are_masked() -> None:
    redact = Redactor(KEY)
    assert redact(f"key={KEY}!") == "key=***!"
    assert redact(f"it starts {KEY[:12]}...") == "it starts ***..."
    assert redact(f"the middle: {KEY[10:31]} end") == "the middle: *** end"
    assert redact(f"{KEY[:15]}\n{KEY[15:]}") == "***\n***"  # wrapped at a line end
    assert redact(f"a {KEY[3:20]}{KEY[25:40]} b") == "a *** b"  # two pieces glued together


def test_short_pieces_and_ordinary_text_are_left_alone() -> None:
    redact = Redactor(KEY)
    text = f"sk-proj- is the prefix; {KEY[8:19]} is 11 characters; internationalization stays."
    assert redact(text) is text
    assert Redactor(None)("anything") == "anything"
    assert Redactor("ollama")("ollama runs locally") == "ollama runs locally"  # a placeholder, not a secret
    assert Redactor("demo-key")("my demo-key here") == "my *** here"


def test_a_long_text_with_pieces_everywhere_loses_only_the_pieces() -> None:
    redact = Redactor(KEY)
    block = "word " * 2000 + KEY[5:25] + " " + "x" * 5000 + KEY + "tail"
    out = redact(block * 10)
    assert KEY[5:17] not in out and KEY[-12:] not in out
    assert out.count("***") == 20 and out.count("word ") == 20_000 and out.endswith("tail")


def test_errors_are_scrubbed_in_place() -> None:
    error = APIError(f"bad key {KEY[:20]}", provider_message=f"no such key {KEY[10:40]}")
    assert Redactor(KEY).error(error) is error
    assert str(error) == "bad key ***" and error.provider_message == "no such key ***"


async def test_a_server_echoing_part_of_the_key_never_gets_it_into_the_error(raw_server: RawServer) -> None:
    body = json.dumps({"error": {"message": f"Incorrect API key provided: {KEY[:24]}...", "code": "invalid_api_key"}})
    raw_server.script(
        Reply([body.encode()], status=401, reason="Unauthorized", headers={"content-type": "application/json"})
    )
    client = ChatClient(raw_server.base_url, KEY, max_retries=0)
    try:
        try:
            await client.complete(ChatRequest(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]))
        except APIError as error:
            caught = error
    finally:
        await client.aclose()
    assert KEY[:12] not in caught.detail and "Incorrect API key provided: ***..." in caught.detail
