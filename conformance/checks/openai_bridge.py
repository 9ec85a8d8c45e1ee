"""AIone's OpenAI-compatible image bridge (seed 001): Gemini image models on /v1/chat/completions.

BRIDGE-01 an image model answers a chat.completion whose content is an array holding an image_url data URI
BRIDGE-02 the image has the aspect ratio asked for with aspect_ratio
BRIDGE-03 a reference image given as a data: URI is accepted
BRIDGE-04 stream: true is refused (a 4xx), not served as a stream
BRIDGE-05 the completion carries usage (prompt, completion and total tokens)

Image generations are the most expensive calls the suite makes: BRIDGE-01, 02 and 05 share one.
"""

from __future__ import annotations

import re

from conformance import expect
from conformance.images import InlineImage, decode_base64, sniff
from conformance.recipes import bodies
from conformance.recipes.common import bridge_image
from conformance.recipes.openai_bridge import (
    bridge_image_from_reference,
    bridge_stream_answer,
)
from conformance.rules import MUST, Needs, rule
from conformance.sources import AIONE_IMAGES

BRIDGE = Needs(features=("openai_image_bridge",), models=("image",))
COMPLETION = "openai_chat_completion"
DATA_URI = re.compile(r"^data:(?P<mime>[^;,]+);base64,(?P<data>.*)$", re.DOTALL)
RATIO_TOLERANCE = 0.05  # real models round sizes: 16:9 comes back as 1344x768 (1.75)


def _image_completion(exchange) -> list[InlineImage]:
    """The exchange is a chat.completion with an image_url data URI; returns the images it holds."""
    expect.status_ok(exchange)
    body = expect.body_matches_schema(exchange, COMPLETION)
    expect.matches_schema(body, f"{COMPLETION}#/$defs/ImageContent", exchange)
    content = body["choices"][0]["message"]["content"]
    images = []
    for index, part in enumerate(content):
        match = DATA_URI.match(part.get("image_url", {}).get("url", "")) if part.get("type") == "image_url" else None
        if match:
            data = decode_base64(match["data"])
            path = f"$.choices[0].message.content[{index}].image_url.url"
            images.append(InlineImage(path, match["mime"], data, sniff(data) if data else None))
    return images


@rule(
    "BRIDGE-01",
    MUST,
    "an image model on /v1/chat/completions answers a chat.completion whose message.content is an array holding an image_url data URI",
    source=(AIONE_IMAGES.at("Response Format: content as an array, image_url data:image/...;base64"), AIONE_IMAGES.at("Limitations & Notes 3")),
    needs=BRIDGE,
    reads=bridge_image,
)
def bridge_image_content():
    exchange = bridge_image()
    for image in _image_completion(exchange):
        if image.detected is None:
            raise expect.fail(
                f"the image_url data URI ({image.mime_type}) does not decode to an image",
                exchange, path=image.path, expected="base64 image bytes (PNG, JPEG, GIF or WebP)", actual="undecodable or unknown bytes",
            )


@rule(
    "BRIDGE-02",
    MUST,
    "the image has the aspect ratio asked for with aspect_ratio (mapped to imageConfig.aspectRatio)",
    source=(AIONE_IMAGES.at("Image-Specific Parameters: aspect_ratio mapped to imageConfig.aspectRatio"),),
    needs=BRIDGE,
    reads=bridge_image,
)
def bridge_aspect_ratio():
    exchange = bridge_image()
    width, height = map(int, bodies.IMAGE_ASPECT_RATIO.split(":"))
    for image in _image_completion(exchange):
        if image.size is None:
            continue  # a format whose size the suite does not read (BRIDGE-01 judges the bytes)
        ratio = image.size[0] / image.size[1]
        if abs(ratio / (width / height) - 1) > RATIO_TOLERANCE:
            raise expect.fail(
                f"the image is {image.size[0]}x{image.size[1]} (ratio {ratio:.2f}), not {bodies.IMAGE_ASPECT_RATIO}",
                exchange, path=image.path, expected=f"aspect ratio {bodies.IMAGE_ASPECT_RATIO} ({width / height:.2f})",
                actual=f"{image.size[0]}x{image.size[1]}",
            )


@rule(
    "BRIDGE-03",
    MUST,
    "a reference image given as an image_url data: URI is accepted and an image comes back",
    source=(AIONE_IMAGES.at("Reference Image Input: only data: URI format for image_url.url"),),
    needs=BRIDGE,
    reads=bridge_image_from_reference,
)
def bridge_reference_image():
    _image_completion(bridge_image_from_reference())


@rule(
    "BRIDGE-04",
    MUST,
    "stream: true is refused with a 4xx client error, not served as a stream",
    source=(AIONE_IMAGES.at("Limitations & Notes 2: Streaming is not supported: stream must be false or omitted"),),
    needs=BRIDGE,
    reads=bridge_stream_answer,
)
def bridge_stream_refused():
    exchange = bridge_stream_answer()
    if not 400 <= exchange.status < 500:
        raise expect.fail(
            f"stream: true got HTTP {exchange.status} ({exchange.media_type or 'no content type'})",
            exchange, expected="a 4xx refusal", actual=f"HTTP {exchange.status}",
        )


@rule(
    "BRIDGE-05",
    MUST,
    "the chat.completion carries usage with prompt_tokens, completion_tokens and total_tokens",
    source=(AIONE_IMAGES.at("Response Format: the usage field is still returned"),),
    needs=BRIDGE,
    reads=bridge_image,
)
def bridge_usage():
    exchange = bridge_image()
    expect.status_ok(exchange)
    expect.body_matches_schema(exchange, COMPLETION)
    expect.matches_schema(exchange.json, f"{COMPLETION}#/$defs/HasUsage", exchange)
