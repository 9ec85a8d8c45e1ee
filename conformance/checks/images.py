"""Image models: a real image comes back; streaming is rejected as documented, or works if declared.

IMG-01 generateContent on an image model returns inlineData that decodes to an image of its mimeType
IMG-02 streaming an image model is rejected with the documented status and a Google error envelope
IMG-03 where image streaming is declared, the stream delivers the image
"""

from __future__ import annotations

from conformance import expect
from conformance.images import InlineImage, inline_images
from conformance.rules import IMAGE, MUST, Needs, rule
from conformance.sources import AIONE_NATIVE, GATEWAY_BUGS, GEMINI_API, NEBULA

IMAGE_STREAM = IMAGE + Needs(actions=("streamGenerateContent",), features=("sse",))


def _require_image(exchange, images: list[InlineImage]) -> None:
    if not images:
        raise expect.fail("no inlineData image part in the response", exchange, expected="a part with inlineData {mimeType: image/*, data: base64}", actual=exchange.excerpt(300))
    for image in images:
        if image.data is None:
            raise expect.fail("inlineData.data is not valid base64", exchange, path=f"{image.path}.data", expected="standard base64", actual="undecodable")
        if image.detected != image.mime_type:
            raise expect.fail(
                f"inlineData says {image.mime_type!r} but the bytes are {image.detected or 'not a known image format'}",
                exchange,
                path=f"{image.path}.mimeType",
                expected=image.detected or "image bytes matching mimeType",
                actual=image.mime_type,
            )


@rule(
    "IMG-01",
    MUST,
    "an image model's generateContent returns inlineData whose base64 decodes to an image of the stated mimeType",
    source=(AIONE_NATIVE.at("Image Generation Example: images are returned as inlineData (base64)"), NEBULA.at("Image generation: parts may include inlineData"), GEMINI_API.at("§2 Part: inlineData Blob")),
    needs=IMAGE,
)
def image_inline_data(responses):
    exchange = responses.image()
    expect.status_ok(exchange)
    _require_image(exchange, list(inline_images(expect.json_body(exchange))))


@rule(
    "IMG-02",
    MUST,
    "streaming an image model is rejected with the documented status and a Google error envelope",
    source=(AIONE_NATIVE.at("Limitations & Notes 2: streamGenerateContent returns 503 for image generation models"), GATEWAY_BUGS.at("§5 rule 23")),
    needs=IMAGE_STREAM + Needs(absent_features=("image_streaming",)),
)
def image_stream_rejection(responses, target):
    exchange = responses.image_stream()
    expect.status_in(exchange, target.expect.image_stream_rejection)
    expect.google_error(exchange)


@rule(
    "IMG-03",
    MUST,
    "where image streaming is declared, the stream delivers the image as inlineData",
    source=(GATEWAY_BUGS.at("§5 rule 20; Laisky/one-api#44"), GEMINI_API.at("§6 Streaming")),
    needs=IMAGE_STREAM + Needs(features=("image_streaming",)),
)
def image_stream_delivers_image(responses):
    exchange = responses.image_stream()
    expect.status_ok(exchange)
    images = [image for i, chunk in enumerate(exchange.sse.chunks()) for image in inline_images(chunk, f"$chunk[{i}]")]
    _require_image(exchange, images)
