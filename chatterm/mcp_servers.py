"""MCP server settings: `[mcp.servers.<name>]` tables and Claude-Desktop `mcpServers` files.

    [mcp.servers.time]                     # stdio: a command chatterm starts
    command = "mcp-server-time"
    args = ["--local-timezone", "UTC"]
    env = { TZ = "UTC" }
    [mcp.servers.notes]                    # Streamable HTTP
    url = "http://127.0.0.1:8765/mcp"
    headers = { Authorization = "Bearer ${NOTES_TOKEN}" }

`server_problem` is the config check (`config.py` calls it for `mcp.servers`): it names
the server and the key, so a typo is reported where it is. It lives beside `config.py`,
not in `mcp/`: the config sits in the lowest layer and may not import the one `mcp/` is in. `${VAR}` is read from the
environment when a server starts (`expand`), not when the file loads, so a token never
sits in the parsed config. Nothing here imports the MCP SDK.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["McpConfigError", "ServerSpec", "expand", "load_mcp_file", "server_problem", "specs_from"]

_KEYS = {"command", "args", "env", "cwd", "url", "headers", "timeout", "type", "transport", "enabled", "disabled"}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_START_TIMEOUT = 20.0


class McpConfigError(ValueError):
    """An MCP servers file or table chatterm cannot use; the message names file and server."""


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """One configured server, as the user wrote it (variables not yet expanded)."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_START_TIMEOUT
    """Seconds for the server to start and answer `initialize`."""
    transport: str = "stdio"
    """`stdio`, `http` (Streamable HTTP) or `sse` (the older HTTP+SSE transport)."""

    @property
    def source(self) -> str:
        return f"mcp:{self.name}"


def _str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _entry_problem(name: str, entry: Any) -> str | None:
    where = f"server {name!r}"
    if not _NAME.match(name):
        return f"{where}: a server name is 1-32 letters, digits, '_' or '-' (it prefixes its tools' names)"
    if not isinstance(entry, dict):
        return f"{where} must be a table with command or url"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        return f"{where}: unknown key {unknown[0]!r} (known: command, args, env, cwd, url, headers, timeout)"
    has_command, has_url = "command" in entry, "url" in entry
    if has_command == has_url:
        return f"{where} needs exactly one of command (a program to start) or url (a Streamable HTTP endpoint)"
    checks: list[tuple[str, bool, str]] = [
        (
            "command",
            isinstance(entry.get("command", ""), str) and entry.get("command", "x") != "",
            "a non-empty string",
        ),
        (
            "args",
            isinstance(entry.get("args", []), list) and all(isinstance(a, str) for a in entry.get("args", [])),
            "a list of strings",
        ),
        ("env", _str_map(entry.get("env", {})), "a table of strings"),
        ("headers", _str_map(entry.get("headers", {})), "a table of strings"),
        (
            "url",
            isinstance(entry.get("url", "http://"), str)
            and str(entry.get("url", "http://")).startswith(("http://", "https://")),
            "an http:// or https:// URL",
        ),
        ("cwd", isinstance(entry.get("cwd", ""), str), "a string"),
        (
            "timeout",
            not isinstance(entry.get("timeout", 1), bool)
            and isinstance(entry.get("timeout", 1), (int, float))
            and 0 < entry.get("timeout", 1) <= 600,
            "a number of seconds between 0 and 600",
        ),
    ]
    for key, ok, expected in checks:
        if key in entry and not ok:
            return f"{where}: {key} must be {expected} (got {entry[key]!r})"
    kind = entry.get("transport", entry.get("type"))
    if kind is not None and kind not in ("stdio", "http", "streamable-http", "streamableHttp", "sse"):
        return f"{where}: transport must be stdio, http or sse (got {kind!r})"
    return None


def server_problem(servers: Any) -> str | None:
    """Why `mcp.servers` cannot be used, naming the server and key; None when it can."""
    if not isinstance(servers, dict):
        return "must be a table of servers ([mcp.servers.<name>])"
    for name, entry in servers.items():
        problem = _entry_problem(str(name), entry)
        if problem:
            return problem
    return None


def specs_from(servers: Mapping[str, Any]) -> list[ServerSpec]:
    """Checked `mcp.servers` values -> specs (a server with `disabled = true` is left out)."""
    problem = server_problem(dict(servers))
    if problem:
        raise McpConfigError(problem)
    specs = []
    for name, entry in servers.items():
        if entry.get("disabled") is True or entry.get("enabled") is False:
            continue
        kind = str(entry.get("transport", entry.get("type", "http" if "url" in entry else "stdio")))
        specs.append(
            ServerSpec(
                name=name,
                command=entry.get("command"),
                args=tuple(entry.get("args", ())),
                env=dict(entry.get("env", {})),
                cwd=entry.get("cwd"),
                url=entry.get("url"),
                headers=dict(entry.get("headers", {})),
                timeout=float(entry.get("timeout", DEFAULT_START_TIMEOUT)),
                transport="sse" if kind == "sse" else ("stdio" if "command" in entry else "http"),
            )
        )
    return specs


def expand(text: str, env: Mapping[str, str] | None = None) -> str:
    """`${VAR}` from the environment; an unset variable is an error naming it (a header
    `Bearer ` with an empty token would fail later with a far less useful 401)."""
    env = os.environ if env is None else env

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise McpConfigError(f"${{{name}}} is not set in the environment")
        return env[name]

    return _VAR.sub(value, text)


def load_mcp_file(path: Path) -> dict[str, Any]:
    """`--mcp-config FILE`: a Claude-Desktop JSON file (`{"mcpServers": {...}}`) or a TOML
    file with `[mcp.servers.*]` tables -> the `mcp.servers` mapping, checked."""
    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise McpConfigError(f"{path}: cannot read the MCP servers file: {exc}") from exc
    if path.suffix.lower() == ".toml":
        import tomllib

        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise McpConfigError(f"{path}: {exc}") from exc
        servers = data.get("mcp", {}).get("servers", {}) if isinstance(data.get("mcp"), dict) else {}
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise McpConfigError(f"{path}: not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise McpConfigError(f'{path}: expected a JSON object with "mcpServers"')
        servers = data.get("mcpServers", data.get("servers"))
        if servers is None:
            raise McpConfigError(f'{path}: no "mcpServers" object in this file')
    problem = server_problem(servers)
    if problem:
        raise McpConfigError(f"{path}: {problem}")
    return dict(servers)
