"""`chatterm profiles list|add|check`: the gateways named in the config.

`check` makes real requests (the models list, then a one-token reply) and says which
worked, so a new profile is proven before a chat depends on it. Key values are never
printed: only where each profile's key lives.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chatterm.process import EXIT_ERROR, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from chatterm.config import Config

KEY_FIELDS = ("api_key_cmd", "api_key_keyring", "api_key_file", "api_key_env", "api_key")


def add_profiles_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    profiles = sub.add_parser("profiles", help="list, add and check gateway profiles")
    actions = profiles.add_subparsers(dest="profiles_command", metavar="ACTION", required=True)
    actions.add_parser("list", help="the profiles in the config and where each one's key lives")
    add = actions.add_parser("add", help="add or update a profile (keys: `chatterm key set --profile NAME`)")
    add.add_argument("name")
    add.add_argument("--base-url", required=True, help="the gateway's base URL, e.g. https://openrouter.ai/api/v1")
    add.add_argument("--model", help="default model for new chats on this gateway")
    add.add_argument("--api-key-cmd", help='command that prints the key, e.g. "pass show openrouter"')
    add.add_argument("--api-key-file", help="file whose first line is the key")
    add.add_argument("--api-key-env", help="environment variable that holds the key")
    check = actions.add_parser("check", help="real requests: the models list, then a one-token reply")
    check.add_argument("name")
    return profiles


def key_place(values: dict[str, object]) -> str:
    """Where a profile's key lives, in words (never the key)."""
    for name in KEY_FIELDS:
        value = values.get(name)
        if value:
            return "plain api_key in the config file" if name == "api_key" else f"{name} = {value!r}"
    return "no key"


def run_profiles(args: argparse.Namespace, config: Config, config_path: Path) -> int:
    from chatterm.config import ConfigError

    try:
        if args.profiles_command == "list":
            return _list(config)
        if args.profiles_command == "add":
            return _add(args, config_path)
        return _check(args, config)
    except ConfigError as error:
        print(f"chatterm profiles: {error}", file=sys.stderr)
        return EXIT_USAGE


def _list(config: Config) -> int:
    from chatterm.profiles import chosen_profile, profile_names, profile_values
    from chatterm.terminal_text import visible_line

    names = profile_names(config)
    if not names:
        print("No profiles yet: chatterm profiles add NAME --base-url URL")
        return EXIT_OK
    active = chosen_profile(None)
    for name in names:
        values = profile_values(config, name)
        mark = "*" if name == active else " "
        line = f"{mark} {name}: {values.get('base_url', '(no base_url)')}  key: {key_place(values)}"
        if values.get("model"):
            line += f"  model: {values['model']}"
        print(visible_line(line))
    return EXIT_OK


def _add(args: argparse.Namespace, config_path: Path) -> int:
    from chatterm.profiles import save_profile_values

    values: dict[str, object] = {"base_url": args.base_url.rstrip("/")}
    for name in ("model", "api_key_cmd", "api_key_file", "api_key_env"):
        if getattr(args, name):
            values[name] = getattr(args, name)
    try:
        save_profile_values(config_path, args.name, values)
    except (ValueError, OSError) as error:
        print(f"chatterm profiles add: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Saved [profiles.{args.name}] in {config_path}.")
    if not any(name in values for name in KEY_FIELDS):
        print(f"Its key: chatterm key set --profile {args.name}   (or --api-key-cmd / --api-key-file)")
    return EXIT_OK


def _check(args: argparse.Namespace, config: Config) -> int:
    import asyncio

    from chatterm.process import build_context

    context = build_context(argparse.Namespace(profile=args.name), config, save_history=False)
    print(f"profile {args.name}: {context.connection.base_url or '(no base_url)'}")
    print(f"  key:    {context.connection.key_source or 'none'}")
    if not context.connection.base_url:
        print(f"  the profile has no base_url: chatterm profiles add {args.name} --base-url URL", file=sys.stderr)
        return EXIT_USAGE
    try:
        worked = asyncio.run(_requests(context))
    finally:
        context.close()
    return EXIT_OK if worked else EXIT_ERROR


async def _requests(context: object) -> bool:
    from chatterm.api.errors import ChatTermError
    from chatterm.api.request import ChatRequest
    from chatterm.context import AppContext
    from chatterm.terminal_text import visible_line

    assert isinstance(context, AppContext)

    def failed(error: ChatTermError) -> str:
        return visible_line(getattr(error, "detail", None) or str(error))

    ok = True
    try:
        try:
            models = await context.client.list_models()
        except ChatTermError as error:
            ok = False
            print(f"  models: failed: {failed(error)}")
        else:
            print(f"  models: ok, {len(models)} listed")
        model = context.config.model
        request = ChatRequest(
            model=model, messages=[{"role": "user", "content": "Reply with OK."}], max_tokens=1, stream=False
        )
        try:
            completion = await context.client.complete(request)
        except ChatTermError as error:
            ok = False
            print(f"  reply:  failed ({visible_line(model)}): {failed(error)}")
        else:
            print(f"  reply:  ok ({visible_line(completion.model or model)}): {visible_line(completion.content)!r}")
    finally:
        await context.aclose()
    return ok
