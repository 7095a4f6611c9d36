"""The demo's vision and speech models answer with what they received, read from the
file's own header: images by format and `<width>x<height>`, audio by duration (one
decimal), sample rate and channels. Bodies are posted raw, as any client would."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.media_samples import (
    adts_bytes,
    flac_bytes,
    image_bytes,
    m4a_bytes,
    mp3_bytes,
    opus_bytes,
    wav_bytes,
)


def data_url(data: bytes, mime: str = "") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


async def answer(client: httpx.AsyncClient, path: str, body: dict) -> str:
    reply = await client.post(path, json=body)
    assert reply.status_code == 200, reply.text
    data = reply.json()
    if path == "chat/completions":
        return str(data["choices"][0]["message"]["content"])
    return "".join(part["text"] for item in data["output"] for part in item.get("content", []))


@pytest.mark.parametrize(
    ("fmt", "mime", "said"),
    [
        ("PNG", "image/png", "PNG image, 64x48"),
        ("JPEG", "image/jpeg", "JPEG image, 64x48"),
        ("WEBP", "image/webp", "WebP image, 64x48"),
        ("GIF", "image/gif", "GIF image, 64x48"),
    ],
)
async def test_a_vision_model_names_each_image_on_both_endpoints(
    client: httpx.AsyncClient, fmt: str, mime: str, said: str
) -> None:
    url = data_url(image_bytes(fmt, 64, 48), mime)
    chat = {
        "model": "gpt-4o",
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "what?"}, {"type": "image_url", "image_url": {"url": url}}],
            }
        ],
    }
    assert said in await answer(client, "chat/completions", chat)
    responses = {
        "model": "gpt-4o",
        "input": [
            {
                "role": "user",
                "content": [{"type": "input_text", "text": "what?"}, {"type": "input_image", "image_url": url}],
            }
        ],
    }
    assert said in await answer(client, "responses", responses)


@pytest.mark.parametrize(
    ("audio", "fmt", "said"),
    [
        (wav_bytes(1.5, 16000, 1), "wav", "WAV audio, 1.5 s, 16000 Hz, 1 channel"),
        (wav_bytes(0.25, 48000, 2), "wav", "WAV audio, 0.2 s, 48000 Hz, 2 channels"),
        (mp3_bytes(100), "mp3", "MP3 audio, 2.6 s, 44100 Hz, 1 channel"),
        (flac_bytes(2.5, 44100, 2), "flac", "FLAC audio, 2.5 s, 44100 Hz, 2 channels"),
        (opus_bytes(3.0, 1), "ogg", "Ogg Opus audio, 3.0 s, 48000 Hz, 1 channel"),
        (m4a_bytes(4.0, 44100, 2), "m4a", "M4A audio, 4.0 s, 44100 Hz, 2 channels"),
        (adts_bytes(43), "aac", "AAC audio, 1.0 s, 44100 Hz, 2 channels"),
    ],
)
async def test_qwen_omni_names_each_recording(client: httpx.AsyncClient, audio: bytes, fmt: str, said: str) -> None:
    part = {"type": "input_audio", "input_audio": {"data": data_url(audio), "format": fmt}}
    body = {"model": "qwen3-omni-flash", "messages": [{"role": "user", "content": [part]}]}
    assert said in await answer(client, "chat/completions", body)


async def test_an_unreadable_image_is_a_400(client: httpx.AsyncClient) -> None:
    part = {"type": "image_url", "image_url": {"url": data_url(b"not an image", "image/png")}}
    reply = await client.post(
        "chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": [part]}]}
    )
    assert reply.status_code == 400
    assert "could not be read" in reply.json()["error"]["message"]
