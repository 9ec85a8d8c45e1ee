"""Errors: Google's envelope, with the HTTP status and the canonical status name, for every rejection.

ERR-01 an error body is a Google error envelope
ERR-02 error.code equals the HTTP status
ERR-03 error.status is the google.rpc name canonical for the HTTP status
ERR-04 an error is served with a JSON content type
ERR-05 an unknown model gives 404
ERR-06 a request without contents gives 400
ERR-07 a body that is not valid JSON gives 400
ERR-08 a content role other than user/model gives 400

Each request is sent to every declared action it fits (``sent_to``), not only generateContent: Google
judges them alike on each, and gateways that validate only the route they were built around answer a
stream without contents 500, or count tokens for a model that does not exist.
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.google_rpc import CANONICAL_NAMES
from conformance.outcomes import blocked
from conformance.recipes.common import (
    GENERATING_ACTIONS,
    MODEL_ACTIONS,
    REJECTIONS,
    bad_role_rejection,
    malformed_json_rejection,
    missing_contents_rejection,
    rejection,
    unknown_model_rejection,
)
from conformance.rules import GENERATE, MUST, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API, NEBULA, TOKENSMART

# The rule that fails when a case is not rejected at all, which leaves no error to inspect.
REJECTED_BY = {
    "missing_key": "AUTH-02",
    "keyless_malformed_json": "AUTH-05",
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


def _rejection(rejection, case: str, sent_to: str):
    exchange = rejection()
    if exchange.status == 200:
        blocked(f"the {case} request to {sent_to} was not rejected (HTTP 200), so there is no error to inspect", by=REJECTED_BY[case])
    return exchange


@rule("ERR-01", MUST, "an error body is a Google error envelope {error: {code, message, status, details?}}", source=ENVELOPE_DOCS, needs=GENERATE, reads=rejection)
@pytest.mark.parametrize(("case", "sent_to"), REJECTIONS)
def error_envelope(case, sent_to):
    expect.google_error(_rejection(rejection, case, sent_to))


@rule("ERR-02", MUST, "error.code equals the HTTP status", source=(GEMINI_API.at("§5 Envelope; §9 rule 13"), GEMINI_API.at("§8: SDKs read the code")), needs=GENERATE, reads=rejection)
@pytest.mark.parametrize(("case", "sent_to"), REJECTIONS)
def error_code_matches_status(case, sent_to):
    exchange = _rejection(rejection, case, sent_to)
    code = _error_field(exchange, "code")
    if code != exchange.status:
        raise expect.fail(f"error.code is {code!r} but the HTTP status is {exchange.status}", exchange, path="$.error.code", expected=exchange.status, actual=code)


@rule("ERR-03", MUST, "error.status is the google.rpc status name canonical for the HTTP status", source=(GEMINI_API.at("§5 google.rpc.Code -> HTTP; §9 rule 14"), TOKENSMART.at("Error response format")), needs=GENERATE, reads=rejection)
@pytest.mark.parametrize(("case", "sent_to"), REJECTIONS)
def canonical_status_name(case, sent_to):
    exchange = _rejection(rejection, case, sent_to)
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
@pytest.mark.parametrize(("case", "sent_to"), REJECTIONS)
def error_json_content_type(case, sent_to):
    expect.media_type(_rejection(rejection, case, sent_to), expect.JSON_TYPES)


def _error_field(exchange, name: str):
    body = expect.json_body(exchange)
    error = body.get("error") if isinstance(body, dict) else None
    return error.get(name) if isinstance(error, dict) else None


def _rejected_with(rejection, status: int) -> None:
    expect.status_in(rejection(), (status,))


@rule(
    "ERR-05",
    MUST,
    "an unknown model gives HTTP 404 (NOT_FOUND), on every action that names a model",
    source=(
        GEMINI_API.at("§5 Unknown model; §9 rule 15"),
        NEBULA.at("Error handling: 404"),
        TOKENSMART.at("Error response format: 404 NOT_FOUND"),
    ),
    needs=GENERATE,
    reads=unknown_model_rejection,
)
# Google's recordings show it for countTokens and batchEmbedContents too (RULES.md: real traffic).
@pytest.mark.parametrize("sent_to", MODEL_ACTIONS)
def unknown_model_not_found(sent_to):
    _rejected_with(unknown_model_rejection, 404)


@rule(
    "ERR-06",
    MUST,
    "a request without contents gives HTTP 400 (INVALID_ARGUMENT), streamed or not",
    source=(
        GEMINI_API.at("§5 Missing contents; §6 Errors before streaming starts; §9 rules 17, 19"),
        NEBULA.at("Error handling: 400 (e.g. missing contents)"),
        GATEWAY_BUGS.at("§5 rule 26"),
    ),
    needs=GENERATE,
    reads=missing_contents_rejection,
)
@pytest.mark.parametrize("sent_to", GENERATING_ACTIONS)
def missing_contents_invalid_argument(sent_to):
    _rejected_with(missing_contents_rejection, 400)


@rule(
    "ERR-07",
    MUST,
    "a body that is not valid JSON gives HTTP 400 (INVALID_ARGUMENT), on every action",
    source=(GEMINI_API.at("§5 Envelope"), GATEWAY_BUGS.at("§5 rule 26")),
    needs=GENERATE,
    reads=malformed_json_rejection,
)
@pytest.mark.parametrize("sent_to", MODEL_ACTIONS)
def malformed_json_invalid_argument(sent_to):
    _rejected_with(malformed_json_rejection, 400)


@rule(
    "ERR-08",
    MUST,
    "a content role other than user or model gives HTTP 400 (INVALID_ARGUMENT), streamed or not",
    source=(GEMINI_API.at("§2 Content: role user or model"), NEBULA.at("contents: role (user or model)"), GATEWAY_BUGS.at("§4 Errors: one-api#1385")),
    needs=GENERATE,
    reads=bad_role_rejection,
)
@pytest.mark.parametrize("sent_to", GENERATING_ACTIONS)
def bad_role_invalid_argument(sent_to):
    _rejected_with(bad_role_rejection, 400)
