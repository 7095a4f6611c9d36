"""Settings: the TOML config file, environment variables and flags.

Settings are a schema (`SETTINGS`): key, type, default, check, doc. The file lives in the
platformdirs config dir (`config.toml`, or `$CHATTERM_CONFIG`); a bad file is reported
with its path and line (`ConfigError`); every value is type-checked on load, and unknown
keys are warnings naming the closest valid key (`config_check.py`). The base URL and key resolve in this order:
flags, `CHATTERM_BASE_URL`/`CHATTERM_API_KEY`, `OPENAI_BASE_URL`/`OPENAI_API_KEY`, the file
(for the key: `api_key_env`, then the sources in `keys.py`, then a plain `api_key`).

The file is written only through `save_config_values` (`config_write.py`), which keeps the
rest of the file as it was, comments included, and writes it atomically with mode 0600 (it
may hold a key).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatterm.presets import Preset

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
    item: type | None = None
    """For lists: the type of every element."""


def _between(low: float, high: float) -> Callable[[Any], str | None]:
    return lambda v: None if low <= v <= high else f"must be between {low:g} and {high:g}"


def _mcp_servers_problem(servers: Any) -> str | None:
    from chatterm.mcp_servers import server_problem  # no SDK: only the table's shape

    return server_problem(servers)


def _compare_sets_problem(sets: list[str]) -> str | None:
    """Each `[compare] sets` entry names 2 to 4 models, comma-separated (as `ask --compare`)."""
    for index, entry in enumerate(sets):
        names = [name.strip() for name in str(entry).split(",")]
        if not 2 <= len(names) <= 4 or not all(names):
            return f"[{index}] {entry!r} must name 2 to 4 models, comma-separated"
    return None


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else "must be one of " + ", ".join(choices)


SETTINGS: tuple[Setting, ...] = (
    Setting("base_url", str, None, "Gateway base URL including /v1, e.g. https://gateway.example/v1."),
    Setting("api_key", str, None, "API key (prefer api_key_env or CHATTERM_API_KEY)."),
    Setting("api_key_env", str, None, "Name of an environment variable that holds the key."),
    Setting("api_key_cmd", str, None, "Command that prints the key, e.g. pass show gateway (keys.py)."),
    Setting("api_key_keyring", str, None, "OS keyring account holding the key (`chatterm key set`)."),
    Setting("api_key_file", str, None, "File whose first line is the key."),
    Setting("model", str, DEFAULT_MODEL, "Model for new chats."),
    Setting("system_prompt", str, None, "System prompt of new chats."),
    Setting("temperature", (int, float), None, "Temperature of new chats.", _between(0, 2)),
    Setting("top_p", (int, float), None, "top_p of new chats.", _between(0, 1)),
    Setting("max_tokens", int, None, "Max tokens of a reply in new chats.", _between(1, 10_000_000)),
    Setting("theme", str, "chatterm-dark", "TUI theme name."),
    Setting("favourites", list, [], "Models listed first in the picker.", item=str),
    Setting("stream", bool, True, "Stream replies."),
    Setting("endpoint", str, "auto", "chat, responses or auto.", _one_of("chat", "responses", "auto")),
    Setting("max_retries", int, 2, "Retries for failed requests (0 disables).", _between(0, 10)),
    Setting("connect_timeout", (int, float), 10.0, "Older name of timeouts.connect.", _between(0.1, 600)),
    Setting("read_timeout", (int, float), 120.0, "Older name: timeouts.first_byte and idle.", _between(0.1, 3600)),
    Setting("thinking_budget", int, 2048, "Thinking token budget (Claude, Gemini).", _between(0, 1_000_000)),
    Setting("thinking_level", str, "medium", "Reasoning effort.", _one_of("low", "medium", "high")),
    Setting("search_options", dict, {}, "Extra search options (Qwen search_options, Grok mode)."),
    Setting("keys", dict, {}, 'TUI keys: action name = "key,key" (key_actions.py; F1 lists them).'),
    Setting("tools.safe", list, [], "Read-only tools that run without asking.", item=str),
    Setting("tools.allowed_dirs", list, [], "Folders the file tools may read.", item=str),
    Setting("tools.files", list, [], "Python files that define tools.", item=str),
    Setting("tools.modules", list, [], "Python modules that define tools.", item=str),
    Setting("tools.timeout", (int, float), 30.0, "Seconds a tool may run.", _between(0.1, 3600)),
    Setting("tools.max_rounds", int, 8, "Tool rounds per message.", _between(0, 100)),
    Setting(
        "compare.sets",
        list,
        [],
        'Saved compare sets, e.g. ["gpt-4o,claude-sonnet-4-5-20250929"] (the palette offers each).',
        _compare_sets_problem,
        item=str,
    ),
    # [timeouts] and [limits]: api/limits.py says why these defaults
    Setting("timeouts.connect", (int, float), 10.0, "Seconds to open a connection.", _between(0.1, 600)),
    Setting(
        "timeouts.first_byte", (int, float), 60.0, "Seconds from a request to its first byte.", _between(0.1, 3600)
    ),
    Setting(
        "timeouts.idle",
        (int, float),
        300.0,
        "Seconds without reply data (keep-alives do not count).",
        _between(0.1, 3600),
    ),
    Setting("timeouts.total", (int, float), 1800.0, "Seconds for one request, retries included.", _between(0.1, 86400)),
    Setting("limits.error_body", int, 2**20, "Bytes read of an error body.", _between(1024, 2**30)),
    Setting("limits.json_body", int, 64 * 2**20, "Bytes of a non-streamed reply.", _between(1024, 2**32)),
    Setting("limits.sse_event", int, 64 * 2**20, "Bytes of one stream event.", _between(1024, 2**32)),
    Setting("limits.reply_text", int, 8 * 2**20, "Characters of one reply's text.", _between(1024, 2**32)),
    Setting(
        "images.max_side",
        int,
        2048,
        "Attached images are scaled to this longest side in pixels (0: sent as they are).",
        _between(0, 100_000),
    ),
    Setting("mcp.servers", dict, {}, "MCP servers whose tools chatterm offers.", lambda v: _mcp_servers_problem(v)),
    Setting("prices", dict, {}, 'Price per million tokens: [prices."<model>"] input, output, cached_input.'),
    Setting("profiles", dict, {}, "Gateways by name: [profiles.<name>] tables (profiles.py checks them)."),
    Setting("presets", dict, {}, "Chat presets by name: [presets.<name>] tables (presets.py checks them)."),
)
_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(slots=True)
class Config:
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_env: str | None = None
    api_key_cmd: str | None = None
    api_key_keyring: str | None = None
    api_key_file: str | None = None
    model: str = DEFAULT_MODEL
    system_prompt: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
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
    keys: dict[str, str] = field(default_factory=dict)
    tools_safe: list[str] = field(default_factory=list)
    tools_allowed_dirs: list[str] = field(default_factory=list)
    tools_files: list[str] = field(default_factory=list)
    tools_modules: list[str] = field(default_factory=list)
    tools_timeout: float = 30.0
    tools_max_rounds: int = 8
    compare_sets: list[str] = field(default_factory=list)
    timeouts_connect: float = 10.0
    timeouts_first_byte: float = 60.0
    timeouts_idle: float = 300.0
    timeouts_total: float = 1800.0
    limits_error_body: int = 2**20
    limits_json_body: int = 64 * 2**20
    limits_sse_event: int = 64 * 2**20
    limits_reply_text: int = 8 * 2**20
    images_max_side: int = 2048
    mcp_servers: dict[str, Any] = field(default_factory=dict)
    prices: dict[str, Any] = field(default_factory=dict)
    """`[prices."<model>"]` tables, checked (`api/pricing.py`: `prices_from_table`)."""
    profiles: dict[str, Any] = field(default_factory=dict)
    presets: dict[str, Preset] = field(default_factory=dict)
    """Checked `[presets.<name>]` tables by name (presets.py)."""
    profile: str | None = None
    """The profile in use (`--profile`, `CHATTERM_PROFILE`, or the reopened chat's)."""
    top_level: dict[str, Any] = field(default_factory=dict, repr=False)
    """The top-level gateway's settings a profile replaced (`profiles.apply_profile`),
    so the TUI can switch back to that gateway; may hold its key, so never shown."""
    path: Path | None = None
    """The file these values came from (None: defaults only)."""
    key_source: str | None = None
    """Where the key came from (flag, env var name, config file) - never the key itself."""
    warnings: list[str] = field(default_factory=list)
    """Unknown keys and tables in the file, each naming the closest valid key: `ask`
    prints them on stderr, the TUI shows them as toasts at start."""

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("api_key", "top_level")}
        shown["api_key"] = "***" if self.api_key else None
        return f"Config({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def _attr(key: str) -> str:
    return key.replace(".", "_")


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
    from chatterm.config_check import check_data

    values, config.warnings = check_data(data, path, text)
    config.path = path
    for key, value in values.items():
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
    url_source: str | None = None
    """Where the base URL came from (a flag, a variable's name, the config file)."""


def resolve_connection(
    config: Config,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Connection:
    """Flags, then CHATTERM_*, then OPENAI_*, then the config file."""
    env = os.environ if env is None else env
    url, url_source = base_url, "--base-url"
    for name in ("CHATTERM_BASE_URL", "OPENAI_BASE_URL"):
        if not url and env.get(name):
            url, url_source = env[name], name
    if not url:
        url, url_source = config.base_url, f"base_url in {config.path or 'the config file'}"
    key, source = api_key, "--api-key" if api_key else None
    for name in ("CHATTERM_API_KEY", "OPENAI_API_KEY"):
        if not key and env.get(name):
            key, source = env[name], name
    if not key and config.api_key_env and env.get(config.api_key_env):
        key, source = env[config.api_key_env], config.api_key_env
    if not key:  # a command, the OS keyring or a file the config names (keys.py)
        from chatterm.keys import KeySourceError, stored_key

        try:
            key, source = stored_key(config.api_key_cmd, config.api_key_keyring, config.api_key_file) or (key, source)
        except KeySourceError as error:
            raise ConfigError(str(error)) from None
    if not key and config.api_key:
        key, source = config.api_key, config.key_source or "config file"
    return Connection(url.rstrip("/") if url else None, key, source, url_source if url else None)


def save_config_values(path: Path, values: Mapping[str, Any], remove: tuple[str, ...] = ()) -> None:
    """Set keys (dotted for tables) in the config file, keeping everything else as it
    was but the top-level keys in `remove`.

    Raises ValueError for a key the schema does not have or a value it would refuse on
    load, so the file written always loads again."""
    from chatterm.config_check import type_problem
    from chatterm.config_write import write_values

    for key, value in values.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            raise KeyError(f"unknown setting {key!r}")
        problem = type_problem(setting, value)
        if problem:
            raise ValueError(f"cannot save {problem}")
    write_values(path, values, remove)
