"""ReplyBody: streamed Markdown ends as a few frozen widgets holding exactly the text."""

from __future__ import annotations

import random

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown
from chatterm.tui.widgets.live_block import LiveBlock
from chatterm.tui.widgets.reply_body import LEAF_CHARS, ReplyBody

BLOCKS = [
    "## Section {n}\n\n",
    "Paragraph {n} with *emphasis* and `code`.\n\n",
    "- one\n- two\n- three\n\n",
    "```python\ndef f_{n}():\n\n    return {n}\n```\n\n",
    "> quoted {n}\n\n",
]


def document(blocks: int) -> str:
    return "".join(BLOCKS[i % len(BLOCKS)].format(n=i) for i in range(blocks))


class BodyApp(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield ReplyBody(id="body")


async def test_streamed_text_ends_frozen_whole_and_in_few_widgets() -> None:
    text = document(200)
    app = BodyApp()
    async with app.run_test(size=(80, 30)) as pilot:
        body = app.query_one(ReplyBody)
        rnd = random.Random(7)
        pos = 0
        saw_live = False
        while pos < len(text):
            step = rnd.randint(1, 12)
            body.feed(text[pos : pos + step])
            pos += step
            if rnd.random() < 0.05:
                await pilot.pause(0.04)  # let a frame flush
                saw_live = saw_live or bool(body.query(LiveBlock))
        await body.finish()
        await pilot.pause()
        assert saw_live, "the open block streams through the live block"
        leaves = list(body.query(FrozenMarkdown))
        assert not body.query(LiveBlock)
        assert "".join(leaf.source for leaf in leaves) == text
        assert len(leaves) <= len(text) // (LEAF_CHARS // 2) + 2
        # Every leaf starts at a block boundary, never inside a code fence.
        for leaf in leaves:
            assert leaf.source.count("```") % 2 == 0
        assert body.text == text


async def test_a_closing_fence_renders_right_after_finish() -> None:
    app = BodyApp()
    async with app.run_test(size=(60, 20)) as pilot:
        body = app.query_one(ReplyBody)
        for token in ["Intro.\n\n", "```py", "thon\nprint(", "1)\n", "```"]:
            body.feed(token)
            await pilot.pause(0.04)
        await body.finish()
        await pilot.pause()
        [leaf] = body.query(FrozenMarkdown)
        rendered = "\n".join(strip.text for strip in leaf.lines(56))
        assert "print(1)" in rendered and "```" not in rendered


async def test_a_fence_that_opens_a_live_block_renders_as_code_while_it_streams() -> None:
    """The live block restarts at "```python" after a list froze: the code must show as
    a code block (and the quote after it as a quote) while they stream, not as a
    paragraph of joined lines."""
    app = BodyApp()
    async with app.run_test(size=(80, 30)) as pilot:
        body = app.query_one(ReplyBody)
        body.feed("- one\n- two\n\n```python\ndef")
        await pilot.pause(0.1)
        assert isinstance(body.children[-1], LiveBlock)  # the fence is the live block
        for token in [" f", "():\n", "    return", " 1", "\n```", "\n\n>", " quoted", " still"]:
            body.feed(token)
            await pilot.pause(0.05)
        live = body.children[-1]
        assert isinstance(live, LiveBlock)
        lines = [strip.text.rstrip() for strip in live.lines(live.content_size.width)]
        code = [line for line in lines if "def f():" in line]
        assert code and "return 1" not in code[0], lines  # the code keeps its lines
        assert any(line.strip() == "return 1" for line in lines), lines
        quote = [line for line in lines if "quoted still" in line]
        assert quote and quote[0].lstrip().startswith("▌"), lines  # drawn as a quote
        await body.finish()


async def test_pieces_of_a_long_reply_join_with_one_blank_line() -> None:
    """A long reply is cut into several frozen widgets between blocks: where a heading
    ends one piece and its paragraph starts the next, they are one blank line apart, as
    everywhere else (not glued together, not two apart)."""
    text = "word " * 298 + "end.\n\n## Heading\n\nAfter the heading.\n\n> a quote\n"

    class FinishedApp(App[None]):
        def compose(self) -> ComposeResult:
            with VerticalScroll():
                yield ReplyBody(text)

    app = FinishedApp()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        leaves = list(app.query(FrozenMarkdown))
        assert len(leaves) == 2 and leaves[0].source.endswith("## Heading\n\n")
        shown: list[str] = []  # the lines as painted, the margin between widgets included
        for leaf in leaves:
            shown += [""] * leaf.styles.margin.top
            shown += [strip.text.strip() for strip in leaf.lines(leaf.content_size.width)]
        heading = shown.index("Heading")
        assert shown[heading + 1 : heading + 3] == ["", "After the heading."]
        assert shown[heading + 3] == "" and shown[heading + 4].endswith("a quote")


async def test_a_body_removed_mid_stream_leaves_nothing_running() -> None:
    """A new chat or a branch switch removes a reply while it streams: its flusher ends
    with it, and no task keeps writing to a widget that is gone."""
    import asyncio

    app = BodyApp()
    async with app.run_test(size=(80, 30)) as pilot:
        body = app.query_one(ReplyBody)
        before = set(asyncio.all_tasks())
        body.feed("A paragraph that is still being written")
        await pilot.pause(0.1)
        assert body.query(LiveBlock)  # the live block is on screen
        body.feed(" and more of it")
        await body.remove()
        await pilot.pause(0.1)
        assert [w for w in app.workers if w.node is body and not w.is_finished] == []
        started = [t for t in asyncio.all_tasks() - before if not t.done()]
        assert all("ReplyBody" not in repr(t.get_coro()) for t in started), started
