"""Faults that break rules of the generate area (conformance/checks/generate.py) first."""

from __future__ import annotations

from ..wire import TEXT_PLAIN
from .fault import Fault
from .transforms import (
        drop_from_candidates,
        drop_key,
        for_each_chunk,
        miscount_total,
        set_in_candidate,
        snake_case_envelope,
)

FAULTS = (
    Fault(
        "empty_success_body",
        "A translating layer that failed to map the upstream answer returns HTTP 200 with {} "
        "(an empty struct serialised where the response should be; one-api#1385-style mapping bugs).",
        # Every check that needs an answer fails; GEN-01 is the one that names it (it used to pass on {}).
        ("GEN-01", "GEN-03", "GEN-04", "CFG-03", "CFG-04", "IMG-01", "SDK-01", "SDK-05", "SDK-06", "TOOL-0[1-5]"),
        reshape={"generateContent": lambda body: {}},
    ),
    Fault(
        "candidate_index_as_string",
        "A loosely typed translator re-serialises candidates[].index as the string \"0\" "
        "(cf. BerriAI/litellm#6578, numbers turned into strings).",
        ("GEN-01", "STREAM-03", "STREAM-08"),
        reshape={
            "generateContent": set_in_candidate("index", "0"),
            "streamGenerateContent": for_each_chunk(set_in_candidate("index", "0")),
        },
    ),
    Fault(
        "role_assistant",
        "OpenAI round-trip maps the candidate role model -> assistant (one-api#1385 context; bugs F27).",
        ("GEN-02", "TOOL-03", "TOOL-05"),  # the SDKs send the turn back as it came: then a 400
        reshape={"generateContent": set_in_candidate("content.role", "assistant")},
    ),
    Fault(
        "finish_reason_omitted",
        "finishReason is dropped in translation (router-for-me/CLIProxyAPI#5226, envoyproxy/ai-gateway PR#2107).",
        ("GEN-03",),
        reshape={"generateContent": drop_from_candidates("finishReason")},
    ),
    Fault(
        "usage_omitted",
        "usageMetadata is parsed for billing and then dropped from the response (windmill-labs/windmill PR#9669).",
        ("GEN-04", "SDK-01"),
        reshape={"generateContent": drop_key("usageMetadata")},
    ),
    Fault(
        "total_tokens_miscounted",
        "The gateway recounts totalTokenCount with its own tokenizer, so it no longer equals the sum "
        "(jain-aanchal/ai-tally#376; bugs F14).",
        ("GEN-05",),
        reshape={"generateContent": miscount_total},
    ),
    Fault(
        "generate_content_type_text_plain",
        "The JSON body is relayed with Content-Type text/plain.",
        ("GEN-06",),
        media_types={"generateContent": TEXT_PLAIN},
    ),
    Fault(
        "generate_returns_array",
        "generateContent answers with a one-element JSON array, as the array stream does; google-genai "
        "silently returns an empty response (OpenHands/OpenHands#7915; facts §8).",
        ("GEN-01", "SHAPE-01", "IMG-01", "SDK-01", "SDK-05", "SDK-06"),
        reshape={"generateContent": lambda body: [body]},
    ),
    Fault(
        "snake_case_response_keys",
        "The gateway rebuilds the response envelope in its own snake_case (usage_metadata, model_version, "
        "response_id): google-genai reads usage and modelVersion as None (facts §3, §8; bugs F24).",
        ("GEN-04", "SHAPE-02", "SHAPE-03", "STREAM-06", "STREAM-10", "SDK-01", "SDK-02"),
        reshape={
            "generateContent": snake_case_envelope,
            "streamGenerateContent": for_each_chunk(snake_case_envelope),
        },
    ),
    Fault(
        "success_status_201",
        "generateContent answers 201 Created; google-genai raises APIError for any status but 200 (facts §7).",
        ("GEN-06", "AUTH-01", "CASE-*", "IMG-01", "SDK-01", "SDK-05", "SDK-06"),
        success_status={"generateContent": 201},
    ),
    Fault(
        "forgets_image_model",
        "The catalogue lacks the image model its docs list (renamed or retired upstream, the docs not "
        "updated): every request naming it is 404 NOT_FOUND. The image rules that read its generateContent "
        "are blocked by GEN-07 (with the model unknown, they have nothing to judge); the stream's rule "
        "fails on its own 404, which GEN-07 does not judge.",
        ("GEN-07", "IMG-03"),
        unknown_models=("image",),
    ),
    Fault(
        "routes_by_model_prefix",
        "generateContent's channel is matched by model-name prefix (a wildcard `gemini-2.5-flash*`), and "
        "the image channel comes first: gemini-2.5-flash is answered by gemini-2.5-flash-image, a picture "
        "where text was asked (bugs §5 rule 16: the path model routed verbatim). Every text rule that reads "
        "more than the answer's shape breaks with it.",
        ("GEN-08", "CASE-01", "CFG-0[124]", "SEM-0[12]", "TOOL-0[2-5]"),
        prefix_routed=("generateContent",),
    ),
)
