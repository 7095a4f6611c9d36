"""`chatterm serve`: the full TUI in a browser, through textual-serve.

Each browser tab that connects starts its own `chatterm` process (the TUI with the
same gateway flags) and ends it when the tab closes. The page has the user's gateway
and key behind it, so it is guarded like a Jupyter server: a random token, printed at
start, must be in the page's URL (`/?token=...`) and is part of the websocket's path;
without it the page is refused. The server binds to loopback unless `--allow-remote`
is given for another address. The key reaches each tab's process through the
environment the server was started with, never through its command line.

textual-serve is an optional extra (`chatterm[serve]`), imported only here.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import ipaddress
import secrets
import shlex
import signal
import sys
from typing import Any

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
TOKEN_REFUSED = "This chatterm page needs the token printed when `chatterm serve` started: open the URL it printed.\n"


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tui_command(args: argparse.Namespace) -> str:
    """The command each browser tab runs: this chatterm's TUI with the gateway flags."""
    argv = [sys.executable, "-m", "chatterm"]
    for flag in ("config", "history", "profile", "base_url", "model", "api_key_file"):
        value = getattr(args, flag, None)
        if value:
            argv += [f"--{flag.replace('_', '-')}", str(value)]
    if getattr(args, "demo", False):
        argv.append("--demo")
    return shlex.join(argv)


def make_server(command: str, host: str, port: int, token: str) -> Any:
    """A textual-serve `Server` whose page and websocket need `token`."""
    import aiohttp_jinja2
    import jinja2
    from aiohttp import web
    from textual_serve.server import Server

    class TokenServer(Server):
        async def _make_app(self) -> web.Application:
            app = web.Application(middlewares=[self._token_check])
            aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
            app.add_routes(
                [
                    web.get("/", self.handle_index, name="index"),
                    # The token is in the websocket's path: the page's script adds its own query.
                    web.get(f"/ws/{token}", self.handle_websocket, name="websocket"),
                    web.get("/download/{key}", self.handle_download, name="download"),
                    web.static("/static", self.statics_path, name="static"),
                ]
            )
            app.on_shutdown.append(self.on_shutdown)
            return app

        @web.middleware
        async def _token_check(self, request: web.Request, handler: Any) -> web.StreamResponse:
            if request.path == "/" and not hmac.compare_digest(request.query.get("token", ""), token):
                return web.Response(status=403, text=TOKEN_REFUSED)
            response: web.StreamResponse = await handler(request)
            return response

        async def handle_index(self, request: web.Request) -> Any:
            # Links in the page point back at the address the browser used.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

    return TokenServer(command, host=host, port=port, title="chatterm")


async def _serve(server: Any, host: str, port: int, token: str) -> None:
    from aiohttp import web

    runner = web.AppRunner(await server._make_app(), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    shown = f"[{host}]" if ":" in host else host
    print(f"chatterm serve: open http://{shown}:{bound}/?token={token}", flush=True)
    print("Each tab runs its own chatterm; Ctrl-C stops the server.", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def run_serve(args: argparse.Namespace) -> int:
    from chatterm.process import EXIT_ERROR, EXIT_OK, EXIT_USAGE

    if not is_loopback(args.host) and not args.allow_remote:
        print(
            f"chatterm serve: {args.host} is not a loopback address; anyone who can reach it and has the "
            "token gets your gateway and key. Pass --allow-remote to serve it there anyway.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not is_loopback(args.host):
        print(
            f"chatterm serve: warning: serving on {args.host}: other hosts can reach this page (token required; "
            "the traffic is not encrypted)",
            file=sys.stderr,
        )
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print("chatterm serve: textual-serve is not installed: pip install 'chatterm[serve]'", file=sys.stderr)
        return EXIT_USAGE
    token = secrets.token_urlsafe(24)
    server = make_server(tui_command(args), args.host, args.port, token)
    try:
        asyncio.run(_serve(server, args.host, args.port, token))
    except OSError as error:
        print(f"chatterm serve: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
