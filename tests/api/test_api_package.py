"""The `chatterm.api` package surface: cheap to import, every exported name resolves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import chatterm.api

ROOT = Path(chatterm.api.__file__).resolve().parents[2]


def test_importing_the_api_package_and_its_decoders_does_not_load_httpx() -> None:
    code = (
        "import sys, chatterm.api, chatterm.api.types, chatterm.api.sse, chatterm.api.stream, chatterm.api.retry\n"
        "from chatterm.api import TextDelta, ChatRequest, APIError\n"
        "print('httpx' in sys.modules, 'textual' in sys.modules, 'rich' in sys.modules)\n"
        "from chatterm.api import ChatClient\n"
        "print('httpx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False", "True"]


def test_every_exported_name_resolves() -> None:
    for name in chatterm.api.__all__:
        assert getattr(chatterm.api, name) is not None, name
    assert set(chatterm.api.__all__) <= set(dir(chatterm.api))
