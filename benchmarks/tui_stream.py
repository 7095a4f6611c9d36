"""TUI streaming benchmarks: the real ChatApp, headless (`run_test`), on the demo gateway.

    .venv/bin/python benchmarks/tui_stream.py            # every scenario, one process each
    .venv/bin/python benchmarks/tui_stream.py --quick    # skip the slow 200 tok/s run

Scenarios (each in its own process, so peak RSS is per run):
  full-2000 / full-20000   `!tokens=N` at full speed: first byte -> last token on screen
  pace-200 / pace-2000     5,000 tokens at R tok/s (`!rate=R`): last byte -> last token on screen
  history-2000             2,000 tokens after 1,000 earlier messages (vs full-2000)
  startup                  process start -> first frame (and a bare Textual app, for scale)
  open-1000                ChatApp with a 1,000-message conversation -> first frame with the
                           chat on it (and -> the frame after the mounted window was filled)

"First byte" and "last byte" are when the engine hands the TUI the first / last text
delta; "on screen" is the end of the first frame Textual paints (layout + compositor
update) after the reply view has rendered every token (body finished).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


LAST_MARKS: dict[str, float] = {}
"""perf_counter marks of the last `stream_once` (for digging into a figure)."""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def history(count: int) -> Any:
    """A conversation of `count` messages with a little Markdown in each reply."""
    from chatterm.engine.conversation import Conversation, Message

    conversation = Conversation()
    for i in range(count // 2):
        conversation.append(Message(role="user", content=f"Question {i}: how does part {i} work?"))
        conversation.append(
            Message(
                role="assistant",
                model="gpt-4o-mini",
                content=(
                    f"## Part {i}\n\nPart {i} works by *streaming* tokens, then **rendering** them.\n\n"
                    f"- step one of {i}\n- step two\n\n```python\nprint({i})\n```\n"
                ),
            )
        )
    return conversation


def watch_paints(app: Any) -> list[float]:
    """perf_counter times at which the app's screens finished painting a frame."""
    from textual.screen import Screen

    paints: list[float] = []
    for name in ("_refresh_layout", "_compositor_refresh"):
        original = getattr(Screen, name)

        def painted(self: Screen[Any], *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            result = _original(self, *args, **kwargs)
            if self.app is app:
                paints.append(time.perf_counter())
            return result

        setattr(Screen, name, painted)
    return paints


async def stream_once(tokens: int, rate: float | None = None, earlier: int = 0) -> dict[str, Any]:
    from chatterm.api.types import TextDelta
    from chatterm.context import AppContext
    from chatterm.demo import DemoGateway
    from chatterm.engine.events import ReplyFinished
    from chatterm.tui.app import ChatApp
    from chatterm.tui.widgets.message import AssistantMessageView

    gateway = DemoGateway()
    base_url = await gateway.start()
    tmp = Path(tempfile.mkdtemp(prefix="chatterm-bench-"))
    context = AppContext.for_tests(base_url, tmp)
    conversation = history(earlier) if earlier else None
    app = ChatApp(context, conversation=conversation)
    marks: dict[str, float] = {}
    paints = watch_paints(app)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            session = app.ensure_session()
            assert session is not None
            send = session.send

            async def timed_send(prompt: str, files: Any = ()) -> Any:
                async for event in send(prompt, files):
                    if isinstance(event, TextDelta):
                        marks.setdefault("first_byte", time.perf_counter())
                        marks["last_byte"] = time.perf_counter()
                    elif isinstance(event, ReplyFinished):
                        marks["finished"] = time.perf_counter()
                    yield event

            session.send = timed_send  # type: ignore[method-assign]
            prompt = f"!tokens={tokens}" + (f" !rate={rate:g}" if rate else "")
            app.chat_screen.prompt.load_text(prompt)
            await pilot.press("enter")
            screen = app.chat_screen
            deadline = time.perf_counter() + 600
            # The reply is on screen at the first refresh after its view finished
            # rendering it whole (the engine said it ended, the body holds every token).
            while time.perf_counter() < deadline:
                await asyncio.sleep(0.001)
                views = list(screen.query(AssistantMessageView))
                if "finished" in marks and views and views[-1].message.state == "ok" and not views[-1].body.streaming:
                    break
            body_done = views[-1].body.last_flush  # set when finish() rendered the rest
            while not any(p >= body_done for p in paints):
                await asyncio.sleep(0.001)
            on_screen = min(p for p in paints if p >= body_done)
            marks["on_screen"] = on_screen
            LAST_MARKS.clear()
            LAST_MARKS.update(marks)
            while screen.replying:
                await asyncio.sleep(0.01)
            view = list(screen.query(AssistantMessageView))[-1]
            assert view.body.text == view.message.text, "screen text differs from the reply"
            widgets = len(list(app.screen.query("*")))
    finally:
        await gateway.stop()
    return {
        "tokens": tokens,
        "rate": rate,
        "earlier_messages": earlier,
        "first_byte_to_screen_s": round(on_screen - marks["first_byte"], 3),
        "last_byte_to_screen_ms": round((on_screen - marks["last_byte"]) * 1000, 1),
        "last_byte_to_engine_done_ms": round((marks["finished"] - marks["last_byte"]) * 1000, 1),
        "network_s": round(marks["last_byte"] - marks["first_byte"], 3),
        "mounted_widgets": widgets,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


async def open_conversation(count: int) -> dict[str, Any]:
    """App construction -> the first frame painted with the chat on it, and -> the frame
    after the rest of the mounted window (`WINDOW` views) was filled in above it."""
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.chat import ChatScreen
    from chatterm.tui.widgets.conversation import WINDOW

    conversation = history(count) if count else None
    tmp = Path(tempfile.mkdtemp(prefix="chatterm-bench-"))
    context = AppContext.for_tests("http://127.0.0.1:9/v1", tmp)
    mounted: dict[str, float] = {}
    original = ChatScreen.on_mount

    async def on_mount(self: ChatScreen) -> None:
        await original(self)
        mounted["chat"] = time.perf_counter()

    ChatScreen.on_mount = on_mount  # type: ignore[method-assign]
    start = time.perf_counter()
    app = ChatApp(context, conversation=conversation)
    paints = watch_paints(app)
    async with app.run_test(size=(120, 40)):
        while "chat" not in mounted or not any(p >= mounted["chat"] for p in paints):
            await asyncio.sleep(0.001)
        first_frame = min(p for p in paints if p >= mounted["chat"])
        pane = app.chat_screen.pane
        want = min(WINDOW, count)
        # The longest the event loop was busy (a key typed then waits that long) from
        # the first frame until the filled window was painted.
        stall = 0.0
        last = time.perf_counter()

        async def tick() -> None:
            nonlocal stall, last
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            stall, last = max(stall, now - last), now

        while len(pane.views()) < want:
            await tick()
        filled = time.perf_counter()
        while not any(p >= filled for p in paints):
            await tick()
        window_painted = min(p for p in paints if p >= filled)
        widgets = len(list(app.screen.query("*")))
    return {
        "messages": count,
        "to_first_frame_ms": round((first_frame - start) * 1000, 1),
        "to_full_window_ms": round((window_painted - start) * 1000, 1),
        "longest_stall_ms": round(stall * 1000, 1),
        "mounted_widgets": widgets,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


STARTUP_CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
if {bare}:
    from textual.app import App
    from textual.widgets import Static
    class Bare(App):
        def compose(self):
            yield Static("hello")
        def on_mount(self):
            self.call_after_refresh(self.done)
        def done(self):
            print("FRAME", flush=True)
            self.exit()
    Bare().run(headless=True)
else:
    from pathlib import Path
    import tempfile
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.chat import ChatScreen
    original = ChatScreen.on_mount
    async def on_mount(self):
        await original(self)
        def done():
            print("FRAME", flush=True)
            self.app.exit()
        self.call_after_refresh(done)
    ChatScreen.on_mount = on_mount
    context = AppContext.for_tests("http://127.0.0.1:9/v1", Path(tempfile.mkdtemp()))
    ChatApp(context).run(headless=True)
"""


def startup(bare: bool, runs: int = 5) -> float:
    """Median ms from process start to the first frame."""
    times = []
    code = STARTUP_CHILD.format(root=str(ROOT), bare=bare)
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=tempfile.gettempdir()
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("FRAME"):
                times.append((time.perf_counter() - start) * 1000)
                break
        proc.wait(timeout=30)
    times.sort()
    return round(times[len(times) // 2], 1)


SCENARIOS = {
    "full-2000": lambda: asyncio.run(stream_once(2000)),
    "full-20000": lambda: asyncio.run(stream_once(20000)),
    "pace-200": lambda: asyncio.run(stream_once(5000, rate=200)),
    "pace-2000": lambda: asyncio.run(stream_once(5000, rate=2000)),
    "history-2000": lambda: asyncio.run(stream_once(2000, earlier=1000)),
    "open-0": lambda: asyncio.run(open_conversation(0)),
    "open-1000": lambda: asyncio.run(open_conversation(1000)),
}


def run_child(name: str) -> dict[str, Any]:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as home:
        env.update(HOME=home, XDG_CONFIG_HOME=f"{home}/c", XDG_DATA_HOME=f"{home}/d", XDG_CACHE_HOME=f"{home}/k")
        out = subprocess.run(
            [sys.executable, __file__, "--scenario", name], capture_output=True, text=True, env=env, timeout=900
        )
    if out.returncode != 0:
        raise SystemExit(f"{name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--quick", action="store_true", help="skip the 25 s run at 200 tok/s")
    args = parser.parse_args()
    if args.scenario:
        print(json.dumps(SCENARIOS[args.scenario]()))
        return

    results = {}
    names = [n for n in SCENARIOS if not (args.quick and n == "pace-200")]
    for name in names:
        results[name] = run_child(name)
        print(f"{name:>13}: {results[name]}", flush=True)
    bare = startup(True)
    app_start = startup(False)
    print(f"{'startup':>13}: process start -> first frame: chatterm {app_start} ms, bare Textual app {bare} ms")

    full2, full20 = results["full-2000"], results["full-20000"]
    print("\nSummary (targets in brackets)")
    print(f"  full speed 2,000 tokens:    {full2['first_byte_to_screen_s']:.2f} s")
    print(
        f"  full speed 20,000 tokens:   {full20['first_byte_to_screen_s']:.2f} s  [< 5 s]"
        f"  ratio {full20['first_byte_to_screen_s'] / full2['first_byte_to_screen_s']:.1f}x  [<= 12x]"
    )
    for name in ("pace-200", "pace-2000"):
        if name in results:
            r = results[name]
            print(f"  5,000 tokens at {r['rate']:g} tok/s: lag {r['last_byte_to_screen_ms']:.0f} ms  [< 100 ms]")
    hist = results["history-2000"]
    print(
        f"  2,000 tokens after 1,000 messages: {hist['first_byte_to_screen_s']:.2f} s"
        f"  ({hist['first_byte_to_screen_s'] / full2['first_byte_to_screen_s']:.2f}x empty chat)  [<= 1.5x]"
    )
    print(f"  start-up to first frame: {app_start} ms  [< 400 ms; bare Textual {bare} ms]")
    print(
        f"  1,000-message chat to first frame: {results['open-1000']['to_first_frame_ms']} ms  [< 300 ms]"
        f"  (empty chat {results['open-0']['to_first_frame_ms']} ms;"
        f" all {results['open-1000']['mounted_widgets']} widgets of the window painted at"
        f" {results['open-1000']['to_full_window_ms']} ms, longest stall meanwhile"
        f" {results['open-1000']['longest_stall_ms']} ms)"
    )
    peak = max(r["peak_rss_mb"] for r in results.values())
    print(f"  peak RSS (worst run): {peak} MB  [< 200 MB]")


if __name__ == "__main__":
    main()
