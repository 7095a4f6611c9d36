"""The one finished-block rule (the TUI's reply view and `ask`'s printer): streamed
Markdown is cut only where a new top-level block starts."""

from __future__ import annotations

import random

from chatterm.markdown_blocks import Segmenter, split_markdown

TEXT = """\
## Title

A paragraph
that goes on.

- item one

- item two (loose list)
  continued

```python
x = 1

y = 2
```

> quote

1. first
2. second

Closing words.
"""


def feed_in_chunks(text: str, seed: int) -> tuple[list[str], str]:
    rnd = random.Random(seed)
    segmenter = Segmenter()
    done: list[str] = []
    pos = 0
    while pos < len(text):
        step = rnd.randint(1, 7)
        piece = segmenter.feed(text[pos : pos + step])
        if piece:
            done.append(piece)
        pos += step
    return done, segmenter.tail


def test_pieces_add_up_to_the_text_whatever_the_chunking() -> None:
    for seed in range(20):
        done, tail = feed_in_chunks(TEXT, seed)
        assert "".join(done) + tail == TEXT


def test_cuts_fall_before_new_blocks_never_inside_fences_or_lists() -> None:
    done, tail = feed_in_chunks(TEXT, 1)
    text_so_far = ""
    cuts = []
    for piece in done:
        text_so_far += piece
        cuts.append(TEXT[len(text_so_far) :].splitlines()[0])
    # List items (even loose ones) never start a segment: a list stays whole.
    assert cuts == ["A paragraph", "```python", "> quote", "Closing words."]
    assert "y = 2" not in tail and tail == "Closing words.\n"


def test_split_markdown_groups_blocks_up_to_a_size() -> None:
    text = "".join(f"Paragraph {i} with some words.\n\n" for i in range(100))
    pieces = split_markdown(text, max_chars=300)
    assert "".join(pieces) == text
    assert len(pieces) > 5
    assert all(p.startswith("Paragraph") for p in pieces)
    assert all(len(p) < 300 + 40 for p in pieces)


def test_a_long_fence_is_closed_only_by_a_fence_as_long() -> None:
    segmenter = Segmenter()
    text = "````md\n```\ninner\n\nstill code\n```\n\nstill code\n````\n\nafter\n"
    done = segmenter.feed(text)
    assert done == text[: text.index("after")]  # no cut inside the four-backtick fence
