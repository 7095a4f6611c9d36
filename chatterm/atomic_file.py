"""Writing a file so that it is either the old one or the whole new one, never half.

`write_text_atomically(path, text)` writes a temporary file beside `path`, flushes it to
disk and renames it over `path`: a full disk or a crash mid-write leaves the good file
that was there (and no temporary file). A file it replaces keeps its permissions; a new
one gets the usual ones (0666 less the umask), unless the caller names a mode (the config
file is always 0600). Exports and the config file both write through it; stdlib only.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Replace `path` with `text` (UTF-8) in one rename; OSError names `path`."""
    data = text.encode("utf-8")
    mode = _mode_for(path) if mode is None else mode
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if exc.filename is None or exc.filename == temp:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
