"""Multimodal input and size: inline images reach the model, and big bodies are carried or refused cleanly.

MEDIA-01 an inlineData image part (camelCase or snake_case names) is accepted and reaches the model
MEDIA-02 a body just under the target's max_request_bytes is accepted
MEDIA-03 a body just over it is refused with 400 or 413 and a Google error, never a reset or a 5xx
MEDIA-04 a multi-megabyte inline image in a response arrives whole

An image reaches the model if it is counted: Google bills a small image as 258 prompt tokens, so the
tiny request with one must count more prompt tokens than the tiny request alone (the baseline
CFG-05 also uses). MEDIA-02 and MEDIA-03 apply to targets that declare max_request_bytes
(Tokensmart documents 30 MB); their bodies are the tiny request plus one inline PNG padded to the
size wanted with a chunk image decoders skip. MEDIA-02 is billed on a real target: one call, a small
image at maxOutputTokens 1. MEDIA-03 must be refused before any model runs. MEDIA-04 reads the common
image answer (a real 1K PNG is 1-2 MB): every PNG chunk must be there with its CRC, ending in IEND.
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.checks.config import raises_prompt_tokens
from conformance.images import inline_images
from conformance.outcomes import blocked
from conformance.recipes import bodies
from conformance.recipes.common import image_response, tiny_response
from conformance.recipes.multimodal import (
    answer_to_body_over_limit,
    answer_to_body_under_limit,
    inline_image_answer,
)
from conformance.rules import GENERATE, IMAGE, MUST, Needs, rule
from conformance.sources import (
    AIONE_NATIVE,
    GATEWAY_BUGS,
    GEMINI_API,
    NEBULA,
    TOKENSMART,
)

INLINE_IMAGES = GENERATE + Needs(features=("inline_images",))
BODY_LIMIT = TOKENSMART.at("Example: multimodal: total request body size limit is 30MB; Endpoint coverage: inline_data (30MB cap)")


@rule(
    "MEDIA-01",
    MUST,
    "an inlineData image part, with camelCase or snake_case field names, is accepted and reaches the model (it counts in promptTokenCount)",
    source=(
        NEBULA.at("Multimodal input: inlineData with base64 data"),
        TOKENSMART.at("Example: multimodal: an inline_data part; Token billing: image input tokens"),
        GEMINI_API.at("§1 Proto3 JSON mapping: both names; §2 Part: inlineData"),
        GATEWAY_BUGS.at("§4 new-api PR#1145: inline_data; §5 rules 13, 20"),
    ),
    needs=INLINE_IMAGES,
    reads=(inline_image_answer, tiny_response),
)
@pytest.mark.parametrize("spelling", list(bodies.INLINE_DATA_SPELLINGS))
def inline_image_input(spelling):
    raises_prompt_tokens(tiny_response, inline_image_answer(), f"an inline image ({spelling} names)")


@rule(
    "MEDIA-02",
    MUST,
    "a request body just under the target's max_request_bytes (an inline image) is accepted",
    source=(BODY_LIMIT, GATEWAY_BUGS.at("§5 rule 15: >= 20 MB inline request bodies")),
    needs=INLINE_IMAGES,
    reads=answer_to_body_under_limit,
)
def body_under_limit_accepted():
    expect.accepted(answer_to_body_under_limit())


@rule(
    "MEDIA-03",
    MUST,
    "a request body just over max_request_bytes is refused with HTTP 400 or 413 and a Google error, never a reset or a 5xx",
    source=(BODY_LIMIT, GEMINI_API.at("§5 Envelope; §9 rule 13: every non-200 is the envelope"), GATEWAY_BUGS.at("§5 rules 5, 15")),
    needs=INLINE_IMAGES,
    reads=answer_to_body_over_limit,
)
def body_over_limit_refused():
    exchange = answer_to_body_over_limit()
    if not exchange.status:
        raise expect.fail(f"the gateway dropped the connection instead of answering: {exchange.transport_error}", exchange, expected="HTTP 400 or 413 with a Google error", actual=exchange.describe())
    expect.status_in(exchange, (400, 413))
    expect.google_error(exchange)


@rule(
    "MEDIA-04",
    MUST,
    "a multi-megabyte inline image in a response arrives whole: every PNG chunk complete with its CRC, ending in IEND",
    source=(AIONE_NATIVE.at("Image Generation Example: images are returned as inlineData (base64)"), GATEWAY_BUGS.at("§5 rule 15: non-stream bodies >= 8 MB, no truncation; §4 Wei-Shaw/sub2api#4798; §2 one-api bufio 64 KiB")),
    needs=IMAGE,
    reads=image_response,
)
def large_image_whole():
    exchange = image_response()
    images = list(inline_images(expect.accepted(exchange)))
    if not images:
        blocked("the image answer carries no image", by="IMG-01")
    for image in images:
        problem = image.truncation()
        if problem:
            raise expect.fail(f"the image is cut short: {problem}", exchange, path=f"{image.path}.data", expected="a complete image", actual=f"{len(image.data or b'')} bytes")
