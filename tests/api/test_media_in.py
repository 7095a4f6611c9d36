"""Images and audio in: sent to the demo gateway over loopback, on both endpoints.

The demo's vision and speech models answer with what they received, read from the
file's own header ("PNG image, 64x48"; "WAV audio, 1.5 s, 16000 Hz, 1 channel"), so
each test checks what a user would: the model got that image, at that size. Every body
sent is checked against the OpenAI request schemas by the autouse `spec_watch`.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chatterm.api.errors import RequestValidationError
from chatterm.api.request import ChatRequest
from chatterm.api.shaping import preflight, prepare
from chatterm.api.types import FileInput, Notice
from tests.media_samples import image_bytes, mp3_bytes, wav_bytes, write

from .conftest import DemoPair


def ask(model: str, paths: list[Path | str], endpoint: str = "auto", **kw: Any) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[{"role": "user", "content": "What did I send?"}],
        files=[FileInput(str(p)) for p in paths],
        endpoint=endpoint,  # type: ignore[arg-type]
        stream=kw.pop("stream", True),
        **kw,
    )


async def reply_of(client: Any, req: ChatRequest) -> tuple[str, list[Notice]]:
    from chatterm.api.types import Finished, TextDelta

    text: list[str] = []
    notices: list[Notice] = []
    async for event in client.stream(req):
        if isinstance(event, TextDelta):
            text.append(event.text)
        elif isinstance(event, Notice):
            notices.append(event)
        elif isinstance(event, Finished):
            break
    return "".join(text), notices


def last_user_content(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("messages") or body.get("input")
    assert isinstance(items, list)
    return [m for m in items if m.get("role") == "user"][-1]["content"]  # type: ignore[no-any-return]


IMAGES = [("PNG", "PNG"), ("JPEG", "JPEG"), ("WEBP", "WebP"), ("GIF", "GIF")]


@pytest.mark.parametrize("endpoint", ["chat", "responses"])
async def test_each_image_format_reaches_a_vision_model_on_both_endpoints(
    demo: DemoPair, tmp_path: Path, endpoint: str
) -> None:
    gateway, client = demo
    paths = [
        write(tmp_path / f"pic.{fmt.lower()}", image_bytes(fmt, 64 + i, 48 - i)) for i, (fmt, _) in enumerate(IMAGES)
    ]
    text, _ = await reply_of(client, ask("gpt-4o", paths, endpoint))
    for i, (_, label) in enumerate(IMAGES):
        assert f"{label} image, {64 + i}x{48 - i}" in text
    [request] = gateway.requests
    assert request.path.endswith("/chat/completions" if endpoint == "chat" else "/responses")
    parts = last_user_content(request.body)
    if endpoint == "chat":
        assert parts[0]["type"] == "image_url"
        assert parts[0]["image_url"]["url"].startswith("data:image/png;base64,")
        assert parts[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")
        assert parts[-1] == {"type": "text", "text": "What did I send?"}
    else:
        assert parts[0]["type"] == "input_image"
        assert parts[2]["image_url"].startswith("data:image/webp;base64,")


async def test_images_alone_go_to_chat_completions_on_auto_for_a_chat_family(demo: DemoPair, tmp_path: Path) -> None:
    gateway, client = demo
    png = write(tmp_path / "a.png", image_bytes("PNG", 64, 48))
    text, _ = await reply_of(client, ask("claude-sonnet-4-5-20250929", [png], stream=False))
    assert "PNG image, 64x48" in text
    assert gateway.requests[0].path.endswith("/chat/completions")  # before: files forced /v1/responses


async def test_the_type_comes_from_the_bytes_not_the_name(demo: DemoPair, tmp_path: Path) -> None:
    _, client = demo
    disguised = write(tmp_path / "holiday.jpg", image_bytes("PNG", 20, 10))
    nameless = write(tmp_path / "scan", image_bytes("JPEG", 12, 34))
    text, _ = await reply_of(client, ask("gpt-4o", [disguised, nameless], "chat"))
    assert "PNG image, 20x10" in text and "JPEG image, 12x34" in text
    fake = write(tmp_path / "fake.png", b"just some text, not a picture\n")
    with pytest.raises(RequestValidationError, match=r"file fake\.png: named \.png but its bytes are not a PNG"):
        preflight(ask("gpt-4o", [fake]))


async def test_an_https_image_url_passes_through_as_a_url(demo: DemoPair) -> None:
    gateway, client = demo
    url = "https://example.com/cat.webp"
    text, _ = await reply_of(client, ask("gpt-4o", [url], "chat"))
    assert f"image from {url}" in text
    assert last_user_content(gateway.requests[0].body)[0] == {
        "type": "image_url",
        "image_url": {"url": url, "detail": "auto"},
    }


async def test_a_model_without_vision_is_refused_before_sending(demo: DemoPair, tmp_path: Path) -> None:
    gateway, client = demo
    png = write(tmp_path / "a.png", image_bytes("PNG", 8, 8))
    for model in ("deepseek-v3", "gpt-3.5-turbo", "o3-mini", "qwen3-coder-plus"):
        with pytest.raises(RequestValidationError, match=rf"{model} does not take images"):
            await reply_of(client, ask(model, [png]))
        with pytest.raises(RequestValidationError, match="does not take images"):
            preflight(ask(model, [png]))
    assert gateway.requests == []


def test_an_unknown_model_gets_the_image_with_a_notice(tmp_path: Path) -> None:
    png = write(tmp_path / "a.png", image_bytes("PNG", 8, 8))
    prepared = prepare(ask("my-local-llava", [png]))
    assert prepared.path == "/chat/completions"
    assert [n.text for n in prepared.notices] == [
        "chatterm does not know whether my-local-llava takes images; sent them anyway"
    ]


async def test_the_unknown_model_notice_is_told_once_per_client(tmp_path: Path) -> None:
    from chatterm.api.client import ChatClient
    from chatterm.demo import DEMO_API_KEY, DemoGateway

    png = write(tmp_path / "a.png", image_bytes("PNG", 8, 8))
    gateway = DemoGateway()
    base = await gateway.start()
    client = ChatClient(base, DEMO_API_KEY, max_retries=0)
    told: list[str] = []
    try:
        for _ in range(2):  # the demo refuses the unknown name (404) after the notice
            try:
                async for event in client.stream(ask("my-local-llava", [png])):
                    if isinstance(event, Notice):
                        told.append(event.text)
            except Exception:
                pass
    finally:
        await client.aclose()
        await gateway.stop()
    assert told == ["chatterm does not know whether my-local-llava takes images; sent them anyway"]


# --- audio ---------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False])
async def test_wav_and_mp3_reach_qwen_omni_as_input_audio_with_asr_options(
    demo: DemoPair, tmp_path: Path, stream: bool
) -> None:
    gateway, client = demo
    wav = write(tmp_path / "voice.wav", wav_bytes(1.5, 16000, 1))
    mp3 = write(tmp_path / "memo", mp3_bytes(100))
    req = ask("qwen3-omni-flash", [wav, mp3], stream=stream, asr_options={"language": "en", "enable_itn": True})
    text, _ = await reply_of(client, req)
    assert "WAV audio, 1.5 s, 16000 Hz, 1 channel" in text
    assert "MP3 audio, 2.6 s, 44100 Hz, 1 channel" in text
    [request] = gateway.requests
    assert request.path.endswith("/chat/completions")
    wav_part, mp3_part = last_user_content(request.body)[:2]
    assert wav_part == {
        "type": "input_audio",
        "input_audio": {"data": "data:;base64," + base64.b64encode(wav.read_bytes()).decode(), "format": "wav"},
    }
    assert mp3_part["input_audio"]["format"] == "mp3"
    assert request.body["parameters"]["asr_options"] == {"language": "en", "enable_itn": True}
    assert "asr_options" not in request.body


def test_audio_is_refused_where_it_cannot_go(tmp_path: Path) -> None:
    wav = write(tmp_path / "voice.wav", wav_bytes(0.5))
    pdf = write(tmp_path / "a.pdf", b"%PDF-1.4\n")
    with pytest.raises(RequestValidationError, match="gpt-4o does not take audio"):
        preflight(ask("gpt-4o", [wav]))
    with pytest.raises(RequestValidationError, match=r"audio goes only to /v1/chat/completions.*set to responses"):
        preflight(ask("qwen3-omni-flash", [wav], "responses"))
    with pytest.raises(RequestValidationError, match="send them in separate messages"):
        preflight(ask("qwen3-omni-flash", [wav, pdf]))


# --- limits and scaling --------------------------------------------------------------


def sparse_png(path: Path, size: int) -> Path:
    """A PNG header followed by zeros, `size` bytes on stat, none on disk."""
    path.write_bytes(image_bytes("PNG", 4, 4)[:33])
    subprocess.run(["truncate", "-s", str(size), str(path)], check=True)
    return path


def test_an_image_over_20_mb_is_refused_unless_it_will_be_scaled(tmp_path: Path) -> None:
    big = sparse_png(tmp_path / "huge.png", 21_000_000)
    with pytest.raises(RequestValidationError, match=r"file huge\.png: 21\.0 MB is over the 20 MB limit for one image"):
        preflight(ask("gpt-4o", [big], image_max_side=0))
    preflight(ask("gpt-4o", [big], image_max_side=2048))  # scaled first, checked after


def test_images_over_50_mb_together_are_refused_naming_them(tmp_path: Path) -> None:
    paths = [sparse_png(tmp_path / f"p{i}.png", 18_000_000) for i in range(3)]
    with pytest.raises(RequestValidationError) as caught:
        preflight(ask("gpt-4o", paths))
    assert "54.0 MB in total is over the 50 MB limit for one request" in str(caught.value)
    assert "p0.png (18.0 MB)" in str(caught.value)


@pytest.mark.parametrize(("max_side", "seen"), [(1024, "PNG image, 1024x341"), (0, "PNG image, 3000x1000")])
async def test_a_large_image_is_scaled_to_the_longest_side(
    demo: DemoPair, tmp_path: Path, max_side: int, seen: str
) -> None:
    _, client = demo
    wide = write(tmp_path / "wide.png", image_bytes("PNG", 3000, 1000))
    text, _ = await reply_of(client, ask("gpt-4o", [wide], "chat", image_max_side=max_side))
    assert seen in text


async def test_a_large_jpeg_stays_a_jpeg_when_scaled(demo: DemoPair, tmp_path: Path) -> None:
    _, client = demo
    tall = write(tmp_path / "tall.jpg", image_bytes("JPEG", 900, 2400))
    text, _ = await reply_of(client, ask("gpt-4o", [tall], "responses", image_max_side=600))
    assert "JPEG image, 225x600" in text


async def test_without_pillow_the_image_goes_unscaled_with_one_notice(
    demo: DemoPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client = demo
    wide = write(tmp_path / "wide.png", image_bytes("PNG", 3000, 1000))
    monkeypatch.setitem(sys.modules, "PIL", None)  # `import PIL` fails as when it is not installed
    texts: list[str] = []
    notices: list[str] = []
    for _ in range(2):
        text, told = await reply_of(client, ask("gpt-4o", [wide], "chat"))
        texts.append(text)
        notices += [n.text for n in told]
    assert all("PNG image, 3000x1000" in t for t in texts)
    assert notices == [
        "images are sent unscaled: Pillow is not installed (pip install 'chatterm[images]' to scale them to 2048 px)"
    ]
