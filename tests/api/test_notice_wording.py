"""What the API layer tells the user names no command-line flag: the same words reach
the TUI, where there are no flags to pass."""

from __future__ import annotations

import pytest

from chatterm.api.errors import RequestValidationError
from chatterm.api.request import ChatRequest
from chatterm.api.shaping import prepare
from chatterm.api.types import FileInput

MESSAGES = [{"role": "user", "content": "hi"}]


def test_thinking_not_carried_on_responses_names_no_flag() -> None:
    prepared = prepare(ChatRequest("claude-sonnet-4-5-20250929", list(MESSAGES), thinking=True, endpoint="responses"))
    words = [n.text for n in prepared.notices if n.kind == "thinking_unsupported"]
    assert words and all("--" not in w for w in words), words


def test_files_on_the_chat_endpoint_names_no_flag(tmp_path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(RequestValidationError) as refused:
        prepare(ChatRequest("gpt-4o", list(MESSAGES), files=[FileInput(str(pdf))], endpoint="chat"))
    assert "/v1/responses" in str(refused.value) and "--" not in str(refused.value)
