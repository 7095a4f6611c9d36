"""The demo's image models draw a PNG with zlib and struct alone (no Pillow: the demo
gateway imports nothing beyond the stdlib).

The picture depends on the prompt: its SHA-256 picks two colours and a stripe width, so
two prompts give two different files and one prompt always the same bytes. `noise=True`
fills it with pseudo-random pixels stored uncompressed, so `!imgsize=2600 !noise` is a
~20 MB image for the big-event paths.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib

MAX_SIDE = 4096


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def prompt_png(prompt: str, width: int = 64, height: int = 48, *, noise: bool = False) -> bytes:
    """An RGB PNG of `width` x `height` drawn from `prompt`."""
    width = max(1, min(width, MAX_SIDE))
    height = max(1, min(height, MAX_SIDE))
    digest = hashlib.sha256(prompt.encode("utf-8", "replace")).digest()
    if noise:
        rng = random.Random(digest)
        rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
        pixels = zlib.compress(rows, 0)
    else:
        first, second = digest[0:3], digest[3:6]
        stripe = 2 + digest[6] % 14
        rows = b"".join(
            b"\x00" + b"".join(first if ((x + y) // stripe) % 2 == 0 else second for x in range(width))
            for y in range(height)
        )
        pixels = zlib.compress(rows, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")
