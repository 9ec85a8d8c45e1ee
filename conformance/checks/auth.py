"""Auth: the key is accepted where the target says, rejected when missing or wrong, never echoed.

AUTH-01 each declared key placement is accepted
AUTH-02 a request without a key is rejected with an expected auth-failure status
AUTH-03 a request with a wrong key is rejected with an expected auth-failure status
AUTH-04 the key sent never comes back in a response
AUTH-05 the key is judged before the body: a keyless request with a malformed body is an auth failure
"""

from __future__ import annotations

import json

import pytest

from conformance import expect
from conformance.google_rpc import DEBUG_INFO
from conformance.outcomes import blocked
from conformance.recipes.auth import answer_with_key_in
from conformance.recipes.common import (
    WRONG_KEY,
    keyless_malformed_json_rejection,
    missing_key_rejection,
    text_response,
    wrong_key_rejection,
)
from conformance.rules import GENERATE, MUST, rule
from conformance.sources import (
    AIONE_NATIVE,
    GATEWAY_BUGS,
    GEMINI_API,
    NEBULA,
    NEXUSFLOW,
    TOKENSMART,
)
from conformance.vocabulary import AUTH_PLACEMENTS

AUTH_DOCS = (
    AIONE_NATIVE.at("Connection Details: Authorization: Bearer"),
    NEBULA.at("Authentication"),
    TOKENSMART.at("Authentication (3 methods)"),
    NEXUSFLOW.at("Request Parameters: key"),
    GEMINI_API.at("§1 Auth"),
)


@rule("AUTH-01", MUST, "the API key is accepted in each placement the target declares", source=AUTH_DOCS, needs=GENERATE, reads=answer_with_key_in)
@pytest.mark.parametrize("placement", AUTH_PLACEMENTS)
def declared_auth_accepted(placement):
    exchange = answer_with_key_in()
    # Judged here, not through status_ok: every other check's refused key is blocked by this rule.
    expect.status_in(exchange, (200,))
    expect.whole(exchange)


@rule(
    "AUTH-02",
    MUST,
    "a request without a key is rejected with an auth-failure status",
    source=(GEMINI_API.at("§5 Missing key; §9 rule 16"), NEBULA.at("Error handling: 401"), TOKENSMART.at("Error response format: 401")),
    needs=GENERATE,
    reads=missing_key_rejection,
)
def missing_key_rejected(target):
    expect.auth_failure(missing_key_rejection(), target.expect.auth_failure)


@rule(
    "AUTH-03",
    MUST,
    "a request with a wrong key is rejected with an auth-failure status",
    source=(GEMINI_API.at("§5 Invalid key; §9 rule 16"), NEBULA.at("Error handling: 401"), TOKENSMART.at("Error response format: 401")),
    needs=GENERATE,
    reads=wrong_key_rejection,
)
def wrong_key_rejected(target):
    expect.auth_failure(wrong_key_rejection(), target.expect.auth_failure)


@rule(
    "AUTH-04",
    MUST,
    "the key sent is never echoed back, in an error or a success (a wrong key only where Google puts it: a DebugInfo detail)",
    source=(GATEWAY_BUGS.at("§5 rule 7; §4 Auth/keys: DFIR-Companion#516, litellm#10983"), TOKENSMART.at("Authentication: ?key= warning")),
    needs=GENERATE,
    reads=(wrong_key_rejection, text_response),
)
def key_not_echoed(client):
    for exchange, key, answered_by in ((wrong_key_rejection(), WRONG_KEY, "AUTH-03"), (text_response(), client.key, "GEN-06")):
        expect.answered(exchange, answered_by, "nothing to look for the key in")
        # Google's own wrong-key answer names the key it refused in a google.rpc.DebugInfo detail
        # (recording firebase-sdk-test-data/014): a gateway relaying it as is does what Google does.
        if key and _contains(exchange, key, beside_debug_info=key == WRONG_KEY):
            raise expect.fail(
                "the response contains the API key that was sent",
                exchange,
                expected="no trace of the key in headers or body",
                actual="key found in the response",
            )


@rule(
    "AUTH-05",
    MUST,
    "the key is judged before the body: a request without a key whose body is not valid JSON is refused for the key (an auth-failure status), not answered 400 or 422 for its body",
    source=(GEMINI_API.at("§5 Missing key; §9 rule 16"), GATEWAY_BUGS.at("§5 rule 6")),
    needs=GENERATE,
    reads=(keyless_malformed_json_rejection, missing_key_rejection),
)
def key_judged_before_body(target):
    # A missing key is 403 whatever the request says (rule 16 has no exception for a bad body): a
    # gateway that parses first tells a caller without a key how its API validates requests.
    if missing_key_rejection().status == 200:
        blocked("a request without a key is served (HTTP 200): no key is judged, before the body or after", by="AUTH-02")
    expect.auth_failure(keyless_malformed_json_rejection(), target.expect.auth_failure)


def _contains(exchange, key: str, beside_debug_info: bool = False) -> bool:
    """The key is in the response's headers or body (with ``beside_debug_info``: outside an error's
    DebugInfo details)."""
    headers = " ".join(f"{name}: {value}" for name, value in exchange.headers.multi_items())
    body = exchange.body
    if beside_debug_info and exchange.is_json and isinstance(exchange.json, dict) and isinstance(exchange.json.get("error"), dict):
        error = dict(exchange.json["error"])
        details = error.get("details") if isinstance(error.get("details"), list) else []
        error["details"] = [d for d in details if not (isinstance(d, dict) and d.get("@type") == DEBUG_INFO)]
        body = json.dumps({**exchange.json, "error": error}).encode()
    return key in headers or key.encode() in body
