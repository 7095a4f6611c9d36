"""`AppContext`: the services a front end needs, built once from config and flags.

The TUI and `ask` receive one of these instead of building clients, stores and tool
registries themselves (the app factory pattern: tests build the real thing against
the demo gateway with `AppContext.for_tests`). Everything is created on first use, so
start-up pays only for reading the config file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatterm.api.pricing import prices_from_table
from chatterm.atomic_file import write_text_atomically
from chatterm.config import DEFAULT_MODEL, Config, Connection, data_dir, default_config_path, save_config_values
from chatterm.engine.conversation import ChatSettings, Conversation

if TYPE_CHECKING:
    from chatterm.api.client import ChatClient
    from chatterm.api.gateway_check import GatewayCheck
    from chatterm.api.limits import Deadlines, Limits
    from chatterm.demo import DemoGateway
    from chatterm.engine.session import ApprovalCallback, ChatSession, EngineOptions
    from chatterm.gateways import Gateway
    from chatterm.mcp.manager import McpManager
    from chatterm.media.blobs import BlobStore
    from chatterm.store import ChatStore
    from chatterm.store.writer import HistoryWriter
    from chatterm.tools import ToolRegistry


DEMO_MODEL = "glm-5"
"""The demo gateway's default model: its family thinks, searches and calls tools."""
DEMO_TOKEN_DELAY_TUI = 0.012
"""The TUI's demo gateway writes ~80 tokens/s so a newcomer sees a reply stream; `ask`
and `models` get replies at full speed."""


def default_history_path() -> Path:
    """`$CHATTERM_HISTORY`, else `<user data dir>/chatterm/history.db` (the store's rule)."""
    from chatterm.store.paths import default_path

    return default_path()


def engine_options(config: Config, **overrides: Any) -> EngineOptions:
    """Engine options from the config file; flags override."""
    from chatterm.engine.session import EngineOptions  # the engine loads after the TUI's first frame

    options = EngineOptions(
        max_tool_rounds=config.tools_max_rounds,
        tool_timeout=float(config.tools_timeout),
        safe_tools=frozenset(config.tools_safe),
        thinking_budget=config.thinking_budget,
        thinking_level=config.thinking_level,
        search_options=dict(config.search_options) or None,
        endpoint=config.endpoint,  # type: ignore[arg-type]
        image_max_side=config.images_max_side,
        prices=prices_from_table(config.prices),
    )
    for key, value in overrides.items():
        if value is not None:
            setattr(options, key, value)
    return options


def build_tools(config: Config, key: str | None = None) -> tuple[ToolRegistry, list[str]]:
    """The built-in tools plus the user's; returns the registry and load errors.

    The API key's variables leave the environment first (`tools/environment.py`), before
    a user's tool module runs any code, so no tool and nothing a tool starts can read it."""
    from chatterm.gateways import key_variables
    from chatterm.tools import builtin_registry, load_user_tools
    from chatterm.tools.environment import hide_api_keys

    hide_api_keys(key_variables(config), key)  # every gateway's variable, not only this one's
    registry = builtin_registry(allowed_dirs=[Path(d).expanduser() for d in config.tools_allowed_dirs])
    for built_in in registry:
        built_in.source = "builtin"
        built_in.read_only = built_in.safe  # a built-in is marked safe because it only reads
    errors = load_user_tools(registry, files=config.tools_files, modules=config.tools_modules)
    for loaded in registry:
        loaded.source = loaded.source or "user"
    mcp_prefixes = tuple(f"{server}__" for server in config.mcp_servers)
    for name in config.tools_safe:  # only built-in read-only tools may skip the question
        tool = registry.get(name)
        if tool is None and name.startswith(mcp_prefixes or ("\0",)):
            continue  # an MCP server's tool: its server lists it once it has started
        if tool is None:
            errors.append(f"config [tools] safe: no tool named {name!r}")
        elif not tool.safe:
            errors.append(
                f"config [tools] safe: {name!r} is not a built-in read-only tool, so it still asks "
                "before it runs (a tool module can mark its own tools @tool(safe=True))"
            )
    return registry, errors


def client_bounds(config: Config) -> tuple[Limits, Deadlines]:
    """`[limits]` and `[timeouts]` for the client. The older top-level `connect_timeout` and
    `read_timeout` still count where the `[timeouts]` key is left at its default, so a
    file written for an older chatterm keeps its meaning."""
    from chatterm.api.limits import Deadlines, Limits

    fresh = Config()
    connect, first_byte, idle = config.timeouts_connect, config.timeouts_first_byte, config.timeouts_idle
    if connect == fresh.timeouts_connect and config.connect_timeout != fresh.connect_timeout:
        connect = config.connect_timeout
    if config.read_timeout != fresh.read_timeout:
        first_byte = config.read_timeout if first_byte == fresh.timeouts_first_byte else first_byte
        idle = config.read_timeout if idle == fresh.timeouts_idle else idle
    deadlines = Deadlines(
        connect=float(connect), first_byte=float(first_byte), idle=float(idle), total=float(config.timeouts_total)
    )
    limits = Limits(
        error_body=config.limits_error_body,
        json_body=config.limits_json_body,
        sse_event=config.limits_sse_event,
        reply_text=config.limits_reply_text,
    )
    return limits, deadlines


class AppContext:
    def __init__(
        self,
        config: Config,
        connection: Connection,
        *,
        config_path: Path | None = None,
        history_path: Path | None = None,
        cache_path: Path | None = None,
        demo: DemoGateway | None = None,
        save_history: bool = True,
    ) -> None:
        self.config = config
        self.connection = connection
        self.config_path = config_path or config.path or default_config_path()
        self.history_path = history_path or default_history_path()
        self.cache_path = cache_path or data_dir() / "models.json"
        self.demo = demo
        self.save_history = save_history
        self.tool_errors: list[str] = []
        self.store_error: Exception | None = None
        self.save_problem: str | None = None
        """Why the last `finish_saving` could not save everything."""
        self._client: ChatClient | None = None
        """The client of the gateway chats talk to now (`config.profile`'s)."""
        self._connections: dict[str | None, Connection] = {config.profile: connection}
        """Each gateway's connection once known, by profile (None: the top level)."""
        self._idle_clients: dict[str | None, ChatClient] = {}
        """Clients of the other gateways (their models were listed, or a chat left them)."""
        from chatterm.gateways import key_variables

        self._key_env = {name: os.environ[name] for name in key_variables(config) if name and name in os.environ}
        """The `api_key_env` variables' values, read before the tools hide them."""
        self._cached_windows: tuple[str | None, dict[str, int]] | None = None
        """The model cache's context windows, read once per gateway."""
        self._tools: ToolRegistry | None = None
        self._store: ChatStore | None = None
        self._recorder: HistoryWriter | None = None
        self.mcp: McpManager | None = None
        """The MCP servers, started in the background with the tools (None: none configured)."""
        self.use_mcp = True
        """False: the MCP servers are not started (`ask` without `--tools` offers none)."""

    # --- services, built on first use ---------------------------------------------------

    @property
    def needs_setup(self) -> bool:
        """No gateway to talk to yet: the TUI shows its first-run dialog. A base URL
        given without a key is a choice too (a local server that takes none): it is
        used as it is, and a server that wants a key says so on the first reply."""
        return self.demo is None and not self.connection.base_url

    @property
    def client(self) -> ChatClient:
        if self._client is None:
            self._client = self._new_client(self.connection, self.config.profile)
        return self._client

    def _new_client(self, connection: Connection, profile: str | None) -> ChatClient:
        from chatterm.api.client import ChatClient

        if not connection.base_url:
            from chatterm.api.errors import ChatTermError

            raise ChatTermError("No gateway configured: pass --base-url, set CHATTERM_BASE_URL, or use --demo.")
        limits, deadlines = client_bounds(self.config)
        client = ChatClient(
            connection.base_url,
            connection.api_key,
            max_retries=self.config.max_retries,
            limits=limits,
            deadlines=deadlines,
        )
        if profile:  # start from what earlier runs learned about this gateway
            from chatterm.api.server_quirks import ServerQuirks
            from chatterm.profiles import learned_quirks

            client.remember(ServerQuirks.from_dict(learned_quirks(self.config, profile)))
        return client

    @property
    def tools(self) -> ToolRegistry:
        if self._tools is None:
            self._tools, self.tool_errors = build_tools(self.config, self.connection.api_key)
            self._start_mcp(self._tools)
        return self._tools

    def _start_mcp(self, registry: ToolRegistry) -> None:
        """The configured MCP servers start in the background; their tools join `registry`
        as each is ready. With none configured the SDK is never imported."""
        if not self.config.mcp_servers or not self.use_mcp:
            return
        from chatterm.mcp.manager import McpManager
        from chatterm.mcp_servers import McpConfigError, specs_from

        try:
            specs = specs_from(self.config.mcp_servers)
        except McpConfigError as error:
            self.tool_errors.append(f"config [mcp.servers]: {error}")
            return
        self.mcp = McpManager(specs, registry, self.history_path.parent / "mcp-logs")
        self.mcp.start()

    def wait_for_tools(self, timeout: float = 30.0) -> list[str]:
        """`ask` and `tools`: wait (at most `timeout` s) until every MCP server is ready or
        failed, so their tools can be offered; returns the failures to tell."""
        _ = self.tools  # builds the registry and starts the servers
        if self.mcp is None:
            return []
        self.mcp.wait_ready(timeout)
        return self.mcp.reports()

    def open_store(self) -> ChatStore | None:
        """The history store, or None when history is off or the file is unusable
        (then `store_error` says why; the file is left as it was)."""
        if not self.save_history:
            return None
        if self._store is None and self.store_error is None:
            from chatterm.store import ChatStore, StoreError

            try:
                self._store = ChatStore(self.history_path)
            except StoreError as error:
                self.store_error = error
        return self._store

    def open_recorder(self) -> HistoryWriter | None:
        """What sessions save through: the store's writes from a queue, so a reply never
        waits for the disk or for another process's lock (None when history is off)."""
        if self._recorder is None and self.open_store() is not None:
            from chatterm.store import StoreError
            from chatterm.store.writer import HistoryWriter

            try:
                self._recorder = HistoryWriter(self.history_path)
            except StoreError as error:
                self.store_error = error
            else:
                if self._store is not None:
                    self._store.settle = self._recorder.settle
        return self._recorder

    def finish_saving(self, wait: float | None = None, on_wait: Callable[[], object] | None = None) -> bool:
        """Write what the sessions queued (waiting up to `wait` s, default the
        writer's `save_wait()`; `on_wait` is called once if that takes over a second)
        and close the writer. Whether everything was saved; `save_problem` says why not."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return True
        if self._store is not None:
            self._store.settle = None
        from chatterm.store.writer import save_wait

        wait = save_wait() if wait is None else wait
        if on_wait is not None and wait > 1 and not recorder.wait_saved(1.0):
            on_wait()
        saved = recorder.close(wait)
        if not saved:
            self.save_problem = recorder.problem(wait)
        return saved

    def start_fresh_store(self) -> HistoryWriter | None:
        """After a damaged-file report: keep the damaged file beside, start a new one.
        Another application's SQLite file is never renamed (ForeignStoreError)."""
        from chatterm.store import ChatStore
        from chatterm.store.db import refuse_foreign

        if self.history_path.exists():
            refuse_foreign(self.history_path)
            ChatStore.quarantine(self.history_path)
        self.store_error = None
        self._store = None
        self._recorder = None
        return self.open_recorder()

    def new_conversation(self) -> Conversation:
        config = self.config
        settings = ChatSettings(
            model=config.model,
            stream=config.stream,
            system_prompt=config.system_prompt or None,
            temperature=None if config.temperature is None else float(config.temperature),
            top_p=None if config.top_p is None else float(config.top_p),
            max_tokens=config.max_tokens,
            profile=config.profile,
        )
        if self.demo is not None and self.config.model == DEMO_MODEL:
            # A newcomer's first chat shows what chatterm does: thinking and cited sources.
            settings.thinking = settings.search = True
        return Conversation(settings=settings)

    def make_session(
        self,
        conversation: Conversation | None = None,
        *,
        approve: ApprovalCallback | None = None,
        **options: Any,
    ) -> ChatSession:
        from chatterm.engine.session import ChatSession

        return ChatSession(
            self.client,
            conversation or self.new_conversation(),
            tools=self.tools,
            approve=approve,
            recorder=self.open_recorder(),
            options=engine_options(self.config, **({"context_window": self.context_window} | options)),
            blobs=self.blobs,
        )

    @property
    def blobs(self) -> BlobStore:
        """Where generated images are kept: beside the history file, one file per image."""
        from chatterm.media.blobs import BlobStore, images_dir

        return BlobStore(images_dir(self.history_path))

    # --- models -------------------------------------------------------------------------

    def catalogue_groups(self) -> dict[str, list[str]]:
        from chatterm.api.catalogue import known_models

        return known_models()

    def _model_cache(self) -> dict[str, Any]:
        """The cached model list of this gateway ({} for another gateway's or none)."""
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("base_url") != self.connection.base_url:
            return {}
        return data

    def cached_models(self) -> list[str]:
        models = self._model_cache().get("models")
        return [m for m in models if isinstance(m, str)] if isinstance(models, list) else []

    def context_window(self, model: str) -> int | None:
        """`model`'s context window: what this gateway's model list said (this run's, or
        the cached one), else the catalogue's published figure, else None."""
        from chatterm.api.context_window import listed_windows, window_for

        listed = self._client.context_windows if self._client is not None else {}
        if not listed:
            if self._cached_windows is None or self._cached_windows[0] != self.connection.base_url:
                cached = self._model_cache().get("context_windows")
                entries = cached.items() if isinstance(cached, dict) else ()
                windows = listed_windows({"id": name, "context_length": n} for name, n in entries)
                self._cached_windows = (self.connection.base_url, windows)
            listed = self._cached_windows[1]
        return window_for(model, listed)

    async def refresh_models(self) -> list[str]:
        models = await self.client.list_models()
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            cache: dict[str, Any] = {"base_url": self.connection.base_url, "models": models}
            if self.client.context_windows:
                cache["context_windows"] = self.client.context_windows
            write_text_atomically(self.cache_path, json.dumps(cache))
        except OSError:
            pass  # a cache that cannot be written only costs a fetch next time
        return models

    async def check_gateway(self) -> GatewayCheck:
        """One short `GET /models`: reachable, key refused or unreachable (never raises).
        The list it fetches is the model cache's refresh, so the picker opened after start
        shows the gateway's current list without asking for it again."""
        from chatterm.api.gateway_check import check_gateway

        return await check_gateway(self.refresh_models)

    # --- gateways (the top level and each profile) ------------------------------------

    @property
    def gateways(self) -> list[Gateway]:
        """Every configured gateway (none on the demo gateway): the TUI switches between
        them when there is more than one."""
        if self.demo is not None:
            return []
        from chatterm.gateways import configured_gateways

        return configured_gateways(self.config, self._connections.get(None))

    def gateway_connection(self, profile: str | None) -> Connection:
        """`profile`'s connection: the one chatterm started with for its own gateway,
        else from that gateway's own settings (`gateways.own_connection`; it may run a
        key command, so the TUI asks `prepare_gateway` first). ConfigError if unusable."""
        known = self._connections.get(profile)
        if known is None:
            from chatterm.gateways import own_connection

            known = self._connections[profile] = own_connection(self.config, profile, self._key_env)
        return known

    async def prepare_gateway(self, profile: str | None) -> Connection:
        """`gateway_connection` in a worker thread (a key command may wait for a passphrase)."""
        if profile in self._connections:
            return self._connections[profile]
        import asyncio

        return await asyncio.to_thread(self.gateway_connection, profile)

    async def gateway_models(self, profile: str | None) -> list[str]:
        """A gateway's `/v1/models`, asked with its own key (the picker lists each)."""
        if profile == self.config.profile:
            return await self.refresh_models()
        await self.prepare_gateway(profile)
        client = self._idle_clients.get(profile)
        if client is None:
            client = self._idle_clients[profile] = self._new_client(self.gateway_connection(profile), profile)
        return await client.list_models()

    def use_gateway(self, profile: str | None) -> None:
        """Chats talk to `profile`'s gateway from now on (its client, its key, its
        model, favourites and quirks); the gateway left keeps its client for later.
        ConfigError when that gateway cannot be used (nothing changes then)."""
        if profile == self.config.profile:
            return
        from chatterm.profiles import apply_profile, restore_top_level

        connection = self.gateway_connection(profile)
        if self._client is not None:
            self._idle_clients[self.config.profile] = self._client
        self._client = self._idle_clients.pop(profile, None)
        restore_top_level(self.config)
        if profile is not None:
            apply_profile(self.config, profile)
        self.connection = connection

    def remember_model(self, model: str) -> None:
        """The model picked becomes the default of the gateway in use: the profile's
        `model`, or the top-level one."""
        if self.config.profile is None:
            self.save_config(model=model)
            return
        from chatterm.profiles import save_profile_values

        save_profile_values(self.config_path, self.config.profile, {"model": model})
        self.config.profiles.setdefault(self.config.profile, {})["model"] = model
        self.config.model = model

    # --- setup --------------------------------------------------------------------------

    def save_config(self, **values: Any) -> None:
        save_config_values(self.config_path, values)
        for key, value in values.items():
            setattr(self.config, key, value)

    async def apply_setup(self, base_url: str, api_key: str, *, in_keyring: bool = False) -> str:
        """First run: save the gateway in the config file (mode 0600) and use it. The key
        goes into the OS keyring when `in_keyring` (the file then names only its account,
        and loses a plain `api_key` it held), else into the file. Returns where the key
        went, in words; KeySourceError when the keyring refused it (nothing saved then)."""
        if in_keyring:
            from chatterm.keys import DEFAULT_ACCOUNT, KEYRING_SERVICE, keyring_set

            keyring_set(DEFAULT_ACCOUNT, api_key)
            values = {"base_url": base_url, "api_key_keyring": DEFAULT_ACCOUNT}
            save_config_values(self.config_path, values, remove=("api_key",))
            self.config.base_url, self.config.api_key_keyring, self.config.api_key = base_url, DEFAULT_ACCOUNT, None
            where = f"the OS keyring ({KEYRING_SERVICE}/{DEFAULT_ACCOUNT}); {self.config_path} names only where it is"
        else:
            self.save_config(base_url=base_url, api_key=api_key)
            where = f"{self.config_path}, readable only by you (`chatterm key set` moves it to a keyring)"
        await self._replace_client()
        self.connection = Connection(base_url.rstrip("/"), api_key, f"config file {self.config_path}")
        self._connections[self.config.profile] = self.connection
        return where

    async def start_demo(self) -> None:
        from chatterm.demo import DEMO_API_KEY, start_in_thread

        if self.demo is None:
            self.demo = start_in_thread(token_delay=DEMO_TOKEN_DELAY_TUI)
        if self.config.model == DEFAULT_MODEL:
            self.config.model = DEMO_MODEL
        await self._replace_client()
        self.connection = Connection(self.demo.base_url, DEMO_API_KEY, "demo gateway")

    async def _replace_client(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def aclose(self) -> None:
        self._keep_quirks()
        await self._replace_client()
        idle, self._idle_clients = self._idle_clients, {}
        for client in idle.values():
            await client.aclose()
        self.finish_saving()
        if self._store is not None:
            self._store.close()
            self._store = None

    def close(self) -> None:
        """At the end of a command or the app: the demo gateway and every MCP server
        (their processes included) stop."""
        if self.mcp is not None:
            self.mcp.stop()
            self.mcp = None
        self.close_demo()

    def _keep_quirks(self) -> None:
        """A profile keeps what its client learned about its gateway (refused fields, no
        `/v1/responses`, weaker structured output), so the next run does not fail first.
        Best effort: a config that cannot be written only loses the shortcut."""
        if self.demo is not None:
            return
        from chatterm.profiles import QUIRKS, learned_quirks, save_profile_values

        clients = {**self._idle_clients, self.config.profile: self._client}
        for profile, client in clients.items():
            if client is None or not profile:
                continue
            learned = client.quirks.to_dict()
            if learned and learned != learned_quirks(self.config, profile):
                try:
                    save_profile_values(self.config_path, profile, {QUIRKS: learned})
                except (OSError, ValueError):
                    continue
                self.config.profiles.setdefault(profile, {})[QUIRKS] = learned

    def close_demo(self) -> None:
        if self.demo is not None:
            self.demo.stop_thread()
            self.demo = None

    @classmethod
    def for_tests(cls, base_url: str, tmp_path: Path, **config_values: Any) -> AppContext:
        """A context on a running demo gateway with config, history and cache in tmp_path."""
        from chatterm.demo import DEMO_API_KEY

        config = Config(**config_values)
        return cls(
            config,
            Connection(base_url, DEMO_API_KEY, "demo gateway"),
            config_path=tmp_path / "config.toml",
            history_path=tmp_path / "history.db",
            cache_path=tmp_path / "models.json",
        )
