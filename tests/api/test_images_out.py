"""Generated images in every shape providers send them, on both endpoints, through the
real client against the demo gateway (loopback TCP) and a raw socket server: the image
arrives as one `ImageDelta` with the decoded PNG, and no base64 is ever text."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from chatterm.api import ChatClient, ChatRequest
from chatterm.api.types import Completion, Finished, ImageDelta, TextDelta
from chatterm.demo import DEMO_API_KEY, DemoGateway
from chatterm.demo.png import prompt_png

from .conftest import RawServer, pieces_of

PNG = prompt_png("a lighthouse at dusk", 40, 30)
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


async def run(base_url: str, model: str, prompt: str, **kw: Any) -> list[Any]:
    client = ChatClient(base_url, DEMO_API_KEY, read_timeout=30)
    try:
        req = ChatRequest(model, [{"role": "user", "content": prompt}], **kw)
        return [e async for e in client.stream(req)]
    finally:
        await client.aclose()


def completion(events: list[Any]) -> Completion:
    assert isinstance(events[-1], Finished)
    return events[-1].completion


def shown_text(events: list[Any]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def images(events: list[Any]) -> list[bytes]:
    return [e.image.data for e in events if isinstance(e, ImageDelta)]


@pytest.fixture
async def gateway() -> Any:
    gw = DemoGateway()
    url = await gw.start()
    try:
        yield url
    finally:
        await gw.stop()


@pytest.mark.parametrize("model", ["nano-banana-pro", "gemini-2.5-flash-image"])
@pytest.mark.parametrize("endpoint", ["chat", "responses"])
@pytest.mark.parametrize("stream", [True, False])
async def test_demo_image_models_give_the_prompts_png_on_both_endpoints(
    gateway: str, model: str, endpoint: str, stream: bool
) -> None:
    prompt = "draw a lighthouse at dusk !imgsize=40 !imgheight=30"
    events = await run(gateway, model, prompt, endpoint=endpoint, stream=stream)
    got = images(events)
    assert got == [prompt_png(prompt, 40, 30)]
    assert [e.image.mime for e in events if isinstance(e, ImageDelta)] == ["image/png"]
    done = completion(events)
    assert [i.data for i in done.images] == got
    assert "base64" not in shown_text(events) and "base64" not in done.content
    assert "Here is the image" in done.content


async def test_the_picture_depends_on_the_prompt(gateway: str) -> None:
    first = images(await run(gateway, "nano-banana-pro", "a red fox"))
    second = images(await run(gateway, "nano-banana-pro", "a blue whale"))
    assert first and second and first != second


async def test_a_markdown_data_url_split_over_many_chunks_is_one_image(gateway: str) -> None:
    prompt = "a big one !imgsize=300 !imgheight=200"
    events = await run(gateway, "gemini-2.5-flash-image", prompt, endpoint="chat")
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert images(events) == [prompt_png(prompt, 300, 200)]
    assert all("data:" not in d.text and "![" not in d.text for d in deltas)


@pytest.mark.parametrize("endpoint", ["chat", "responses"])
async def test_a_20_mb_image_in_one_sse_event_arrives_whole(gateway: str, endpoint: str) -> None:
    prompt = "a noisy one !imgsize=2600 !noise"
    events = await run(gateway, "nano-banana-pro", prompt, endpoint=endpoint)
    (data,) = images(events)
    assert len(data) > 20_000_000
    assert data == prompt_png(prompt, 2600, 2600, noise=True)


async def test_a_markdown_image_in_one_multi_megabyte_event(gateway: str) -> None:
    prompt = "one event !imgsize=1200 !noise !oneevent"
    events = await run(gateway, "gemini-2.5-flash-image", prompt, endpoint="chat")
    assert images(events) == [prompt_png(prompt, 1200, 1200, noise=True)]
    assert "base64" not in shown_text(events)


async def test_an_https_image_url_is_kept_as_a_url(gateway: str) -> None:
    events = await run(gateway, "nano-banana-pro", "a link !imgurl", endpoint="chat")
    (image,) = [e.image for e in events if isinstance(e, ImageDelta)]
    assert image.url is not None and image.url.startswith("https://") and image.data == b""


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


async def test_content_part_arrays_with_image_url_parts(raw_server: RawServer) -> None:
    """A proxy that sends content as an array of parts, an image among them, and an
    image_url given as a plain string."""
    parts = [
        {"type": "text", "text": "Look: "},
        {"type": "image_url", "image_url": {"url": DATA_URL}},
        {"type": "image_url", "image_url": DATA_URL},
    ]
    raw_server.script(chunk({"role": "assistant", "content": parts}) + chunk({}, "stop") + b"data: [DONE]\n\n")
    events = await run(raw_server.base_url, "gpt-4o", "hi", endpoint="chat")
    assert images(events) == [PNG, PNG]
    assert shown_text(events) == "Look: "


async def test_a_data_url_cut_in_small_chunks_and_reads(raw_server: RawServer) -> None:
    text = f"Before ![pic]({DATA_URL}) after!"
    frames = b"".join(chunk({"content": text[i : i + 7]}) for i in range(0, len(text), 7))
    raw_server.script(pieces_of(frames + chunk({}, "stop") + b"data: [DONE]\n\n", 13))
    events = await run(raw_server.base_url, "gpt-4o", "hi", endpoint="chat")
    assert images(events) == [PNG]
    assert shown_text(events) == "Before  after!"
    assert completion(events).content == "Before  after!"
