"""Faults that break rules of the multimodal area (conformance/checks/multimodal.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import (
        for_each_part,
        for_each_request_part,
        over_google_inline_limit,
        truncate_inline_data,
        when_reason,
)

FAULTS = (
    Fault(
        "drops_snake_case_inline_data",
        "Only camelCase inlineData parts are read; snake_case inline_data parts are silently dropped "
        "(QuantumNous/new-api before PR#1145).",
        ("MEDIA-01",),
        rewrite_request=for_each_request_part(lambda part: None if "inline_data" in part else part),
    ),
    Fault(
        "inline_limit_below_documented",
        "Inline data over Google's 20 MB is refused although the gateway documents a 30 MB body limit "
        "(seed 003; bugs §5 rule 15).",
        ("MEDIA-02",),
        profile="tokensmart",
        rewrite_request=over_google_inline_limit,
    ),
    Fault(
        "oversize_body_500",
        "A body over the limit crashes the handler: 500 INTERNAL instead of a 400 (bugs F34).",
        ("MEDIA-03",),
        profile="tokensmart",
        restate_error=when_reason("body_too_large", http_status=500),
    ),
    Fault(
        "oversize_body_resets_connection",
        "A proxy in front cuts off an upload over the limit: the client sees a connection reset, not an "
        "error (nginx client_max_body_size; bugs §5 rule 15).",
        ("MEDIA-03",),
        profile="tokensmart",
        hangs_up_on=("body_too_large",),
    ),
    Fault(
        "truncates_large_image",
        "The base64 of a multi-megabyte image is cut at 1 MiB by a line buffer (Wei-Shaw/sub2api#4798; "
        "one-api bufio.Scanner without Buffer(); bugs F25).",
        ("MEDIA-04",),
        reshape={"generateContent": for_each_part(truncate_inline_data(1024 * 1024))},
    ),
)
