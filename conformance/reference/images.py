"""Solid-colour PNGs for the fake image model, and the pixel size an imageConfig asks for.

Sizes are kept small so tests stay fast, while the aspect ratio is exact: for `aspectRatio` "W:H"
the image is W*u by H*u pixels, with u the largest unit that keeps the long side within 64 px at
"1K". "2K" doubles and "4K" quadruples both sides. So "1:1" is 64x64, "16:9" is 64x36 and "16:9"
at "4K" is 256x144.

The bytes, though, are as many as in a real model's PNG (1.5 MB): a private padding chunk that
decoders skip makes up the difference, so a gateway that cannot carry a multi-megabyte response
is caught.
"""

from __future__ import annotations

import struct

from conformance.images import padded_png, solid_png

BASE_LONG_SIDE = 64
PNG_BYTES = 1_500_000  # a real model's 1K PNG is 1-2 MB
SIZE_SCALE = {"1K": 1, "2K": 2, "4K": 4}
DEFAULT_ASPECT_RATIO = "1:1"
DEFAULT_SIZE = "1K"


def image_dimensions(aspect_ratio: str = DEFAULT_ASPECT_RATIO, image_size: str = DEFAULT_SIZE) -> tuple[int, int]:
    """(width, height) in pixels; ValueError for a malformed ratio or an unknown size."""
    width_part, _, height_part = aspect_ratio.partition(":")
    ratio_w, ratio_h = int(width_part), int(height_part)
    if ratio_w <= 0 or ratio_h <= 0 or max(ratio_w, ratio_h) > BASE_LONG_SIDE:
        raise ValueError(aspect_ratio)
    scale = SIZE_SCALE[image_size.upper()]
    unit = BASE_LONG_SIDE // max(ratio_w, ratio_h)
    return ratio_w * unit * scale, ratio_h * unit * scale


def generated_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG of the given size, padded to the byte size of a real one."""
    return padded_png(solid_png(width, height, rgb), PNG_BYTES)


def png_dimensions(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
