"""What a hostile server costs the client, with the default settings.

    .venv/bin/python benchmarks/api_bounds.py [bomb|silent|trickle|all] [--cap SECONDS] [--mem-limit GB]

    bomb     a 2 MB gzip body that inflates to 2 GB of zeros, sent three ways (as an SSE
             stream, as a JSON reply, as a 500's error body); each in a fresh process,
             whose peak RSS (`ru_maxrss`) is reported
    silent   a server that accepts the request and never answers: seconds to the error
    trickle  a server that answers 200 and then sends `: keep-alive` once a second,
             forever: seconds to the error

Only `ChatClient`'s defaults are used, so the same script measures an older checkout
(`PYTHONPATH=<checkout>:<site-packages> python -S benchmarks/api_bounds.py`: `-S` keeps
an editable install from putting this checkout first). `--cap` stops a run that
never ends (reported as "no error after N s"); `--mem-limit` bounds each bomb process's
address space, so an unbounded client fails with MemoryError instead of taking the
machine. The server always runs in its own process: its memory is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import subprocess
import sys
import time
import zlib
from pathlib import Path

if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BOMB_ZEROS = 2 * 1024**3


def gzip_bomb(zeros: int = BOMB_ZEROS) -> bytes:
    """`zeros` zero bytes, gzipped by streaming (never held inflated)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(zeros // len(block))]
    parts.append(packer.flush())
    return b"".join(parts)


def _serve(kind: str, port_out: multiprocessing.Queue[int]) -> None:  # type: ignore[type-arg]
    body = gzip_bomb() if kind.startswith("bomb") else b""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                ),
                0,
            )
            await reader.readexactly(length)
            if kind == "silent":
                await asyncio.sleep(3600)
            elif kind == "trickle":
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                )
                while True:
                    piece = b": keep-alive\n\n"
                    writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    await writer.drain()
                    await asyncio.sleep(1.0)
            else:
                status, ctype = {
                    "bomb-sse": (b"200 OK", b"text/event-stream"),
                    "bomb-json": (b"200 OK", b"application/json"),
                    "bomb-error": (b"500 Internal Server Error", b"application/json"),
                }[kind]
                writer.write(
                    b"HTTP/1.1 %s\r\ncontent-type: %s\r\ncontent-encoding: gzip\r\ncontent-length: %d\r\n\r\n"
                    % (status, ctype, len(body))
                )
                writer.write(body)
                await writer.drain()
                await reader.read()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_out.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


async def _ask(base_url: str, cap: float) -> tuple[float, str]:
    from chatterm.api import ChatClient, ChatRequest

    started = time.perf_counter()
    outcome = ""
    async with ChatClient(base_url, "sk-bench") as client:
        try:
            async with asyncio.timeout(cap):
                async for _ in client.stream(ChatRequest("gpt-4o", [{"role": "user", "content": "hi"}])):
                    pass
            outcome = "no error (the reply ended)"
        except TimeoutError:
            outcome = f"no error after {cap:g} s (stopped by --cap)"
        except MemoryError:
            outcome = "MemoryError"
        except Exception as error:
            outcome = f"{type(error).__name__}: {error}"
    return time.perf_counter() - started, outcome


def _with_server(kind: str, cap: float, mem_limit_gb: float = 0.0) -> tuple[float, str]:
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=_serve, args=(kind, ports), daemon=True)
    server.start()
    try:
        port = ports.get(timeout=120)
        if mem_limit_gb:  # the client's address space only (the server started first)
            limit = int(mem_limit_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        return asyncio.run(_ask(f"http://127.0.0.1:{port}/v1", cap))
    finally:
        server.terminate()
        server.join()


def _child(kind: str, cap: float, mem_limit_gb: float) -> int:
    """One bomb run in this (fresh) process; prints peak RSS."""
    import httpx  # noqa: F401 - loaded before the baseline, as a running app has it

    import chatterm.api.client  # noqa: F401

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, outcome = _with_server(kind, cap, mem_limit_gb)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{kind:10}  peak RSS {peak:7.0f} MB (at start {before:.0f} MB)  {seconds:6.1f} s  {outcome[:150]}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all", choices=("bomb", "silent", "trickle", "all"))
    parser.add_argument("--cap", type=float, default=900.0, help="stop a run after this many seconds")
    parser.add_argument("--mem-limit", type=float, default=8.0, help="GB of address space per bomb process")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.child, args.cap, args.mem_limit)
    if args.what in ("bomb", "all"):
        for kind in ("bomb-sse", "bomb-json", "bomb-error"):
            flags = ["-S"] if sys.flags.no_site else []
            command = [sys.executable, *flags, __file__, "--child", kind, "--cap", str(args.cap)]
            subprocess.run([*command, "--mem-limit", str(args.mem_limit)], check=False)
    for kind in ("silent", "trickle"):
        if args.what in (kind, "all"):
            seconds, outcome = _with_server(kind, args.cap)
            print(f"{kind:10}  time to error {seconds:6.1f} s  {outcome[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
