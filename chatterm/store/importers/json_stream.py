"""The items of a JSON array read one at a time from a file, so a ChatGPT export of
hundreds of megabytes is never held whole: only the item being decoded is in memory.

The standard library has no incremental JSON parser; `raw_decode` on a buffer that
grows (doubling) until the next item fits is one: an item is decoded whole or not at
all, and a buffer never holds more than one item plus a read ahead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

READ_CHARS = 1 << 20
_SPACE = " \t\r\n"


class JSONStreamError(ValueError):
    """The file is not a JSON array (or a single object), or breaks off."""


class _Reader:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.want = READ_CHARS

    def more(self, *, grow: bool = False) -> bool:
        """Read more text; `grow`: twice as much as the last time (an item longer than
        what was read), so a long item costs a few decodes, not one per megabyte.
        False at the end."""
        if self.eof:
            return False
        if grow:
            self.want *= 2
        chunk = self.stream.read(self.want)
        if not chunk:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def next_char(self) -> str:
        """The next character that is not white space ('' at the end), not consumed."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""

    def value(self, decoder: json.JSONDecoder) -> Any:
        """The next value; reads on while it is cut by the end of the buffer."""
        while True:
            try:
                value, end = decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                # cut by the buffer: an error at its very end (a token or escape in
                # pieces), or a string that does not end before it
                cut = len(self.buffer) - exc.pos <= 64 or exc.msg.startswith("Unterminated string")
                if cut and self.more(grow=True):
                    continue
                raise JSONStreamError(f"not valid JSON ({exc.msg} at character {exc.pos})") from exc
            if end == len(self.buffer) and isinstance(value, int | float) and self.more(grow=True):
                continue  # a number the buffer cut may go on
            self.pos = end
            self.want = READ_CHARS  # the next item starts small again
            return value


def json_items(stream: IO[str]) -> Iterator[Any]:
    """Each item of the top-level array in `stream`; a top-level object is one item."""
    reader = _Reader(stream)
    decoder = json.JSONDecoder()
    first = reader.next_char()
    if first == "\ufeff":
        reader.pos += 1
        first = reader.next_char()
    if first == "{":
        yield reader.value(decoder)
        if reader.next_char():
            raise JSONStreamError("text follows the JSON object")
        return
    if first != "[":
        raise JSONStreamError("not a JSON array or object")
    reader.pos += 1
    if reader.next_char() == "]":
        return
    while True:
        if not reader.next_char():
            raise JSONStreamError("the JSON array breaks off")
        yield reader.value(decoder)
        sep = reader.next_char()
        if sep == "]":
            return
        if sep != ",":
            raise JSONStreamError("the JSON array breaks off" if not sep else f"expected ',' or ']', found {sep!r}")
        reader.pos += 1
