"""The Markdown data-URL stripper and the base64 reader, on the text a model writes:
exclamation marks and ordinary image links stay text, a data URL becomes an image
wherever the chunks cut it, and big or folded base64 decodes to the same bytes."""

from __future__ import annotations

import base64
import os

import pytest

from chatterm.media.images_out import MarkdownImageStripper, b64_bytes, image_from_part, strip_markdown_images

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


def fed(text: str, size: int) -> tuple[str, list[bytes]]:
    stripper = MarkdownImageStripper()
    out, images = [], []
    for i in range(0, len(text), size):
        piece, found = stripper.feed(text[i : i + size])
        out.append(piece)
        images += [f.data for f in found]
    piece, found = stripper.flush()
    return "".join(out) + piece, images + [f.data for f in found]


@pytest.mark.parametrize("size", [1, 2, 5, 64, 10_000])
def test_a_data_url_image_is_taken_out_wherever_the_chunks_cut(size: int) -> None:
    text = f"Wow! Look ![a *cat*]({URL}) and [a link](https://x.org) ![logo](https://x.org/l.png)!"
    assert fed(text, size) == ("Wow! Look  and [a link](https://x.org) ![logo](https://x.org/l.png)!", [PNG])


def test_plain_text_with_brackets_is_not_held_back() -> None:
    stripper = MarkdownImageStripper()
    assert stripper.feed("x = a![0] + b")[0] == "x = a![0] + b"
    assert stripper.feed("![" + "y" * 600)[0].startswith("![yyy")  # too long for alt text


def test_a_reply_cut_inside_a_data_url_never_shows_base64() -> None:
    text, images = strip_markdown_images(f"see ![pic]({URL[:-7]}")
    assert "base64" not in text and text == "see "
    assert len(images) <= 1


def test_big_and_folded_base64_decodes_the_same() -> None:
    data = os.urandom(3 << 20)
    flat = base64.b64encode(data).decode()
    folded = "\n".join(flat[i : i + 76] for i in range(0, len(flat), 76))
    assert b64_bytes(flat) == data and b64_bytes(folded) == data


def test_image_parts_in_their_shapes() -> None:
    assert image_from_part({"type": "image_url", "image_url": {"url": URL}}).data == PNG  # type: ignore[union-attr]
    assert image_from_part({"type": "image_url", "image_url": URL}).data == PNG  # type: ignore[union-attr]
    b64 = base64.b64encode(PNG).decode()
    assert image_from_part({"type": "image_generation_call", "result": b64}).data == PNG  # type: ignore[union-attr]
    linked = image_from_part({"type": "image_url", "image_url": {"url": "https://cdn.example/p.webp?x=1"}})
    assert linked is not None and linked.url and linked.mime == "image/webp" and not linked.data
    assert image_from_part({"type": "text", "text": "hi"}) is None
