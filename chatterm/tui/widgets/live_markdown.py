"""`LiveMarkdown`: Textual's `Markdown` for the block being written, updated in place.

Textual's `Markdown.append` re-parses the open block and hands the new version to the
last block widget; for anything but a paragraph or a code fence that block is removed
and the new one mounted, with all its children: a list being written was rebuilt
whole on every frame (mounting, styling, a second layout pass for the new widgets),
the costliest part of a frame. Here the new blocks are laid over the mounted ones
(`_reconcile`): a list keeps its rows and gets its new items appended, paragraphs
take their new text, quotes their new children; only a block whose kind changed is
replaced, so the widgets and the look are the ones a fresh `Markdown` would build.

A text update that leaves a block's height as it was (words added to the last line)
repaints that block only (`_set_text`): no layout of the screen, which the anchored
conversation would turn into a scroll and a redraw of the whole pane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.await_complete import AwaitComplete
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Markdown
from textual.widgets._markdown import (
    MarkdownBlock,
    MarkdownBlockQuote,
    MarkdownBullet,
    MarkdownBulletList,
    MarkdownFence,
    MarkdownHeader,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownOrderedListItem,
    MarkdownParagraph,
)

from chatterm.tui.widgets.screen_batch import batch_update

if TYPE_CHECKING:
    from textual.content import Content
    from textual.widget import Widget


class LiveMarkdown(Markdown):
    def append(self, markdown: str) -> AwaitComplete:
        """As `Markdown.append`, with the last block updated in place (`_reconcile`)."""
        parser = self._parser_factory() if self._parser_factory is not None else None
        assert parser is not None, "LiveMarkdown is built with a shared parser"
        self._markdown = self.source + markdown
        updated_source = "".join(self._markdown.splitlines(keepends=True)[self._last_parsed_line :])

        async def await_append() -> None:
            async with self.lock:
                tokens = parser.parse(updated_source)
                existing = [child for child in self.children if isinstance(child, MarkdownBlock)]
                start_line = self._last_parsed_line
                for token in reversed(tokens):
                    if token.map is not None and token.level == 0:
                        self._last_parsed_line += token.map[0]
                        break
                new_blocks = list(self._parse_markdown(tokens))
                any_headers = any(isinstance(block, MarkdownHeader) for block in new_blocks)
                for block in new_blocks:
                    start, end = block.source_range
                    block.source_range = (start + start_line, end + start_line)
                with batch_update(self.app):
                    if existing and new_blocks:
                        last = existing[-1]
                        last.source_range = new_blocks[0].source_range
                        if await _reconcile(last, new_blocks[0]):
                            new_blocks = new_blocks[1:]
                        else:
                            try:
                                await last._update_from_block(new_blocks[0])
                            except IndexError:
                                pass
                            else:
                                new_blocks = new_blocks[1:]
                    if new_blocks:
                        await self.mount_all(new_blocks)
                if any_headers:
                    self._table_of_contents = None
                    self.post_message(Markdown.TableOfContentsUpdated(self, self.table_of_contents).set_sender(self))

        return AwaitComplete(await_append())


async def _reconcile(old: MarkdownBlock, new: MarkdownBlock) -> bool:
    """Make the mounted block `old` show what the freshly parsed `new` holds, keeping
    its widgets; False (nothing changed) when the kinds differ and `old` must go."""
    if type(old) is not type(new) or old.classes != new.classes:
        return False
    if isinstance(old, MarkdownParagraph):
        old._copy_context(new)
        old._content = new._content
        _set_text(old, new._content)
        return True
    if isinstance(old, MarkdownFence) and isinstance(new, MarkdownFence):
        old._copy_context(new)
        old._content = new._highlighted_code
        for label in old.query(Label):
            _set_text(label, new._highlighted_code)
        return True
    if isinstance(old, MarkdownBulletList | MarkdownOrderedList):
        return await _reconcile_list(old, new)
    if isinstance(old, MarkdownBlockQuote):
        old._copy_context(new)
        await _reconcile_children(old, list(new._blocks))
        new._blocks.clear()
        return True
    return False


def _bullets(new: MarkdownBlock) -> list[str]:
    """The bullet symbols of a parsed list's items, as its `compose` would draw them."""
    items = [block for block in new._blocks if isinstance(block, MarkdownListItem)]
    if not isinstance(new, MarkdownOrderedList):
        return [item.bullet for item in items]
    start = 1
    if items and isinstance(items[0], MarkdownOrderedListItem):
        try:
            start = int(items[0].bullet)
        except ValueError:
            pass
    size = max((len(f"{number}. ") for number in range(start, start + len(items))), default=0)
    return [f"{number}. ".rjust(size + 1) for number in range(start, start + len(items))]


async def _reconcile_list(old: MarkdownBlock, new: MarkdownBlock) -> bool:
    rows = [row for row in old.children if isinstance(row, Horizontal)]
    items = [block for block in new._blocks if isinstance(block, MarkdownListItem)]
    if len(items) < len(rows) or len(items) != len(new._blocks):
        return False
    shapes = [(row.query_children(MarkdownBullet), row.query_children(Vertical)) for row in rows]
    if any(len(bullets) != 1 or len(columns) != 1 for bullets, columns in shapes):
        return False
    old._copy_context(new)
    symbols = _bullets(new)
    for (bullets, columns), item, symbol in zip(shapes, items, symbols, strict=False):
        bullet = bullets.first(MarkdownBullet)
        if bullet.symbol != symbol:  # "9." -> "10.": every number widens
            bullet.symbol = symbol
            bullet.refresh(layout=True)
        await _reconcile_children(columns.first(Vertical), list(item._blocks))
        item._blocks.clear()
    added = []
    for item, symbol in zip(items[len(rows) :], symbols[len(rows) :], strict=True):
        bullet = MarkdownBullet()
        bullet.symbol = symbol
        added.append(Horizontal(bullet, Vertical(*item._blocks)))
    new._blocks.clear()
    if added:
        await old.mount_all(added)
    return True


async def _reconcile_children(parent: Widget, blocks: list[MarkdownBlock]) -> None:
    """The children of `parent` become `blocks`: matching ones updated in place, the
    first that differs and everything after it replaced."""
    children = list(parent.children)
    kept = 0
    for child, block in zip(children, blocks, strict=False):
        if not isinstance(child, MarkdownBlock) or not await _reconcile(child, block):
            break
        kept += 1
    if kept < len(children):
        await parent.remove_children(children[kept:])
    if kept < len(blocks):
        await parent.mount_all(blocks[kept:])


def _set_text(widget: MarkdownBlock | Label, content: Content) -> None:
    """New text for a block; a layout only when its height changes (otherwise the
    block is repainted where it is). A widget as wide as its text (a fence's code)
    is laid out each time, as before."""
    if widget.styles.width is None or widget.styles.width.is_auto:
        widget.update(content)
        return
    width = widget.content_size.width
    height = widget.content_size.height
    widget.update(content, layout=False)
    if not width or not widget.is_mounted:
        widget.refresh(layout=True)
        return
    if widget.get_content_height(widget.size, widget.app.size, width) != height:
        widget.refresh(layout=True)
