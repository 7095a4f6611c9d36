"""What a file is, judged by its bytes (magic numbers), never by its name.

    sniff(head)        -> Media | None   the first bytes of a file: image or audio, its
                                         format, MIME type and the `format` the wire wants
    image_size(data)   -> (width, height) | None   read from the image's own header

Only headers are parsed (stdlib only, no decoding): a PNG's IHDR, a GIF's logical
screen, a JPEG's first SOF segment, a WebP's VP8/VP8L/VP8X chunk. `SNIFF_BYTES` of a
file are enough for `sniff`; `image_size` wants the whole file for JPEG (its SOF may
follow a large EXIF block), the head for the others.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Literal

SNIFF_BYTES = 64
"""Bytes `sniff` needs (an MP4 `ftyp` box, an OGG page's codec header)."""


@dataclass(frozen=True, slots=True)
class Media:
    kind: Literal["image", "audio"]
    label: str
    """What a person calls it: "PNG", "JPEG", "WAV", "Ogg Opus"."""
    mime: str
    wire_format: str
    """`input_audio.format` for audio ("wav", "mp3", "m4a", "aac", "flac", "ogg"); the
    lower-case label for images."""


PNG = Media("image", "PNG", "image/png", "png")
JPEG = Media("image", "JPEG", "image/jpeg", "jpeg")
GIF = Media("image", "GIF", "image/gif", "gif")
WEBP = Media("image", "WebP", "image/webp", "webp")
WAV = Media("audio", "WAV", "audio/wav", "wav")
MP3 = Media("audio", "MP3", "audio/mpeg", "mp3")
M4A = Media("audio", "M4A", "audio/mp4", "m4a")
AAC = Media("audio", "AAC", "audio/aac", "aac")
FLAC = Media("audio", "FLAC", "audio/flac", "flac")
OGG = Media("audio", "Ogg", "audio/ogg", "ogg")
OPUS = Media("audio", "Ogg Opus", "audio/ogg", "ogg")

IMAGE_LABELS = "PNG, JPEG, WebP or GIF"
AUDIO_LABELS = "WAV, MP3, M4A/AAC, FLAC or OGG/Opus"

_M4A_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"isom", b"iso2", b"mp41", b"dash", b"M4V ")


def sniff(head: bytes) -> Media | None:
    """The image or audio format `head` (a file's first bytes) starts like, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"OggS"):
        return OPUS if b"OpusHead" in head[:64] else OGG
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return M4A
    if head.startswith(b"ID3"):
        return MP3
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return AAC  # ADTS: sync word, layer 00
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return MP3  # MPEG audio frame sync with a layer set
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the image's header, or None when the header is cut or odd."""
    media = sniff(data[:SNIFF_BYTES])
    try:
        if media is PNG and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return width, height
        if media is GIF:
            width, height = struct.unpack("<HH", data[6:10])
            return width, height
        if media is WEBP:
            return _webp_size(data)
        if media is JPEG:
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the segments to the first start-of-frame marker, which holds the size."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None
