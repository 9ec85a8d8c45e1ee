"""Faults that break rules of the images area (conformance/checks/images.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import (
        drop_config,
        for_each_chunk,
        for_each_part,
        label_images_jpeg,
        only_image_parts,
        without_inline_data,
)

FAULTS = (
    Fault(
        "image_mime_mismatch",
        "inlineData is labelled image/jpeg while carrying PNG bytes (cf. QuantumNous/new-api#1681).",
        ("IMG-01",),
        reshape={"generateContent": for_each_part(label_images_jpeg)},
    ),
    Fault(
        "image_stream_not_rejected",
        "The documented 503 for streaming image models is not enforced; the stream is served with 200 "
        "(seed 000 limitation 2; snailyp/gemini-balance#386).",
        ("IMG-02",),
        profile="aione",
        skips=("image_stream",),
    ),
    Fault(
        "image_stream_drops_inline_data",
        "Image parts are lost in stream mode only (Laisky/one-api#44; bugs F30).",
        ("IMG-03",),
        reshape={"streamGenerateContent": for_each_chunk(for_each_part(without_inline_data))},
    ),
    Fault(
        "image_part_dropped",
        "A converter loses the picture of a generateContent answer but passes its usage on, image "
        "tokens counted (bugs F30; cf. Laisky/one-api#44 for streams).",
        ("IMG-01",),
        reshape={"generateContent": for_each_part(without_inline_data)},
    ),
    Fault(
        "ignores_aspect_ratio",
        "imageConfig.aspectRatio is not forwarded, so every picture is square (bugs §5 rule 13).",
        ("IMG-04",),
        rewrite_request=drop_config("generationConfig.imageConfig", "aspectRatio"),
    ),
    Fault(
        "ignores_image_size",
        "imageConfig.imageSize is not forwarded, so every picture is 1K (bugs §5 rule 13).",
        ("IMG-05",),
        rewrite_request=drop_config("generationConfig.imageConfig", "imageSize"),
    ),
    Fault(
        "size_variant_served_as_base",
        "The -2k/-4k suffix routes to the base image model without its imageSize, so the picture is 1K "
        "(cf. snailyp/gemini-balance#386: model suffix stripped; bugs F26).",
        ("IMG-06",),
        profile="aione",
        skips=("alias_preset",),
    ),
    Fault(
        "drops_text_part_with_image",
        "The converter keeps only the image part of an image answer; the model's text is lost "
        "(cf. QuantumNous/new-api#1681; bugs F30).",
        ("IMG-07",),
        reshape={"generateContent": for_each_part(only_image_parts)},
    ),
)
