"""Stream framing and pacing.

A stream is built in three steps, each of which a fault may bend: the chunks (JSON objects) are
framed into byte strings, the frames are laid out as timed writes, and the writes are played to
the socket one `send` at a time, so a client sees each event as soon as it is due.

- `?alt=sse`: each chunk is one event, exactly `data: <compact JSON>\\r\\n\\r\\n` (Google uses
  CRLF); no comments, ids or `[DONE]`; the stream ends when the connection closes.
- without `alt`: a JSON array written progressively, `[` chunk `,\\r\\n` chunk ... `]`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from .wire import compact_json


@dataclass(frozen=True)
class Write:
    """Bytes to send after waiting `delay_s` seconds."""

    delay_s: float
    data: bytes


def sse_frames(chunks: list[dict[str, Any]]) -> list[bytes]:
    return [b"data: " + compact_json(chunk) + b"\r\n\r\n" for chunk in chunks]


def json_array_frames(chunks: list[dict[str, Any]]) -> list[bytes]:
    frames = [(b"[" if index == 0 else b",\r\n") + compact_json(chunk) for index, chunk in enumerate(chunks)]
    frames[-1] += b"]"
    return frames


def paced(frames: list[bytes], interval_s: float) -> list[Write]:
    """One write per frame, `interval_s` apart, the first at once."""
    return [Write(interval_s if index else 0.0, frame) for index, frame in enumerate(frames)]


async def play(writes: list[Write]) -> AsyncIterator[bytes]:
    for write in writes:
        if write.delay_s:
            await asyncio.sleep(write.delay_s)
        yield write.data
