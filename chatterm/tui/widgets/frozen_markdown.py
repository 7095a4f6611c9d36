"""`FrozenMarkdown`: finished Markdown as one leaf widget, rendered once per width.

Textual's `Markdown` mounts a widget per block (paragraph, list item, code fence...),
which is right for text that changes and too costly for text that never will: a long
reply grows to thousands of widgets that Textual lays out on every refresh. This widget
renders the same text with Rich's Markdown renderer (code highlighted, dark or light to
match the theme) into lines once per width and text, and serves them through the Line
API (`render_line`), so layout and painting never render it twice. Text appended while
a reply streams is rendered block by block: the blocks already there are not rendered
again.

Rich's own Markdown colours are fixed ANSI ones (magenta headings, cyan lists); the
text is rendered with a Rich theme made from the app theme's markdown variables
instead (`rich_markdown_theme`), so a finished block looks like the live `Markdown`
it replaces, in every theme.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.color import Color
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from rich.theme import Theme
    from textual.app import App

_THEMES: dict[str, Theme] = {}
"""Rich themes by app theme name (built on first use)."""


def rich_markdown_theme(app: App[object]) -> Theme:
    """Rich `markdown.*` styles from the app theme's variables (cached per theme)."""
    cached = _THEMES.get(app.theme)
    if cached is not None:
        return cached
    from rich.theme import Theme

    variables = app.theme_variables
    background = Color.parse(variables.get("background", "#000000"))
    foreground = Color.parse(variables.get("foreground", "#ffffff"))

    def color(name: str, fallback: Color) -> str:
        try:
            value = Color.parse(variables.get(name, ""))
        except Exception:
            value = fallback
        return (background.blend(value.with_alpha(1), value.a) if value.a < 1 else value).hex6

    def text_style(name: str) -> str:
        value = variables.get(name, "none").strip()
        return "" if value in ("", "none") else value

    primary = color("text-primary", foreground)
    accent = color("text-accent", foreground)
    muted = background.blend(foreground, 0.6).hex6
    styles = {
        f"markdown.h{level}": f"{text_style(f'markdown-h{level}-text-style')} {color(f'markdown-h{level}-color', foreground)}".strip()
        for level in range(1, 7)
    }
    styles.update(
        {
            "markdown.h1.border": primary,
            "markdown.code": accent,
            "markdown.block_quote": muted,
            "markdown.list": "none",
            "markdown.item.bullet": f"bold {primary}",
            "markdown.item.number": primary,
            "markdown.hr": muted,
            "markdown.link": f"underline {primary}",
            "markdown.link_url": f"underline {primary}",
            "markdown.table.border": muted,
            "markdown.table.header": f"bold {primary}",
        }
    )
    try:
        theme = Theme(styles, inherit=True)
    except Exception:
        theme = Theme({}, inherit=True)
    _THEMES[app.theme] = theme
    return theme


_LIVE_BULLETS = ("• ", "▪ ", "‣ ", "⭑ ", "◦ ")
"""The bullets of Textual's `Markdown` by nesting depth, so a list keeps its look when
its block stops streaming (live `Markdown`) and is frozen (rendered here)."""

_ELEMENTS: dict[str, type] | None = None


def _live_look_elements() -> dict[str, type]:
    """Rich Markdown elements drawn as Textual's live `Markdown` draws them: a table
    as a full-width grid with a rule between rows, lists with Textual's bullets and
    "1." numbers, code indented two columns inside its background. A block that
    finishes streaming then keeps the look it had while it streamed."""
    global _ELEMENTS
    if _ELEMENTS is not None:
        return _ELEMENTS
    from rich import box
    from rich.markdown import CodeBlock, ListElement, ListItem, Markdown, TableElement
    from rich.segment import Segment
    from rich.syntax import Syntax
    from rich.table import Table

    def item_lines(console: Any, options: Any, item: ListItem, symbol: str, style_name: str) -> Any:
        style = console.get_style(style_name, default="none")
        lines = console.render_lines(
            item.elements, options.update(width=max(1, options.max_width - len(symbol))), style=item.style
        )
        for index, line in enumerate(lines):
            yield Segment(symbol if index == 0 else " " * len(symbol), style)
            yield from line
            yield Segment("\n")

    class LiveList(ListElement):
        depth = 0

        @classmethod
        def create(cls, markdown: Any, token: Any) -> LiveList:
            element = cls(token.type, int(token.attrs.get("start", 1)))
            element.depth = token.level // 2  # each enclosing list item adds two levels
            return element

        def __rich_console__(self, console: Any, options: Any) -> Any:
            if self.list_type == "bullet_list_open":
                symbol = _LIVE_BULLETS[self.depth % len(_LIVE_BULLETS)]
                for item in self.items:
                    yield from item_lines(console, options, item, symbol, "markdown.item.bullet")
                return
            start = 1 if self.list_start is None else self.list_start
            size = len(f"{start + len(self.items) - 1}. ")
            for number, item in enumerate(self.items, start):
                yield from item_lines(console, options, item, f"{number}. ".rjust(size + 1), "markdown.item.number")

    class LiveTable(TableElement):
        def __rich_console__(self, console: Any, options: Any) -> Any:
            table = Table(box=box.SQUARE, show_lines=True, expand=True, style="markdown.table.border")
            if self.header is not None and self.header.row is not None:
                for column in self.header.row.cells:
                    heading = column.content.copy()
                    heading.stylize("markdown.table.header")
                    table.add_column(heading)
            if self.body is not None:
                for row in self.body.rows:
                    table.add_row(*[cell.content for cell in row.cells])
            yield table

    class LiveCode(CodeBlock):
        def __rich_console__(self, console: Any, options: Any) -> Any:
            yield Syntax(str(self.text).rstrip(), self.lexer_name, theme=self.theme, word_wrap=True, padding=(1, 2))

    _ELEMENTS = {
        **Markdown.elements,
        "bullet_list_open": LiveList,
        "ordered_list_open": LiveList,
        "table_open": LiveTable,
        "fence": LiveCode,
        "code_block": LiveCode,
    }
    return _ELEMENTS


def _is_blank(strip: Strip) -> bool:
    """Only spaces and no background (a code block's padding line has one)."""
    return not strip.text.strip() and all(segment.style is None or segment.style.bgcolor is None for segment in strip)


def _single_blank_lines(lines: list[Strip]) -> list[Strip]:
    """Runs of blank lines cut to one: Rich puts a blank line before and after a
    table on top of the one between blocks, which leaves gaps of two or three."""
    out: list[Strip] = []
    for strip in lines:
        if out and _is_blank(strip) and _is_blank(out[-1]):
            continue
        out.append(strip)
    return out


Rendered = tuple[tuple[int, str], list[Strip]]
"""A piece rendered ahead of layout: ((width, theme name), its lines)."""


def render_piece(app: App[object], text: str, width: int) -> list[Strip]:
    """Finished Markdown as lines `width` cells wide, as a `FrozenMarkdown` shows them."""
    if not text.strip():
        return []
    from rich.markdown import Markdown as RichMarkdown

    dark = app.current_theme.dark
    markdown = RichMarkdown(text.rstrip("\n"), code_theme="monokai" if dark else "friendly", hyperlinks=True)
    markdown.elements = _live_look_elements()  # type: ignore[misc]  # per instance: Rich's defaults stay as they are
    console = app.console
    options = console.options.update(width=max(1, width), height=None, highlight=False)
    with console.use_theme(rich_markdown_theme(app)):
        rendered = console.render_lines(markdown, options, pad=True)
    lines = _single_blank_lines([Strip(line, width) for line in rendered])
    # No blank edges (Rich opens a quote or a table with one): the gap between two
    # pieces of a reply is the margin in ReplyBody's CSS, one line whatever they hold.
    while lines and _is_blank(lines[0]):
        lines.pop(0)
    while lines and _is_blank(lines[-1]):
        lines.pop()
    return lines


WIDTHS_KEPT = 2
"""Widths a `FrozenMarkdown` keeps rendered lines for (see `_piece_lines`)."""


class FrozenMarkdown(Widget):
    DEFAULT_CSS = """
    FrozenMarkdown { height: auto; padding: 0 1; }
    """

    def __init__(self, source: str = "", *, classes: str | None = None, rendered: Rendered | None = None) -> None:
        """`rendered`: `source` already rendered (`render_piece`), so the layout pass
        that shows this widget need not."""
        super().__init__(classes=classes)
        self.source = source
        self._pieces: list[str] = [source] if source else []
        """The text as it was appended: whole blocks (the reply's `Segmenter` cuts only
        between top-level blocks), each rendered on its own and cached, so appending a
        block renders that block, not the whole widget again."""
        self._piece_lines: dict[tuple[int, str], list[list[Strip] | None]] = {}
        """Each piece's lines per (width, theme), for the last `WIDTHS_KEPT` of them: a
        layout pass may ask for the height at one width and paint at another (compare
        columns: 27 and 28 cells, alternately), and one cached width made every such
        pass render the whole widget again."""
        self._lines: dict[tuple[int, str], list[Strip]] = {}
        """The pieces joined, per (width, theme)."""
        if rendered is not None and self._pieces:
            self._adopt(rendered)

    def append(self, text: str, rendered: Rendered | None = None) -> None:
        """Add finished blocks (text that starts at a block boundary); `rendered`: the
        text already rendered (`render_piece`)."""
        if not text:
            return
        self.source += text
        self._pieces.append(text)
        for piece_lines in self._piece_lines.values():
            piece_lines.append(None)
        self._lines.clear()
        if rendered is not None:
            self._adopt(rendered)
        self.refresh(layout=True)

    def _adopt(self, rendered: Rendered) -> None:
        """The last piece's lines, rendered ahead, when they fit the other pieces' key."""
        key, lines = rendered
        self._pieces_at(key)[-1] = lines

    def set_source(self, text: str) -> None:
        self.source = text
        self._pieces = [text] if text else []
        self._piece_lines.clear()
        self._lines.clear()
        self.refresh(layout=True)

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._lines.clear()
        self._piece_lines.clear()
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Strip]:
        """The text rendered at `width` (cached until the text, width or theme change):
        its pieces one by one, one blank line between them, as Rich puts between blocks."""
        key = (width, self.app.theme)
        joined = self._lines.get(key)
        if joined is not None:
            return joined
        piece_lines = self._pieces_at(key)
        lines: list[Strip] = []
        for index, piece in enumerate(self._pieces):
            rendered = piece_lines[index]
            if rendered is None:
                rendered = piece_lines[index] = self._render_piece(piece, width)
            if rendered:
                if lines:
                    lines.append(Strip.blank(width))
                lines.extend(rendered)
        self._lines = {k: v for k, v in self._lines.items() if k in self._piece_lines}
        self._lines[key] = lines
        return lines

    def _pieces_at(self, key: tuple[int, str]) -> list[list[Strip] | None]:
        """The per-piece cache for `key`, made (and the oldest width dropped) if new."""
        piece_lines = self._piece_lines.get(key)
        if piece_lines is None:
            while len(self._piece_lines) >= WIDTHS_KEPT:
                del self._piece_lines[next(iter(self._piece_lines))]
            piece_lines = self._piece_lines[key] = [None] * len(self._pieces)
        return piece_lines

    def _render_piece(self, text: str, width: int) -> list[Strip]:
        return render_piece(self.app, text, width)

    @staticmethod
    def warm_up(app: object) -> None:
        """Import and exercise Rich's Markdown and a highlighter once (after the first
        frame), so the first streamed reply does not pay for the imports."""
        from rich.markdown import Markdown as RichMarkdown

        console = app.console  # type: ignore[attr-defined]
        sample = "# a\n\n*b* `c`\n\n- d\n\n> e\n\n```python\nprint(1)\n```\n"
        for theme in ("monokai", "friendly"):
            console.render_lines(RichMarkdown(sample, code_theme=theme), console.options.update(width=40))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        lines = self.lines(width)
        if 0 <= y < len(lines):
            return lines[y].apply_style(self.rich_style)
        return Strip.blank(width, self.rich_style)
