"""Settings: the TOML config file, environment variables and flags.

Settings are a schema (`SETTINGS`): key, type, default, check, doc. The file lives in the
platformdirs config dir (`config.toml`, or `$CHATTERM_CONFIG`); a bad file is reported
with its path and line (`ConfigError`). The base URL and key resolve in this order:
flags, `CHATTERM_BASE_URL`/`CHATTERM_API_KEY`, `OPENAI_BASE_URL`/`OPENAI_API_KEY`, the file.

The file is written only through `save_config_values`, which keeps the rest of the file
as it was and creates it with mode 0600 (it may hold a key).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

APP_NAME = "chatterm"
DEFAULT_MODEL = "gpt-4o-mini"


class ConfigError(Exception):
    """The config file is unreadable or holds a bad value; the message names file and line."""


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def default_config_path() -> Path:
    env = os.environ.get("CHATTERM_CONFIG")
    return Path(env).expanduser() if env else config_dir() / "config.toml"


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    """Dotted key in the file (`tools.safe` is `safe` under `[tools]`)."""
    kind: type | tuple[type, ...]
    default: Any
    doc: str
    check: Callable[[Any], str | None] | None = None
    """Returns a message when the value is out of bounds."""


def _between(low: float, high: float) -> Callable[[Any], str | None]:
    return lambda v: None if low <= v <= high else f"must be between {low:g} and {high:g}"


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else "must be one of " + ", ".join(choices)


SETTINGS: tuple[Setting, ...] = (
    Setting("base_url", str, None, "Gateway base URL including /v1, e.g. https://gateway.example/v1."),
    Setting("api_key", str, None, "API key (prefer api_key_env or CHATTERM_API_KEY)."),
    Setting("api_key_env", str, None, "Name of an environment variable that holds the key."),
    Setting("model", str, DEFAULT_MODEL, "Model for new chats."),
    Setting("theme", str, "chatterm-dark", "TUI theme name."),
    Setting("favourites", list, [], "Models listed first in the picker."),
    Setting("stream", bool, True, "Stream replies."),
    Setting("endpoint", str, "auto", "chat, responses or auto.", _one_of("chat", "responses", "auto")),
    Setting("max_retries", int, 2, "Retries for failed requests (0 disables).", _between(0, 10)),
    Setting("connect_timeout", (int, float), 10.0, "Seconds to connect.", _between(0.1, 600)),
    Setting("read_timeout", (int, float), 120.0, "Seconds between bytes.", _between(0.1, 3600)),
    Setting("thinking_budget", int, 2048, "Thinking token budget (Claude, Gemini).", _between(0, 1_000_000)),
    Setting("thinking_level", str, "medium", "Reasoning effort.", _one_of("low", "medium", "high")),
    Setting("search_options", dict, {}, "Extra search options (Qwen search_options, Grok mode)."),
    Setting("tools.safe", list, [], "Read-only tools that run without asking."),
    Setting("tools.allowed_dirs", list, [], "Folders the file tools may read."),
    Setting("tools.files", list, [], "Python files that define tools."),
    Setting("tools.modules", list, [], "Python modules that define tools."),
    Setting("tools.timeout", (int, float), 30.0, "Seconds a tool may run.", _between(0.1, 3600)),
    Setting("tools.max_rounds", int, 8, "Tool rounds per message.", _between(0, 100)),
)
_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(slots=True)
class Config:
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_env: str | None = None
    model: str = DEFAULT_MODEL
    theme: str = "chatterm-dark"
    favourites: list[str] = field(default_factory=list)
    stream: bool = True
    endpoint: str = "auto"
    max_retries: int = 2
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    thinking_budget: int = 2048
    thinking_level: str = "medium"
    search_options: dict[str, Any] = field(default_factory=dict)
    tools_safe: list[str] = field(default_factory=list)
    tools_allowed_dirs: list[str] = field(default_factory=list)
    tools_files: list[str] = field(default_factory=list)
    tools_modules: list[str] = field(default_factory=list)
    tools_timeout: float = 30.0
    tools_max_rounds: int = 8
    path: Path | None = None
    """The file these values came from (None: defaults only)."""
    key_source: str | None = None
    """Where the key came from (flag, env var name, config file) - never the key itself."""

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "api_key"}
        shown["api_key"] = "***" if self.api_key else None
        return f"Config({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def _attr(key: str) -> str:
    return key.replace(".", "_")


def _line_of(text: str, key: str) -> int | None:
    """Line number (1-based) where a dotted key is set, for error messages."""
    table, _, name = key.rpartition(".")
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[([^\]]+)\]$", stripped)
        if header:
            current = header.group(1).strip()
            continue
        if current == table and re.match(rf"^\"?{re.escape(name)}\"?\s*=", stripped):
            return number
    return None


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted not in _BY_KEY:
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def load_config(path: Path | None = None) -> Config:
    """Read the config file (missing file = defaults). Raises ConfigError naming file and line."""
    path = path or default_config_path()
    config = Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    config.path = path
    for key, value in _flatten(data).items():
        setting = _BY_KEY.get(key)
        if setting is None:
            continue  # unknown keys are tolerated: newer chatterm versions may add some
        where = _line_of(text, key)
        at = f"{path}, line {where}" if where else str(path)
        kinds = setting.kind if isinstance(setting.kind, tuple) else (setting.kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            raise ConfigError(f"{at}: {key} must be of type {expected} (got {value!r})")
        problem = setting.check(value) if setting.check else None
        if problem:
            raise ConfigError(f"{at}: {key} {problem} (got {value!r})")
        setattr(config, _attr(key), value)
    if config.api_key:
        config.key_source = f"config file {path}"
    return config


@dataclass(slots=True)
class Connection:
    """Where to send requests. `repr` never shows the key."""

    base_url: str | None
    api_key: str | None = field(repr=False)
    key_source: str | None = None


def resolve_connection(
    config: Config,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Connection:
    """Flags, then CHATTERM_*, then OPENAI_*, then the config file."""
    env = os.environ if env is None else env
    url = base_url or env.get("CHATTERM_BASE_URL") or env.get("OPENAI_BASE_URL") or config.base_url
    key, source = api_key, "--api-key" if api_key else None
    for name in ("CHATTERM_API_KEY", "OPENAI_API_KEY"):
        if not key and env.get(name):
            key, source = env[name], name
    if not key and config.api_key_env and env.get(config.api_key_env):
        key, source = env[config.api_key_env], config.api_key_env
    if not key and config.api_key:
        key, source = config.api_key, config.key_source or "config file"
    return Connection(url.rstrip("/") if url else None, key, source)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to the config file")


def save_config_values(path: Path, values: Mapping[str, Any]) -> None:
    """Set top-level keys in the config file, keeping everything else as it was.

    The file is replaced atomically and created with mode 0600: it may hold a key.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    first_table = next((i for i, line in enumerate(lines) if line.strip().startswith("[")), len(lines))
    for key, value in values.items():
        if key not in _BY_KEY or "." in key:
            raise KeyError(f"unknown top-level setting {key!r}")
        rendered = f"{key} = {_toml_value(value)}"
        for i in range(first_table):
            if re.match(rf"^\s*{re.escape(key)}\s*=", lines[i]):
                lines[i] = rendered
                break
        else:
            lines.insert(first_table, rendered)
            first_table += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
