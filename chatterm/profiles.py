"""Gateway profiles: `[profiles.<name>]` tables in the config, one per gateway.

A user with a work gateway, OpenRouter and a local llama.cpp server names each once
(`base_url`, where its key lives, its default model and favourites) and picks one with
`--profile NAME` or `CHATTERM_PROFILE`. Choosing a profile replaces the top-level
gateway settings as a whole: a top-level key is never sent to another profile's
gateway. Values are checked here, against the same schema rows as the top level, so
a typo in a profile gets the same message naming the file and key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chatterm.config import _BY_KEY, Config, ConfigError

PROFILE_KEYS = (
    "base_url",
    "api_key",
    "api_key_env",
    "api_key_cmd",
    "api_key_keyring",
    "api_key_file",
    "model",
    "favourites",
    "endpoint",
)
"""What a profile may set; each is checked like the top-level setting of that name.
Besides these, `quirks`: what chatterm learned about the gateway (`api/server_quirks.py`)."""
QUIRKS = "quirks"
GATEWAY_KEYS = ("base_url", "api_key", "api_key_env", "api_key_cmd", "api_key_keyring", "api_key_file")
"""Cleared before a profile applies, so nothing of the top-level gateway leaks into it."""
NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise ConfigError(f"profile name {name!r}: use letters, digits, '-' and '_' (at most 64)")


def profile_names(config: Config) -> list[str]:
    return sorted(config.profiles)


def profile_values(config: Config, name: str) -> dict[str, Any]:
    """The profile's checked values; ConfigError for an unknown name or a bad value."""
    from chatterm.config_check import type_problem

    table = config.profiles.get(name)
    where = f"{config.path}: " if config.path else ""
    if table is None:
        known = ", ".join(profile_names(config)) or "none yet (chatterm profiles add NAME --base-url URL)"
        raise ConfigError(f"{where}no profile named {name!r}; profiles: {known}")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}profiles.{name} must be a table ([profiles.{name}])")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == QUIRKS:
            continue  # chatterm's own notes, read by `learned_quirks`
        if key not in PROFILE_KEYS:
            raise ConfigError(
                f"{where}unknown setting profiles.{name}.{key}; a profile takes {', '.join(PROFILE_KEYS)}"
            )
        problem = type_problem(_BY_KEY[key], value)
        if problem:
            raise ConfigError(f"{where}profiles.{name}.{problem}")
        values[key] = value
    return values


def apply_profile(config: Config, name: str) -> None:
    """Make `name`'s gateway, key source, model and favourites the config's own. The
    top-level values are kept aside first (`Config.top_level`, `restore_top_level`), so
    the TUI can switch back to the top-level gateway."""
    values = profile_values(config, name)
    if config.profile is None:
        config.top_level = {key: getattr(config, key) for key in (*PROFILE_KEYS, "key_source")}
    else:
        restore_top_level(config)  # a profile's unset keys are the top level's, not the last profile's
    for key in GATEWAY_KEYS:
        setattr(config, key, None)
    config.key_source = None
    for key, value in values.items():
        setattr(config, key, list(value) if isinstance(value, list) else value)
    if config.api_key:
        config.key_source = f"config file {config.path} [profiles.{name}]"
    config.profile = name


def restore_top_level(config: Config) -> None:
    """Undo `apply_profile`: the top-level gateway, key source, model and favourites again."""
    if config.profile is None:
        return
    for key, value in config.top_level.items():
        setattr(config, key, list(value) if isinstance(value, list) else value)
    config.profile = None


def learned_quirks(config: Config, profile: str | None = None) -> dict[str, Any]:
    """What earlier runs learned about a profile's gateway (default: the active one's;
    empty: nothing)."""
    table = config.profiles.get(profile or config.profile or "")
    quirks = table.get(QUIRKS) if isinstance(table, dict) else None
    return dict(quirks) if isinstance(quirks, dict) else {}


def chosen_profile(flag: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """`--profile`, else `CHATTERM_PROFILE`."""
    env = os.environ if env is None else env
    return flag or env.get("CHATTERM_PROFILE") or None


def save_profile_values(path: Path, name: str, values: Mapping[str, Any]) -> None:
    """Set keys of `[profiles.<name>]`, keeping the rest of the file as it was."""
    from chatterm.config_check import type_problem
    from chatterm.config_write import write_values

    check_name(name)
    for key, value in values.items():
        if key == QUIRKS and isinstance(value, dict):
            continue
        if key not in PROFILE_KEYS:
            raise ValueError(f"a profile has no setting {key!r}")
        problem = type_problem(_BY_KEY[key], value)
        if problem:
            raise ValueError(f"cannot save profiles.{name}.{problem}")
    write_values(path, {f"profiles.{name}.{key}": value for key, value in values.items()})
