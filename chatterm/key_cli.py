"""`chatterm key set`: put the gateway's key in the OS keyring and record in the config
only where it lives (`api_key_keyring = "<account>"`), never the key itself.

The key is read without echo (getpass) from the terminal, or from stdin with `--stdin`
(`pass show gateway | chatterm key set --stdin`), so it never sits in the shell history
or the process list.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_key_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    key = sub.add_parser("key", help="store the gateway's API key in the OS keyring")
    actions = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    put = actions.add_parser("set", help="read a key (no echo) and store it in the OS keyring")
    put.add_argument("--profile", help="the profile the key is for (default: the top-level gateway)")
    put.add_argument("--stdin", action="store_true", help="read the key from stdin instead of asking")
    return key


def _read_key(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        if not from_stdin:
            raise ValueError("stdin is not a terminal: pass --stdin to read the key from it")
        return sys.stdin.readline().strip()
    import getpass

    return getpass.getpass("API key (not shown): ").strip()


def run_key(args: argparse.Namespace, config_path: Path) -> int:
    from chatterm.config import ConfigError, load_config, save_config_values
    from chatterm.keys import DEFAULT_ACCOUNT, KEYRING_SERVICE, KeySourceError, keyring_set
    from chatterm.process import EXIT_ERROR, EXIT_OK, EXIT_USAGE

    try:
        key = _read_key(args.stdin)
    except ValueError as error:
        print(f"chatterm key set: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (EOFError, KeyboardInterrupt):
        print("chatterm key set: no key stored", file=sys.stderr)
        return EXIT_USAGE
    if not key:
        print("chatterm key set: the key is empty; nothing stored", file=sys.stderr)
        return EXIT_USAGE
    account = args.profile or DEFAULT_ACCOUNT
    try:
        keyring_set(account, key)
    except KeySourceError as error:
        print(f"chatterm key set: {error}", file=sys.stderr)
        return EXIT_ERROR
    config = load_config(config_path)
    field = "api_key_keyring" if not args.profile else f"profiles.{args.profile}.api_key_keyring"
    try:
        if args.profile:
            from chatterm.profiles import save_profile_values

            save_profile_values(config_path, args.profile, {"api_key_keyring": account})
        else:
            save_config_values(config_path, {"api_key_keyring": account})
    except (ConfigError, OSError, ValueError) as error:
        print(f"chatterm key set: stored in the keyring, but the config could not be updated: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(
        f"Stored the key in the OS keyring as {KEYRING_SERVICE}/{account}; {config_path} now says {field} = {account!r}."
    )
    if config.api_key and not args.profile:
        print(f"Note: {config_path} still holds a plain api_key, which the keyring's key now overrides; remove it.")
    return EXIT_OK
