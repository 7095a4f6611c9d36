"""`KeptStylesheet`: Textual's stylesheet, parsing each CSS source once per theme.

Textual refreshes its CSS by re-parsing every source from scratch (`Stylesheet.reparse`
builds a fresh stylesheet, with an empty cache) after first clearing the parse cache
(`set_variables`, even when the theme's variables did not change). Before the first
frame it does so three times: for the theme set in `ChatApp.__init__`, for the chat
screen's `.tcss`, and for that screen's first CSS refresh. Each time Textual's own
widget CSS and ours parse to the same rules (~4 ms a pass, ~8 ms of the ~0.3 s to a
usable prompt).

Here a refresh with the variables already in force keeps the parsed rules, and a
reparse reuses them: a source is parsed again only when its text or the theme's
variables changed (a theme switch still parses everything, with the new colours).
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet

CACHED_SOURCES = 1024
"""Parsed sources kept (Textual keeps 64; the app and its screens have ~60)."""


class KeptStylesheet(Stylesheet):
    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._parse_cache = LRUCache(CACHED_SOURCES)

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)  # new colours: every source parses again

    def reparse(self) -> None:
        self.parse()  # unchanged sources come from the parse cache
