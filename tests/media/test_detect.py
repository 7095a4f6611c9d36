"""`chatterm.media`: a file's type from its bytes, an image's size from its header, and
the copy that is sent of a large image."""

from __future__ import annotations

import io

import pytest

from chatterm.media.detect import SNIFF_BYTES, image_size, sniff
from chatterm.media.prepare import fit
from tests.media_samples import adts_bytes, flac_bytes, image_bytes, m4a_bytes, mp3_bytes, opus_bytes, wav_bytes


@pytest.mark.parametrize(
    ("data", "label", "wire"),
    [
        (image_bytes("PNG", 3, 2), "PNG", "png"),
        (image_bytes("JPEG", 3, 2), "JPEG", "jpeg"),
        (image_bytes("WEBP", 3, 2), "WebP", "webp"),
        (image_bytes("GIF", 3, 2), "GIF", "gif"),
        (wav_bytes(0.1), "WAV", "wav"),
        (mp3_bytes(2), "MP3", "mp3"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + mp3_bytes(1), "MP3", "mp3"),
        (flac_bytes(0.1), "FLAC", "flac"),
        (opus_bytes(0.1), "Ogg Opus", "ogg"),
        (m4a_bytes(0.1), "M4A", "m4a"),
        (adts_bytes(2), "AAC", "aac"),
    ],
)
def test_each_format_is_known_by_its_first_bytes(data: bytes, label: str, wire: str) -> None:
    media = sniff(data[:SNIFF_BYTES])
    assert media is not None and (media.label, media.wire_format) == (label, wire)


@pytest.mark.parametrize("head", [b"hello world", b"%PDF-1.7", b"PK\x03\x04zip", b"", b"\x89PNX"])
def test_other_files_are_neither_image_nor_audio(head: bytes) -> None:
    assert sniff(head) is None


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_the_pixel_size_comes_from_the_header(fmt: str) -> None:
    assert image_size(image_bytes(fmt, 641, 37)) == (641, 37)


def test_a_jpeg_size_is_found_after_a_large_exif_block() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 200)).save(out, "JPEG", exif=b"Exif\x00\x00" + b"\x00" * 60_000)
    assert image_size(out.getvalue()) == (300, 200)


def test_a_cut_header_gives_no_size() -> None:
    assert image_size(image_bytes("PNG", 5, 5)[:20]) is None
    assert image_size(image_bytes("JPEG", 5, 5)[:100]) is None


def test_a_small_image_is_sent_as_it_is_and_a_large_one_scaled() -> None:
    small = image_bytes("PNG", 100, 50)
    assert fit(small, sniff(small), 2048).data is small  # type: ignore[arg-type]
    big = image_bytes("WEBP", 4000, 1000)
    fitted = fit(big, sniff(big), 1000)  # type: ignore[arg-type]
    assert fitted.size == (1000, 250) and fitted.scaled_from == (4000, 1000)
    assert sniff(fitted.data) is not None and sniff(fitted.data).label == "WebP"  # type: ignore[union-attr]
    assert fit(big, sniff(big), 0).data is big  # type: ignore[arg-type]


def test_an_animated_gif_keeps_its_frames() -> None:
    from PIL import Image

    out = io.BytesIO()
    frames = [Image.new("RGB", (3000, 100), c) for c in ("red", "blue")]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    data = out.getvalue()
    assert fit(data, sniff(data), 1000).data is data  # type: ignore[arg-type]


def test_pillow_is_imported_only_when_an_image_must_be_scaled(tmp_path) -> None:
    import subprocess
    import sys

    (tmp_path / "small.png").write_bytes(image_bytes("PNG", 64, 48))
    (tmp_path / "big.png").write_bytes(image_bytes("PNG", 3000, 100))
    code = (
        "import sys\n"
        "from chatterm.api.request import ChatRequest\n"
        "from chatterm.api.shaping import prepare\n"
        "from chatterm.api.types import FileInput\n"
        "def send(name):\n"
        "    prepare(ChatRequest(model='gpt-4o', messages=[{'role': 'user', 'content': 'x'}],"
        " files=[FileInput(name)]))\n"
        "    return 'PIL' in sys.modules\n"
        "print(send('small.png'), send('big.png'))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "True"]
