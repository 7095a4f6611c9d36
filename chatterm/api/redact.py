"""Keeping the API key out of everything chatterm shows or saves.

A server (or a model) may echo the key back: whole in an error body, or in pieces, a
model quoting "your key starts with sk-proj-abc123..." or a line wrapped in the middle of
it. So besides the whole key, any run of 12 or more characters that also occurs in the key
is replaced; shorter runs are left alone, since they occur in ordinary text by chance.

Cost: a text is first scanned (one regex, C speed) for runs of 12+ characters drawn
from the key's alphabet; only those runs, usually few and short, are searched for the
key's 12-character windows. Linear in the text, whatever the key's length; a text with
nothing to hide comes back as the same object.
"""

from __future__ import annotations

import re
from typing import TypeVar

from chatterm.api.errors import APIError

FRAGMENT = 12
"""The shortest run of the key's characters that is redacted on its own."""
MIN_KEY = 8
"""Shorter keys are placeholders a local server takes (`ollama`, `none`, `test`), not
secrets, and masking them would eat ordinary words of the replies."""
MASK = "***"

E = TypeVar("E", bound=APIError)


class Redactor:
    """`redactor(text)` is `text` without the key or any 12+ character fragment of it."""

    __slots__ = ("_alphabet", "_key", "_runs", "_windows")

    def __init__(self, key: str | None) -> None:
        self._key = key if key and len(key) >= MIN_KEY else None
        self._runs: re.Pattern[str] | None = None
        self._windows: re.Pattern[str] | None = None
        self._alphabet = frozenset(self._key or "")
        if self._key is not None and len(self._key) >= FRAGMENT:
            alphabet = "".join(sorted(set(self._key)))
            self._runs = re.compile(f"[{re.escape(alphabet)}]{{{FRAGMENT},}}")
            windows = sorted({self._key[i : i + FRAGMENT] for i in range(len(self._key) - FRAGMENT + 1)})
            # A lookahead finds every start, overlapping ones too: the union of all
            # matching windows is exactly the characters of the 12+ runs.
            self._windows = re.compile("(?=(?:" + "|".join(map(re.escape, windows)) + "))")

    def __bool__(self) -> bool:
        return self._key is not None

    def ready_prefix(self, text: str) -> int:
        """How much of a text that is still growing can be redacted now: all but a
        trailing run of the key's characters, which the next piece may continue into
        the key (a key, or a fragment of one, lies inside one such run)."""
        key = self._key
        if key is None:
            return len(text)
        if self._runs is None:  # a short key is masked only whole
            return max(0, len(text) - (len(key) - 1))
        end = len(text)
        alphabet = self._alphabet
        while end > 0 and text[end - 1] in alphabet:
            end -= 1
        return end

    def __call__(self, text: str) -> str:
        key = self._key
        if key is None or not text:
            return text
        if self._runs is None or self._windows is None:  # a short key: only whole
            return text.replace(key, MASK) if key in text else text
        spans: list[list[int]] = []
        search = self._windows.search
        for run in self._runs.finditer(text):
            hit = search(text, run.start(), run.end())
            while hit is not None:
                start, end = hit.start(), hit.start() + FRAGMENT
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = end
                else:
                    spans.append([start, end])
                hit = search(text, start + 1, run.end())
        if not spans:
            return text
        pieces: list[str] = []
        last = 0
        for start, end in spans:
            pieces += (text[last:start], MASK)
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def error(self, error: E) -> E:
        """Scrub an error in place, wherever the server put the key (an error chunk, an
        HTML title, a Responses `error` event). In place, so no unscrubbed copy stays
        behind in an exception chain."""
        if self._key is None:
            return error
        message = self(error.message)
        if message is not error.message:
            error.message = message
            error.args = (message,)
        if error.provider_message:
            error.provider_message = self(error.provider_message)
        return error
