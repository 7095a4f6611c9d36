"""Every place a key can live (keyring, command, file, env, config) gets a reply from a
demo gateway that accepts only that key, and no file chatterm writes holds the key when
the keyring or a command keeps it. chatterm runs as a user runs it: a subprocess."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatterm.demo import DemoGateway
from tests.cli.runner import Run, achatterm

from .support import files_holding, gateway_requiring

KEY = "sk-live-4f9c2a7e51d0b3"
FILE_KEYRING = "tests.keyring_file_backend.FileKeyring"


@pytest.fixture
async def gateway() -> AsyncIterator[DemoGateway]:
    async with gateway_requiring(KEY) as demo:
        yield demo


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "CHATTERM_CONFIG": str(tmp_path / "config.toml"),
        "CHATTERM_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "PYTHON_KEYRING_BACKEND": FILE_KEYRING,
        **extra,
    }


def _script(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "print-key"
    script.write_text(f"#!{sys.executable}\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


async def _ask(gateway: DemoGateway, env: dict[str, str], *flags: str) -> Run:
    return await achatterm("ask", "--base-url", gateway.base_url, *flags, "hello there", env=env)


async def test_key_set_stores_in_the_keyring_and_only_the_account_in_the_config(
    gateway: DemoGateway, tmp_path: Path
) -> None:
    env = _env(tmp_path)
    stored = await achatterm("key", "set", "--stdin", stdin=f"{KEY}\n".encode(), env=env)
    assert stored.code == 0, stored.err
    config = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert 'api_key_keyring = "default"' in config and KEY not in config

    run = await _ask(gateway, env)
    assert run.code == 0, run.err
    assert run.out.strip()
    models = await achatterm("models", "--base-url", gateway.base_url, env=env)
    assert models.code == 0, models.err
    home = Path(os.environ["HOME"])
    assert (home / ".local/share/chatterm/history.db").exists()  # the exchange was saved
    assert files_holding(KEY, home, tmp_path, skip=(tmp_path / "keyring.json",)) == []


async def test_a_key_command_runs_and_no_written_file_holds_its_key(gateway: DemoGateway, tmp_path: Path) -> None:
    script = _script(tmp_path, f"print('  {KEY}  ')")
    (tmp_path / "config.toml").write_text(f'api_key_cmd = "{script}"\n', encoding="utf-8")
    run = await _ask(gateway, _env(tmp_path))
    assert run.code == 0, run.err
    home = Path(os.environ["HOME"])
    assert files_holding(KEY, home, tmp_path, skip=(script,)) == []


async def test_a_failing_key_command_is_reported_without_its_output(gateway: DemoGateway, tmp_path: Path) -> None:
    script = _script(tmp_path, f"import sys; print('{KEY}'); print('{KEY}', file=sys.stderr); sys.exit(3)")
    (tmp_path / "config.toml").write_text(f'api_key_cmd = "{script}"\n', encoding="utf-8")
    run = await _ask(gateway, _env(tmp_path))
    assert run.code == 2
    assert "api_key_cmd" in run.err and "exit status 3" in run.err
    assert KEY not in run.err + run.out
    assert gateway.requests == []


@pytest.mark.parametrize("where", ["flag", "config"])
async def test_a_key_file(gateway: DemoGateway, tmp_path: Path, where: str) -> None:
    key_file = tmp_path / "gateway.key"
    key_file.write_text(f"{KEY}\n", encoding="utf-8")
    if where == "config":
        (tmp_path / "config.toml").write_text(f'api_key_file = "{key_file}"\n', encoding="utf-8")
    run = await _ask(gateway, _env(tmp_path), *(["--api-key-file", str(key_file)] if where == "flag" else []))
    assert run.code == 0, run.err
    assert "process list" not in run.err


async def test_a_missing_key_file_is_named(gateway: DemoGateway, tmp_path: Path) -> None:
    run = await _ask(gateway, _env(tmp_path), "--api-key-file", str(tmp_path / "nope.key"))
    assert run.code == 2
    assert "nope.key" in run.err and "No such file" in run.err


async def test_the_environment_and_the_config_file(gateway: DemoGateway, tmp_path: Path) -> None:
    run = await _ask(gateway, _env(tmp_path, CHATTERM_API_KEY=KEY))
    assert run.code == 0, run.err
    (tmp_path / "config.toml").write_text('api_key_env = "MY_GATEWAY_KEY"\n', encoding="utf-8")
    run = await _ask(gateway, _env(tmp_path, MY_GATEWAY_KEY=KEY))  # the variable the config names
    assert run.code == 0, run.err
    (tmp_path / "config.toml").write_text(f'api_key = "{KEY}"\n', encoding="utf-8")
    run = await _ask(gateway, _env(tmp_path))
    assert run.code == 0, run.err


async def test_the_gateway_refuses_another_key_with_its_message(gateway: DemoGateway, tmp_path: Path) -> None:
    run = await _ask(gateway, _env(tmp_path, CHATTERM_API_KEY="sk-someone-else"))
    assert run.code == 1
    assert "Incorrect API key provided" in run.err
    run = await _ask(gateway, _env(tmp_path))
    assert run.code == 1
    assert "didn't provide an API key" in run.err


async def test_a_key_on_the_command_line_warns_about_the_process_list(gateway: DemoGateway, tmp_path: Path) -> None:
    run = await _ask(gateway, _env(tmp_path), "--api-key", KEY)
    assert run.code == 0, run.err
    warning = [line for line in run.err.splitlines() if "process list" in line]
    assert len(warning) == 1 and KEY not in warning[0]


async def test_no_keyring_backend_says_so_and_suggests_the_alternatives(gateway: DemoGateway, tmp_path: Path) -> None:
    env = _env(tmp_path, PYTHON_KEYRING_BACKEND="tests.keyring_file_backend.NoBackend")
    stored = await achatterm("key", "set", "--stdin", stdin=f"{KEY}\n".encode(), env=env)
    assert stored.code == 1
    assert "no OS keyring is available" in stored.err
    assert "api_key_cmd" in stored.err and "--api-key-file" in stored.err
    assert not (tmp_path / "config.toml").exists()  # nothing recorded for a key not stored

    (tmp_path / "config.toml").write_text('api_key_keyring = "default"\n', encoding="utf-8")
    run = await _ask(gateway, env)
    assert run.code == 2 and "no OS keyring is available" in run.err
    assert gateway.requests == []


def test_demo_server_with_a_key_refuses_every_other_key() -> None:
    import subprocess

    import httpx

    from tests.cli.runner import ROOT

    server = subprocess.Popen(
        [sys.executable, "-m", "chatterm", "demo-server", "--api-key", KEY],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert "listening on " in first, first
        url = first.split("listening on ", 1)[1].strip()
        assert "only the one given with --api-key" in server.stdout.readline()
        for headers, status in (
            ({}, 401),
            ({"Authorization": "Bearer demo-key"}, 401),
            ({"Authorization": f"Bearer {KEY}"}, 200),
        ):
            reply = httpx.get(f"{url}/models", headers=headers, timeout=10)
            assert reply.status_code == status, reply.text
            if status == 401:
                assert reply.json()["error"]["code"] in {"missing_api_key", "invalid_api_key"}
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
