"""Fixtures shared by the whole suite.

Every test runs with HOME and the XDG dirs in a temp folder and no CHATTERM_/OPENAI_
variables, so nothing reads or writes the developer's real config or history.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.spec import validator


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(name, str(home / sub))
    for name in (
        "CHATTERM_BASE_URL",
        "CHATTERM_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "CHATTERM_HISTORY",
        "CHATTERM_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def no_machine_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the machine's own keyring: keyring's failing backend, in this
    process and in the chatterm processes tests start (a test that stores keys picks
    `tests/keyring_file_backend.py` itself)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    try:
        import keyring.core
        from keyring.backends.fail import Keyring as NoBackend
    except ImportError:
        return
    monkeypatch.setattr(keyring.core, "_keyring_backend", NoBackend())  # what set_keyring sets


@pytest.fixture
async def demo_gateway() -> AsyncIterator[object]:
    """A demo gateway on loopback TCP, in the test's own event loop."""
    from chatterm.demo import DemoGateway

    gateway = DemoGateway()
    await gateway.start()
    try:
        yield gateway
    finally:
        from tests.open_clients import close_tracked

        await close_tracked()
        await gateway.stop()


@pytest.fixture(scope="session")
def chat_request_validator():
    """Validates chat completion request bodies against the official schema."""
    return validator("chat-completion-request")
