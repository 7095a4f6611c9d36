"""Fixtures shared by the whole suite.

Every test runs with HOME and the XDG dirs in a temp folder and no CHATTERM_/OPENAI_
variables, so nothing reads or writes the developer's real config or history.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import chatterm

SPEC_DIR = Path(chatterm.__file__).resolve().parents[2] / "shared" / "spec"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(name, str(home / sub))
    for name in ("CHATTERM_BASE_URL", "CHATTERM_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_KEY", "CHATTERM_HISTORY", "CHATTERM_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
async def demo_gateway() -> AsyncIterator[object]:
    """A demo gateway on loopback TCP, in the test's own event loop."""
    from chatterm.demo import DemoGateway

    gateway = DemoGateway()
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()


def load_spec(name: str) -> dict:
    path = SPEC_DIR / name
    if not path.exists():
        pytest.skip(f"spec file {name} not found beside the project")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def chat_request_validator():
    """Validates chat completion request bodies against the official schema."""
    import jsonschema

    schema = load_spec("chat-completion-request.schema.json")
    return jsonschema.Draft202012Validator(schema)
