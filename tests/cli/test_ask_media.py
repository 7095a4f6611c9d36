"""`chatterm ask --file` with images and audio, as a subprocess on the demo gateway: the
demo's vision and speech models say what they received, read from the files' headers."""

from __future__ import annotations

import json
from pathlib import Path

from tests.media_samples import image_bytes, wav_bytes, write

from .runner import achatterm, gw


def posts(gateway) -> list:
    return [r for r in gateway.requests if r.method == "POST"]


async def test_ask_sends_repeated_image_files_to_a_vision_model(demo_gateway, tmp_path: Path) -> None:
    png = write(tmp_path / "chart.png", image_bytes("PNG", 64, 48))
    jpg = write(tmp_path / "photo.jpeg", image_bytes("JPEG", 40, 30))
    run = await achatterm(
        "ask", *gw(demo_gateway), "--no-save", "--model", "gpt-4o", "--file", str(png), "--file", str(jpg), "compare"
    )
    assert run.code == 0, run.err
    assert "PNG image, 64x48" in run.out and "JPEG image, 40x30" in run.out
    [request] = posts(demo_gateway)
    assert request.path.endswith("/chat/completions")


async def test_ask_sends_a_recording_to_qwen_omni(demo_gateway, tmp_path: Path) -> None:
    wav = write(tmp_path / "note.wav", wav_bytes(3.0, 22050, 1))
    run = await achatterm(
        "ask", *gw(demo_gateway), "--no-save", "--json", "--model", "qwen3-omni-flash", "--file", str(wav), "transcribe"
    )
    assert run.code == 0, run.err
    assert "WAV audio, 3.0 s, 22050 Hz, 1 channel" in json.loads(run.out)["content"]


async def test_ask_refuses_an_image_for_a_model_without_vision(demo_gateway, tmp_path: Path) -> None:
    png = write(tmp_path / "chart.png", image_bytes("PNG", 8, 8))
    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--model", "deepseek-v3", "--file", str(png), "hi")
    assert run.code == 2
    assert "deepseek-v3 does not take images" in run.err
    assert posts(demo_gateway) == []
