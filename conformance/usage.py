"""usageMetadata arithmetic, which no schema can state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ADDENDS = ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount")


@dataclass(frozen=True, slots=True)
class Mismatch:
    summary: str
    expected: Any
    actual: Any


def total_mismatch(usage: Any) -> Mismatch | None:
    """Why ``totalTokenCount`` isn't the sum of its parts (absent parts count 0), if it isn't."""
    if not isinstance(usage, dict):
        return Mismatch("there is no usageMetadata to add up", "usageMetadata object", usage)
    parts = {name: usage.get(name, 0) for name in ADDENDS}
    total = usage.get("totalTokenCount")
    if not all(isinstance(v, int) for v in (*parts.values(), total)):
        return Mismatch("usageMetadata counts are not all integers", "integers", usage)
    expected = sum(parts.values())
    if total != expected:
        sum_text = " + ".join(f"{v} {k}" for k, v in parts.items() if v)
        return Mismatch(f"totalTokenCount is {total}, but {sum_text} = {expected}", expected, total)
    return None


def count_of(body: Any, name: str, *, absent_as: int | None = None) -> int | None:
    """A response's usageMetadata count ``name`` (promptTokenCount, ...), if it has one. proto3 leaves
    a 0 out: ``absent_as`` is the count of a usageMetadata without the field."""
    usage = body.get("usageMetadata") if isinstance(body, dict) else None
    count = usage.get(name, absent_as) if isinstance(usage, dict) else None
    return count if isinstance(count, int) else None
