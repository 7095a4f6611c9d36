"""The demo's image-generation models: which shape each sends its picture in.

- `nano-banana-pro`: the OpenRouter shape, `message.images[]` / `delta.images[]` with
  `{"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}`; streamed,
  the whole image is one chunk of its own (a multi-megabyte SSE event for a big one). On
  `/v1/responses`: an `image_generation_call` output item (`result`: bare base64).
- `gemini-2.5-flash-image`: a Markdown `![image](data:image/png;base64,...)` inside the
  content; streamed, the data URL is split across many chunks (`!oneevent`: one chunk).

Triggers (in the last user message): `!imgsize=W` (a W x W picture; default 64x48),
`!imgheight=H` (its height), at most 4096 a side, `!noise` (incompressible pixels: `!imgsize=2600 !noise` is ~20 MB),
`!oneevent`, `!imgurl` (an `https://` URL instead of the bytes).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Literal

from chatterm.demo.png import MAX_SIDE, prompt_png

ImageStyle = Literal["images", "markdown"]

IMAGE_MODELS: dict[str, ImageStyle] = {
    "nano-banana-pro": "images",
    "gemini-2.5-flash-image": "markdown",
}

PIECE = 4096
"""Characters of a data URL per chunk when a Markdown image is streamed split."""


@dataclass(slots=True)
class ImagePlan:
    style: ImageStyle
    url: str
    """A `data:image/png;base64,...` URL, or an `https://` URL for `!imgurl`."""
    one_event: bool = False

    @property
    def b64(self) -> str:
        return self.url.partition(",")[2]

    def markdown(self) -> str:
        return f"![generated image]({self.url})"

    def markdown_pieces(self) -> list[str]:
        """The Markdown image as stream tokens: whole, or cut every `PIECE` characters."""
        text = self.markdown()
        if self.one_event:
            return [text]
        return [text[i : i + PIECE] for i in range(0, len(text), PIECE)]

    def part(self) -> dict[str, object]:
        return {"type": "image_url", "image_url": {"url": self.url}}


def _size(triggers: dict[str, str]) -> tuple[int, int]:
    width = int(float(triggers.get("imgsize") or 64))
    height = int(float(triggers.get("imgheight") or (width if triggers.get("imgsize") else 48)))
    return max(1, min(width, MAX_SIDE)), max(1, min(height, MAX_SIDE))


def plan_image(model: str, prompt: str, triggers: dict[str, str]) -> ImagePlan | None:
    """The picture an image model answers `prompt` with (None for other models)."""
    style = IMAGE_MODELS.get(model)
    if style is None:
        return None
    if "imgurl" in triggers:
        digest = hashlib.sha256(prompt.encode()).hexdigest()[:16]
        return ImagePlan(style, f"https://images.example.invalid/{digest}.png", "oneevent" in triggers)
    width, height = _size(triggers)
    png = prompt_png(prompt, width, height, noise="noise" in triggers)
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return ImagePlan(style, url, "oneevent" in triggers)
