"""`ask`'s progressive Markdown printer (chatterm/markdown_printer.py): the same reply
prints the same, gaps and all, however fast it arrives.
"""

from __future__ import annotations

import io
import itertools
import re

import pytest
from rich.console import Console

from chatterm.demo.text import answer_markdown, bench_tokens, tokenize
from chatterm.markdown_printer import MarkdownPrinter

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def printed(chunks: list[str]) -> list[str]:
    """The lines on the terminal, colours kept (a code block's padding line is not blank)."""
    printer = MarkdownPrinter(refresh_per_second=1e9)  # print at every chance
    out = io.StringIO()
    printer.console = Console(file=out, width=70, force_terminal=False, color_system="truecolor")
    for chunk in chunks:
        printer.feed(chunk)
    printer.close()
    return out.getvalue().splitlines()


def blank(line: str) -> bool:
    return not ANSI.sub("", line).strip() and "[48;" not in line


def text(line: str) -> str:
    return ANSI.sub("", line).rstrip()


def seen(chunks: list[str]) -> list[str]:
    """What a reader sees: each line's text, a code block's padding line marked."""
    return ["<code padding>" if not text(line) and not blank(line) else text(line) for line in printed(chunks)]


def test_a_reply_token_by_token_prints_like_the_whole_reply() -> None:
    reply = answer_markdown("Is 1001 prime?", model="m", messages=1)
    assert seen(tokenize(reply)) == seen([reply])
    reply = "".join(bench_tokens(300))
    assert seen(tokenize(reply)) == seen([reply])


def test_one_blank_line_between_blocks_never_two() -> None:
    lines = printed(tokenize(answer_markdown("Is 1001 prime?", model="m", messages=1)))
    assert text(lines[0]) == "Echo: Is 1001 prime?" and blank(lines[1])
    for before, after in itertools.pairwise(lines):
        assert not (blank(before) and blank(after)), "two blank lines in a row"
    quote = [text(line) for line in lines].index("▌ Is 1001 prime?")
    assert blank(lines[quote + 1]) and text(lines[quote + 2]).startswith("You wrote")


@pytest.mark.parametrize(
    "reply",
    [
        "Steps:\n\n1. one\n\n2. two\n\n3. three\n",  # a loose list stays one list
        "- item\n\n  its second paragraph\n\nend\n",  # an item's paragraph stays in the item
        "````md\n```\ninner\n\nstill code\n```\n````\n\nafter\n",  # ``` does not close ````
    ],
)
def test_blocks_are_cut_where_the_tui_cuts_them(reply: str) -> None:
    assert seen(tokenize(reply)) == seen([reply])
