"""Image models: a real image comes back; streaming is rejected as documented, or works if declared.

IMG-01 generateContent on an image model returns inlineData that decodes to an image of its mimeType
       (a model that declines to draw, NO_IMAGE or text alone, decided: not the gateway)
IMG-02 streaming an image model is rejected with the documented status and a Google error envelope
IMG-03 where image streaming is declared, the stream delivers the image
IMG-04 imageConfig.aspectRatio is honoured: the picture's width/height is the ratio asked for
IMG-05 imageConfig.imageSize 2K is honoured: twice the pixels of the default 1K on each side
IMG-06 the -2k / -4k model variants give 2K / 4K pictures, where declared
IMG-07 responseModalities TEXT and IMAGE: the text the model wrote beside the image arrives (SHOULD)

Sizes are judged from the picture itself (PNG or JPEG header), against the one 1K answer rather
than absolute pixels: Google's 1K 16:9 is 1344x768, not 1024 wide. Ratios are allowed 5% (Google
rounds 16:9 to 1.75), scales 15%.
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.images import InlineImage, inline_images
from conformance.outcomes import blocked, model_decided
from conformance.recipes import bodies
from conformance.recipes.common import image_response, image_stream
from conformance.recipes.images import image_2k_response, image_variant_response
from conformance.rules import IMAGE, MUST, SHOULD, Needs, rule
from conformance.sources import (
    AIONE_IMAGES,
    AIONE_NATIVE,
    GATEWAY_BUGS,
    GEMINI_API,
    NEBULA,
)

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
    reads=image_response,
)
def image_inline_data():
    exchange = image_response()
    expect.status_ok(exchange)
    body = expect.json_body(exchange)
    images = list(inline_images(body))
    if not images:
        _model_drew_nothing(exchange, body)
    _require_image(exchange, images)


# The finish reasons with which an image model declines to draw (facts §3; the recordings show NO_IMAGE).
DECLINED = frozenset({"NO_IMAGE", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER", "SAFETY", "PROHIBITED_CONTENT", "RECITATION"})


def _model_drew_nothing(exchange, body) -> None:
    """An answer without a picture is the model's where it says so: a finish reason that declines,
    or an answer in text alone whose usage counts no image tokens. A picture the usage counts but no
    part carries was lost on the way, and so was a candidate that is missing altogether."""
    expect.prompt_not_blocked(exchange, [body])
    candidates = body.get("candidates") if isinstance(body, dict) else None
    candidate = candidates[0] if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict) else None
    if candidate is None:
        return  # no candidate: _require_image fails it
    if _output_tokens(body, "IMAGE"):
        raise expect.fail(
            f"the usage counts {_output_tokens(body, 'IMAGE')} image tokens but no part carries a picture: it was dropped",
            exchange, path="$.candidates[0].content.parts", expected="an inlineData part", actual=exchange.excerpt(300),
        )
    reason = candidate.get("finishReason")
    if reason in DECLINED:
        model_decided(f"the image model declined to draw (finishReason {reason})")
    parts = (candidate.get("content") or {}).get("parts") or []
    if any(isinstance(part, dict) and isinstance(part.get("text"), str) for part in parts):
        model_decided("the image model answered in text alone")


def _output_tokens(body, modality: str) -> int:
    """The candidates' tokens of one modality, as usageMetadata itemises them (0 if it does not)."""
    usage = body.get("usageMetadata") if isinstance(body, dict) else None
    details = usage.get("candidatesTokensDetails") if isinstance(usage, dict) else None
    return sum(d.get("tokenCount") or 0 for d in details or () if isinstance(d, dict) and d.get("modality") == modality and isinstance(d.get("tokenCount"), int))


@rule(
    "IMG-02",
    MUST,
    "streaming an image model is rejected with the documented status and a Google error envelope",
    source=(AIONE_NATIVE.at("Limitations & Notes 2: streamGenerateContent returns 503 for image generation models"), GATEWAY_BUGS.at("§5 rule 23")),
    needs=IMAGE_STREAM + Needs(absent_features=("image_streaming",)),
    reads=image_stream,
)
def image_stream_rejection(target):
    exchange = image_stream()
    expect.status_in(exchange, target.expect.image_stream_rejection)
    expect.google_error(exchange)


@rule(
    "IMG-03",
    MUST,
    "where image streaming is declared, the stream delivers the image as inlineData",
    source=(GATEWAY_BUGS.at("§5 rule 20; Laisky/one-api#44"), GEMINI_API.at("§6 Streaming")),
    needs=IMAGE_STREAM + Needs(features=("image_streaming",)),
    reads=image_stream,
)
def image_stream_delivers_image():
    exchange = image_stream()
    expect.status_ok(exchange)
    images = [image for i, chunk in enumerate(exchange.sse.chunks()) for image in inline_images(chunk, f"$chunk[{i}]")]
    _require_image(exchange, images)


RATIO_TOLERANCE = 0.05
SCALE_TOLERANCE = 0.15
IMAGE_CONFIG = GEMINI_API.at("§2 GenerationConfig: imageConfig {aspectRatio, imageSize 1K/2K/4K}")


def _pixels(exchange) -> tuple[int, int]:
    """(width, height) of the first picture in an image answer (that there is one is IMG-01's)."""
    sizes = [image.size for image in inline_images(expect.accepted(exchange)) if image.size]
    if not sizes:
        blocked("the answer carries no PNG or JPEG picture whose size can be read", by="IMG-01")
    return sizes[0]


@rule(
    "IMG-04",
    MUST,
    f"imageConfig.aspectRatio is honoured: the picture's width/height is the ratio asked for ({bodies.IMAGE_ASPECT_RATIO})",
    source=(IMAGE_CONFIG, AIONE_NATIVE.at("Comparison: image parameters imageConfig.aspectRatio"), NEBULA.at("Image generation: imageConfig.aspectRatio"), GATEWAY_BUGS.at("§5 rule 13: generationConfig forwarded intact")),
    needs=IMAGE,
    reads=image_response,
)
def aspect_ratio_honoured():
    exchange = image_response()
    width, height = _pixels(exchange)
    wide, high = map(int, bodies.IMAGE_ASPECT_RATIO.split(":"))
    if abs(width / height / (wide / high) - 1) > RATIO_TOLERANCE:
        raise expect.fail(
            f"the picture is {width}x{height} ({width / height:.3f}), not {bodies.IMAGE_ASPECT_RATIO} ({wide / high:.3f})",
            exchange,
            path="$.candidates[0].content.parts[*].inlineData",
            expected=f"width/height {wide / high:.3f} within {RATIO_TOLERANCE:.0%}",
            actual=f"{width}x{height}",
        )


def _scaled(image_response, exchange, factor: int, what: str) -> None:
    """The picture in ``exchange`` is ``factor`` times the 1K picture (image_response) on its long side."""
    long_side, base_side = max(_pixels(exchange)), max(_pixels(image_response()))
    if abs(long_side / base_side / factor - 1) > SCALE_TOLERANCE:
        raise expect.fail(
            f"{what} gave a picture {long_side} px on its long side, {long_side / base_side:.2f} times the default 1K's {base_side} px",
            exchange,
            path="$.candidates[0].content.parts[*].inlineData",
            expected=f"{factor} times {base_side} px, within {SCALE_TOLERANCE:.0%}",
            actual=f"{long_side} px",
        )


@rule(
    "IMG-05",
    MUST,
    "imageConfig.imageSize 2K is honoured: the picture is twice the default 1K's size on each side",
    source=(IMAGE_CONFIG, AIONE_NATIVE.at("Comparison: image parameters imageConfig.imageSize"), NEBULA.at("Image generation: imageConfig.imageSize")),
    needs=IMAGE + Needs(features=("image_size",)),
    reads=(image_response, image_2k_response),
)
def image_size_honoured():
    _scaled(image_response, image_2k_response(), 2, "imageSize 2K")


VARIANTS = {"-2k": 2, "-4k": 4}


@rule(
    "IMG-06",
    MUST,
    "the -2k and -4k variants of the image model give 2K and 4K pictures",
    source=(AIONE_IMAGES.at("Limitations & Notes 5: model variants gemini-3-pro-image-preview-2k / -4k"), AIONE_NATIVE.at("Comparison: both formats access the same set of models")),
    needs=IMAGE + Needs(features=("image_size_variants",)),
    reads=(image_response, image_variant_response),
)
@pytest.mark.parametrize("variant", list(VARIANTS))
def image_size_variant(variant):
    _scaled(image_response, image_variant_response(), VARIANTS[variant], f"the {variant} variant")


@rule(
    "IMG-07",
    SHOULD,
    "with responseModalities TEXT and IMAGE, the text the model wrote beside the image reaches the client (a picture alone is the model's choice)",
    source=(GEMINI_API.at("§2 GenerationConfig: responseModalities"), AIONE_IMAGES.at("Response Format: some responses include both descriptive text and an image"), GATEWAY_BUGS.at("§5 rule 20: parts kept in both directions")),
    needs=IMAGE,
    reads=image_response,
)
@pytest.mark.semantic
def text_beside_image():
    exchange = image_response()
    body = expect.accepted(exchange)
    if not list(inline_images(body)):
        blocked("the answer carries no picture to find a text beside", by="IMG-01")
    parts = ((body.get("candidates") or [{}])[0].get("content") or {}).get("parts") or []
    if any(isinstance(part, dict) and isinstance(part.get("text"), str) and not part.get("thought") for part in parts):
        return
    # Google's image models sometimes answer with the picture alone (recordings 001 and 063 of
    # pydantic-ai): a missing text is the model's, unless the usage counts text it wrote.
    if _output_tokens(body, "TEXT"):
        raise expect.fail(
            f"the usage counts {_output_tokens(body, 'TEXT')} text tokens but no text part arrived: it was dropped",
            exchange, path="$.candidates[0].content.parts", expected="a text part beside the image", actual=[sorted(part) for part in parts],
        )
    model_decided("the model answered with the picture alone, as Google's image models sometimes do")
