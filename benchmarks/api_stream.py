"""How fast the API layer consumes a long stream, against raw httpx line reading.

    .venv/bin/python benchmarks/api_stream.py [--tokens 20000] [--runs 5] [--gateway process|thread]
                                              [--token-delay SECONDS]

The demo gateway streams `!tokens=N` (one chat.completion.chunk per token, unpaced). The
same stream is read two ways:

    api   ChatClient.stream(): SSE decoding, JSON, the chunk parser, typed events
    raw   httpx `aiter_lines()` on the same request: the floor any client pays

For each: wall-clock tokens/s and CPU microseconds per token (`time.process_time`), the
median of `--runs` alternating runs after one warm-up each, and the api/raw CPU ratio.
Target: >= 100,000 tokens/s for the API layer (docs/architecture.md says what its one
remaining fast path buys). The CPU ratio and the CPU ceiling (1 / CPU per token: what one
free core would give) are shown for reading the wall-clock figure on a busy machine.

By default the gateway runs in a child process, so the CPU figures are the client's
alone; `--gateway thread` runs it in this process (its CPU is then counted in both).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_TPS = 100_000


def _serve(queue: multiprocessing.Queue[str], stop: multiprocessing.Event, token_delay: float) -> None:  # type: ignore[type-arg]
    from chatterm.demo import start_in_thread

    gateway = start_in_thread(token_delay=token_delay)
    queue.put(gateway.base_url)
    stop.wait()
    gateway.stop_thread()


async def _api_run(client: Any, tokens: int) -> tuple[int, float, float]:
    from chatterm.api import ChatRequest, TextDelta

    request = ChatRequest("gpt-4o", [{"role": "user", "content": f"!tokens={tokens}"}])
    count = 0
    cpu, wall = time.process_time(), time.perf_counter()
    async for event in client.stream(request):
        if type(event) is TextDelta:
            count += 1
    return count, time.process_time() - cpu, time.perf_counter() - wall


async def _raw_run(http: Any, base_url: str, key: str, tokens: int) -> tuple[int, float, float]:
    from chatterm.api import ChatRequest
    from chatterm.api.shaping import prepare

    prepared = prepare(ChatRequest("gpt-4o", [{"role": "user", "content": f"!tokens={tokens}"}]))
    headers = {"Authorization": f"Bearer {key}", "Accept": "text/event-stream"}
    lines = 0
    cpu, wall = time.process_time(), time.perf_counter()
    async with http.stream("POST", base_url + prepared.path, json=prepared.body, headers=headers) as resp:
        async for line in resp.aiter_lines():
            if line.startswith("data: "):
                lines += 1
    return lines, time.process_time() - cpu, time.perf_counter() - wall


async def _measure(base_url: str, key: str, tokens: int, runs: int) -> dict[str, list[tuple[int, float, float]]]:
    """One long-lived client of each kind (as an app holds one), warmed up once, then
    alternating runs so machine noise hits both alike."""
    import httpx

    from chatterm.api import ChatClient

    results: dict[str, list[tuple[int, float, float]]] = {"api": [], "raw": []}
    async with ChatClient(base_url, key) as client, httpx.AsyncClient(timeout=120) as http:
        await _api_run(client, tokens)  # warm-up: imports, the pool, caches
        await _raw_run(http, base_url, key, tokens)
        for _ in range(runs):
            results["api"].append(await _api_run(client, tokens))
            results["raw"].append(await _raw_run(http, base_url, key, tokens))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gateway", choices=("process", "thread"), default="process")
    parser.add_argument(
        "--token-delay",
        type=float,
        default=0.0,
        help="gateway pacing in seconds per token (0: unpaced, ~64 KB writes; 1e-6: one write per token)",
    )
    args = parser.parse_args()

    from chatterm.demo import DEMO_API_KEY

    if args.gateway == "process":
        ctx = multiprocessing.get_context("spawn")
        queue: multiprocessing.Queue[str] = ctx.Queue()
        stop = ctx.Event()
        child = ctx.Process(target=_serve, args=(queue, stop, args.token_delay), daemon=True)
        child.start()
        base_url = queue.get(timeout=30)
    else:
        from chatterm.demo import start_in_thread

        gateway = start_in_thread(token_delay=args.token_delay)
        base_url = gateway.base_url
    try:
        results = asyncio.run(_measure(base_url, DEMO_API_KEY, args.tokens, args.runs))
    finally:
        if args.gateway == "process":
            stop.set()
            child.join(10)
        else:
            gateway.stop_thread()

    tokens = results["api"][0][0]
    if tokens != args.tokens:
        print(f"warning: the API layer counted {tokens} text deltas, expected {args.tokens}")
    pacing = f", token delay {args.token_delay:g} s" if args.token_delay else ""
    print(f"{args.tokens} tokens from the demo gateway ({args.gateway}{pacing}), median of {args.runs} runs\n")
    print(f"{'':5} {'tokens/s':>10} {'CPU us/token':>13}")
    figures = {}
    for name in ("api", "raw"):
        tps = statistics.median(tokens / wall for _, _, wall in results[name])
        cpu_us = statistics.median(cpu / tokens * 1e6 for _, cpu, _ in results[name])
        figures[name] = (tps, cpu_us)
        print(f"{name:5} {tps:>10,.0f} {cpu_us:>13.2f}")
    ratio = figures["api"][1] / figures["raw"][1]
    print(f"\nCPU ratio api/raw: {ratio:.2f}; api CPU ceiling: {1e6 / figures['api'][1]:,.0f} tokens/s")
    ok = figures["api"][0] >= TARGET_TPS
    print(f"api tokens/s: {figures['api'][0]:,.0f}  (target >= {TARGET_TPS:,})")
    print("PASS" if ok else "MISS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
