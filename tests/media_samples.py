"""Tiny images and audio files for the media tests, made here (nothing read from outside).

Images come from Pillow; audio is written by hand, header by header, so each file is
exactly what the test says: its duration, sample rate and channel count.
"""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path


def image_bytes(fmt: str, width: int, height: int) -> bytes:
    """A `width` x `height` image in `fmt` ("PNG", "JPEG", "WEBP", "GIF")."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, fmt)
    return out.getvalue()


def wav_bytes(seconds: float, rate: int = 16000, channels: int = 1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * channels * round(seconds * rate))
    return out.getvalue()


def mp3_bytes(frames: int = 100) -> bytes:
    """MPEG-1 layer III, 128 kbit/s, 44100 Hz, mono, constant bit rate (417-byte frames):
    `frames` * 1152 / 44100 seconds (100 frames: 2.6 s)."""
    header = bytes([0xFF, 0xFB, 0x90, 0xC4])
    return (header + b"\x00" * 413) * frames


def flac_bytes(seconds: float, rate: int = 44100, channels: int = 2) -> bytes:
    samples = round(seconds * rate)
    bits = (rate << 44) | ((channels - 1) << 41) | (15 << 36) | samples
    info = struct.pack(">HH", 4096, 4096) + b"\x00" * 6 + bits.to_bytes(8, "big") + b"\x00" * 16
    return b"fLaC" + bytes([0x80, 0, 0, len(info)]) + info + b"\xff\xf8" + b"\x00" * 32


def _ogg_page(granule: int, packet: bytes, sequence: int, kind: int) -> bytes:
    return b"OggS" + bytes([0, kind]) + struct.pack("<qIII", granule, 1, sequence, 0) + bytes([1, len(packet)]) + packet


def opus_bytes(seconds: float, channels: int = 1, input_rate: int = 48000) -> bytes:
    pre_skip = 312
    head = b"OpusHead" + bytes([1, channels]) + struct.pack("<HIhB", pre_skip, input_rate, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 0) + struct.pack("<I", 0)
    audio = b"\x00" * 40
    granule = pre_skip + round(seconds * 48000)
    return _ogg_page(0, head, 0, 2) + _ogg_page(0, tags, 1, 0) + _ogg_page(granule, audio, 2, 4)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def m4a_bytes(seconds: float, rate: int = 44100, channels: int = 2) -> bytes:
    ftyp = _box(b"ftyp", b"M4A " + struct.pack(">I", 0) + b"M4A isom")
    mvhd = _box(b"mvhd", b"\x00" * 4 + struct.pack(">IIII", 0, 0, 1000, round(seconds * 1000)) + b"\x00" * 80)
    mp4a = _box(
        b"mp4a",
        b"\x00" * 6 + struct.pack(">H", 1) + b"\x00" * 8 + struct.pack(">HHHHI", channels, 16, 0, 0, rate << 16),
    )
    stsd = _box(b"stsd", b"\x00" * 4 + struct.pack(">I", 1) + mp4a)
    moov = _box(b"moov", mvhd + _box(b"trak", _box(b"mdia", _box(b"minf", _box(b"stbl", stsd)))))
    return ftyp + moov + _box(b"mdat", b"\x00" * 64)


def adts_bytes(frames: int = 43, rate_index: int = 4, channels: int = 2) -> bytes:
    """AAC in ADTS frames (44100 Hz at index 4): `frames` * 1024 / rate seconds."""
    length = 7 + 32
    header = bytes(
        [
            0xFF,
            0xF1,
            (1 << 6) | (rate_index << 2) | (channels >> 2),
            ((channels & 3) << 6) | (length >> 11),
            (length >> 3) & 0xFF,
            ((length & 7) << 5) | 0x1F,
            0xFC,
        ]
    )
    return (header + b"\x00" * 32) * frames


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
