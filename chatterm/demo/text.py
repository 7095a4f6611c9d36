"""The words the demo model says: deterministic Markdown built from the prompt.

A "token" is one streamed content chunk: a word or a run of punctuation with the
whitespace before it, so `"".join(tokenize(text)) == text` always holds.

    tokenize(text)                  -> list[str]
    answer_markdown(prompt, ...)    the ordinary reply (heading, list, table, code block)
    reasoning_text(prompt, ...)     what a thinking model "thinks" before answering
    bench_tokens(n)                 exactly n tokens of mixed Markdown (`!tokens=N`)
    tool_results_markdown(results)  the final answer after tool calls
    media_markdown(prompt, media)   what a vision/speech model "saw" in its attachments
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"\s*\w+|\s*[^\w\s]+|\s+")


def tokenize(text: str) -> list[str]:
    """Split into stream tokens; joining them gives back `text` exactly."""
    return _TOKEN.findall(text)


def count_words(text: str) -> int:
    return len(text.split())


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def answer_markdown(
    prompt: str,
    *,
    model: str,
    messages: int,
    files: list[str] | None = None,
    citations: list[tuple[str, str]] | None = None,
) -> str:
    """The ordinary reply: quotes the prompt and describes it, in every Markdown shape."""
    words = prompt.split()
    title = _one_line(" ".join(words[:6]), 48) or "an empty prompt"
    longest = max(words, key=len) if words else "-"
    quote = _one_line(prompt, 160) or "(nothing)"
    code_line = _one_line(prompt, 60).replace("\\", "\\\\").replace('"', '\\"')
    parts = [
        f"## Echo: {title}",
        "",
        f"> {quote}",
        "",
        f"You wrote **{len(words)} words** in {len(prompt)} characters. Here is what the demo gateway noticed:",
        "",
        f"- Model: `{model}`",
        f"- Messages in this conversation: {messages}",
        f"- Longest word: *{_md_cell(_one_line(longest, 30))}*",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| words | {len(words)} |",
        f"| characters | {len(prompt)} |",
        f"| lines | {prompt.count(chr(10)) + 1 if prompt else 0} |",
        "",
        "```python",
        f'prompt = "{code_line}"',
        "print(len(prompt.split()))  # " + str(len(words)),
        "```",
    ]
    if files:
        parts += ["", "### Files received", ""]
        parts += [f"- {desc}" for desc in files]
    if citations:
        marks = ", ".join(f"[{i}]" for i in range(1, len(citations) + 1))
        # The sources themselves travel in the family's citation field; clients list them.
        parts += ["", f"Search found {len(citations)} sources {marks}."]
    parts += ["", "That is all from the demo gateway."]
    return "\n".join(parts)


def media_markdown(prompt: str, media: list[str]) -> str:
    """What a vision or speech model answers: each image or audio it received, as its
    header says ("PNG image, 64x48"; "WAV audio, 1.5 s, 16000 Hz, 1 channel")."""
    lines = [f"I received {len(media)} attachment{'s' if len(media) != 1 else ''}:", ""]
    lines += [f"- {line}" for line in media]
    if prompt.strip():
        lines += ["", f"> {_one_line(prompt, 160)}"]
    return "\n".join(lines)


def reasoning_text(prompt: str) -> str:
    words = count_words(prompt)
    return (
        f"The user wrote {words} words. I will quote the prompt, count its words and "
        "characters, then show a list, a small table and a code sample."
    )


def tool_results_markdown(results: list[tuple[str, str]]) -> str:
    """The final answer that quotes each tool result, in the order they came back."""
    lines = ["## Tool results", ""]
    for name, output in results:
        lines.append(f"- The tool {name} returned: {_one_line(output, 400)}")
    lines += ["", f"That makes {len(results)} result{'s' if len(results) != 1 else ''} in all."]
    return "\n".join(lines)


_BENCH_BLOCKS = (
    "## Section {n}\n\n",
    "This paragraph number {n} is filler text that streams one word at a time, "
    "with *emphasis*, **bold words** and `inline code` to keep the renderer busy.\n\n",
    "- first item of list {n}\n- second item, a little longer than the first\n- third item\n\n",
    "```python\ndef block_{n}(x):\n    return x * {n} + 1\n```\n\n",
    "> A quoted line in block {n}, followed by a plain closing sentence.\n\n",
)


@lru_cache(maxsize=8)
def _bench_cycle() -> tuple[str, ...]:
    """About 400 tokens of Markdown, built once and repeated by `bench_tokens`."""
    tokens: list[str] = []
    for n in range(1, 6):
        for block in _BENCH_BLOCKS:
            tokens += tokenize(block.format(n=n))
    return tuple(tokens)


def bench_tokens(count: int) -> list[str]:
    """Exactly `count` tokens of headings, paragraphs, lists and fenced code."""
    cycle = _bench_cycle()
    full, rest = divmod(max(count, 0), len(cycle))
    return list(cycle) * full + list(cycle[:rest])
