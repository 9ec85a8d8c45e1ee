"""Faults that break rules of the errors area (conformance/checks/errors.py) first."""

from __future__ import annotations

from ..wire import TEXT_PLAIN
from .fault import Fault
from .transforms import always, openai_error, when_reason, when_status

FAULTS = (
    Fault(
        "openai_error_shape",
        "Errors use the OpenAI shape {message, type, param, code:<string>} "
        "(songquanpeng/one-api#1385, QuantumNous/new-api#866; bugs F8).",
        ("ERR-01", "ERR-02", "ERR-03", "UNSUP-01", "SSE-08", "ACT-09", "ACT-10", "ACT-11", "ACT-12", "SDK-04", "VER-02"),
        reshape={"error": openai_error},
    ),
    Fault(
        "error_code_500",
        "error.code is hard-wired to 500 whatever the HTTP status (bugs F9).",
        ("ERR-02",),
        restate_error=always(code=500),
    ),
    Fault(
        "auth_error_status_invalid_argument",
        "The gateway copies Google's invalid-key status INVALID_ARGUMENT onto its own 401s.",
        ("ERR-03",),
        restate_error=when_status(401, status="INVALID_ARGUMENT"),
    ),
    Fault(
        "errors_as_text_plain",
        "Error bodies are sent as text/plain (bugs F34).",
        ("ERR-04", "UNSUP-01", "SSE-08", "ACT-10", "VER-02"),
        media_types={"error": TEXT_PLAIN},
    ),
    Fault(
        "unknown_model_400",
        "An unknown model is reported as 400 INVALID_ARGUMENT instead of 404 (cf. ItzCrazyKns/Vane PR#987).",
        ("ERR-05", "ACT-09", "SDK-04"),
        restate_error=when_reason("unknown_model", http_status=400),
    ),
    Fault(
        "missing_contents_500",
        "A body without contents crashes the handler: 500 INTERNAL (bugs F34; new-api Go slice panic).",
        ("ERR-06",),
        restate_error=when_reason("missing_contents", http_status=500),
    ),
    Fault(
        "malformed_json_500",
        "Unparseable JSON surfaces as 500 INTERNAL (bugs F34).",
        ("ERR-07",),
        restate_error=when_reason("malformed_json", http_status=500),
    ),
    Fault(
        "bad_role_accepted",
        "Roles are not validated, so role 'assistant' is answered normally (songquanpeng/one-api#1385).",
        ("ERR-08",),
        skips=("role",),
    ),
    Fault(
        "stream_missing_contents_500",
        "The stream handler builds its upstream request before validating it: a stream without contents "
        "crashes it, 500 INTERNAL, while generateContent answers 400 (seen in an open-source relaying proxy; bugs F34).",
        ("ERR-06",),
        restate_error=when_reason("missing_contents", on="streamGenerateContent", http_status=500),
    ),
    Fault(
        "count_tokens_any_model",
        "countTokens counts with a local tokenizer and never looks the model up: a model that does not "
        "exist is counted, 200 (seen in an open-source translating layer).",
        ("ERR-05",),
        skips=("model_lookup:countTokens",),
    ),
)
