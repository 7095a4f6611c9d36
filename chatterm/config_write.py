"""Writing settings into the config file without losing what the user wrote there.

The file is edited through tomlkit, so the user's comments, layout and key order stay
as they were and every string is escaped by TOML's rules (a model id from a server with
an escape character in it must not leave a file that no longer loads). The new text goes
to a temporary file in the same folder, created 0600 (the file may hold a key), and is
renamed over the old one, so a crash leaves the old file or the new one, never half of
each. A symlinked `config.toml` (dotfiles kept in a repository) is followed: its target
is rewritten and the link stays.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from chatterm.atomic_file import write_text_atomically
from chatterm.config import ConfigError


class ConfigWriteError(ConfigError, OSError):
    """The file exists but cannot be edited (it is not valid TOML any more). An OSError
    too: callers that save a setting already handle a file that cannot be written."""


def write_values(path: Path, values: Mapping[str, Any], remove: Iterable[str] = ()) -> None:
    """Set `values` (dotted keys go into their tables), take out the top-level keys
    in `remove` (a plain key the keyring now holds), and replace the file atomically."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    target = Path(os.path.realpath(path))
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except UnicodeDecodeError as exc:
        raise ConfigWriteError(f"{path}: cannot update the config file: {exc}") from exc
    try:
        document = tomlkit.parse(text)
        for key, value in values.items():
            *tables, name = key.split(".")
            node: Any = document
            for table in tables:
                if table not in node:
                    node[table] = tomlkit.table()
                node = node[table]
            if node is document and name not in document:
                _add_top_level(document, name, value)
            else:
                node[name] = value
        for name in remove:
            document.pop(name, None)
        new_text = tomlkit.dumps(document)
    except TOMLKitError as exc:
        raise ConfigWriteError(f"{path}: cannot update the config file: {exc}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(target, new_text, mode=0o600)


def _add_top_level(document: Any, name: str, value: Any) -> None:
    """A new top-level key goes right after the last top-level key, not after the
    comments that open the first table (tomlkit's own place for it): those comments
    belong to the table below them."""
    from tomlkit.items import AoT, Table

    last_key = None
    for index, (key, item) in enumerate(document.body):
        if isinstance(item, (Table, AoT)):
            break
        if key is not None:
            last_key = index
    else:  # no table: the end of the file is the place
        last_key = None
    if last_key is None:
        document[name] = value
    else:
        document._insert_at(last_key + 1, name, value)  # public API has no "insert here"
