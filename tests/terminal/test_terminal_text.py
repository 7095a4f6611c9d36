"""`terminal_text.visible`: no control sequence from outside reaches a terminal."""

from __future__ import annotations

from chatterm.terminal_text import visible, visible_line

ATTACKS = {
    "clipboard": "\x1b]52;c;aGVsbG8=\x07",
    "title": "\x1b]0;pwned\x07",
    "wipe": "\x1b[2J\x1b[H",
    "c1 csi": "\x9b2J",
    "overwrite": "rm -rf ~\rls      ",
    "bidi": "access\u202e\u2066 level",
}


def test_every_control_but_newline_and_tab_is_replaced_by_a_visible_stand_in() -> None:
    for name, attack in ATTACKS.items():
        shown = visible(attack)
        assert not any(
            (ord(c) < 0x20 and c not in "\n\t")
            or 0x7F <= ord(c) <= 0x9F
            or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
            for c in shown
        ), name
    assert visible(ATTACKS["clipboard"]) == "␛]52;c;aGVsbG8=␇"
    assert visible(ATTACKS["overwrite"]) == "rm -rf ~␍ls      "
    assert visible("\x00\x7f\x9b") == "␀␡\ufffd"
    assert visible("access\u202e level") == "access\ufffd level"


def test_plain_text_newlines_tabs_and_crlf() -> None:
    text = "# Title\n\n- a\tb\n```py\nprint('ü ✓ 日本')\n```\n"
    assert visible(text) is text  # nothing to replace: the same object, no copy
    assert visible("one\r\ntwo\x1b") == "one\ntwo␛"  # CR LF is a line break
    assert visible("\u200dfamily: 👨\u200d👩\u200d👧") == "\u200dfamily: 👨\u200d👩\u200d👧"  # joiners are text


def test_visible_line_keeps_a_name_on_one_line() -> None:
    assert visible_line("gpt-4o\n\x1b[31mfake line") == "gpt-4o␊␛[31mfake line"
    assert visible_line("a\tb") == "a␉b"
    assert visible_line("gpt-4o") == "gpt-4o"
