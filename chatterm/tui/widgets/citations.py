"""`CitationList`: the numbered sources a reply cites (web search results)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from chatterm.api.types import Citation
from chatterm.terminal_text import visible_line


def citations_content(citations: Sequence[Citation]) -> Content:
    lines = [Content.styled("Sources", "bold")]
    for number, citation in enumerate(citations, 1):
        url = visible_line(citation.url)  # also inside the link's own escape sequence (OSC 8)
        title = visible_line(citation.title) if citation.title else url
        lines.append(
            Content.assemble(
                (f"[{number}] ", "$text-muted"),
                Content(title).stylize(Style(link=url, underline=True)),
                (f"  {url}" if citation.title else "", "$text-muted"),
            )
        )
    return Content("\n").join(lines)


class CitationList(Static):
    DEFAULT_CSS = """
    CitationList { padding: 0 1; margin: 1 0 1 2; height: auto; border-left: tall $accent 40%; }
    """

    def __init__(self, citations: Sequence[Citation]) -> None:
        self.citations = list(citations)
        super().__init__(citations_content(self.citations))

    def set_citations(self, citations: Sequence[Citation]) -> None:
        self.citations = list(citations)
        self.update(citations_content(self.citations))
