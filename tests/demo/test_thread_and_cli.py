"""`start_in_thread` for sync callers and `main()` (`chatterm demo-server`) as a process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

import chatterm
from chatterm.demo import start_in_thread
from tests.demo.demo_support import AUTH, user

REPO = Path(chatterm.__file__).resolve().parents[1]


def test_start_in_thread_serves_sync_clients_and_stops() -> None:
    gw = start_in_thread()
    try:
        assert gw.base_url.startswith("http://127.0.0.1:") and gw.base_url.endswith("/v1")
        r = httpx.post(
            gw.base_url + "/chat/completions", json={"model": "gpt-4o", "messages": user("threaded")}, headers=AUTH
        )
        assert r.status_code == 200 and "> threaded" in r.json()["choices"][0]["message"]["content"]
        assert gw.requests[-1].body["messages"] == user("threaded")
    finally:
        gw.stop_thread()
    gw.stop_thread()  # twice is fine
    try:
        httpx.get(gw.base_url + "/models", headers=AUTH, timeout=2)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the gateway still answers after stop_thread()")


def test_demo_server_process_prints_url_and_key_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    with socket.socket() as probe:  # a port that was free a moment ago: --port N is honoured
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatterm.demo", "--port", str(port), "--token-delay", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        base_url = first.strip().rsplit(" ", 1)[-1]
        assert base_url == f"http://127.0.0.1:{port}/v1"
        assert "demo-key" in second
        r = httpx.post(
            base_url + "/chat/completions", json={"model": "glm-5", "messages": user("standalone")}, headers=AUTH
        )
        assert r.status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


def test_demo_server_switches_act_like_a_server_without_responses_or_json_schema() -> None:
    """`chatterm demo-server --no-responses --no-json-schema`: a 404 for an unknown path on
    /v1/responses, llama-cpp-python's 500 for a json_schema format, JSON mode still taken."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "chatterm", "demo-server", "--token-delay", "0", "--no-responses"]
    proc = subprocess.Popen(
        [*command, "--no-json-schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
        missing = httpx.post(base_url + "/responses", json={"model": "gpt-5.2", "input": "hi"}, headers=AUTH)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_url"
        schema = {"type": "json_schema", "json_schema": {"name": "p", "schema": {"type": "object"}}}
        body = {"model": "gpt-4o", "messages": user("json please"), "response_format": schema}
        refused = httpx.post(base_url + "/chat/completions", json=body, headers=AUTH)
        assert refused.status_code == 500 and "'response_format', 'type'" in refused.json()["error"]["message"]
        body["response_format"] = {"type": "json_object"}
        assert httpx.post(base_url + "/chat/completions", json=body, headers=AUTH).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
