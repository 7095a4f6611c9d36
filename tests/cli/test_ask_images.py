"""`ask` with an image model, as a user runs it against the demo gateway: images saved
where asked (or in the current folder on a terminal, nowhere from a pipe), their paths
printed, and `--json`'s `images` list."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from chatterm.demo.png import prompt_png
from chatterm.media.blobs import images_dir
from tests.cli.runner import ROOT, achatterm, gw

PROMPT = "a kite over the dunes !imgsize=50 !imgheight=20"


def _history(tmp_path: Path) -> list[str]:
    return ["--history", str(tmp_path / "history.db")]


async def test_save_images_writes_the_png_and_prints_its_path(demo_gateway, tmp_path: Path) -> None:
    out_dir = tmp_path / "pictures"
    run = await achatterm(
        "ask", *gw(demo_gateway), *_history(tmp_path), "-m", "nano-banana-pro", "--save-images", str(out_dir), PROMPT
    )
    assert run.code == 0, run.err
    (saved,) = list(out_dir.iterdir())
    assert saved.read_bytes() == prompt_png(PROMPT, 50, 20)
    assert str(saved) in run.out and "(50x20)" in run.out
    assert "base64" not in run.out


async def test_json_lists_the_images(demo_gateway, tmp_path: Path) -> None:
    out_dir = tmp_path / "pictures"
    args = ["ask", *gw(demo_gateway), *_history(tmp_path), "--json", "-m", "gemini-2.5-flash-image"]
    run = await achatterm(*args, "--save-images", str(out_dir), PROMPT)
    assert run.code == 0, run.err
    data = json.loads(run.out)
    (image,) = data["images"]
    assert image["mime"] == "image/png" and (image["width"], image["height"]) == (50, 20)
    assert Path(image["path"]).parent == out_dir
    assert Path(image["path"]).read_bytes() == prompt_png(PROMPT, 50, 20)
    assert len(image["sha256"]) == 64 and "base64" not in data["content"]


async def test_a_pipe_saves_no_copy_unless_asked_and_json_has_an_empty_list(demo_gateway, tmp_path: Path) -> None:
    run = await achatterm("ask", *gw(demo_gateway), *_history(tmp_path), "--json", "-m", "nano-banana-pro", PROMPT)
    assert run.code == 0, run.err
    (image,) = json.loads(run.out)["images"]
    assert Path(image["path"]).parent.parent == images_dir(tmp_path / "history.db")  # the history's own copy
    assert not list(ROOT.glob("image-*.png"))

    plain = await achatterm("ask", *gw(demo_gateway), "--no-save", "--json", "hello")
    assert json.loads(plain.out)["images"] == []


async def test_on_a_terminal_images_go_to_the_current_folder(demo_gateway, tmp_path: Path) -> None:
    import pty

    master, slave = pty.openpty()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        "ask",
        *gw(demo_gateway),
        "--no-save",
        "-m",
        "nano-banana-pro",
        PROMPT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=slave,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    os.close(slave)
    chunks: list[bytes] = []
    loop = asyncio.get_running_loop()
    while True:
        try:
            data = await loop.run_in_executor(None, os.read, master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    await asyncio.wait_for(process.wait(), 60)
    os.close(master)
    shown = b"".join(chunks).decode(errors="replace")
    (saved,) = list(tmp_path.glob("image-*.png"))
    assert saved.read_bytes() == prompt_png(PROMPT, 50, 20)
    assert saved.name in shown and "base64" not in shown
