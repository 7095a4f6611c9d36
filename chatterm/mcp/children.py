"""Every MCP server process chatterm starts ends when chatterm ends.

The normal path closes each server's session (stdin closed, then SIGTERM, then SIGKILL:
`stdio_transport.py`). This module is the backstop for every other way out: it keeps the
process group of each live child, and at interpreter exit (`atexit`: a return, an
exception, Ctrl-C) or on SIGTERM it signals those groups that are still there. Children
run in a session of their own (so a Ctrl-C at the terminal reaches chatterm, which shuts
them down, rather than killing them mid-write); that is why chatterm must end them.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

__all__ = ["forget", "install", "kill_all", "remember"]

_groups: set[int] = set()
_lock = threading.Lock()
_installed = False


def remember(pid: int) -> None:
    """A child just started (it leads its own process group)."""
    with _lock:
        _groups.add(pid)


def forget(pid: int) -> None:
    with _lock:
        _groups.discard(pid)


def _signal_all(sig: int) -> list[int]:
    with _lock:
        groups = list(_groups)
    alive = []
    for group in groups:
        try:
            os.killpg(group, sig)
            alive.append(group)
        except (ProcessLookupError, PermissionError):
            forget(group)
    return alive


def kill_all(grace: float = 1.0) -> None:
    """SIGTERM every remaining child group, SIGKILL what is left after `grace` seconds."""
    if not _signal_all(signal.SIGTERM):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with _lock:
            groups = list(_groups)
        if not any(_group_alive(g) for g in groups):
            return
        time.sleep(0.02)
    _signal_all(signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.waitpid(group, os.WNOHANG)  # reap the leader if it is ours and done
    except ChildProcessError:
        pass
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        forget(group)
        return False
    return True


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    kill_all(grace=0.5)
    signal.signal(signal.SIGTERM, _previous if callable(_previous) else signal.SIG_DFL)
    if callable(_previous):
        _previous(signum, frame)
    else:
        os.kill(os.getpid(), signal.SIGTERM)  # die of SIGTERM, as without us


_previous: Any = None


def install() -> None:
    """Once, from the main thread before the first child starts: the exit hook, and a
    SIGTERM handler (one already set is chained after the children are signalled)."""
    global _installed, _previous
    if _installed:
        return
    _installed = True
    atexit.register(kill_all)
    if threading.current_thread() is threading.main_thread():
        _previous = signal.getsignal(signal.SIGTERM)
        if _previous in (signal.SIG_IGN,):
            return
        signal.signal(signal.SIGTERM, _on_sigterm)
