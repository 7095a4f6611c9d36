"""The command line that starts the real `chatterm` inside a tmux pane, for the tmux tests:
a private HOME and XDG folders under the test's temp dir, this checkout on PYTHONPATH, and
nothing else of the developer's environment (`env -i`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def chatterm_command(tmp_path: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """`env -i ... python -m chatterm ARGS`, as one string for `tmux new-session`; `env`
    adds variables (an `EDITOR`, say)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        **(env or {}),
    }
    return "env -i " + " ".join([f"{k}={v!r}" for k, v in env.items()] + [sys.executable, "-m", "chatterm", *args])
