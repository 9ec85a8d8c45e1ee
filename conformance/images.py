"""Recognising the images a gateway returns: base64 decoding and format sniffing."""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
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
        if self.detected == "image/png" and self.data and len(self.data) >= 24:
            return struct.unpack(">II", self.data[16:24])
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
