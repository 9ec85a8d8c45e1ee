"""Faults that break rules of the openai_bridge area (conformance/checks/openai_bridge.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import (
        content_as_markdown,
        drop_key,
        refuse_data_uri_images,
        without_request_fields,
)

FAULTS = (
    Fault(
        "bridge_content_as_string",
        "The bridge returns the image as markdown inside a content string, not an image_url part "
        "(QuantumNous/new-api#1681, #866).",
        ("BRIDGE-01", "BRIDGE-02", "BRIDGE-03"),
        profile="aione",
        reshape={"chatCompletions": content_as_markdown},
    ),
    Fault(
        "bridge_ignores_aspect_ratio",
        "The OpenAI layer drops the non-standard aspect_ratio / image_size instead of mapping them to "
        "imageConfig, so images come out square (seed 001 Image-Specific Parameters).",
        ("BRIDGE-02",),
        profile="aione",
        rewrite_request=without_request_fields("aspect_ratio", "image_size", when="messages"),
    ),
    Fault(
        "bridge_remote_url_only",
        "Reference images are only accepted as http(s) URLs; data: URIs are refused (seed 001 Reference "
        "Image Input; diegosouzapw/OmniRoute PR#4373).",
        ("BRIDGE-03",),
        profile="aione",
        rewrite_request=refuse_data_uri_images,
    ),
    Fault(
        "bridge_streams",
        "stream: true is not refused: the image is streamed as chat.completion.chunk events "
        "(seed 001 Limitations 2).",
        ("BRIDGE-04",),
        profile="aione",
        skips=("bridge_stream",),
    ),
    Fault(
        "bridge_no_usage",
        "usage is dropped when the Gemini response is converted back to the OpenAI shape "
        "(seed 001: the usage field is still returned; windmill-labs/windmill PR#9669).",
        ("BRIDGE-05",),
        profile="aione",
        reshape={"chatCompletions": drop_key("usage")},
    ),
)
