"""Incremental Server-Sent Events decoder (the WHATWG "event stream" rules).

Bytes go in as they arrive from the socket, split anywhere; whole events come out:

    decoder = SSEDecoder()
    for chunk in reads:
        for event in decoder.feed(chunk):
            ...               # SSEEvent(event="message", data='{"choices": ...}', id=None)
    events = decoder.close()  # a last event that lacked its blank line

What the rules say, and how this module does it cheaply (this is the per-token path):

- Lines end in LF, CRLF or a lone CR. `bytes.splitlines()` splits on exactly those three
  (unlike `str.splitlines()`, which also splits on U+2028, form feed, ...). A CR at the very
  end of a read may be the first half of a CRLF, so the next read's leading LF is dropped.
- Lines are split as bytes and decoded to text one event at a time. CR and LF never occur
  inside a UTF-8 multibyte sequence, so a read that ends inside a character simply leaves
  the character's first bytes in the pending line; invalid UTF-8 becomes U+FFFD as the
  standard says.
- A UTF-8 byte-order mark at the start of the stream is skipped (even when it arrives one
  byte at a time).
- Lines that start with ":" are comments (`: keep-alive`, `: OPENROUTER PROCESSING`).
- `data:` lines accumulate and are joined with "\\n"; a blank line dispatches the event;
  a blank line with no data (for instance blank lines before the first `data:`) dispatches
  nothing. `event:` names the event (default "message"), `id:` sets the last event id,
  `retry:` is kept as `retry` (milliseconds).
- At the end of the stream the standard discards an event that never got its blank line.
  Servers in the wild do close right after `data: [DONE]\\n`, so `close()` dispatches such an
  event when all of its lines were complete; a line cut off without its line end is dropped.

"""

from __future__ import annotations

from typing import NamedTuple

_BOM = b"\xef\xbb\xbf"


class SSEEvent(NamedTuple):
    """One dispatched event. `event` is "message" unless the server named it."""

    event: str
    data: str
    id: str | None = None


class SSEDecoder:
    """Feed it bytes with `feed()`; it returns the events completed by those bytes."""

    __slots__ = ("_bom_checked", "_data", "_event", "_last_id", "_pending", "_skip_lf", "retry")

    def __init__(self) -> None:
        self._pending: list[bytes] = []
        """Bytes of the line that has not ended yet (kept as parts: no quadratic joins)."""
        self._skip_lf = False
        """The previous read ended in CR: a leading LF now belongs to that CRLF."""
        self._bom_checked = False
        self._data: list[bytes] = []
        self._event: bytes = b""
        self._last_id: str | None = None
        self.retry: int | None = None
        """The reconnection time the server asked for (ms), if it sent `retry:`."""

    @property
    def last_event_id(self) -> str | None:
        return self._last_id

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode one read; returns the events it completed (often none, often one)."""
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == 10:  # b"\n"
                chunk = chunk[1:]
                if not chunk:
                    return []
        if b"\n" not in chunk and b"\r" not in chunk:
            self._pending.append(chunk)
            if not self._bom_checked:
                self._check_bom()
            return []
        if self._pending:
            self._pending.append(chunk)
            buf = b"".join(self._pending)
            self._pending = []
        else:
            buf = chunk
        if not self._bom_checked:
            self._pending = [buf]
            if not self._check_bom():
                return []
            buf = self._pending.pop()
        lines = buf.splitlines()
        last = buf[-1]
        if last == 13:  # b"\r": maybe the first half of a CRLF
            self._skip_lf = True
        elif last != 10:
            self._pending.append(lines.pop())
        return self._process(lines)

    def close(self) -> list[SSEEvent]:
        """End of stream: dispatch an event whose lines all ended but whose blank line
        never came; an unterminated last line is dropped."""
        self._pending = []
        self._skip_lf = False
        if not self._data:
            return []
        return self._process([b""])

    def _check_bom(self) -> bool:
        """Strip a leading BOM from the pending bytes; False while too few bytes arrived
        to tell (a BOM can itself be split across reads)."""
        head = b"".join(self._pending)
        if len(head) < 3 and _BOM.startswith(head):
            self._pending = [head] if head else []
            return False
        self._bom_checked = True
        self._pending = [head[3:] if head.startswith(_BOM) else head]
        return True

    def _process(self, lines: list[bytes]) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    events.append(
                        SSEEvent(
                            self._event.decode("utf-8", "replace") if self._event else "message",
                            b"\n".join(data).decode("utf-8", "replace"),
                            self._last_id,
                        )
                    )
                    data = self._data = []
                self._event = b""
                continue
            if line[:6] == b"data: ":  # the hot path: one `data: {json}` line per token
                data.append(line[6:])
                continue
            if line[0] == 58:  # b":" comment
                continue
            name, colon, value = line.partition(b":")
            if colon and value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                data.append(value)
            elif name == b"event":
                self._event = value
            elif name == b"id":
                if b"\x00" not in value:
                    self._last_id = value.decode("utf-8", "replace")
            elif name == b"retry" and value.isdigit():
                self.retry = int(value)
        return events
