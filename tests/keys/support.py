"""What the key tests share: a demo gateway that answers only with one key, and a search
of the files a run left for that key."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from chatterm.demo import DemoGateway


@asynccontextmanager
async def gateway_requiring(key: str) -> AsyncIterator[DemoGateway]:
    demo = DemoGateway(required_key=key)
    await demo.start()
    try:
        yield demo
    finally:
        await demo.stop()


def files_holding(key: str, *roots: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every file under `roots` (but those in `skip`) whose bytes hold `key`."""
    found = []
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                if path not in skip and key.encode() in path.read_bytes():
                    found.append(path)
    return found
