"""What is sent of an image: the file as it is, or a copy scaled to a longest side.

A 24-megapixel photo is ~6000 px across; models look at ~2,000 px at most, so sending
it whole costs upload time and request size for nothing. `fit(data, media, max_side)`
returns the bytes to send. Pillow (the `images` extra) is imported only here, and only
when an image is larger than `max_side`, so start-up never pays for it; without
Pillow the image goes unscaled and `Fitted.notice` says so once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from chatterm.media.detect import GIF, JPEG, PNG, WEBP, Media, image_size

JPEG_QUALITY = 90


@dataclass(frozen=True, slots=True)
class Fitted:
    data: bytes
    media: Media
    size: tuple[int, int] | None
    """Pixel size of what is sent (None when the header could not be read)."""
    scaled_from: tuple[int, int] | None = None
    """The original size when the image was scaled down."""
    notice: str | None = None
    """Why an image that should have been scaled was sent as it is."""


def fit(data: bytes, media: Media, max_side: int) -> Fitted:
    """`data` scaled so its longest side is at most `max_side` (0: never scaled)."""
    size = image_size(data)
    if max_side <= 0 or size is None or max(size) <= max_side:
        return Fitted(data, media, size)
    try:
        from PIL import Image
    except ImportError:
        return Fitted(
            data,
            media,
            size,
            notice=(
                f"images are sent unscaled: Pillow is not installed "
                f"(pip install 'chatterm[images]' to scale them to {max_side} px)"
            ),
        )
    with Image.open(io.BytesIO(data)) as image:
        if media is GIF and getattr(image, "n_frames", 1) > 1:
            return Fitted(data, media, size)  # an animation keeps its frames
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if media is JPEG:
            image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        elif media is WEBP:
            image.save(out, "WEBP", quality=JPEG_QUALITY)
        elif media is GIF:
            image.save(out, "GIF")
        else:
            image.save(out, "PNG", optimize=False)
            media = PNG
        return Fitted(out.getvalue(), media, image.size, scaled_from=size)
