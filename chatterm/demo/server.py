"""The demo gateway: an OpenAI-compatible HTTP/1.1 server on loopback.

    gw = DemoGateway(); base_url = await gw.start(); ...; await gw.stop()
    gw = start_in_thread(); ...; gw.stop_thread()        # for sync callers
    chatterm demo-server [--port N] [--no-responses] [--no-json-schema]   # main(): standalone

Routes (all need `Authorization: Bearer <any key but BAD_API_KEY>`, or the one
`required_key` when it is set):
    GET  /v1/models             the gateway page's models
    POST /v1/chat/completions   streamed (SSE, chunked) or not
    POST /v1/responses          streamed (SSE, chunked) or not
Per request: parse -> record -> `planner.build_plan` -> encode (`chat_wire` /
`responses_wire`) -> send. Triggers and faults are documented in `README.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from chatterm.demo import chat_wire, responses_wire
from chatterm.demo.catalogue import models_payload, resolve
from chatterm.demo.dialogue import check_sampling, from_chat, from_responses
from chatterm.demo.errors import GatewayError, bad_request
from chatterm.demo.frames import Frames
from chatterm.demo.http11 import ChunkedStream, HttpParseError, HttpRequest, read_request, write_response
from chatterm.demo.planner import GatewayState, Plan, build_plan

DEMO_API_KEY = "demo-key"
"""Any bearer key works except BAD_API_KEY; this is the one to show people."""
BAD_API_KEY = "bad-key"
"""The key the gateway refuses with 401 (for testing authentication errors)."""
REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key"})
"""Headers whose values are never recorded."""
BATCH_BYTES = 64 * 1024
"""Unpaced streams are written in HTTP chunks of about this size."""


@dataclass(slots=True)
class RecordedRequest:
    """One request as the gateway received it (the Authorization value is never kept)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    """Lower-cased names; `authorization` (and other key headers) replaced by "<redacted>"."""
    body: Any = None
    """The parsed JSON body (None when there was no body or it was not JSON)."""
    query: str = ""

    def __repr__(self) -> str:
        return f"RecordedRequest({self.method} {self.path})"


class DemoGateway:
    """The loopback gateway. Create, `await start()`, use `base_url`, `await stop()`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token_delay: float = 0.0,
        without_responses: bool = False,
        refuse_json_schema: bool = False,
        required_key: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.token_delay = token_delay
        """Seconds between streamed tokens (0: as fast as the socket takes them)."""
        self.without_responses = without_responses
        """Act like a server with no `/v1/responses` (llama.cpp, older vLLM): 404 there."""
        self.refuse_json_schema = refuse_json_schema
        """Act like llama-cpp-python: a `json_schema` output format is a 500 validation error."""
        self.required_key = required_key
        """Act like a real gateway: only this bearer key is accepted (None: any but BAD_API_KEY)."""
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._state = GatewayState()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"DemoGateway({self.base_url or 'not started'})"

    async def start(self) -> str:
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._connection, self.host, self.port, limit=256 * 1024)
        self.port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://{self.host}:{self.port}/v1"
        return self.base_url

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> DemoGateway:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- threads ------------------------------------------------------------------
    def stop_thread(self, timeout: float = 5.0) -> None:
        """Stop a gateway started by `start_in_thread` (safe to call twice)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        with contextlib.suppress(RuntimeError):  # loop already closed
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    # -- connections --------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                try:
                    request = await read_request(reader, writer)
                except HttpParseError as exc:
                    err = GatewayError(exc.status, f"Malformed HTTP request: {exc}")
                    body, ctype = err.body()
                    await write_response(writer, exc.status, body, ctype, keep_alive=False)
                    break
                if request is None:
                    break
                if not await self._handle(request, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    def _record(self, request: HttpRequest) -> Any:
        headers = {k: (REDACTED if k in SECRET_HEADERS else v) for k, v in request.headers.items()}
        body: Any = None
        if request.body:
            try:
                body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                body = None
        self.requests.append(RecordedRequest(request.method, request.path, headers, body, request.query))
        return body

    async def _handle(self, request: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must close afterwards."""
        keep = request.keep_alive
        body = self._record(request)
        request_id = f"req_{next(self._ids):06d}"
        try:
            self._authorize(request)
            route = (request.method, request.path.rstrip("/"))
            if route == ("GET", "/v1/models"):
                data = json.dumps(models_payload()).encode()
                await write_response(
                    writer, 200, data, "application/json", keep_alive=keep, headers=[("x-request-id", request_id)]
                )
                return keep
            known = ("/v1/chat/completions", "/v1/models") if self.without_responses else _ROUTES
            if request.path.rstrip("/") in known:
                if request.method != "POST" or route[1] == "/v1/models":
                    raise GatewayError(
                        405, f"Method {request.method} is not allowed on {request.path}", code="method_not_allowed"
                    )
                if not request.body:
                    raise bad_request("A JSON body is required.")
                if not isinstance(body, dict):
                    raise bad_request(
                        "We could not parse the JSON body of your request (it must be a JSON object).",
                        code="invalid_json",
                    )
                endpoint = "chat" if route[1].endswith("/chat/completions") else "responses"
                return await self._complete(endpoint, body, request_id, keep, reader, writer)
            raise GatewayError(404, f"Unknown request URL: {request.method} {request.path}.", code="unknown_url")
        except GatewayError as err:
            data, ctype = err.body()
            headers = [("x-request-id", request_id), *err.headers]
            await write_response(writer, err.status, data, ctype, keep_alive=keep, headers=headers)
            return keep

    def _authorize(self, request: HttpRequest) -> None:
        auth = request.headers.get("authorization", "")
        scheme, _, key = auth.partition(" ")
        if not auth:
            raise GatewayError(
                401,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                code="missing_api_key",
            )
        key = key.strip()
        wrong = key != self.required_key if self.required_key is not None else key == BAD_API_KEY
        if scheme.lower() != "bearer" or not key or wrong:
            raise GatewayError(401, "Incorrect API key provided.", code="invalid_api_key")

    async def _complete(
        self,
        endpoint: str,
        body: dict[str, Any],
        request_id: str,
        keep: bool,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        name = body.get("model")
        if not isinstance(name, str) or not name:
            raise bad_request("you must provide a model parameter", "model")
        model = resolve(name)
        if model is None:
            raise GatewayError(
                404, f"The model `{name}` does not exist", "invalid_request_error", "model_not_found", "model"
            )
        check_sampling(body)
        if self.refuse_json_schema:
            _refuse_json_schema(endpoint, body)
        try:
            dialogue = from_chat(body) if endpoint == "chat" else from_responses(body)
            plan = build_plan(dialogue, model, endpoint, self._state)
        except GatewayError:
            raise
        except Exception as exc:  # a demo bug must still be an answer, not a hung client
            raise GatewayError(
                500, f"demo gateway internal error: {type(exc).__name__}: {exc}", "server_error"
            ) from exc
        created = int(time.time())
        digest = f"{next(self._ids):08x}{created:08x}"
        headers = [("x-request-id", request_id)]
        stream = body.get("stream") is True

        if not stream:
            if plan.fault == "stall":
                await _wait_for_disconnect(reader)
                return False
            if plan.fault == "drop":
                return False
            if endpoint == "chat":
                payload: dict[str, Any] = chat_wire.completion_body(plan, cid=f"chatcmpl-{digest}", created=created)
            else:
                payload = responses_wire.response_body(plan, body, rid=f"resp_{digest}", created=created)
            if plan.fault in ("error", "failed"):
                payload = {
                    "error": {
                        "message": "The model failed mid-reply (demo !error).",
                        "type": "server_error",
                        "param": None,
                        "code": "stream_error",
                    }
                }
            data = json.dumps(payload, ensure_ascii=False).encode()
            if plan.fault == "malformed":
                data = data[: len(data) // 2]
            await write_response(writer, 200, data, "application/json", keep_alive=keep, headers=headers)
            return keep

        if endpoint == "chat":
            options = body.get("stream_options")
            include_usage = isinstance(options, dict) and options.get("include_usage") is True
            frames = chat_wire.stream_frames(
                plan, cid=f"chatcmpl-{digest}", created=created, include_usage=include_usage
            )
        else:
            frames = responses_wire.stream_frames(plan, body, rid=f"resp_{digest}", created=created)
        out = ChunkedStream(writer)
        await out.start(headers, keep_alive=keep)
        return await self._play(out, frames, plan, reader) and keep

    async def _play(self, out: ChunkedStream, frames: Frames, plan: Plan, reader: asyncio.StreamReader) -> bool:
        """Send the frames, paced or batched, and act out the plan's fault. True: connection reusable."""
        items = frames.frames
        cut = frames.cut if frames.cut is not None else len(items)
        delay = 1.0 / plan.rate if plan.rate else self.token_delay
        fault = plan.fault
        before = items[:cut] if fault else items
        await _send(out, before, delay)
        if fault is None:
            await out.finish()
            return True
        if fault == "stall":
            await _wait_for_disconnect(reader)
            return False
        if fault == "drop":
            out.writer.close()  # no final chunk: the client sees the body cut short
            return False
        assert frames.fault_frame is not None
        await out.send(frames.fault_frame)
        if fault == "malformed":
            await _send(out, items[cut:], delay)
        await out.finish()
        return True


_ROUTES = ("/v1/chat/completions", "/v1/responses", "/v1/models")


def _refuse_json_schema(endpoint: str, body: dict[str, Any]) -> None:
    """llama-cpp-python's answer to `response_format: {"type": "json_schema"}`: its request
    model takes only `text` / `json_object`, and its error handler reports the pydantic
    validation error as a 500 (the message is the error list's repr)."""
    if endpoint == "chat":
        fmt, loc = body.get("response_format"), "('body', 'response_format', 'type')"
    else:
        text = body.get("text")
        fmt, loc = (text.get("format") if isinstance(text, dict) else None), "('body', 'text', 'format', 'type')"
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        raise GatewayError(
            500,
            f"[{{'type': 'literal_error', 'loc': {loc}, 'msg': \"Input should be 'text' or 'json_object'\", "
            "'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}]",
            "internal_server_error",
        )


async def _send(out: ChunkedStream, frames: list[bytes], delay: float) -> None:
    if not frames:
        return
    if delay <= 0:
        batch: list[bytes] = []
        size = 0
        for frame in frames:
            batch.append(frame)
            size += len(frame)
            if size >= BATCH_BYTES:
                out.write(b"".join(batch))
                batch, size = [], 0
                await out.writer.drain()
        if batch:
            out.write(b"".join(batch))
        await out.writer.drain()
        return
    loop = asyncio.get_running_loop()
    due = loop.time()
    for i, frame in enumerate(frames):
        await out.send(frame)
        if i < len(frames) - 1:
            due += delay
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)


async def _wait_for_disconnect(reader: asyncio.StreamReader) -> None:
    """Hold the connection open, sending nothing, until the client goes away."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(65536):
            pass


def start_in_thread(port: int = 0, **kw: Any) -> DemoGateway:
    """Run a gateway on its own event loop in a daemon thread; returns once it listens."""
    gateway = DemoGateway(port=port, **kw)
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(gateway.start())
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(gateway.stop())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=run, name="chatterm-demo-gateway", daemon=True)
    gateway._thread = thread
    thread.start()
    ready.wait()
    if failure:
        raise failure[0]
    return gateway


def main(argv: list[str] | None = None) -> int:
    """`chatterm demo-server [--port N]`: serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="chatterm demo-server", description="Run the chatterm demo gateway on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--token-delay", type=float, default=0.01, help="seconds between streamed tokens (default 0.01)"
    )
    parser.add_argument(
        "--no-responses", action="store_true", help="answer 404 on /v1/responses, like servers without that route"
    )
    parser.add_argument(
        "--no-json-schema",
        action="store_true",
        help="refuse json_schema output formats with a 500, like llama-cpp-python",
    )
    parser.add_argument(
        "--api-key", dest="required_key", help="accept only this key (401 otherwise), like a real gateway"
    )
    args = parser.parse_args(argv)

    async def serve() -> None:
        gateway = DemoGateway(
            args.host,
            args.port,
            token_delay=args.token_delay,
            without_responses=args.no_responses,
            refuse_json_schema=args.no_json_schema,
            required_key=args.required_key,
        )
        base_url = await gateway.start()
        print(f"chatterm demo gateway listening on {base_url}", flush=True)
        if args.required_key is None:
            print(f"API key: {DEMO_API_KEY}   (any key works except {BAD_API_KEY!r})", flush=True)
        else:
            print("API key: only the one given with --api-key", flush=True)
        print("Triggers: see chatterm/demo/README.md. Ctrl-C stops.", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await gateway.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    except OSError as exc:
        print(f"chatterm demo-server: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", flush=True)
        return 1
    return 0
