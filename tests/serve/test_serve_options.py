"""`chatterm serve` refuses an address other hosts can reach unless told it may."""

from __future__ import annotations

from chatterm.serve import is_loopback
from tests.cli.runner import chatterm


def test_a_non_loopback_host_needs_allow_remote() -> None:
    run = chatterm("serve", "--demo", "--host", "0.0.0.0", "--port", "0")
    assert run.code == 2
    assert "not a loopback address" in run.err and "--allow-remote" in run.err
    assert run.out == ""  # no URL, no token: nothing was served


def test_loopback_addresses() -> None:
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.5.0.1", "::1", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "192.168.1.4", "::", "example.com"))
