"""API versions and base URLs: /v1 as google-genai 3.x calls it, and a wrong path prefix failing loudly.

VER-01 generateContent is served under /v1 too (google-genai 3.x's default): it answers as /v1beta does
       (a catch-all's 200 for any path is not serving /v1) (SHOULD)
VER-02 a wrong path prefix before the version is a JSON 404, not the API or a 200 page (SHOULD)

A base URL may carry a path prefix (https://host/gemini): the client keeps it in every request, and
the reference gateway can serve under one (`reference: {path_prefix: /gemini}`), so every check
exercises the prefix on such a target.
"""

from __future__ import annotations

from conformance import expect
from conformance.checks.actions import json_not_found
from conformance.recipes.common import text_response
from conformance.recipes.versions import v1_answer, wrong_prefix_answer
from conformance.rules import GENERATE, SHOULD, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API, TOKENSMART

SUCCESS = range(200, 300)


@rule(
    "VER-01",
    SHOULD,
    "generateContent is served under /v1 as well as /v1beta (google-genai 3.x calls /v1 by default): it "
    "answers as /v1beta does, the same kind of JSON with the same top-level fields",
    source=(
        GEMINI_API.at("§1 v1 has the same generative RPCs; §7 API version: 3.x defaults to v1; §9 rule 1"),
        TOKENSMART.at("Using Google's official SDK: change one baseUrl line"),
    ),
    needs=GENERATE,
    reads=(v1_answer, text_response),
)
def v1_served():
    # A 2xx will do (that it is exactly 200 is GEN-06's), and the answer's shape is GEN-01's: this rule
    # asks that /v1 be the API, answering as /v1beta does, not a catch-all's 200 for any path.
    exchange, v1beta = v1_answer(), text_response()
    expect.status_in(exchange, SUCCESS)
    served, answered = _fields(expect.json_body(exchange)), _fields(v1beta.json if v1beta.is_json else None)
    if served != answered:
        raise expect.fail(
            "the /v1 answer is not the API's: it does not answer as /v1beta does",
            exchange,
            expected=f"as /v1beta answers: {answered}",
            actual=served,
        )


def _fields(body) -> str:
    """What kind of JSON an answer is: an object's top-level fields, or the type's name."""
    return f"an object with {sorted(body)}" if isinstance(body, dict) else f"a JSON {type(body).__name__}"


@rule(
    "VER-02",
    SHOULD,
    "a request under a wrong path prefix is a JSON 404: the API answers only under its base URL",
    source=(
        GATEWAY_BUGS.at("§1 new-api web-router: wrong base_url prefix gives 200 text/html; §5 rule 24"),
        GEMINI_API.at("§7 URL: a path prefix in base_url is kept; §9 rule 3"),
    ),
    needs=GENERATE,
    reads=wrong_prefix_answer,
)
def wrong_prefix_not_found():
    json_not_found(wrong_prefix_answer())
