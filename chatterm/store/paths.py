"""Where the history lives, and how a damaged file is moved aside without loss.

`default_path()` is `$CHATTERM_HISTORY` if set, else `<user data dir>/chatterm/history.db`.
`quarantine(path)` renames a damaged database (and its `-wal` / `-shm` companions) to
`history.db.damaged-YYYYmmdd-HHMMSS[-N]` beside it; it never overwrites an existing file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV_VAR = "CHATTERM_HISTORY"
COMPANIONS = ("-wal", "-shm", "-journal")


def default_path() -> Path:
    """The history file chatterm uses when no `--history PATH` is given."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir  # lazily: only the caller that needs it pays

    return Path(user_data_dir("chatterm")) / "history.db"


def _move_no_clobber(src: Path, dst: Path) -> None:
    """Rename src to dst, failing (FileExistsError) rather than replacing dst."""
    try:
        os.link(src, dst)  # atomic "create if absent"
    except (AttributeError, NotImplementedError, PermissionError):
        if dst.exists():
            raise FileExistsError(dst) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def quarantine(path: str | Path) -> Path:
    """Move a damaged database aside (with its -wal/-shm) and return its new path."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        suffix = f".damaged-{stamp}" + (f"-{n}" if n else "")
        target = path.with_name(path.name + suffix)
        if target.exists() or any(target.with_name(target.name + c).exists() for c in COMPANIONS):
            continue
        try:
            _move_no_clobber(path, target)
        except FileExistsError:
            continue
        for companion in COMPANIONS:
            src = path.with_name(path.name + companion)
            if src.exists():
                _move_no_clobber(src, target.with_name(target.name + companion))
        return target
    raise OSError(f"could not find a free name to move {path} aside")
