"""Reasoning sent inside the content never shows in the answer: Gemini's flagged
`<thought>` parts (the closing tag at the start of the first answer part), and `<think>`
blocks whose opening tag was in the prompt template (R1 distills, QwQ), with the tags
cut anywhere across chunks."""

from __future__ import annotations

from typing import Any

import pytest

from chatterm.api.catalogue import family_for
from chatterm.api.stream import ChatStreamParser
from chatterm.api.types import Finished, ReasoningDelta, TextDelta
from tests.api.conftest import RawServer, chunk, sse
from tests.api.test_client_errors import make, request  # noqa: F401 - the fixture

THOUGHT = {"google": {"thought": True}}
GEMINI_PARTS = [
    ("<thought>**Counting**\n\nI spell it out: s-t-r-a-w.", True),
    (" Three r's.", True),
    ("</thought>There are **3** r's.", False),
]
GEMINI_REASONING = "**Counting**\n\nI spell it out: s-t-r-a-w. Three r's."
GEMINI_ANSWER = "There are **3** r's."


def _cuts(parts: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """Every way of cutting one part in two (the flag goes with both halves)."""
    ways = [parts]
    for i, (text, flagged) in enumerate(parts):
        for at in range(1, len(text)):
            ways.append([*parts[:i], (text[:at], flagged), (text[at:], flagged), *parts[i + 1 :]])
    return ways


def _gemini_chunk(text: str, flagged: bool) -> dict[str, Any]:
    delta: dict[str, Any] = {"content": text}
    if flagged:
        delta["extra_content"] = THOUGHT
    return {"id": "g", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}


def _parse(model: str, chunks: list[dict[str, Any]]) -> tuple[str, str, Any]:
    """(answer text shown, reasoning shown, the Completion)."""
    parser = ChatStreamParser(model)
    events: list[Any] = []
    for one in chunks:
        events += parser.feed(None, one)
    events += parser.flush()
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    thought = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    return shown, thought, parser.finish(saw_done=True)


def test_gemini_closing_tag_at_the_start_of_the_answer_never_shows_wherever_the_chunks_cut() -> None:
    for parts in _cuts(GEMINI_PARTS):
        shown, thought, done = _parse("gemini-2.5-flash", [_gemini_chunk(t, f) for t, f in parts])
        assert (shown, done.content) == (GEMINI_ANSWER, GEMINI_ANSWER), parts
        assert (thought, done.reasoning) == (GEMINI_REASONING, GEMINI_REASONING), parts


def test_gemini_closing_tag_at_the_end_of_the_last_thought_part_too() -> None:
    parts = [("<thought>Hmm.", True), (" Yes.</thought>", True), ("Answer.", False)]
    for cut in _cuts(parts):
        shown, thought, _ = _parse("gemini-3-pro-preview", [_gemini_chunk(t, f) for t, f in cut])
        assert (shown, thought) == ("Answer.", "Hmm. Yes."), cut


async def test_gemini_thought_summary_over_the_wire(raw_server: RawServer, make: Any) -> None:
    raw_server.script(sse(*[_gemini_chunk(t, f) for t, f in GEMINI_PARTS], chunk(finish="stop")))
    events = await make(max_retries=0).run(request(model="gemini-2.5-flash", stream=True))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == GEMINI_ANSWER
    done = events[-1]
    assert isinstance(done, Finished) and done.completion.reasoning == GEMINI_REASONING


DISTILL = "Okay, six times seven.\nThat is 42.\n</think>\n\n**42**."


@pytest.mark.parametrize(
    "model", ["deepseek-r1-distill-qwen-32b", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "QwQ-32B"]
)
def test_a_think_block_without_its_opening_tag_is_reasoning_for_models_known_to_omit_it(model: str) -> None:
    assert family_for(model).think_open_implied
    for at in range(1, len(DISTILL)):
        pieces = [DISTILL[:at], DISTILL[at:]]
        shown, thought, done = _parse(model, [chunk(p) for p in pieces])
        assert (shown, done.content) == ("**42**.", "**42**."), at
        assert thought == done.reasoning == "Okay, six times seven.\nThat is 42.\n", at


async def test_a_distill_served_raw_over_the_wire(raw_server: RawServer, make: Any) -> None:
    raw_server.script(sse(chunk("Okay, six times seven.\n</th"), chunk("ink>\n\n**42**."), chunk(finish="stop")))
    events = await make(max_retries=0).run(request(model="deepseek-r1-distill-llama-8b", stream=True))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "**42**."
    assert events[-1].completion.reasoning == "Okay, six times seven.\n"


def test_a_server_that_splits_the_reasoning_itself_keeps_the_content_as_the_answer() -> None:
    shown, thought, _ = _parse(
        "deepseek-r1-distill-qwen-32b", [chunk(reasoning_content="Six times seven."), chunk("**42**.")]
    )
    assert (shown, thought) == ("**42**.", "Six times seven.")


def test_models_not_known_to_omit_the_tag_keep_their_content() -> None:
    assert not family_for("gpt-4o").think_open_implied and not family_for("deepseek-r1").think_open_implied
    shown, thought, _ = _parse("gpt-4o", [chunk("Use </think> to close it.")])
    assert (shown, thought) == ("Use </think> to close it.", "")
