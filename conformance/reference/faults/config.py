"""Faults that break rules of the config area (conformance/checks/config.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import (
    default_config,
    drop_config,
    drop_keys,
    for_each_candidate,
    max_tokens_as_stop,
)

FAULTS = (
    Fault(
        "ignores_max_output_tokens",
        "maxOutputTokens is not mapped when translating the request, so the answer runs to its end "
        "(bugs §5 rule 13; F22).",
        ("CFG-01", "CFG-02"),
        rewrite_request=drop_config("generationConfig", "maxOutputTokens"),
    ),
    Fault(
        "max_tokens_reported_as_stop",
        "Every finish reason is mapped to STOP, so a cut answer looks complete "
        "(new-api ResponseOpenAI2Gemini default STOP; envoyproxy/ai-gateway PR#2107; bugs F16).",
        ("CFG-02",),
        reshape={"generateContent": for_each_candidate(max_tokens_as_stop)},
    ),
    Fault(
        "ignores_stop_sequences",
        "stopSequences are dropped in translation (bugs §5 rule 13; F22).",
        ("CFG-03",),
        rewrite_request=drop_config("generationConfig", "stopSequences"),
    ),
    Fault(
        "json_mode_ignored",
        "responseMimeType and the response schemas are not mapped, so JSON mode answers in prose "
        "(new-api GeminiToOpenAIRequest: responseSchema not mapped; bugs §1).",
        ("CFG-04",),
        rewrite_request=drop_config("generationConfig", "responseMimeType", "responseSchema", "responseJsonSchema"),
    ),
    Fault(
        "json_mode_unasked",
        "The channel's preset turns JSON mode on (responseMimeType application/json) for every request "
        "that does not set a mime type, so plain questions get JSON back (a parameter override; bugs "
        "§5 rule 14).",
        ("CFG-06",),
        rewrite_request=default_config("generationConfig", responseMimeType="application/json"),
    ),
    Fault(
        "drops_system_instruction",
        "The top-level systemInstruction is lost on the native route (BerriAI/litellm#12671; bugs F22).",
        ("CFG-05", "CASE-02"),
        rewrite_request=drop_keys("systemInstruction", "system_instruction"),
    ),
)
