"""What every chatterm command shares as a process: exit codes, the services a
command runs on (`build_context`), and the quiet end after a closed stdout.

`cli.py` (argument parsing and dispatch) and `ask.py` (the one-shot command) both use
these; living here, neither imports the other back. Importing this module loads
nothing heavy: the context and the demo gateway load when `build_context` runs.

Exit status: 0 ok, 1 API or runtime error (the gateway table's message on stderr),
2 usage error, 130 after Ctrl-C, 141 when the reader of stdout went away (`| head`),
as for any command killed by SIGPIPE, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatterm.config import Config
    from chatterm.context import AppContext

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what `cmd | head` gives for any Unix tool


def silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the interpreter's final flush of
    what is still buffered cannot fail (and print "Exception ignored ...") again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def build_context(
    args: argparse.Namespace, config: Config, *, save_history: bool = True, demo_token_delay: float = 0.0
) -> AppContext:
    """The services for a command: demo gateway or the configured one."""
    from chatterm.config import DEFAULT_MODEL, Connection, resolve_connection
    from chatterm.context import DEMO_MODEL, AppContext

    demo = None
    if getattr(args, "demo", False):
        from chatterm.demo import DEMO_API_KEY, start_in_thread

        demo = start_in_thread(token_delay=demo_token_delay)
        # An explicit --api-key still goes to the demo gateway: `--demo --api-key bad-key`
        # is how a user sees the 401 path without a real gateway.
        api_key = getattr(args, "api_key", None) or DEMO_API_KEY
        connection = Connection(demo.base_url, api_key, "demo gateway")
    else:
        from chatterm.profiles import apply_profile, chosen_profile

        profile = getattr(args, "profile", None) or _remembered_profile(args) or chosen_profile(None)
        if profile:
            apply_profile(config, profile)
        api_key, key_file = getattr(args, "api_key", None), getattr(args, "api_key_file", None)
        if not api_key and key_file:
            from chatterm.config import ConfigError
            from chatterm.keys import KeySourceError, read_key_file

            try:
                api_key = read_key_file(key_file)
            except KeySourceError as error:
                raise ConfigError(f"--api-key-file: {error}") from None
        connection = resolve_connection(config, base_url=getattr(args, "base_url", None), api_key=api_key)
        if key_file and connection.key_source == "--api-key":
            connection.key_source = "--api-key-file"
    if getattr(args, "model", None):
        config.model = args.model
    elif demo is not None and config.model == DEFAULT_MODEL:
        config.model = DEMO_MODEL
    return AppContext(
        config,
        connection,
        history_path=getattr(args, "history", None),
        demo=demo,
        save_history=save_history,
    )


def _remembered_profile(args: argparse.Namespace) -> str | None:
    """The profile a reopened chat (`--continue`, `--chat ID`) was held on, so it goes
    back to its own gateway. Any trouble reading it is left to the chat's own load,
    which reports it."""
    if not (getattr(args, "continue_chat", False) or getattr(args, "chat_id", None)):
        return None
    from chatterm.store import ChatStore
    from chatterm.store.paths import default_path

    path = getattr(args, "history", None) or default_path()
    if not path.exists():
        return None
    try:
        store = ChatStore(path, read_only=True)
        try:
            chat_id = args.chat_id or store.last_chat_id()
            return store.settings(chat_id).profile if chat_id else None
        finally:
            store.close()
    except Exception:  # reported by the real load, with the file's name
        return None


NO_GATEWAY = (
    "no gateway configured: pass --base-url URL (and --api-key KEY), set CHATTERM_BASE_URL "
    "and CHATTERM_API_KEY, put base_url in the config file, or try --demo"
)


def gateway_problem(context: AppContext) -> str | None:
    """Why this command cannot talk to a gateway (None: it can)."""
    if context.demo is None and not context.connection.base_url:
        return NO_GATEWAY
    return base_url_problem(context)


def base_url_problem(context: AppContext) -> str | None:
    """A base URL that names no HTTP server, whichever source gave it, said with the
    source and the URL (None: usable, or none given). Checked at start, so a typo is
    not retried as if the gateway were down."""
    from chatterm.api.base_url import check_base_url
    from chatterm.terminal_text import visible_line

    connection = context.connection
    if context.demo is not None or not connection.base_url:
        return None
    problem = check_base_url(connection.base_url)
    if problem is None:
        return None
    return f"{connection.url_source or 'base URL'}: {problem} (got {visible_line(connection.base_url)!r})"
