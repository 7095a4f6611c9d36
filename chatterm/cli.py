"""The `chatterm` command: the TUI by default, and `ask`, `models`, `history`, `demo-server`.

Nothing heavy is imported before the command is known: `chatterm --help` and
`chatterm ask` never import Textual; `chatterm` (the TUI) never imports rich's
Markdown renderer for `ask`.

Exit codes and `build_context` (what `ask` shares with the other commands) live in
`process.py`, so `ask.py` never imports this module back.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chatterm.process import (
    EXIT_BROKEN_PIPE,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    base_url_problem,
    build_context,
    gateway_problem,
    silence_stdout,
)

if TYPE_CHECKING:
    from chatterm.config import Config
    from chatterm.presets import Preset


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an int in [low, high], refused with the range in the message."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bounds} (got {value})")
        return value

    return parse


def _seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not (0 <= value < float("inf")):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds (got {text})")
    return value


def _positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, more than 0."""
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds (got 0)")
    return value


def _connection_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options every command takes; on subcommands they default to SUPPRESS so a value
    given before the subcommand is not overwritten by the subparser's default."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--model", "-m", default=default, help="model name (default: from config)")
    parser.add_argument("--base-url", default=default, help="gateway base URL, e.g. https://host/v1")
    parser.add_argument("--profile", default=default, help="gateway profile from the config (or $CHATTERM_PROFILE)")
    parser.add_argument(
        "--api-key", default=default, help="API key (visible in the process list: prefer --api-key-file or a keyring)"
    )
    parser.add_argument("--api-key-file", default=default, type=Path, help="file whose first line is the API key")
    parser.add_argument(
        "--demo",
        action="store_true",
        default=default if suppress else False,
        help="start the embedded demo gateway and use it (no key, no network)",
    )
    _file_options(parser, suppress=suppress)


def _file_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Where the config and the history live (every command but demo-server)."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", default=default, type=Path, help="config file path (or $CHATTERM_CONFIG)")
    parser.add_argument("--history", default=default, type=Path, help="history database path (or $CHATTERM_HISTORY)")
    parser.add_argument(
        "--mcp-config",
        default=default,
        type=Path,
        metavar="FILE",
        help="MCP servers: a Claude-Desktop mcpServers JSON file or a TOML file with [mcp.servers.*]",
    )


EPILOG = """examples:
  chatterm --demo                         the TUI on the built-in demo gateway (offline)
  chatterm -c                             reopen the last chat
  chatterm ask "Explain WAL in SQLite"    one answer on stdout
  git diff | chatterm ask "Review this" --model claude-sonnet-4-5-20250929
  chatterm ask --json --thinking --model deepseek-r1 "Is 1001 prime?"
  chatterm history search "sqlite"

The gateway comes from --base-url/--api-key(-file), then CHATTERM_BASE_URL/CHATTERM_API_KEY,
then OPENAI_BASE_URL/OPENAI_API_KEY, then the config file (api_key_env, api_key_cmd,
api_key_keyring from `chatterm key set`, api_key_file, api_key).
"""


def _where_files_live() -> str:
    """The default config and history paths for this user (platformdirs, no Textual)."""
    from chatterm.config import default_config_path
    from chatterm.store.paths import default_path as default_history_path

    return f"\nConfig file: {default_config_path()}\nHistory:     {default_history_path()}\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatterm",
        description="Chat with LLMs through an OpenAI-compatible gateway, in the terminal.",
        epilog=EPILOG + _where_files_live(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from chatterm import __version__

    parser.add_argument("--version", action="version", version=f"chatterm {__version__}")
    _connection_options(parser, suppress=False)
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="open the chat with [presets.NAME] from the config (the new chat, or the one -c/--chat reopens)",
    )
    reopen = parser.add_mutually_exclusive_group()
    reopen.add_argument("--continue", "-c", dest="continue_chat", action="store_true", help="reopen the last chat")
    reopen.add_argument("--chat", dest="chat_id", default=None, help="open a saved chat by id")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help="one-shot question for scripts and pipes")
    _connection_options(ask, suppress=True)
    ask.add_argument("prompt", nargs="*", help="the prompt; '-' or nothing reads stdin")
    ask.add_argument(
        "--preset",
        metavar="NAME",
        default=argparse.SUPPRESS,  # `chatterm --preset NAME ask ...` counts too
        help="start from [presets.NAME] in the config (flags given win over it)",
    )
    ask.add_argument("--system", "-s", help="system prompt")
    ask.add_argument("--temperature", "-t", type=float, help="sampling temperature (the model's default if unset)")
    ask.add_argument("--top-p", type=float, help="nucleus sampling: keep the top P of probability mass")
    ask.add_argument("--max-tokens", type=int, help="cap on the reply's length in tokens")
    ask.add_argument("--no-stream", action="store_true", help="ask for the whole reply at once")
    ask.add_argument(
        "--max-retries", type=_whole_number(0), metavar="N", help="retries for failed requests (0 disables)"
    )
    ask.add_argument(
        "--timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help="total deadline for each request, retries included (default: [timeouts] total)",
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object at the end")
    ask.add_argument(
        "--compare",
        metavar="MODEL,MODEL",
        help="send the prompt to 2-4 models at once (comma-separated); each reply under its model",
    )
    ask.add_argument("--thinking", action="store_true", help="turn on the model family's thinking")
    ask.add_argument("--search", action="store_true", help="turn on the model family's web search")
    structured = ask.add_mutually_exclusive_group()
    structured.add_argument("--schema", type=Path, help="JSON schema file for structured output")
    structured.add_argument("--json-object", action="store_true", help="ask for any JSON object")
    ask.add_argument(
        "--file",
        action="append",
        default=[],
        help="file path or URL: PDF, text, image (PNG/JPEG/WebP/GIF) or audio (WAV/MP3/M4A/FLAC/OGG); repeatable",
    )
    ask.add_argument(
        "--endpoint",
        choices=["chat", "responses", "auto"],
        help="chat (/chat/completions), responses (/responses), or auto: by model family",
    )
    ask.add_argument(
        "--save-images",
        metavar="DIR",
        help="save generated images in DIR (default: the current folder on a terminal, none in a pipe)",
    )
    ask.add_argument("--tools", help="offer tools: comma-separated names, or 'all'")
    ask.add_argument("--yes", "-y", action="store_true", help="approve every tool call")
    ask.add_argument(
        "--max-tool-rounds",
        type=_whole_number(0),
        metavar="N",
        help="tool rounds per answer; 0 returns the calls without running them",
    )
    resume = ask.add_mutually_exclusive_group()
    resume.add_argument("--continue", "-c", dest="continue_chat", action="store_true", help="continue the last chat")
    resume.add_argument("--chat", dest="chat_id", help="continue a saved chat by id")
    ask.add_argument("--no-save", action="store_true", help="do not save this exchange in history")
    ask.add_argument(
        "--require-save",
        action="store_true",
        help="exit 1 when the exchange could not be saved in history (it is always said on stderr)",
    )

    models = sub.add_parser("models", help="list the gateway's model ids")
    _connection_options(models, suppress=True)
    models.add_argument("--json", action="store_true")

    demo = sub.add_parser("demo-server", help="run the demo gateway standalone")
    demo.add_argument("--port", type=_whole_number(0, 65535), default=0, help="TCP port (0: a free one)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--token-delay", type=_seconds, default=0.01, help="seconds between streamed tokens")
    demo.add_argument("--no-responses", action="store_true", help="no /v1/responses route (404 there)")
    demo.add_argument("--no-json-schema", action="store_true", help="refuse json_schema formats like llama-cpp-python")
    demo.add_argument("--api-key", dest="required_key", help="accept only this key (401 otherwise)")

    serve = sub.add_parser("serve", help="the TUI in a browser (textual-serve), behind a random token")
    _connection_options(serve, suppress=True)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    serve.add_argument("--port", type=_whole_number(0, 65535), default=8000, help="TCP port (0: a free one)")
    serve.add_argument("--allow-remote", action="store_true", help="allow a --host other hosts can reach")

    from chatterm.key_cli import add_key_parser

    _file_options(add_key_parser(sub), suppress=True)
    from chatterm.profiles_cli import add_profiles_parser

    _file_options(add_profiles_parser(sub), suppress=True)
    from chatterm.history_cli import add_history_parser

    _file_options(add_history_parser(sub), suppress=True)
    from chatterm.tools_cli import add_tools_parser

    _file_options(add_tools_parser(sub), suppress=True)
    return parser


def _load_config(args: argparse.Namespace) -> Config:
    from chatterm.config import load_config

    config = load_config(getattr(args, "config", None))
    mcp_file = getattr(args, "mcp_config", None)
    if mcp_file is not None:
        from chatterm.config import ConfigError
        from chatterm.mcp_servers import McpConfigError, load_mcp_file

        try:
            config.mcp_servers = {**config.mcp_servers, **load_mcp_file(mcp_file)}
        except McpConfigError as error:
            raise ConfigError(f"--mcp-config {error}") from None
    return config


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from chatterm.config import ConfigError

    try:
        if args.command == "demo-server":
            from chatterm.demo.server import main as demo_main

            switches = [
                f"--{name}" for name in ("no-responses", "no-json-schema") if getattr(args, name.replace("-", "_"))
            ]
            if args.required_key is not None:
                switches += ["--api-key", args.required_key]
            return demo_main(
                ["--host", args.host, "--port", str(args.port), "--token-delay", str(args.token_delay), *switches]
            )
        if getattr(args, "api_key", None):
            print(
                "chatterm: warning: a key given with --api-key is visible to other users in the process list; "
                "prefer CHATTERM_API_KEY, --api-key-file or `chatterm key set`",
                file=sys.stderr,
            )
        if args.command == "key":
            from chatterm.config import default_config_path
            from chatterm.key_cli import run_key

            return run_key(args, getattr(args, "config", None) or default_config_path())
        if args.command == "serve":
            import os

            from chatterm.serve import run_serve

            if getattr(args, "api_key", None):  # to each tab's chatterm through the environment, not argv
                os.environ["CHATTERM_API_KEY"] = args.api_key
            return run_serve(args)
        if getattr(args, "preset", None) is not None and args.command not in (None, "ask"):
            print(f"chatterm: --preset is for the chat app and `ask`, not `{args.command}`", file=sys.stderr)
            return EXIT_USAGE
        config = _load_config(args)
        if args.command is not None:  # the TUI shows them as toasts
            for warning in config.warnings:
                print(f"chatterm: warning: {warning}", file=sys.stderr)
        if args.command == "ask" and args.compare is not None:
            from chatterm.ask_compare import run_compare

            return run_compare(args, config)
        if args.command == "ask":
            from chatterm.ask import run_ask

            return run_ask(args, config)
        if args.command == "models":
            return _run_models(args, config)
        if args.command == "tools":
            from chatterm.tools_cli import run_tools

            return run_tools(args, config)
        if args.command == "profiles":
            from chatterm.config import default_config_path
            from chatterm.profiles_cli import run_profiles

            return run_profiles(args, config, getattr(args, "config", None) or default_config_path())
        if args.command == "history":
            from chatterm.history_cli import run_history
            from chatterm.store.paths import default_path

            return run_history(args, getattr(args, "history", None) or default_path())
        return _run_tui(args, config)
    except ConfigError as error:
        print(f"chatterm: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return EXIT_BROKEN_PIPE


def _run_models(args: argparse.Namespace, config: Config) -> int:
    import asyncio
    import json

    from chatterm.api.errors import ChatTermError
    from chatterm.terminal_text import visible, visible_line

    context = build_context(args, config, save_history=False)
    problem = gateway_problem(context)
    if problem is not None:
        print(f"chatterm models: {problem}", file=sys.stderr)
        context.close()
        return EXIT_USAGE

    async def fetch() -> list[str]:
        try:
            return await context.client.list_models()
        finally:
            await context.aclose()

    try:
        models = asyncio.run(fetch())
    except ChatTermError as error:
        print(visible(getattr(error, "detail", None) or str(error)), file=sys.stderr)
        return EXIT_ERROR
    finally:
        context.close()
    if args.json:
        print(json.dumps(models))
    else:
        print("\n".join(visible_line(model) for model in models))  # the gateway's words: shown, not obeyed
    return EXIT_OK


def _tui_preset(args: argparse.Namespace, config: Config) -> Preset | None:
    """`--preset NAME`'s preset for the TUI; an unknown name is told (with the presets
    there are) before anything starts, as `ask --preset` tells it."""
    if args.preset is None:
        return None
    from chatterm.config import ConfigError, default_config_path
    from chatterm.presets import UnknownPresetError, find_preset

    try:
        return find_preset(config.presets, args.preset, config.path or default_config_path())
    except UnknownPresetError as error:
        raise ConfigError(f"--preset: {error.args[0]}") from None


def _run_tui(args: argparse.Namespace, config: Config) -> int:
    from chatterm.tui import gc_tuning

    gc_tuning.pause_for_startup()  # until the first frame (the app resumes it), see gc_tuning
    try:
        return _start_tui(args, config)
    finally:
        gc_tuning.resume()


def _start_tui(args: argparse.Namespace, config: Config) -> int:
    from chatterm.context import DEMO_TOKEN_DELAY_TUI

    preset = _tui_preset(args, config)
    context = build_context(args, config, demo_token_delay=DEMO_TOKEN_DELAY_TUI)
    problem = base_url_problem(context)
    if problem is not None:
        print(f"chatterm: {problem}", file=sys.stderr)
        context.close_demo()
        return EXIT_USAGE
    conversation = None
    if args.continue_chat or args.chat_id:
        store = context.open_store()
        if store is None:
            print(f"chatterm: {context.store_error or 'history is off'}", file=sys.stderr)
            return EXIT_ERROR
        from chatterm.store.errors import StoreError

        try:
            chat_id = args.chat_id or store.last_chat_id()
            if chat_id is None:
                print("chatterm: there is no saved chat to continue yet", file=sys.stderr)
                return EXIT_USAGE
            conversation = store.load(chat_id)
        except LookupError as error:
            print(f"chatterm: {error}", file=sys.stderr)
            return EXIT_USAGE
        except StoreError as error:  # a damaged page: said with the file's name, nothing written
            print(f"chatterm: {error}", file=sys.stderr)
            return EXIT_ERROR
    from chatterm.tui.app import ChatApp

    app = ChatApp(context, conversation=conversation, preset=preset)
    try:
        app.run()
    finally:
        context.close()
    return app.return_code or EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
