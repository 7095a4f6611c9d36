"""Text from outside made safe to draw or print on a terminal.

Model replies, tool arguments and outputs, model ids, error bodies and saved history can
hold control bytes: `ESC ] 52 ; c ; …` writes the user's clipboard, `ESC ] 0 ; …` sets the
window title, `ESC [ 2 J` wipes the screen, a bare CR lets later text overwrite what came
before it, and Unicode bidi overrides reorder what is shown. Every such character is
replaced by a visible stand-in before anything is drawn or printed, never silently
dropped, so the user sees that something was there:

    C0 controls (but LF and TAB)   their Control Picture: ESC -> ␛, CR -> ␍, NUL -> ␀
    DEL                            ␡
    C1 controls (U+0080-U+009F)    � (a terminal may read U+009B as CSI)
    bidi embeddings, overrides     � (U+202A-U+202E, U+2066-U+2069: "Trojan Source")
      and isolates

A CR LF pair is a line break and stays one (LF). Stored text keeps the original bytes;
only what reaches the screen changes. This runs on every streamed token's way to the
screen, so text with nothing to replace is returned as it is after one regex scan.

Stdlib only: the TUI, `ask` and `history` all use it, and it must not load Textual.
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "visible", "visible_line"]

_C1_AND_BIDI_STAND_IN = "\ufffd"

_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_TABLE[0x7F] = "\u2421"  # ␡
_TABLE.update({code: _C1_AND_BIDI_STAND_IN for code in range(0x80, 0xA0)})
_TABLE.update({code: _C1_AND_BIDI_STAND_IN for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})

_LINE_TABLE = {**_TABLE, 0x0A: "\u240a", 0x09: "\u2409"}  # ␊ ␉

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Any character `visible` replaces."""
_UNSAFE_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _stand_in(match: re.Match[str]) -> str:
    return _TABLE[ord(match.group())]


def _line_stand_in(match: re.Match[str]) -> str:
    return _LINE_TABLE[ord(match.group())]


def visible(text: str) -> str:
    """`text` with every control character but LF and TAB shown as a visible stand-in."""
    if UNSAFE.search(text) is None:
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return UNSAFE.sub(_stand_in, text)  # touches the few matches only (translate visits every character)


def visible_line(text: str) -> str:
    """`visible`, and on one line: LF and TAB shown too (␊ ␉). For names, titles and
    ids drawn where a line break would break the layout or fake another line."""
    if _UNSAFE_IN_LINE.search(text) is None:
        return text
    return _UNSAFE_IN_LINE.sub(_line_stand_in, text)
