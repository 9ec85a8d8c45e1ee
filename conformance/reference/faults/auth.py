"""Faults that break rules of the auth area (conformance/checks/auth.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import echo_key, when_reason

FAULTS = (
    Fault(
        "parses_body_before_key",
        "The body is parsed and validated by the web framework before the auth middleware runs "
        "(FastAPI's 422 before 401): a request without a key but with a malformed body is answered "
        "400 for its body (seen in an open-source translating layer).",
        ("AUTH-05",),
        skips=("key_first",),
    ),
    Fault(
        "wrong_key_as_plain_bad_request",
        "A wrong key is answered 400 INVALID_ARGUMENT like any malformed request, without Google's ErrorInfo "
        "reason API_KEY_INVALID, so a client cannot tell a bad key from a bad body (one-api#1385-style "
        "error mapping).",
        ("AUTH-03",),
        restate_error=when_reason("invalid_key", http_status=400, details=()),
    ),
    Fault(
        "rejects_x_goog_api_key",
        "Only Bearer/?key= are read, so the google-genai SDKs' x-goog-api-key header is ignored "
        "(diegosouzapw/OmniRoute#7034, QuantumNous/new-api#1147). The SDK's other rules are blocked by "
        "AUTH-01: with its key refused, they have nothing to judge.",
        ("AUTH-01", "SDK-05"),
        ignores_placements=("x-goog-api-key",),
    ),
    Fault(
        "accepts_missing_key",
        "The Gemini route is mounted outside the auth middleware: requests without a key are served.",
        ("AUTH-02",),
        admits=("missing",),
    ),
    Fault(
        "accepts_any_key",
        "Key validation is stubbed out: any non-empty key is accepted.",
        ("AUTH-03",),
        admits=("invalid",),
    ),
    Fault(
        "echoes_key_in_auth_error",
        "OpenAI-style 'Incorrect API key provided: <key>' message leaks the key into errors and logs "
        "(hasamba/DFIR-Companion#516, BerriAI/litellm#10983).",
        ("AUTH-04",),
        restate_error=echo_key,
    ),
)
