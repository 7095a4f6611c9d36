"""Gateway profiles: two demo gateways that each accept only their own key, named in
one config; chatterm runs as a user runs it (a subprocess)."""

from __future__ import annotations

import argparse
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatterm.demo import DemoGateway
from tests.cli.runner import Run, achatterm

WORK_KEY = "sk-work-91b2c3d4e5"
HOME_KEY = "sk-home-0a1b2c3d4e"


@pytest.fixture
async def gateways() -> AsyncIterator[tuple[DemoGateway, DemoGateway]]:
    work, home = DemoGateway(required_key=WORK_KEY), DemoGateway(required_key=HOME_KEY)
    await work.start()
    await home.start()
    try:
        yield work, home
    finally:
        await work.stop()
        await home.stop()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "CHATTERM_CONFIG": str(tmp_path / "config.toml"),
        "CHATTERM_HISTORY": str(tmp_path / "history.db"),
        "CHATTERM_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "PYTHON_KEYRING_BACKEND": "tests.keyring_file_backend.FileKeyring",
        **extra,
    }


async def _setup(tmp_path: Path, work: DemoGateway, home: DemoGateway) -> dict[str, str]:
    """`work` keeps its key in a command, `home` in the keyring; the top level has a
    plain key of its own that neither gateway must ever see."""
    script = tmp_path / "work-key"
    script.write_text(f"#!{sys.executable}\nprint('{WORK_KEY}')\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "config.toml").write_text('api_key = "sk-top-level"\nmodel = "glm-5"\n', encoding="utf-8")
    env = _env(tmp_path)
    added = await achatterm(
        "profiles",
        "add",
        "work",
        "--base-url",
        work.base_url,
        "--api-key-cmd",
        str(script),
        "--model",
        "glm-5",
        env=env,
    )
    assert added.code == 0, added.err
    added = await achatterm("profiles", "add", "home", "--base-url", home.base_url, "--model", "gpt-4o-mini", env=env)
    assert added.code == 0, added.err
    assert "chatterm key set --profile home" in added.out
    stored = await achatterm("key", "set", "--profile", "home", "--stdin", stdin=f"{HOME_KEY}\n".encode(), env=env)
    assert stored.code == 0, stored.err
    return env


async def _ask(env: dict[str, str], *flags: str) -> Run:
    return await achatterm("ask", *flags, "hello there", env=env)


async def test_each_profile_reaches_its_own_gateway_with_its_own_key(
    gateways: tuple[DemoGateway, DemoGateway], tmp_path: Path
) -> None:
    work, home = gateways
    env = await _setup(tmp_path, work, home)
    config = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert "[profiles.work]" in config and "[profiles.home]" in config
    assert WORK_KEY not in config and HOME_KEY not in config

    run = await _ask(env, "--profile", "work")
    assert run.code == 0, run.err
    assert [r.body["model"] for r in work.requests] == ["glm-5"] and home.requests == []

    run = await _ask({**env, "CHATTERM_PROFILE": "home"})
    assert run.code == 0, run.err
    assert [r.body["model"] for r in home.requests] == ["gpt-4o-mini"]

    listed = await achatterm("profiles", "list", env={**env, "CHATTERM_PROFILE": "home"})
    assert listed.code == 0, listed.err
    assert f"* home: {home.base_url}" in listed.out and "api_key_keyring = 'home'" in listed.out
    assert f"  work: {work.base_url}" in listed.out and "api_key_cmd" in listed.out
    assert WORK_KEY not in listed.out and HOME_KEY not in listed.out


async def test_a_reopened_chat_goes_back_to_its_gateway(
    gateways: tuple[DemoGateway, DemoGateway], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work, home = gateways
    env = await _setup(tmp_path, work, home)
    assert (await _ask(env, "--profile", "work")).code == 0
    assert len(work.requests) == 1

    run = await _ask({**env, "CHATTERM_PROFILE": "home"}, "--continue")  # the chat's own gateway wins
    assert run.code == 0, run.err
    assert len(work.requests) == 2 and home.requests == []
    assert len(work.requests[-1].body["messages"]) >= 3  # the earlier exchange went along

    # The TUI's start (`chatterm -c`) builds its context the same way.
    from chatterm.config import load_config
    from chatterm.process import build_context

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CHATTERM_PROFILE", "home")
    args = argparse.Namespace(continue_chat=True, chat_id=None, history=tmp_path / "history.db")
    context = build_context(args, load_config(tmp_path / "config.toml"), save_history=False)
    assert context.connection.base_url == work.base_url and context.config.profile == "work"


async def test_check_reports_what_worked(gateways: tuple[DemoGateway, DemoGateway], tmp_path: Path) -> None:
    work, home = gateways
    env = await _setup(tmp_path, work, home)
    run = await achatterm("profiles", "check", "work", env=env)
    assert run.code == 0, run.out + run.err
    assert "key:    api_key_cmd" in run.out
    assert "models: ok" in run.out and "reply:  ok" in run.out
    assert [r.path for r in work.requests] == ["/v1/models", "/v1/chat/completions"]
    assert work.requests[-1].body["max_tokens"] == 1 or work.requests[-1].body.get("max_completion_tokens") == 1

    (tmp_path / "keyring.json").unlink()  # home's key is gone from the keyring
    (tmp_path / "config.toml").write_text(
        (tmp_path / "config.toml")
        .read_text(encoding="utf-8")
        .replace('api_key_keyring = "home"', 'api_key_env = "NO_SUCH"'),
        encoding="utf-8",
    )
    run = await achatterm("profiles", "check", "home", env=env)
    assert run.code == 1
    assert run.out.count("failed") == 2 and "didn't provide an API key" in run.out
    assert "sk-top-level" not in run.out + run.err


async def test_an_unknown_profile_names_the_ones_there_are(
    gateways: tuple[DemoGateway, DemoGateway], tmp_path: Path
) -> None:
    work, home = gateways
    env = await _setup(tmp_path, work, home)
    run = await _ask(env, "--profile", "wrok")
    assert run.code == 2
    assert "no profile named 'wrok'" in run.err and "home, work" in run.err
    assert work.requests == [] and home.requests == []


async def test_a_profile_keeps_what_chatterm_learned_about_its_gateway(tmp_path: Path) -> None:
    """A server without /v1/responses: the first run finds out (a 404, then chat
    completions); the profile keeps it, so the next run asks chat completions at once."""
    gateway = DemoGateway(required_key=WORK_KEY, without_responses=True)
    await gateway.start()
    try:
        (tmp_path / "config.toml").write_text(
            f'[profiles.local]\nbase_url = "{gateway.base_url}"\napi_key_env = "LOCAL_KEY"\nmodel = "gpt-5.2"\n',
            encoding="utf-8",
        )
        env = _env(tmp_path, LOCAL_KEY=WORK_KEY)
        first = await _ask(env, "--profile", "local", "--no-save")
        assert first.code == 0, first.err
        assert [r.path for r in gateway.requests] == ["/v1/responses", "/v1/chat/completions"]
        config = (tmp_path / "config.toml").read_text(encoding="utf-8")
        assert "no_responses_route = true" in config and WORK_KEY not in config

        gateway.requests.clear()
        second = await _ask(env, "--profile", "local", "--no-save")
        assert second.code == 0, second.err
        assert [r.path for r in gateway.requests] == ["/v1/chat/completions"]
        listed = await achatterm("profiles", "list", env=env)  # chatterm's notes are not a typo
        assert listed.code == 0 and "local:" in listed.out, listed.err
    finally:
        await gateway.stop()
