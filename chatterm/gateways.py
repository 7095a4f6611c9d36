"""Every gateway the config names (the top level and each `[profiles.<name>]`), and
the connection to one of them from its own settings alone.

The TUI lets a chat move between them (the model picker groups models by gateway). A
gateway other than the one chatterm started on is reached with what the config file
says for it (its base URL and key source) and nothing else: the flags and environment
variables chatterm started with belong to the gateway they chose, so a key never goes
to another gateway.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from chatterm.config import Config, ConfigError, Connection, resolve_connection
from chatterm.profiles import GATEWAY_KEYS, profile_names, profile_values

TOP_LEVEL_NAME = "default"
"""How the top-level gateway (no profile) is named on screen; the keyring account of
its key has the same name."""


@dataclass(frozen=True, slots=True)
class Gateway:
    profile: str | None
    """The `[profiles.<name>]` name; None for the top-level gateway."""
    base_url: str | None

    @property
    def name(self) -> str:
        return gateway_name(self.profile)


def gateway_name(profile: str | None) -> str:
    return profile or TOP_LEVEL_NAME


def top_level_values(config: Config) -> dict[str, Any]:
    """The top-level gateway's settings, whether or not a profile is applied now."""
    if config.profile is None:
        return {key: getattr(config, key) for key in GATEWAY_KEYS}
    return {key: config.top_level.get(key) for key in GATEWAY_KEYS}


def configured_gateways(config: Config, top_level: Connection | None) -> list[Gateway]:
    """The top-level gateway (when it has a base URL) first, then every profile by
    name. `top_level`: the top-level gateway's connection when known (chatterm started
    on it, flags and environment included), else the file's top level counts."""
    gateways: list[Gateway] = []
    top_url = top_level.base_url if top_level is not None else top_level_values(config).get("base_url")
    if top_url:
        gateways.append(Gateway(None, top_url))
    for name in profile_names(config):
        table = config.profiles.get(name)
        url = table.get("base_url") if isinstance(table, dict) else None
        gateways.append(Gateway(name, url if isinstance(url, str) else None))
    return gateways


def own_connection(config: Config, profile: str | None, env: Mapping[str, str] | None = None) -> Connection:
    """The connection to `profile`'s gateway (None: the top level) from its settings in
    the config file alone: its `base_url`, and its key from its `api_key_env` variable,
    `api_key_cmd`, `api_key_keyring`, `api_key_file` or `api_key`, never from the
    flags or `CHATTERM_API_KEY`. May run a key command: call it from a worker thread.
    ConfigError: an unknown profile, no base URL, or a key source that failed."""
    env = os.environ if env is None else env
    values = top_level_values(config) if profile is None else profile_values(config, profile)
    where = f"profiles.{profile}" if profile else "the top level of the config file"
    if not values.get("base_url"):
        raise ConfigError(f"{where} has no base_url")
    view = replace(config)
    for key in GATEWAY_KEYS:
        setattr(view, key, values.get(key))
    view.key_source = f"config file {config.path or ''} [{where}]" if values.get("api_key") else None
    variable = values.get("api_key_env")
    only_its_variable = {variable: env[variable]} if variable and variable in env else {}
    connection = resolve_connection(view, env=only_its_variable)
    connection.url_source = f"base_url in {where}"
    return connection


def key_variables(config: Config) -> list[str | None]:
    """Every `api_key_env` the config names (top level and profiles): variables that
    hold a key, to hide from tools."""
    names: list[str | None] = [top_level_values(config).get("api_key_env")]
    for table in config.profiles.values():
        if isinstance(table, dict) and isinstance(table.get("api_key_env"), str):
            names.append(table["api_key_env"])
    return names
