"""A reply's finished text is rendered block by block as it streams; the result must be
what rendering it whole gives."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.strip import Strip

from chatterm.markdown_blocks import Segmenter
from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown

TEXT = """# Title

Some *text* with `code` and a [link](https://example.com).

1. one
2. two

- a
  - nested

> a quote
> on two lines

| a | b |
|---|---|
| 1 | 2 |

```python
def f(x):
    return x + 1
```

Last paragraph.
"""


class Two(App[None]):
    def compose(self) -> ComposeResult:
        yield FrozenMarkdown(classes="pieces")
        yield FrozenMarkdown(TEXT, classes="whole")


async def test_blocks_appended_one_by_one_render_as_the_whole_text() -> None:
    app = Two()
    async with app.run_test(size=(90, 80)) as pilot:
        pieces = app.query_one(".pieces", FrozenMarkdown)
        segmenter = Segmenter()
        for i in range(0, len(TEXT), 7):  # as a stream would cut it
            done = segmenter.feed(TEXT[i : i + 7])
            if done:
                pieces.append(done)
                await pilot.pause()
        pieces.append(segmenter.tail)
        await pilot.pause()
        whole = app.query_one(".whole", FrozenMarkdown)
        assert len(pieces._pieces) > 5
        assert pieces.source == whole.source == TEXT
        width = whole.content_size.width
        assert [s.text.rstrip() for s in pieces.lines(width)] == [s.text.rstrip() for s in whole.lines(width)]


class CountingFrozen(FrozenMarkdown):
    renders = 0

    def _render_piece(self, text: str, width: int) -> list[Strip]:
        self.renders += 1
        return super()._render_piece(text, width)


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingFrozen(TEXT)


async def test_heights_asked_at_two_widths_in_turn_render_each_piece_once_per_width() -> None:
    """A compare column's layout asks for its text's height at 27 and 28 cells in turn:
    each width is rendered once, not again on every pass."""
    app = One()
    async with app.run_test(size=(90, 80)) as pilot:
        await pilot.pause()
        frozen = app.query_one(CountingFrozen)
        frozen.append("More text.\n\n")
        narrow, wide = 27, 28
        first = [frozen.get_content_height(Size(90, 80), Size(90, 80), width) for width in (narrow, wide)]
        renders = frozen.renders
        again = [frozen.get_content_height(Size(90, 80), Size(90, 80), width) for width in (narrow, wide) * 3]
        assert again == first * 3
        assert frozen.renders == renders
