"""The prompt in the user's own editor: which editor, and one round trip through a file.

The editor is `$VISUAL`, else `$EDITOR` (either may carry arguments: `code --wait`,
`emacsclient -t`, split as a shell would, without a shell), else `vi` or `nano` if one is
installed. The text goes to a private temporary file (0600: a prompt may hold anything),
the editor runs on it with the terminal, and the file is read back and removed whatever
happened. A non-zero exit (vim's `:cq`, a crash) means "keep what I had": the caller
gets an `EditorError` and leaves the prompt as it was. Stdlib only; the app hands the
terminal over around `edit_text` (`actions/editor.py`).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

FALLBACK_EDITORS = ("vi", "nano")


class EditorError(Exception):
    """The editor could not be found, started, or ended without success; the message
    says which, and that the prompt is unchanged."""


def editor_command(env: Mapping[str, str]) -> list[str] | None:
    """The editor's command line (without the file), or None when there is none at all."""
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if not value:
            continue
        try:
            words = shlex.split(value)
        except ValueError as error:
            raise EditorError(f"${name} is not a command line ({error}): {value}") from None
        if words:
            return words
    for fallback in FALLBACK_EDITORS:
        found = shutil.which(fallback, path=env.get("PATH", os.defpath))
        if found:
            return [found]
    return None


def edit_text(text: str, command: list[str]) -> str:
    """`text` as the user left it in the editor. Raises EditorError (the file removed)
    when the editor cannot start or exits with a failure, or the file is unreadable."""
    try:
        handle, name = tempfile.mkstemp(prefix="chatterm-prompt-", suffix=".md")  # 0600
    except OSError as error:
        raise EditorError(f"no temporary file for the editor: {error}") from None
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            done = subprocess.run([*command, str(path)], check=False)
        except OSError as error:
            raise EditorError(f"could not start the editor {command[0]}: {error.strerror or error}") from None
        if done.returncode != 0:
            how = f"was stopped by signal {-done.returncode}" if done.returncode < 0 else f"exited {done.returncode}"
            raise EditorError(f"The editor {shlex.join(command)} {how}; the prompt is unchanged")
        try:
            edited = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise EditorError(f"could not read the edited text back ({error}); the prompt is unchanged") from None
    finally:
        path.unlink(missing_ok=True)
    if edited.endswith("\n") and not text.endswith("\n"):
        edited = edited[:-1]  # the newline most editors add at the end of a file
    return edited
