"""Faults that break rules of the framing area (conformance/checks/framing.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import openai_error

FAULTS = (
    Fault(
        "sse_error_before_first_byte",
        "The gateway sends 200 and the SSE headers before asking upstream, so an unknown model on a stream "
        "becomes 200 + one error event (facts §6 Errors; §9 rule 19), and so does every other request error "
        "on a stream (no contents, bad JSON, a bad role).",
        ("SSE-08", "ERR-05", "ERR-06", "ERR-07", "ERR-08"),
        commits_streams_early=True,
    ),
    Fault(
        "openai_error_event_mid_stream",
        "When the upstream fails mid-stream the gateway emits an OpenAI-shaped error event "
        "{message, type, code:<string>}: google-genai raises TypeError, @google/genai ignores it (facts §8).",
        ("SSE-09",),
        reshape={"stream_error": openai_error},
    ),
)
