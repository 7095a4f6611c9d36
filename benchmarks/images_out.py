"""Generated images in the TUI: opening a chat full of them, and a 20 MB image's event.

    .venv/bin/python benchmarks/images_out.py [--images 50] [--runs 5]

Scenarios (the real ChatApp, headless `run_test`, 120x40):
  open-N      a chat of N image replies (each a 512x512 PNG saved in the blob store)
              -> first frame with the chat on it; against the same chat without images.
              Target: the same, within noise (thumbnails are decoded only on screen).
  big-event   `nano-banana-pro` with `!imgsize=2600 !noise` (a ~20 MB PNG sent as one
              ~27 MB SSE event; the demo gateway in its own process): the longest the UI's
              event loop was busy, from Enter to the thumbnail on screen, and that time.
              Target: no stall over 100 ms (the event is parsed, hashed, written and
              decoded in worker threads).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MEASURING = [False]
"""True while the big event is measured (a profiler can watch only that part)."""
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def image_chat(context: Any, count: int, with_images: bool) -> Any:
    from chatterm.demo.png import prompt_png
    from chatterm.engine.conversation import Conversation, Message

    conversation = Conversation()
    for n in range(count):
        images = [context.blobs.save(prompt_png(f"picture {n}", 512, 512), "image/png")] if with_images else []
        conversation.append(Message(role="user", content=f"Draw picture {n}"))
        conversation.append(
            Message(role="assistant", model="nano-banana-pro", content=f"Here is picture {n}.", images=images)
        )
    return conversation


async def open_chat(count: int, with_images: bool) -> float:
    """ms from building the app to the first frame with the chat painted."""
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp
    from chatterm.tui.widgets.message import AssistantMessageView

    context = AppContext.for_tests("http://127.0.0.1:9/v1", Path(tempfile.mkdtemp(prefix="chatterm-bench-")))
    conversation = image_chat(context, count, with_images)
    start = time.perf_counter()
    app = ChatApp(context, conversation=conversation)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.chat_screen.query(AssistantMessageView):
            await pilot.pause(0.001)
        await pilot.pause()
        return (time.perf_counter() - start) * 1000


async def big_event() -> tuple[float, float]:
    """(longest loop stall ms, Enter -> thumbnail shown ms) for a ~20 MB image."""
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp
    from chatterm.tui.widgets.image import ImageView
    from chatterm.tui.widgets.message import AssistantMessageView

    # The gateway in its own process: drawing and encoding 20 MB in this one would hold
    # the GIL and count against the client.
    server = subprocess.Popen(
        [sys.executable, "-m", "chatterm.demo", "--token-delay", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().rsplit(" ", 1)[-1].strip()
        context = AppContext.for_tests(base_url, Path(tempfile.mkdtemp(prefix="chatterm-bench-")))
        context.config.model = "nano-banana-pro"
        app = ChatApp(context)
        async with app.run_test(size=(120, 40)) as pilot:
            # A small image first: the client's and textual-image's one-time imports are
            # not what this measures.
            app.chat_screen.prompt.load_text("a small picture")
            await pilot.press("enter")
            while not (app.chat_screen.query(ImageView) and app.chat_screen.query(ImageView).last().loaded):
                await asyncio.sleep(0.01)
            while any(v.message.state == "streaming" for v in app.chat_screen.query(AssistantMessageView)):
                await asyncio.sleep(0.01)
            await pilot.pause()
            app.chat_screen.prompt.load_text("a very big picture !imgsize=2600 !noise")
            stall = 0.0
            running = True

            async def ticker() -> None:  # how long the loop was away between 1 ms sleeps
                nonlocal stall
                last = time.perf_counter()
                while running:
                    await asyncio.sleep(0.001)
                    now = time.perf_counter()
                    stall, last = max(stall, now - last), now

            def shown() -> bool:
                views = list(app.chat_screen.query(ImageView))
                return len(views) == 2 and all(v.loaded for v in views)

            MEASURING[0] = True
            ticking = asyncio.ensure_future(ticker())
            start = time.perf_counter()
            await pilot.press("enter")
            while not shown():
                await asyncio.sleep(0.005)
            total = time.perf_counter() - start
            running = False
            await ticking
            return stall * 1000, total * 1000
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    plain = [asyncio.run(open_chat(args.images, False)) for _ in range(args.runs)]
    pictured = [asyncio.run(open_chat(args.images, True)) for _ in range(args.runs)]
    print(f"open-{args.images}: first frame, median of {args.runs}:")
    print(f"  without images {statistics.median(plain):7.1f} ms")
    print(f"  with images    {statistics.median(pictured):7.1f} ms  [target: the same within noise]")
    stall, total = asyncio.run(big_event())
    print(
        f"big-event (~20 MB PNG in one SSE event): longest loop stall {stall:.1f} ms [< 100 ms], shown after {total:.0f} ms"
    )


if __name__ == "__main__":
    main()
