"""Where an API key lives when it is not written in the config file: a file, a command,
or the OS keyring.

A key typed into `config.toml` sits in plain text next to settings people copy, share
and back up, so the config can instead name where the key is kept (`api_key_file`,
`api_key_cmd`, `api_key_keyring`) and chatterm fetches it once per start. The key itself
never goes into a message: a failing command is reported by its exit status alone,
because whatever it printed may be part of the secret.

`keyring` is an optional extra, imported only here and only when a keyring is used.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

KEYRING_SERVICE = "chatterm"
"""The keyring service name every chatterm key is stored under; the account is the
profile's name (`default` outside a profile)."""
DEFAULT_ACCOUNT = "default"
COMMAND_TIMEOUT = 60.0
"""Seconds `api_key_cmd` may run: long enough to type a passphrase into a pinentry."""

ALTERNATIVES = (
    'keep the key elsewhere: api_key_cmd = "pass show gateway" in the config, '
    "--api-key-file PATH (or api_key_file), or the CHATTERM_API_KEY environment variable"
)


class KeySourceError(Exception):
    """A configured key source could not give a key; the message never holds the key.
    (`config.resolve_connection` turns it into a `ConfigError`: this module sits below
    the config and imports nothing of chatterm.)"""


def read_key_file(path: str | Path) -> str:
    """The key in a file (first line, whitespace trimmed)."""
    where = Path(path).expanduser()
    try:
        text = where.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise KeySourceError(f"cannot read the API key file {where}: {reason}") from None
    key = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not key:
        raise KeySourceError(f"the API key file {where} is empty")
    return key


def run_key_command(command: str, *, env: dict[str, str] | None = None) -> str:
    """The key a command prints (`pass show gateway`), output trimmed to its first line.

    Run without a shell, with no stdin of ours (a pinentry asks on its own terminal).
    On failure only the command's name and status are said, never its output."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise KeySourceError(f"api_key_cmd cannot be split into words: {exc}") from None
    if not argv:
        raise KeySourceError("api_key_cmd is empty")
    name = argv[0]
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            env=env if env is not None else dict(os.environ),
            check=False,
        )
    except FileNotFoundError:
        raise KeySourceError(f"api_key_cmd: command not found: {name!r}") from None
    except subprocess.TimeoutExpired:
        raise KeySourceError(f"api_key_cmd {name!r} did not finish within {COMMAND_TIMEOUT:g} seconds") from None
    except OSError as exc:
        raise KeySourceError(f"api_key_cmd {name!r} could not run: {exc.strerror or type(exc).__name__}") from None
    if done.returncode != 0:
        raise KeySourceError(
            f"api_key_cmd {name!r} failed with exit status {done.returncode} (its output is not shown: it may hold the key)"
        )
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    key = lines[0].strip() if lines else ""
    if not key:
        raise KeySourceError(f"api_key_cmd {name!r} printed no key")
    return key


def _keyring() -> Any:
    try:
        import keyring
    except ImportError:
        raise KeySourceError(
            "the keyring package is not installed (pip install 'chatterm[keyring]'); or " + ALTERNATIVES
        ) from None
    return keyring


def _no_backend(exc: Exception) -> KeySourceError:
    return KeySourceError(
        f"no OS keyring is available here ({type(exc).__name__}; on a headless Linux there is no "
        f"Secret Service to store keys in); {ALTERNATIVES}"
    )


def keyring_problem() -> str | None:
    """Why a key cannot be stored in the OS keyring here, in a few words (None: it can).
    The first-run dialog asks, to offer the keyring only where it works."""
    try:
        import keyring
    except ImportError:
        return "the keyring extra is not installed"
    try:
        priority = float(keyring.get_keyring().priority)
    except Exception as exc:
        return f"no OS keyring here: {type(exc).__name__}"
    if priority <= 0:  # keyring's fail and null backends: nothing would be kept
        return "no OS keyring here"
    return None


def keyring_get(account: str) -> str:
    """The key stored for `account` (a profile name) in the OS keyring."""
    keyring = _keyring()
    from keyring.errors import KeyringError

    try:
        key = keyring.get_password(KEYRING_SERVICE, account)
    except KeyringError as exc:
        raise _no_backend(exc) from None
    if not key:
        raise KeySourceError(
            f"the OS keyring holds no key for {KEYRING_SERVICE}/{account}: store one with "
            f"`chatterm key set{'' if account == DEFAULT_ACCOUNT else ' --profile ' + account}`"
        )
    return str(key)


def keyring_set(account: str, key: str) -> None:
    """Store the key for `account` in the OS keyring."""
    keyring = _keyring()
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, account, key)
    except KeyringError as exc:
        raise _no_backend(exc) from None


def stored_key(command: str | None, account: str | None, path: str | None) -> tuple[str, str] | None:
    """The key from the sources the config names (`api_key_cmd`, `api_key_keyring`,
    `api_key_file`, first set wins), with where it came from. None: no source set."""
    if command:
        return run_key_command(command), "api_key_cmd"
    if account:
        return keyring_get(account), f"keyring {KEYRING_SERVICE}/{account}"
    if path:
        return read_key_file(path), f"api_key_file {path}"
    return None
