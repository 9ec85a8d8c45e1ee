"""Errors: Google's envelope, with the HTTP status and the canonical status name, for every rejection.

ERR-01 an error body is a Google error envelope
ERR-02 error.code equals the HTTP status
ERR-03 error.status is the google.rpc name canonical for the HTTP status
ERR-04 an error is served with a JSON content type
ERR-05 an unknown model gives 404
ERR-06 a request without contents gives 400
ERR-07 a body that is not valid JSON gives 400
ERR-08 a content role other than user/model gives 400
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.google_rpc import CANONICAL_NAMES
from conformance.outcomes import blocked
from conformance.recipes.common import (
    REJECTED_REQUESTS,
    bad_role_rejection,
    malformed_json_rejection,
    missing_contents_rejection,
    rejection,
    unknown_model_rejection,
)
from conformance.rules import GENERATE, MUST, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API, NEBULA, TOKENSMART

CASES = tuple(REJECTED_REQUESTS)
# The rule that fails when a case is not rejected at all, which leaves no error to inspect.
REJECTED_BY = {
    "missing_key": "AUTH-02",
    "wrong_key": "AUTH-03",
    "unknown_model": "ERR-05",
    "missing_contents": "ERR-06",
    "malformed_json": "ERR-07",
    "bad_role": "ERR-08",
}
ENVELOPE_DOCS = (
    GEMINI_API.at("§5 Envelope; §9 rules 13-14"),
    NEBULA.at("Error handling: HTTP status codes and JSON body"),
    TOKENSMART.at("Error response format: Google's native shape"),
    GATEWAY_BUGS.at("§5 rule 4"),
)


def _rejection(rejection, case: str):
    exchange = rejection()
    if exchange.status == 200:
        blocked(f"the {case} request was not rejected (HTTP 200), so there is no error to inspect", by=REJECTED_BY[case])
    return exchange


@rule("ERR-01", MUST, "an error body is a Google error envelope {error: {code, message, status, details?}}", source=ENVELOPE_DOCS, needs=GENERATE, reads=rejection)
@pytest.mark.parametrize("case", CASES)
def error_envelope(case):
    expect.google_error(_rejection(rejection, case))


@rule("ERR-02", MUST, "error.code equals the HTTP status", source=(GEMINI_API.at("§5 Envelope; §9 rule 13"), GEMINI_API.at("§8: SDKs read the code")), needs=GENERATE, reads=rejection)
@pytest.mark.parametrize("case", CASES)
def error_code_matches_status(case):
    exchange = _rejection(rejection, case)
    code = _error_field(exchange, "code")
    if code != exchange.status:
        raise expect.fail(f"error.code is {code!r} but the HTTP status is {exchange.status}", exchange, path="$.error.code", expected=exchange.status, actual=code)


@rule("ERR-03", MUST, "error.status is the google.rpc status name canonical for the HTTP status", source=(GEMINI_API.at("§5 google.rpc.Code -> HTTP; §9 rule 14"), TOKENSMART.at("Error response format")), needs=GENERATE, reads=rejection)
@pytest.mark.parametrize("case", CASES)
def canonical_status_name(case):
    exchange = _rejection(rejection, case)
    status = _error_field(exchange, "status")
    allowed = CANONICAL_NAMES.get(exchange.status)
    if allowed is None or status not in allowed:
        raise expect.fail(
            f"error.status is {status!r}, not the canonical name for HTTP {exchange.status}",
            exchange,
            path="$.error.status",
            expected=" or ".join(allowed) if allowed else f"a status with a canonical mapping (HTTP {exchange.status} has none)",
            actual=status,
        )


@rule("ERR-04", MUST, "an error is served with Content-Type application/json", source=(GEMINI_API.at("§7 Node SDK: non-JSON errors lose their status; §9 rule 13"),), needs=GENERATE, reads=rejection)
@pytest.mark.parametrize("case", CASES)
def error_json_content_type(case):
    expect.media_type(_rejection(rejection, case), expect.JSON_TYPES)


def _error_field(exchange, name: str):
    body = expect.json_body(exchange)
    error = body.get("error") if isinstance(body, dict) else None
    return error.get(name) if isinstance(error, dict) else None


def _rejected_with(rejection, status: int) -> None:
    expect.status_in(rejection(), (status,))


@rule("ERR-05", MUST, "an unknown model gives HTTP 404 (NOT_FOUND)", source=(GEMINI_API.at("§5 Unknown model; §9 rule 15"), NEBULA.at("Error handling: 404"), TOKENSMART.at("Error response format: 404 NOT_FOUND")), needs=GENERATE, reads=unknown_model_rejection)
def unknown_model_not_found():
    _rejected_with(unknown_model_rejection, 404)


@rule("ERR-06", MUST, "a request without contents gives HTTP 400 (INVALID_ARGUMENT)", source=(GEMINI_API.at("§5 Missing contents; §9 rule 17"), NEBULA.at("Error handling: 400 (e.g. missing contents)"), GATEWAY_BUGS.at("§5 rule 26")), needs=GENERATE, reads=missing_contents_rejection)
def missing_contents_invalid_argument():
    _rejected_with(missing_contents_rejection, 400)


@rule("ERR-07", MUST, "a body that is not valid JSON gives HTTP 400 (INVALID_ARGUMENT)", source=(GEMINI_API.at("§5 Envelope"), GATEWAY_BUGS.at("§5 rule 26")), needs=GENERATE, reads=malformed_json_rejection)
def malformed_json_invalid_argument():
    _rejected_with(malformed_json_rejection, 400)


@rule("ERR-08", MUST, "a content role other than user or model gives HTTP 400 (INVALID_ARGUMENT)", source=(GEMINI_API.at("§2 Content: role user or model"), NEBULA.at("contents: role (user or model)"), GATEWAY_BUGS.at("§4 Errors: one-api#1385")), needs=GENERATE, reads=bad_role_rejection)
def bad_role_invalid_argument():
    _rejected_with(bad_role_rejection, 400)
