"""`history import --from chatgpt` on a big export: time, and peak memory, which must
stay near one conversation's size whatever the file's (the export is read item by
item and written 2,000 rows a commit).

    python benchmarks/history_import.py [--chats 5000] [--messages 20]

Writes a synthetic conversations.json (each message ~500 characters) in a temporary
folder, imports it into a new history, then imports it again (which must add nothing).
Reports the file size, both times and the process's peak RSS. Figures on a busy 2-core
machine (2026-12-05): 83 MB, 100,000 messages: ~20 s, again ~8 s, peak RSS 41 MB
(149 MB before the JSON reader stopped doubling its reads).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatterm.store import ChatStore
from chatterm.store.importers import open_source


def write_export(path: Path, chats: int, messages: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("[")
        for c in range(chats):
            mapping: dict[str, object] = {"root": {"id": "root", "message": None, "parent": None, "children": ["n0"]}}
            for i in range(messages):
                mapping[f"n{i}"] = {
                    "id": f"n{i}",
                    "parent": "root" if i == 0 else f"n{i - 1}",
                    "children": [f"n{i + 1}"] if i + 1 < messages else [],
                    "message": {
                        "id": f"n{i}",
                        "author": {"role": "user" if i % 2 == 0 else "assistant", "name": None, "metadata": {}},
                        "create_time": 1.7e9 + c * 100 + i,
                        "content": {
                            "content_type": "text",
                            "parts": [f"message {i} of chat {c} " + "lorem ipsum " * 40],
                        },
                        "status": "finished_successfully",
                        "metadata": {"model_slug": "gpt-4o"},
                        "recipient": "all",
                    },
                }
            f.write("," if c else "")
            conversation = {
                "title": f"chat {c}",
                "create_time": 1.7e9 + c * 100,
                "update_time": 1.7e9 + c * 100 + messages,
                "mapping": mapping,
                "current_node": f"n{messages - 1}",
                "conversation_id": f"conv-{c}",
            }
            json.dump(conversation, f)
        f.write("]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=20, help="messages per chat")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "conversations.json"
        write_export(export, args.chats, args.messages)
        print(f"conversations.json: {export.stat().st_size / 1e6:.1f} MB, {args.chats * args.messages:,} messages")
        for run in ("import", "again"):
            started = time.monotonic()
            with ChatStore(Path(folder) / "history.db") as store:
                counts = open_source("chatgpt", export).into(store)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"{run:>7}: {time.monotonic() - started:5.1f} s  peak RSS {peak} MB  {counts.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
