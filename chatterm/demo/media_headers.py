"""What the demo's vision and speech models "see": an image's format and pixel size,
an audio file's duration, sample rate and channels, read from the file's own header.

The demo imports nothing else of chatterm, so these are its own small readers (stdlib
only, headers, no decoding). `describe(data)` gives the line a model answers with:

    "PNG image, 64x48"
    "WAV audio, 1.5 s, 16000 Hz, 1 channel"
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AudioInfo:
    duration: float
    rate: int
    channels: int


def describe(data: bytes) -> str | None:
    """One line naming what `data` is, or None when it is neither image nor audio."""
    image = image_header(data)
    if image is not None:
        label, width, height = image
        return f"{label} image, {width}x{height}"
    audio = audio_header(data)
    if audio is not None:
        label, info = audio
        channels = f"{info.channels} channel{'s' if info.channels != 1 else ''}"
        return f"{label} audio, {info.duration:.1f} s, {info.rate} Hz, {channels}"
    return None


# --- images --------------------------------------------------------------------------


def image_header(data: bytes) -> tuple[str, int, int] | None:
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return "PNG", width, height
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return "GIF", width, height
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            size = _webp(data)
            return ("WebP", *size) if size else None
        if data.startswith(b"\xff\xd8\xff"):
            size = _jpeg(data)
            return ("JPEG", *size) if size else None
    except struct.error:
        return None
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD7:
            at += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


# --- audio ---------------------------------------------------------------------------


def audio_header(data: bytes) -> tuple[str, AudioInfo] | None:
    try:
        if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
            return _labelled("WAV", _wav(data))
        if data.startswith(b"fLaC"):
            return _labelled("FLAC", _flac(data))
        if data.startswith(b"OggS"):
            return _ogg(data)
        if data[4:8] == b"ftyp":
            return _labelled("M4A", _mp4(data))
        if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
            if data[0] == 0xFF and data[1] & 0xF6 == 0xF0:
                return _labelled("AAC", _adts(data))
            return _labelled("MP3", _mp3(data))
    except (struct.error, IndexError, ZeroDivisionError):
        return None
    return None


def _labelled(label: str, info: AudioInfo | None) -> tuple[str, AudioInfo] | None:
    return (label, info) if info else None


def _chunks(data: bytes, start: int, end: int, little: bool = True) -> list[tuple[bytes, int, int]]:
    """RIFF-style (id, body start, body size) chunks between `start` and `end`."""
    found: list[tuple[bytes, int, int]] = []
    at = start
    while at + 8 <= end:
        size = struct.unpack("<I" if little else ">I", data[at + 4 : at + 8])[0]
        found.append((data[at : at + 4], at + 8, size))
        at += 8 + size + (size & 1)
    return found


def _wav(data: bytes) -> AudioInfo | None:
    fmt = None
    frames_bytes = None
    for cid, body, size in _chunks(data, 12, len(data)):
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", data[body : body + 16])
        elif cid == b"data":
            frames_bytes = min(size, len(data) - body)
    if fmt is None or frames_bytes is None:
        return None
    _, channels, rate, byte_rate, _, _ = fmt
    return AudioInfo(frames_bytes / byte_rate, rate, channels)


def _flac(data: bytes) -> AudioInfo | None:
    info = data[8:26]  # STREAMINFO is always the first metadata block
    bits = int.from_bytes(info[10:18], "big")
    rate = bits >> 44
    channels = ((bits >> 41) & 0x7) + 1
    samples = bits & 0xFFFFFFFFF
    return AudioInfo(samples / rate, rate, channels)


def _ogg(data: bytes) -> tuple[str, AudioInfo] | None:
    head = data[:200]
    last = data.rfind(b"OggS")
    granule = struct.unpack("<q", data[last + 6 : last + 14])[0]
    at = head.find(b"OpusHead")
    if at >= 0:
        channels = data[at + 9]
        pre_skip, rate = struct.unpack("<HI", data[at + 10 : at + 16])
        return "Ogg Opus", AudioInfo(max(granule - pre_skip, 0) / 48000, rate, channels)
    at = head.find(b"\x01vorbis")
    if at >= 0:
        channels = data[at + 11]
        (rate,) = struct.unpack("<I", data[at + 12 : at + 16])
        return "Ogg Vorbis", AudioInfo(granule / rate, rate, channels)
    return None


def _mp4(data: bytes) -> AudioInfo | None:
    """mvhd's duration / timescale, and the mp4a sample entry's channels and rate."""
    mvhd = data.find(b"mvhd")
    mp4a = data.find(b"mp4a")
    if mvhd < 0 or mp4a < 0:
        return None
    version = data[mvhd + 4]
    if version == 1:
        scale, duration = struct.unpack(">IQ", data[mvhd + 24 : mvhd + 36])
    else:
        scale, duration = struct.unpack(">II", data[mvhd + 16 : mvhd + 24])
    channels, _, _, _, rate = struct.unpack(">HHHHI", data[mp4a + 20 : mp4a + 32])
    return AudioInfo(duration / scale, rate >> 16, channels)


_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


def _adts(data: bytes) -> AudioInfo | None:
    at = frames = 0
    rate = channels = 0
    while at + 7 <= len(data) and data[at] == 0xFF and data[at + 1] & 0xF6 == 0xF0:
        rate = _ADTS_RATES[(data[at + 2] >> 2) & 0xF]
        channels = ((data[at + 2] & 1) << 2) | (data[at + 3] >> 6)
        length = ((data[at + 3] & 3) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        if length < 7:
            break
        frames += 1
        at += length
    return AudioInfo(frames * 1024 / rate, rate, channels) if frames else None


_MP3_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  # MPEG-1 layer III
_MP3_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3(data: bytes) -> AudioInfo | None:
    """The first frame's header; duration from a Xing/Info frame count, else constant
    bit rate over the audio bytes."""
    at = 0
    if data.startswith(b"ID3"):
        size = data[6:10]
        at = 10 + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3])
    while at + 4 <= len(data) and not (data[at] == 0xFF and data[at + 1] & 0xE0 == 0xE0):
        at += 1
    header = int.from_bytes(data[at : at + 4], "big")
    version = (header >> 19) & 3
    rate = _MP3_RATES[version][(header >> 10) & 3]
    channels = 1 if (header >> 6) & 3 == 3 else 2
    table = _MP3_BITRATES if version == 3 else _MP3_BITRATES_V2
    bitrate = table[(header >> 12) & 0xF] * 1000
    samples_per_frame = 1152 if version == 3 else 576
    for tag in (b"Xing", b"Info"):
        found = data.find(tag, at, at + 64)
        if found >= 0 and int.from_bytes(data[found + 4 : found + 8], "big") & 1:
            frames = int.from_bytes(data[found + 8 : found + 12], "big")
            return AudioInfo(frames * samples_per_frame / rate, rate, channels)
    return AudioInfo((len(data) - at) * 8 / bitrate, rate, channels)
