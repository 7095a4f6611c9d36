"""`chatterm history ...`: list, search, show, export, import and delete saved chats;
`stats`, use and cost per day (`history_stats.py`).

    add_history_parser(subparsers)   adds the `history` command and its subcommands (returned)
    run_history(args, store_path)    runs one; returns 0 ok, 1 error (message on stderr), 2 usage

Output is plain aligned text for people and JSON with `--json` for scripts. Search
matches are marked « » in pipes and shown bold in a terminal (no rich, no Textual:
this path must start fast). Ids may be given as any unambiguous prefix.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from chatterm.terminal_text import visible, visible_line

if TYPE_CHECKING:
    from chatterm.store import ChatStore
    from chatterm.store.search import SearchHit


def _role_name(role: str) -> str:
    """ "You", "Assistant", ...: the names the Markdown export uses."""
    from chatterm.store.export import ROLE_NAMES

    return ROLE_NAMES.get(role, role)


def _at_least_one(text: str) -> int:
    """`--limit N`: a whole number of at least 1 (argparse names the option)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def add_history_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `history` (with list/search/show/export/import/delete) to a subparsers object;
    returns the `history` parser so the caller can add its global options to it."""
    history: argparse.ArgumentParser = subparsers.add_parser(
        "history",
        help="list, search, show, export, import or delete saved chats; stats per day",
        description="Saved chats. IDs may be shortened to any unambiguous prefix.",
    )
    sub = history.add_subparsers(dest="history_command", metavar="COMMAND")

    p = sub.add_parser("list", help="chats, newest first")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=_at_least_one, default=50, metavar="N", help="at most N chats (50)")

    p = sub.add_parser("search", help="full-text search of prompts and replies")
    p.add_argument("query", metavar="QUERY", help="words to find (the last may be a prefix)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=_at_least_one, default=20, metavar="N", help="at most N hits (20)")

    p = sub.add_parser("show", help="print a chat's current branch")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print the JSON export")

    p = sub.add_parser("export", help="export a chat as Markdown or JSON")
    p.add_argument("id", metavar="ID")
    p.add_argument("--format", choices=("md", "json"), default="md", help="md (default) or json")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    p = sub.add_parser(
        "import",
        help="import a chat from a JSON export, or every chat of elia, oterm, ChatGPT or llm",
        description="Import a chatterm JSON export, or with --from every chat another app keeps "
        "(elia's database, oterm's store.db, a ChatGPT export's conversations.json, llm's logs.db). "
        "Importing the same file again adds only what is new.",
    )
    p.add_argument("file", metavar="FILE", help="a JSON export ('-' reads stdin), or the --from app's file")
    p.add_argument(
        "--from",
        dest="source_app",
        choices=("elia", "oterm", "chatgpt", "llm"),
        metavar="APP",
        help="read FILE as APP's history: elia, oterm, chatgpt or llm",
    )

    p = sub.add_parser("stats", help="chats, replies, tokens and cost per day")
    p.add_argument("--days", type=_at_least_one, default=30, metavar="N", help="the last N days, today included (30)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("delete", help="delete a chat and its messages")
    p.add_argument("id", metavar="ID")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")

    history.set_defaults(history_parser=history)
    return history


def run_history(args: argparse.Namespace, store_path: Path) -> int:
    """Run the parsed `history` subcommand against the store at `store_path`."""
    command = getattr(args, "history_command", None)
    if command is None:
        parser = getattr(args, "history_parser", None)
        if parser is not None:
            parser.print_usage(sys.stderr)
        print("chatterm history: choose a command: list, search, show, export, import, delete, stats", file=sys.stderr)
        return 2
    if command == "import" and getattr(args, "source_app", None):
        return _import_from(args, store_path)
    if command != "import" and not Path(store_path).expanduser().exists():
        # Reading commands never create a history file (nor its folders): a mistyped
        # --history path says so instead of leaving an empty database behind.
        return _no_history_file(command, args, Path(store_path).expanduser())
    from chatterm.store import ChatStore, StoreError  # here: the parser is built for every command
    from chatterm.store.db import is_read_only

    # Reading a history the user cannot write (a read-only file or folder) needs no
    # write: no WAL switch, no migration.
    read_only = command in _READING and is_read_only(Path(store_path).expanduser())
    try:
        with ChatStore(store_path, read_only=read_only) as store:
            handler = _COMMANDS[command]
            return handler(store, args)
    except StoreError as exc:
        print(f"chatterm: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # the reader went away (`| head`): cli.main ends quietly
    except OSError as exc:
        print(f"chatterm history {command}: {_os_error(exc)}", file=sys.stderr)
        return 1


def _os_error(exc: OSError) -> str:
    """ "cannot write out/x.md: No such file or directory" rather than "[Errno 2] ..."."""
    if exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc)


def _no_history_file(command: str, args: argparse.Namespace, path: Path) -> int:
    if command == "stats":
        from chatterm.history_stats import print_stats

        return print_stats(None, args, path)
    if command in ("list", "search"):
        if args.json:
            _print_json([])
        elif command == "list":
            print(f"No saved chats: there is no history file at {path} yet.")
        else:
            print(f"No messages match {args.query!r}: there is no history file at {path} yet.")
        return 0
    print(f"chatterm: No chat with id {args.id!r}: there is no history file at {path}", file=sys.stderr)
    return 1


# --- commands ------------------------------------------------------------------------


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _say(text: str) -> None:
    """Print saved text (replies, titles, model ids, errors) with control characters
    shown, not obeyed: history holds what a model or gateway sent, byte for byte."""
    print(visible(text))


def _marked(hit: SearchHit, open_mark: str, close_mark: str) -> str:
    """The hit's snippet on one line, its text made visible and the matches wrapped in
    the marks (which may be our own escape sequences: they are added after)."""
    out: list[str] = []
    position = 0
    for start, end in hit.highlights:
        out += [visible_line(hit.text[position:start]), open_mark, visible_line(hit.text[start:end]), close_mark]
        position = end
    out.append(visible_line(hit.text[position:]))
    return "".join(out)


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _list(store: ChatStore, args: argparse.Namespace) -> int:
    chats = store.list_chats(limit=args.limit)
    if args.json:
        _print_json([c.to_dict() for c in chats])
        return 0
    if not chats:
        print(f"No saved chats in {store.path}.")
        return 0
    rows = [
        (
            c.id[:8],
            _when(c.updated_at),
            str(c.message_count),
            _clip(visible_line(", ".join(c.models)), 28),
            visible_line(c.title),
        )
        for c in chats
    ]
    header = ("ID", "UPDATED", "MSGS", "MODELS", "TITLE")
    _print_table(header, rows, right={2})
    return 0


def _print_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], right: set[int]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        cells[-1] = row[-1]  # no padding after the last column
        _say("  ".join(cells).rstrip())


def _use_color(stream: IO[str]) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _search(store: ChatStore, args: argparse.Namespace) -> int:
    hits = store.search(args.query, limit=args.limit)
    if args.json:
        _print_json(
            [
                {
                    "chat_id": h.chat_id,
                    "message_id": h.message_id,
                    "title": h.title,
                    "role": h.role,
                    "model": h.model,
                    "created_at": h.created_at,
                    "snippet": h.snippet,
                    "text": h.text,
                    "highlights": [list(span) for span in h.highlights],
                    "rank": h.rank,
                }
                for h in hits
            ]
        )
        return 0
    if not hits:
        print(f"No messages match {args.query!r}.")
        return 0
    color = _use_color(sys.stdout)
    for h in hits:
        who = _role_name(h.role) + (f" · {h.model}" if h.model else "")
        print(f"{h.chat_id[:8]}  {_when(h.created_at)}  {visible_line(h.title)}  ({visible_line(who)})")
        snippet = _marked(h, "\x1b[1;33m", "\x1b[0m") if color else _marked(h, "«", "»")
        print(f"    {snippet}")
    return 0


def _show(store: ChatStore, args: argparse.Namespace) -> int:
    if args.json:
        _print_json(store.export_json(args.id))
        return 0
    from chatterm.engine.finish_reasons import cut_note
    from chatterm.engine.reply_figures import chat_totals, cost_text

    conv = store.load(args.id)
    _say(visible_line(conv.title or "Untitled chat"))
    header = f"{conv.id}  ·  {_when(conv.created_at)}  ·  {', '.join(conv.models) or conv.settings.model}"
    total = chat_totals(conv.messages).cost  # of the replies shown: the current branch
    _say(header if total is None else f"{header}  ·  cost {cost_text(total)}")
    if conv.settings.system_prompt:
        _say(f"\n[System]\n{conv.settings.system_prompt}")
    for m in conv.messages:
        label = _role_name(m.role)
        if m.role == "assistant" and m.model:
            label += f" · {m.model}"
        if m.role == "tool" and m.name:
            label += f" · {m.name}"
        if m.state != "ok":
            label += " (interrupted)" if m.state == "streaming" else f" ({m.state})"
        elif m.role == "tool" and m.tool_outcome != "done":
            label += f" ({m.tool_outcome})"
        elif m.role == "assistant" and (cut := cut_note(m.finish_reason)):
            label += f" ({cut})"
        _say(f"\n[{visible_line(label)}]")
        if m.reasoning:
            _say("(reasoning) " + m.reasoning.strip())
        if m.content:
            _say(m.content)
        for call in m.tool_calls:
            _say(f"-> {visible_line(call.name)}({visible_line(call.arguments)})")
        for c in m.citations:
            _say(f"   source: {visible_line(c.title) + ' ' if c.title else ''}<{visible_line(c.url)}>")
        if m.role == "assistant" and m.cost is not None:
            _say(f"   cost: {cost_text(m.cost)}")
        if m.error:
            _say(f"   error: {m.error}")
    return 0


def _export(store: ChatStore, args: argparse.Namespace) -> int:
    if args.format == "json":
        text = json.dumps(store.export_json(args.id), ensure_ascii=False, indent=2) + "\n"
    else:
        beside = Path(args.output).expanduser() if args.output and args.output != "-" else None
        text = store.export_markdown(args.id, beside)  # images are copied beside the file
    if args.output and args.output != "-":
        from chatterm.atomic_file import write_text_atomically

        target = Path(args.output).expanduser()
        try:  # a full disk leaves the file that was there, never half a new one
            write_text_atomically(target, text)
        except OSError as exc:
            print(f"chatterm history export: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"Exported to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _import(store: ChatStore, args: argparse.Namespace) -> int:
    source = "stdin" if args.file == "-" else args.file
    try:
        raw = _read_stdin_bytes() if args.file == "-" else Path(args.file).expanduser().read_bytes()
    except OSError as exc:
        print(f"chatterm history import: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        print(
            f"chatterm: {source} is not a chatterm JSON export (not UTF-8 text: byte "
            f"0x{raw[exc.start : exc.start + 1].hex()} at offset {exc.start})",
            file=sys.stderr,
        )
        return 1
    except json.JSONDecodeError as exc:
        print(f"chatterm: {source} is not JSON: {exc}", file=sys.stderr)
        return 1
    chat_id = store.import_json(data, source=source)
    print(chat_id)
    return 0


def _import_from(args: argparse.Namespace, store_path: Path) -> int:
    """`import --from APP FILE`: the file is checked before the history is opened, so a
    file of the wrong kind leaves no trace (not even a new, empty history)."""
    from chatterm.store import ChatStore, StoreError
    from chatterm.store.importers import open_source

    if args.file == "-":
        print(f"chatterm history import: --from {args.source_app} reads a file, not stdin", file=sys.stderr)
        return 2
    try:
        source = open_source(args.source_app, args.file)
        with ChatStore(store_path) as store:
            counts = source.into(store)
    except StoreError as exc:
        print(f"chatterm: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"chatterm history import: {_os_error(exc)}", file=sys.stderr)
        return 1
    print(counts.summary())
    for note in counts.notes:
        print(f"note: {visible_line(note)}", file=sys.stderr)
    return 0


def _read_stdin_bytes() -> bytes:
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")


def _delete(store: ChatStore, args: argparse.Namespace) -> int:
    chat_id = store.resolve_id(args.id)
    if not args.yes:
        if not sys.stdin.isatty():
            print("chatterm history delete: not a terminal; pass --yes to delete without asking", file=sys.stderr)
            return 2
        summary = store.summary(chat_id)
        answer = input(f"Delete {summary.title!r} ({chat_id[:8]}, {summary.message_count} messages)? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Not deleted.")
            return 0
    store.delete(chat_id)
    print(f"Deleted {chat_id}")
    return 0


def _stats(store: ChatStore, args: argparse.Namespace) -> int:
    from chatterm.history_stats import print_stats

    return print_stats(store, args, store.path)


_READING = ("list", "search", "show", "export", "stats")

_COMMANDS = {
    "list": _list,
    "search": _search,
    "show": _show,
    "export": _export,
    "import": _import,
    "delete": _delete,
    "stats": _stats,
}
