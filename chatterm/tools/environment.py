"""The API key kept out of the tools' reach.

Tools run inside chatterm's process (built-ins and user tools alike, in the tool runner's
threads), and whatever they start (`subprocess`, `os.system`) inherits its environment.
Passing a scrubbed `env=` to each subprocess would cover only the calls chatterm makes
itself, not the ones a user's tool makes, and not the tool reading `os.environ`. So the
variables that hold the key are removed from the process's environment before the tools
are loaded: by then the key has been read into the connection and nothing in chatterm
reads those variables again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

KEY_VARIABLES = ("CHATTERM_API_KEY", "OPENAI_API_KEY")
"""Always hidden; the config's `api_key_env` names one more."""
_MIN_KEY = 8
"""Any variable holding exactly the key in use goes too, unless the key is a short
placeholder (`none`, `ollama`) that other variables may hold by chance."""


def hide_api_keys(names: Iterable[str | None] = (), key: str | None = None) -> list[str]:
    """Remove `KEY_VARIABLES`, `names`, and any variable whose value is `key` from this
    process's environment; returns the names removed (never the values)."""
    wanted = {*KEY_VARIABLES, *(name for name in names if name)}
    hidden = []
    for name, value in list(os.environ.items()):
        if name in wanted or (key is not None and len(key) >= _MIN_KEY and value == key):
            del os.environ[name]  # also unsetenv(): os.system and C extensions see it gone
            hidden.append(name)
    return hidden
