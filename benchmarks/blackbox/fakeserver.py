#!/usr/bin/env python3
"""Fake OpenAI-compatible chat server for benchmarking terminal chat clients.

Listens on loopback only.  Endpoints:

  GET  /v1/models                  model list (OpenAI shape)
  GET  /v1/models/{id}             one model
  POST /v1/chat/completions        stream=true  -> SSE ``data: {chunk}`` + ``data: [DONE]``
                                   stream=false -> one chat.completion JSON
  GET  /bench/requests[?since=K]   per-request timing records (JSON)
  GET  /bench/health               liveness
  (the same completion/model routes are also served without the /v1 prefix)

The reply is a deterministic mix of words, Markdown headings, bullet lists and
fenced code blocks, N tokens long (one token per SSE chunk).  Its last token is
a unique end marker ``BENCHEND<id>`` so a driver can tell when the whole reply
is on screen.  Reply parameters, highest priority first:

  1. directives in the last user message:  ``n=20000  delay=0.001  id=ab12``
  2. a query on the model name:            ``bench?n=20000&delay=0.001``
  3. environment:                          BENCH_TOKENS (2000), BENCH_DELAY (0 s),
                                           BENCH_RATE (0 = unpaced; tokens/s on a
                                           schedule, exact also above 1,000 tok/s),
                                           BENCH_MODELS ("bench", comma list)

``id`` defaults to the request's sequence number.  ``delay`` is seconds to sleep
after each token (0 = as fast as the client reads).

Per request it records (time.monotonic(), comparable across processes on
Linux, plus wall-clock time.time()): request received, first byte sent
(headers flushed), first token sent, last byte handed to the kernel socket.
Records go to /bench/requests and, with --log, to a JSONL file.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import random
import re
import sys
import time
from urllib.parse import parse_qs

try:  # only the server needs aiohttp; drive.py imports the token generator
    from aiohttp import web
except ImportError:  # pragma: no cover
    web = None  # type: ignore[assignment]

MAX_TOKENS = 2_000_000

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "while",
    "server",
    "streams",
    "tokens",
    "into",
    "terminal",
    "client",
    "which",
    "renders",
    "markdown",
    "text",
    "with",
    "headings",
    "lists",
    "and",
    "code",
    "blocks",
    "so",
    "that",
    "layout",
    "engine",
    "must",
    "wrap",
    "lines",
    "measure",
    "widths",
    "scroll",
    "views",
    "and",
    "keep",
    "input",
    "responsive",
    "under",
    "heavy",
    "load",
    "from",
    "fast",
    "model",
    "output",
    "stream",
    "benchmark",
    "latency",
    "throughput",
    "memory",
    "usage",
    "careful",
    "design",
    "simple",
    "robust",
]


def _word_tokens(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        w = rng.choice(WORDS)
        r = rng.random()
        if r < 0.04:
            w = f"**{w}**"
        elif r < 0.08:
            w = f"`{w}`"
        elif r < 0.10:
            w = f"_{w}_"
        out.append(w + " ")
    return out


def _section(rng: random.Random, k: int) -> list[tuple[str, bool]]:
    """One section of tokens; each token is paired with 'inside a code fence after it'."""
    toks: list[tuple[str, bool]] = []

    def add(ts, in_code=False):
        toks.extend((t, in_code) for t in ts)

    level = "## " if k % 3 else "### "
    add([level, "Section ", f"{k} ", "overview", "\n\n"])
    add(_word_tokens(rng, rng.randint(25, 60)))
    add(["end", ".\n\n"])
    for _ in range(rng.randint(3, 6)):
        add(["- ", *_word_tokens(rng, rng.randint(4, 12)), "\n"])
    add(["\n"])
    if k % 2 == 0:
        toks.append(("```python\n", True))
        for j in range(rng.randint(3, 8)):
            add(
                ["def ", f"func_{k}_{j}", "(x", ", y", "):\n", "    ", "return ", "x ", "* ", f"{j} ", "+ ", "y", "\n"],
                in_code=True,
            )
        toks.append(("```\n\n", False))
    else:
        for i in range(rng.randint(2, 4)):
            add([f"{i + 1}. ", *_word_tokens(rng, rng.randint(3, 8)), "\n"])
        add(["\n"])
    return toks


def make_tokens(n: int, marker: str, seed: int = 1234) -> list[str]:
    """Exactly n tokens (n >= 1); the last one is the marker, outside any code block."""
    n = max(1, min(int(n), MAX_TOKENS))
    if n <= 3:
        return ["x "] * (n - 1) + [marker]
    rng = random.Random(seed)
    body: list[tuple[str, bool]] = []
    k = 1
    need = n - 3
    while len(body) < need:
        body.extend(_section(rng, k))
        k += 1
    body = body[:need]
    in_code = body[-1][1]
    tail = ["\n```\n\n" if in_code else "\n\n", "Done: ", marker]
    return [t for t, _ in body] + tail


def section_starts(n: int, seed: int = 1234) -> dict[int, int]:
    """Token index at which each 'Section k' heading starts in an n-token reply."""
    rng = random.Random(seed)
    starts: dict[int, int] = {}
    count, k = 0, 1
    while count < n:
        starts[k] = count
        count += len(_section(rng, k))
        k += 1
    return starts


def _last_user_text(messages) -> str:
    for m in reversed(messages or []):
        if not isinstance(m, dict) or m.get("role") != "user":
            continue
        c = m.get("content")
        if isinstance(c, str):
            return c
        if isinstance(c, list):
            return " ".join(p.get("text", "") for p in c if isinstance(p, dict))
    return ""


def reply_params(body: dict, seq: int) -> dict:
    n = int(os.environ.get("BENCH_TOKENS", "2000"))
    delay = float(os.environ.get("BENCH_DELAY", "0"))
    rate = float(os.environ.get("BENCH_RATE", "0"))
    nonce = str(seq)
    model = str(body.get("model", "bench"))
    if "?" in model:
        q = parse_qs(model.split("?", 1)[1])
        if "n" in q:
            n = int(q["n"][0])
        if "delay" in q:
            delay = float(q["delay"][0])
    text = _last_user_text(body.get("messages"))
    m = re.search(r"\bn=(\d+)", text)
    if m:
        n = int(m.group(1))
    m = re.search(r"\bdelay=([0-9.]+)", text)
    if m:
        delay = float(m.group(1))
    m = re.search(r"\bid=([A-Za-z0-9]+)", text)
    if m:
        nonce = m.group(1)
    return {
        "n": max(1, min(n, MAX_TOKENS)),
        "delay": max(0.0, delay),
        "rate": max(0.0, rate),
        "nonce": nonce,
        "marker": f"BENCHEND{nonce}",
        "model": model,
    }


class Bench:
    def __init__(self, log_path: str | None):
        self.records: list[dict] = []
        self.unknown: list[dict] = []
        self.seq = 0
        self.log_path = log_path

    def start(self, rec: dict) -> None:
        """Publish a record as soon as the request arrives (t_last_byte None while streaming)."""
        self.records.append(rec)

    def finish(self, rec: dict) -> None:
        if self.log_path:
            with open(self.log_path, "a") as f:
                f.write(json.dumps(rec) + "\n")


def model_names() -> list[str]:
    return [m.strip() for m in os.environ.get("BENCH_MODELS", "bench").split(",") if m.strip()]


def model_obj(name: str) -> dict:
    return {"id": name, "object": "model", "created": 0, "owned_by": "bench"}


async def models(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": [model_obj(m) for m in model_names()]})


async def model_one(request: web.Request) -> web.Response:
    return web.json_response(model_obj(request.match_info["mid"]))


async def _wait_flushed(request: web.Request, limit: float = 120.0) -> None:
    tr = request.transport
    t_end = time.monotonic() + limit
    while tr is not None and not tr.is_closing() and tr.get_write_buffer_size() > 0:
        if time.monotonic() > t_end:
            break
        await asyncio.sleep(0.001)


async def chat_completions(request: web.Request) -> web.StreamResponse:
    bench: Bench = request.app["bench"]
    t_recv = time.monotonic()
    try:
        body = await request.json()
    except Exception:
        return web.json_response({"error": {"message": "bad json"}}, status=400)
    bench.seq += 1
    seq = bench.seq
    p = reply_params(body, seq)
    tokens = make_tokens(p["n"], p["marker"])
    stream = bool(body.get("stream", False))
    rec = {
        "seq": seq,
        "path": request.path,
        "model": p["model"],
        "stream": stream,
        "n_tokens": len(tokens),
        "delay": p["delay"],
        "nonce": p["nonce"],
        "marker": p["marker"],
        "n_messages": len(body.get("messages") or []),
        "t_recv": t_recv,
        "wall_recv": time.time(),
        "t_first_byte": None,
        "t_first_token": None,
        "t_last_byte": None,
        "bytes": 0,
        "client_disconnected": False,
    }
    bench.start(rec)
    cid = f"chatcmpl-bench-{seq}"
    created = int(time.time())
    name = p["model"]
    usage = {"prompt_tokens": 10, "completion_tokens": len(tokens), "total_tokens": 10 + len(tokens)}

    if not stream:
        payload = {
            "id": cid,
            "object": "chat.completion",
            "created": created,
            "model": name,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "logprobs": None,
                    "message": {"role": "assistant", "content": "".join(tokens)},
                }
            ],
            "usage": usage,
        }
        data = json.dumps(payload).encode()
        resp = web.Response(body=data, content_type="application/json")
        await resp.prepare(request)
        rec["t_first_byte"] = rec["t_first_token"] = time.monotonic()
        rec["wall_first_byte"] = time.time()
        await resp.write_eof()
        await _wait_flushed(request)
        rec["t_last_byte"] = time.monotonic()
        rec["bytes"] = len(data)
        bench.finish(rec)
        return resp

    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    head = json.dumps(
        {"id": cid, "object": "chat.completion.chunk", "created": created, "model": name, "system_fingerprint": None}
    )[:-1]
    pre = f'data: {head}, "choices": [{{"index": 0, "delta": {{"content": '
    post = '}, "logprobs": null, "finish_reason": null}]}\n\n'
    delay = p["delay"]
    rate = p["rate"]  # tokens per second on a schedule (exact at any rate, unlike delay)
    nbytes = 0
    try:
        await resp.prepare(request)
        rec["t_first_byte"] = t_sched = time.monotonic()
        rec["wall_first_byte"] = time.time()
        first = (
            f'data: {head}, "choices": [{{"index": 0, "delta": {{"role": "assistant", '
            f'"content": ""}}, "logprobs": null, "finish_reason": null}}]}}\n\n'
        ).encode()
        await resp.write(first)
        nbytes += len(first)
        for i, tok in enumerate(tokens):
            chunk = (pre + json.dumps(tok) + post).encode()
            await resp.write(chunk)
            nbytes += len(chunk)
            if i == 0:
                rec["t_first_token"] = time.monotonic()
            if rate:
                ahead = t_sched + (i + 1) / rate - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)
            elif delay:
                await asyncio.sleep(delay)
        tail = (
            f'data: {head}, "choices": [{{"index": 0, "delta": {{}}, "logprobs": null, "finish_reason": "stop"}}]}}\n\n'
        )
        if include_usage:
            tail += f'data: {head}, "choices": [], "usage": {json.dumps(usage)}}}\n\n'
        tail += "data: [DONE]\n\n"
        await resp.write(tail.encode())
        nbytes += len(tail)
        await resp.write_eof()
        await _wait_flushed(request)
    except (ConnectionResetError, asyncio.CancelledError):
        rec["client_disconnected"] = True
    rec["t_last_byte"] = time.monotonic()
    rec["wall_last_byte"] = time.time()
    rec["bytes"] = nbytes
    bench.finish(rec)
    return resp


async def bench_requests(request: web.Request) -> web.Response:
    bench: Bench = request.app["bench"]
    since = int(request.query.get("since", "0"))
    return web.json_response(
        {
            "now": time.monotonic(),
            "seq": bench.seq,
            "requests": [r for r in bench.records if r["seq"] > since],
            "unknown": bench.unknown,
        }
    )


async def bench_health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True, "now": time.monotonic(), "pid": os.getpid()})


async def not_found(request: web.Request) -> web.Response:
    request.app["bench"].unknown.append({"method": request.method, "path": request.path, "t": time.monotonic()})
    return web.json_response({"error": {"message": f"no route {request.path}"}}, status=404)


def make_app(log_path: str | None = None) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app["bench"] = Bench(log_path)
    for prefix in ("/v1", ""):
        app.router.add_get(f"{prefix}/models", models)
        app.router.add_get(prefix + "/models/{mid}", model_one)
        app.router.add_post(f"{prefix}/chat/completions", chat_completions)
    app.router.add_get("/bench/requests", bench_requests)
    app.router.add_get("/bench/health", bench_health)
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app


async def serve(host: str, port: int, port_file: str | None, log_path: str | None) -> None:
    runner = web.AppRunner(make_app(log_path), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    real_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(real_port))
        os.replace(tmp, port_file)
    print(f"fakeserver listening on http://{host}:{real_port}/v1", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--port-file", help="write the bound port here")
    ap.add_argument("--log", help="append one JSON line per completion request")
    ap.add_argument("--dump", type=int, metavar="N", help="print the N-token reply text to stdout and exit")
    a = ap.parse_args()
    if a.dump:
        sys.stdout.write("".join(make_tokens(a.dump, "BENCHENDdump")) + "\n")
        return
    if not ipaddress.ip_address(a.host).is_loopback:
        sys.exit("fakeserver: refusing to listen on a non-loopback address")
    try:
        asyncio.run(serve(a.host, a.port, a.port_file, a.log))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
