"""Issue 10 item 10: a base URL that names no HTTP server is refused at start, from
every source (flag, environment, config file), with the source named, never retried."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chatterm.demo import DEMO_API_KEY

from .runner import ROOT, chatterm


@pytest.mark.parametrize("url", ["notaurl", "ftp://gateway.example/v1", "http://host:port/v1"])
def test_a_bad_flag_is_refused_before_any_request(url: str) -> None:
    run = chatterm("ask", "--base-url", url, "--api-key", DEMO_API_KEY, "--max-retries", "3", "hi")
    assert run.code == 2, run.err
    assert "--base-url" in run.err and url in run.err
    assert "retry" not in run.err.lower() and "cannot connect" not in run.err.lower()


@pytest.mark.parametrize("name", ["CHATTERM_BASE_URL", "OPENAI_BASE_URL"])
def test_a_bad_environment_url_is_named_by_its_variable(name: str) -> None:
    run = chatterm("ask", "hi", env={name: "ftp://gateway.example/v1", "CHATTERM_API_KEY": DEMO_API_KEY})
    assert run.code == 2, run.err
    assert name in run.err and "http://" in run.err


def test_a_bad_config_url_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('base_url = "gateway.example/v1"\napi_key = "k"\n', encoding="utf-8")
    run = chatterm("models", env={"CHATTERM_CONFIG": str(config)})
    assert run.code == 2, run.err
    assert str(config) in run.err and "gateway.example/v1" in run.err


def test_the_tui_refuses_a_bad_flag_before_it_starts(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chatterm", "--base-url", "notaurl", "--api-key", DEMO_API_KEY],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2, done.stderr
    assert "--base-url" in done.stderr and "notaurl" in done.stderr
