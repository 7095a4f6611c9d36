"""The SSE decoder on its own: every line-end style, every split point, every field.

The client-level tests (test_client_wire.py) send the same kinds of bytes over TCP;
here each case is checked at every possible split of the input, which TCP cannot promise.
"""

from __future__ import annotations

import pytest

from chatterm.api.sse import SSEDecoder, SSEEvent


def decode(pieces: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for piece in pieces:
        events += decoder.feed(piece)
    return events + decoder.close()


def every_split(data: bytes) -> list[list[bytes]]:
    """The input whole, byte by byte, and cut in two at every position."""
    return [[data], [data[i : i + 1] for i in range(len(data))]] + [[data[:i], data[i:]] for i in range(1, len(data))]


# Everything at once: BOM, comments of every kind, blank lines before data, CRLF, lone CR,
# LF, multi-line data, a named event, an id, retry, 2-, 3- and 4-byte UTF-8 characters.
SCRIPT = (
    "\ufeff"
    ": OPENROUTER PROCESSING\r\n"
    "\r\n"
    "\n"
    ": keep-alive\n"
    ":ping 2024-01-01\r"
    'data: {"a": "é€😀"}\r\n'
    "\r\n"
    "event: error\r"
    "data: line one\r"
    "data:line two\n"
    "data\n"
    "id: 7\n"
    "retry: 1500\n"
    "\r"
    "data: [DONE]\n"
    "\n"
).encode("utf-8")

EXPECTED = [
    SSEEvent("message", '{"a": "é€😀"}', None),
    SSEEvent("error", "line one\nline two\n", "7"),
    SSEEvent("message", "[DONE]", "7"),
]


@pytest.mark.parametrize("pieces", every_split(SCRIPT), ids=lambda p: f"{len(p)}pieces-{len(p[0])}")
def test_every_split_of_the_script_gives_the_same_events(pieces: list[bytes]) -> None:
    assert decode(pieces) == EXPECTED


def test_retry_field_is_kept() -> None:
    decoder = SSEDecoder()
    decoder.feed(SCRIPT)
    assert decoder.retry == 1500
    assert decoder.last_event_id == "7"


def test_cr_at_the_end_of_a_read_and_lf_at_the_start_of_the_next_is_one_line_end() -> None:
    # Were the LF taken as a second line end, the blank line would dispatch "a" alone.
    assert decode([b"data: a\r", b"\ndata: b\r\n\r\n"]) == [SSEEvent("message", "a\nb")]


def test_lone_cr_line_ends_dispatch() -> None:
    assert decode([b"data: x\r\rdata: y\r\r"]) == [SSEEvent("message", "x"), SSEEvent("message", "y")]


def test_bom_only_at_the_very_start_and_split_across_reads() -> None:
    assert decode([b"\xef", b"\xbb", b"\xbfdata: 1\n\n"]) == [SSEEvent("message", "1")]
    # A BOM later in the stream is not skipped: that line's field name is not "data".
    assert decode([b"data: 1\n\n\xef\xbb\xbfdata: 2\n\n"]) == [SSEEvent("message", "1")]


def test_short_stream_that_is_not_a_bom() -> None:
    assert decode([b"\xef", b"\n"]) == []
    assert decode([b"da", b"ta: ok\n\n"]) == [SSEEvent("message", "ok")]


def test_comments_and_unknown_fields_are_ignored() -> None:
    data = b": keep-alive\nfoo: bar\ndata: x\n: in the middle\n\n"
    assert decode([data]) == [SSEEvent("message", "x")]


def test_blank_lines_without_data_dispatch_nothing_and_reset_the_event_name() -> None:
    assert decode([b"\n\n\nevent: named\n\ndata: plain\n\n"]) == [SSEEvent("message", "plain")]


def test_event_name_applies_to_one_event_only() -> None:
    data = b"event: error\ndata: a\n\ndata: b\n\n"
    assert decode([data]) == [SSEEvent("error", "a"), SSEEvent("message", "b")]


def test_only_one_leading_space_is_removed() -> None:
    assert decode([b"data:  two spaces\n\n"]) == [SSEEvent("message", " two spaces")]


def test_id_with_nul_is_ignored() -> None:
    assert decode([b"id: a\x00b\ndata: x\n\n"]) == [SSEEvent("message", "x", None)]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert decode([b"data: \xff ok\n\n"]) == [SSEEvent("message", "\ufffd ok")]


def test_multibyte_character_split_over_three_reads() -> None:
    euro = "€".encode()
    assert decode([b"data: " + euro[:1], euro[1:2], euro[2:] + b"\n\n"]) == [SSEEvent("message", "€")]


def test_event_missing_its_blank_line_at_end_of_stream_is_dispatched() -> None:
    assert decode([b'data: {"x": 1}\n']) == [SSEEvent("message", '{"x": 1}')]


def test_unterminated_last_line_is_dropped_at_end_of_stream() -> None:
    assert decode([b'data: {"x": 1}\n\ndata: {"cut']) == [SSEEvent("message", '{"x": 1}')]


def test_many_events_in_one_read() -> None:
    data = b"".join(b"data: %d\n\n" % i for i in range(1000))
    assert [e.data for e in decode([data])] == [str(i) for i in range(1000)]


def test_long_line_in_many_small_reads() -> None:
    text = "x" * 100_000
    data = f"data: {text}\n\n".encode()
    assert decode([data[i : i + 7] for i in range(0, len(data), 7)]) == [SSEEvent("message", text)]
