"""A reply's finished text is rendered block by block as it streams; the result must be
what rendering it whole gives."""

from __future__ import annotations

from textual.app import App, ComposeResult

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
