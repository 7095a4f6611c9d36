"""Turning what a user types into a safe FTS5 query, and snippets into styled spans.

Every word becomes a quoted FTS5 string, so operators, quotes, parentheses, `NEAR`,
`*`, `-` and column filters in user input are matched as text and never raise a syntax
error; text in double quotes stays a phrase. The last word is a prefix query so results
follow the user while they type ("pyth" finds "python").

Snippets come back from SQLite with private-use markers around each match;
`SearchHit` carries the plain text, the match offsets (for the TUI to style) and a
marked version with « » for plain-text output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPEN_MARK = "\ue000"
CLOSE_MARK = "\ue001"
"""What SQLite's snippet() puts around matches (private-use: never typed by a user)."""

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORDISH = re.compile(r"\w")


def build_match_query(text: str) -> str | None:
    """An FTS5 MATCH expression for user input, or None when it has nothing to find."""
    terms: list[str] = []
    last_was_bare = False
    for phrase, word in _TOKEN.findall(text):
        term = phrase if phrase else word
        term = term.replace(OPEN_MARK, "").replace(CLOSE_MARK, "")
        if not _WORDISH.search(term):
            continue
        terms.append('"' + term.replace('"', '""') + '"')
        last_was_bare = not phrase
    if not terms:
        return None
    if last_was_bare and not text[-1:].isspace():
        terms[-1] += "*"
    return " ".join(terms)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One message that matches a search, best first."""

    chat_id: str
    message_id: str
    title: str
    role: str
    """"user" (the prompt matched) or "assistant" (a reply matched)."""
    model: str | None
    created_at: float
    text: str
    """The snippet, plain."""
    highlights: tuple[tuple[int, int], ...] = field(default=())
    """(start, end) offsets of each match in `text`."""
    rank: float = 0.0
    """bm25 score (lower is better)."""

    def marked(self, open_mark: str = "«", close_mark: str = "»") -> str:
        """The snippet with each match wrapped in the given markers."""
        out: list[str] = []
        pos = 0
        for start, end in self.highlights:
            out.append(self.text[pos:start])
            out.append(open_mark + self.text[start:end] + close_mark)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)

    @property
    def snippet(self) -> str:
        """The snippet with matches in « »."""
        return self.marked()


def parse_snippet(raw: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Split SQLite's marked snippet into plain text and match offsets."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for part in re.split(f"({OPEN_MARK}|{CLOSE_MARK})", raw):
        if part == OPEN_MARK:
            start = length
        elif part == CLOSE_MARK:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            part = " ".join(part.split("\n")) if "\n" in part else part
            text.append(part)
            length += len(part)
    return "".join(text), tuple(spans)
