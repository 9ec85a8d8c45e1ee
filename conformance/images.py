"""Images on the wire: recognising the ones a gateway returns (base64, format, size, completeness)
and building the PNGs the suite sends (a tiny one, or one of an exact byte size)."""

from __future__ import annotations

import base64
import binascii
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A private, ancillary PNG chunk type (lowercase first letter): decoders skip it, so it can pad a
# PNG to any size without changing the picture.
PADDING_CHUNK = b"gcPd"
_CHUNK_OVERHEAD = 12  # length, type, CRC

SIGNATURES = (
    (PNG_SIGNATURE, "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True, slots=True)
class InlineImage:
    path: str  # where it sits in the response, e.g. "$.candidates[0].content.parts[1].inlineData"
    mime_type: Any
    data: bytes | None  # None when the base64 does not decode
    detected: str | None  # the format the bytes actually are

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) in pixels, for PNG and JPEG."""
        if self.detected == "image/png" and self.data and len(self.data) >= 24:
            return struct.unpack(">II", self.data[16:24])
        if self.detected == "image/jpeg" and self.data:
            return _jpeg_size(self.data)
        return None

    def truncation(self) -> str | None:
        """Why the bytes are not a whole image, if they visibly are not (PNG and JPEG)."""
        if self.data is None:
            return None
        if self.detected == "image/png":
            return png_problem(self.data)
        if self.detected == "image/jpeg" and not self.data.rstrip(b"\x00").endswith(b"\xff\xd9"):
            return f"the JPEG ends without its EOI marker after {len(self.data)} bytes"
        return None


def sniff(data: bytes) -> str | None:
    for signature, mime in SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def decode_base64(text: Any) -> bytes | None:
    """Standard base64 with padding; the proto3 JSON mapping also accepts URL-safe."""
    if not isinstance(text, str):
        return None
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            return decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            continue
    return None


def inline_images(response: Any, at: str = "$") -> Iterator[InlineImage]:
    """Every inlineData part with an image mimeType (or image bytes) in a response or chunk."""
    candidates = response.get("candidates") if isinstance(response, dict) else None
    for c, candidate in enumerate(candidates if isinstance(candidates, list) else []):
        content = candidate.get("content") if isinstance(candidate, dict) else None
        parts = content.get("parts") if isinstance(content, dict) else None
        for p, part in enumerate(parts if isinstance(parts, list) else []):
            blob = part.get("inlineData") if isinstance(part, dict) else None
            if not isinstance(blob, dict):
                continue
            data = decode_base64(blob.get("data"))
            detected = sniff(data) if data else None
            mime = blob.get("mimeType")
            if detected or (isinstance(mime, str) and mime.startswith("image/")):
                path = f"{at}.candidates[{c}].content.parts[{p}].inlineData"
                yield InlineImage(path, mime, data, detected)


def png_problem(data: bytes) -> str | None:
    """Walk a PNG's chunks: each must fit with a correct CRC, and IEND must end the file."""
    position = len(PNG_SIGNATURE)
    while position + _CHUNK_OVERHEAD <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + _CHUNK_OVERHEAD + length
        if end > len(data):
            return f"chunk {kind!r} at byte {position} declares {length} bytes but only {len(data) - position - _CHUNK_OVERHEAD} follow"
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[position + 4 : end - 4]) & 0xFFFFFFFF != crc:
            return f"chunk {kind!r} at byte {position} fails its CRC"
        if kind == b"IEND":
            return None if end == len(data) else f"{len(data) - end} bytes follow the IEND chunk"
        position = end
    return f"the PNG ends after {len(data)} bytes without an IEND chunk"


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """An 8-bit RGB PNG of one colour."""
    row = b"\x00" + bytes(rgb) * width  # filter byte 0 (None), then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(row * height)) + _chunk(b"IEND", b"")


def padded_png(png: bytes, total: int) -> bytes:
    """``png`` grown to exactly ``total`` bytes by a padding chunk just before IEND."""
    iend = len(png) - _CHUNK_OVERHEAD
    padding = total - len(png) - _CHUNK_OVERHEAD
    if padding < 0:
        raise ValueError(f"a {len(png)}-byte PNG cannot be padded to {total} bytes")
    return png[:iend] + _chunk(PADDING_CHUNK, bytes(padding)) + png[iend:]


def _chunk(kind: bytes, payload: bytes) -> bytes:
    checksum = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", checksum)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the first start-of-frame marker."""
    position = 2
    while position + 9 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        position += 2 + length
    return None
