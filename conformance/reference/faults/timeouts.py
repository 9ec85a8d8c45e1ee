"""Faults that break rules of the timeouts area (conformance/checks/timeouts.py) first."""

from __future__ import annotations

from .fault import STALL_TIMEOUTS, Fault

FAULTS = (
    Fault(
        "stall_generate",
        "generateContent for text models never starts answering (upstream hang, no gateway timeout; bugs F33).",
        ("TIME-01", "GEN-*", "AUTH-01", "AUTH-04", "SHAPE-01", "SHAPE-02", "CASE-*", "CFG-*", "TOOL-*", "THINK-0[1-57]", "MEDIA-01", "SDK-01", "SDK-05", "SDK-06", "SEM-*", "VER-01"),
        stalls=(("generateContent", "text"),),
        timeouts=dict(STALL_TIMEOUTS),
    ),
    Fault(
        "stall_stream",
        "streamGenerateContent for text models never sends a first byte (bugs F33).",
        ("TIME-02", "STREAM-*", "SSE-01", "SSE-02", "SSE-03", "SSE-04", "SSE-05", "SSE-06", "SSE-07", "SSE-09",
         "SHAPE-03", "SDK-02"),
        stalls=(("streamGenerateContent", "text"),),
        timeouts=dict(STALL_TIMEOUTS),
    ),
    Fault(
        "stall_image_generation",
        "generateContent for image models never starts answering (Wei-Shaw/sub2api#4798; bugs F33).",
        ("TIME-03", "IMG-01", "IMG-04", "IMG-05", "IMG-07", "MEDIA-04", "GEN-07"),
        stalls=(("generateContent", "image"),),
        timeouts=dict(STALL_TIMEOUTS),
    ),
)
