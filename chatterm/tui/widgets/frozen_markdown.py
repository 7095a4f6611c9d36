"""`FrozenMarkdown`: finished Markdown as one leaf widget, rendered once per width.

Textual's `Markdown` mounts a widget per block (paragraph, list item, code fence...),
which is right for text that changes and too costly for text that never will: a long
reply grows to thousands of widgets that Textual lays out on every refresh. This widget
renders the same text with Rich's Markdown renderer (code highlighted, dark or light to
match the theme) into lines once per width and text, and serves them through the Line
API (`render_line`), so layout and painting never render it twice.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget


class FrozenMarkdown(Widget):
    DEFAULT_CSS = """
    FrozenMarkdown { height: auto; padding: 0 1; }
    """

    def __init__(self, source: str = "", *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.source = source
        self._lines: list[Strip] | None = None
        self._lines_key: tuple[int, str] | None = None

    def append(self, text: str) -> None:
        self.set_source(self.source + text)

    def set_source(self, text: str) -> None:
        self.source = text
        self._lines = None
        self.refresh(layout=True)

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._lines = None
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Strip]:
        """The text rendered at `width` (cached until the text, width or theme change)."""
        key = (width, self.app.theme)
        if self._lines is not None and self._lines_key == key:
            return self._lines
        from rich.markdown import Markdown as RichMarkdown

        dark = self.app.current_theme.dark
        markdown = RichMarkdown(
            self.source.rstrip("\n"), code_theme="monokai" if dark else "friendly", hyperlinks=True
        )
        console = self.app.console
        options = console.options.update(width=max(1, width), height=None, highlight=False)
        rendered = console.render_lines(markdown, options, pad=True) if self.source.strip() else []
        self._lines = [Strip(line, width) for line in rendered]
        self._lines_key = key
        return self._lines

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
