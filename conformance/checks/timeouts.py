"""Timeouts: every request is bounded by the target's timeouts; a gateway answers within them.

A request that exceeds its bound ends as the outcome ``timeout`` (with the time it took), never as a
hang: the client enforces the bound on every request of every check. These rules state it for the
three kinds of call a target's users wait on.

TIME-01 generateContent answers within timeouts.read
TIME-02 streamGenerateContent completes within timeouts.read
TIME-03 an image model's generateContent answers within timeouts.image
"""

from __future__ import annotations

from conformance import expect
from conformance.recipes.common import image_response, text_response, text_stream
from conformance.rules import GENERATE, IMAGE, MUST, STREAM, rule
from conformance.sources import AIONE_NATIVE, GEMINI_API


def _within(exchange, bound: float, what: str, answered_by: str) -> None:
    """The exchange was answered within ``bound``. One that got no answer at all proves nothing about
    time: it is blocked by the rule that judges the answer (``answered_by``), never a pass; nor does a
    quick refusal of the target's key or declared model (expect.admitted)."""
    expect.answered(exchange, answered_by, "no time to judge")
    expect.admitted(exchange)
    if exchange.elapsed > bound:
        raise expect.fail(f"{what} took {exchange.elapsed:.1f} s, over the {bound:g} s bound", exchange, expected=f"<= {bound:g} s", actual=f"{exchange.elapsed:.1f} s")


@rule("TIME-01", MUST, "generateContent answers within the target's read timeout", source=(GEMINI_API.at("§7 timeouts: server bounds 10 min unary; §9 rule 33"),), needs=GENERATE, reads=text_response)
def generate_within_read_timeout(target):
    _within(text_response(), target.timeouts.read, "generateContent", answered_by="GEN-06")


@rule("TIME-02", MUST, "streamGenerateContent completes within the target's read timeout", source=(GEMINI_API.at("§7 timeouts: 20 min streaming; §9 rule 33"),), needs=STREAM, reads=text_stream)
def stream_within_read_timeout(target):
    _within(text_stream(), target.timeouts.read, "the stream", answered_by="STREAM-01")


@rule(
    "TIME-03",
    MUST,
    "an image model's generateContent answers within the target's image timeout",
    source=(AIONE_NATIVE.at("Limitations & Notes 4: set your HTTP timeout to at least 600 seconds"),),
    needs=IMAGE,
    reads=image_response,
)
def image_within_image_timeout(target):
    _within(image_response(), target.timeouts.image, "image generation", answered_by="IMG-01")
