"""Assertions a check makes, each raising a ``RuleViolation`` that carries its evidence.

Shapes are asserted by validating against ``schemas/`` (the failure names the JSON path that broke);
the few facts a schema cannot state (arithmetic, ordering, timing) have a helper here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from conformance.client.exchange import Exchange, NotJSON
from conformance.google_rpc import ERROR_INFO
from conformance.outcomes import RuleViolation, blocked, model_decided
from conformance.schemas import validate

JSON_TYPES = ("application/json",)


def fail(summary: str, exchange: Exchange | None = None, **evidence: Any) -> RuleViolation:
    return RuleViolation(summary, exchange=exchange, **evidence)


def cut(exchange: Exchange, text: str, limit: int, *, end: bool = False) -> str:
    """A piece of what the gateway sent, as a failure shows it: redacted first, then cut to ``limit``
    characters from its start (or its ``end``), so a cut never falls inside a key."""
    text = exchange.redactor.text(text)
    return text[-limit:] if end else text[:limit]


def status_in(exchange: Exchange, statuses: Collection[int], what: str = "HTTP status") -> None:
    if exchange.status not in statuses:
        raise fail(
            f"{what} was {exchange.status}, expected {_one_of(statuses)}",
            exchange,
            expected=_one_of(statuses),
            actual=exchange.status,
        )


API_KEY_INVALID = "API_KEY_INVALID"


def auth_failure(exchange: Exchange, statuses: Collection[int]) -> None:
    """A refused key: one of ``statuses`` (the target's expect.auth_failure). A 400 counts only as
    Google sends it for a bad key, with an ErrorInfo whose reason is API_KEY_INVALID: any other 400
    is a request error, not an auth failure."""
    status_in(exchange, statuses, "the auth failure's HTTP status")
    if exchange.status != 400:
        return
    details = _error_details(exchange)
    if not any(isinstance(d, dict) and d.get("@type") == ERROR_INFO and d.get("reason") == API_KEY_INVALID for d in details):
        raise fail(
            "HTTP 400 without Google's ErrorInfo reason API_KEY_INVALID is not an auth failure",
            exchange,
            path="$.error.details",
            expected=f"an ErrorInfo with reason {API_KEY_INVALID} (as Google sends a wrong key), or another of {_one_of(statuses)}",
            actual=[d.get("reason") for d in details if isinstance(d, dict)] or "no details",
        )


def _error_details(exchange: Exchange) -> list:
    body = exchange.json if exchange.is_json else None
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    return details if isinstance(details, list) else []


def status_ok(exchange: Exchange) -> None:
    """Success is HTTP 200 exactly (google-genai treats any other 2xx as an error), and whole."""
    admitted(exchange)
    status_in(exchange, (200,))
    whole(exchange)


AUTH_REFUSED = (401, 403)


def key_accepted(exchange: Exchange) -> None:
    """A request sent with the target's own key and refused as unauthenticated proves nothing about
    the rule that sent it: AUTH-01 (the declared key placement is accepted) judges that refusal, and
    the check is blocked by it, so one refused key reads as one cause, not as every rule failing."""
    if exchange.status in AUTH_REFUSED and exchange.key_carried == "given":
        blocked(f"the gateway refused the target's own key (HTTP {exchange.status}), so there is no answer to judge", by="AUTH-01")


def model_known(exchange: Exchange) -> None:
    """A generateContent naming a model the target declares, answered 404 (Google's answer for an
    unknown model), proves nothing about the rule that sent it either: GEN-07 (every declared model
    is served) judges that answer, and the check is blocked by it. Another action's 404 is not
    GEN-07's to judge (a countTokens sent to the wrong path upstream is the action's failure, with
    the model served), so it stays the check's own failure."""
    if exchange.status == 404 and exchange.model_declared and exchange.action == "generateContent":
        blocked(f"the gateway does not know the declared model {exchange.model} (HTTP 404), so there is no answer to judge", by="GEN-07")


def admitted(exchange: Exchange) -> None:
    """The gateway took the request as the target declares it: its own key (AUTH-01) and its
    declared model (GEN-07). Where it did not, the check is blocked by that rule."""
    key_accepted(exchange)
    model_known(exchange)


def whole(exchange: Exchange) -> None:
    """The body arrived whole: a connection that broke mid-body left a body cut short, which the
    SDKs reject, so no check may pass on it."""
    if exchange.transport_error:
        raise fail(
            f"the connection broke after {len(exchange.body)} bytes of the body: {exchange.transport_error}",
            exchange,
            expected="the whole body, then the end of the response",
            actual=exchange.describe(),
        )


def media_type(exchange: Exchange, expected: str | Collection[str]) -> None:
    allowed = (expected,) if isinstance(expected, str) else tuple(expected)
    if exchange.media_type not in allowed:
        raise fail(
            f"Content-Type was {exchange.content_type or '(none)'!r}, expected {_one_of(allowed)}",
            exchange,
            expected=_one_of(allowed),
            actual=exchange.content_type or None,
        )


def json_body(exchange: Exchange) -> Any:
    whole(exchange)
    try:
        return exchange.json
    except NotJSON:
        raise fail("the body is not JSON", exchange, expected="a JSON body", actual=exchange.excerpt(200)) from None


def matches_schema(
    instance: Any, schema: str, exchange: Exchange | None = None, *, what: str = "the body", at: str = "$"
) -> None:
    """Validate ``instance`` against ``schemas/<schema>``; the failure names the JSON path."""
    violations = validate(schema, instance)
    if violations:
        first = violations[0]
        path = _join(at, first.path)
        more = f" (+{len(violations) - 1} more)" if len(violations) > 1 else ""
        raise fail(
            f"{what} does not match {schema}: at {path}: {first.message}{more}",
            exchange,
            path=path,
            expected=f"schemas/{schema.replace('#', '.schema.json#', 1) if '#' in schema else schema + '.schema.json'}",
            actual=first.message,
            details=tuple(f"{_join(at, v.path)}: {v.message}" for v in violations[1:5]),
        )


def body_matches_schema(exchange: Exchange, schema: str) -> Any:
    body = json_body(exchange)
    matches_schema(body, schema, exchange)
    return body


def google_error(exchange: Exchange) -> dict[str, Any]:
    """The body is a Google error envelope; returns its ``error`` object."""
    return body_matches_schema(exchange, "error")["error"]


def _one_of(values: Collection[Any]) -> str:
    values = list(values)
    return str(values[0]) if len(values) == 1 else "one of " + ", ".join(map(str, values))


def _join(at: str, path: str) -> str:
    return at + path[1:] if path.startswith("$") else f"{at}{path}"


def answered(exchange: Exchange, by: str, why: str) -> None:
    """An exchange that got no answer at all proves nothing either way: the check is blocked by the
    rule that judges the answer (``by``), never passed. ``why``: what there is then nothing to judge."""
    if not exchange.status:
        blocked(f"no answer arrived ({exchange.describe()}), so there is {why}", by=by)


def success_body(exchange: Exchange) -> Any:
    """The body of a success, for a rule about what a success holds: an error answer has nothing to
    judge (GEN-06 judges the status), so the rule is blocked rather than passed on it."""
    answered(exchange, "GEN-06", "no body to judge")
    admitted(exchange)
    if not 200 <= exchange.status < 300:
        blocked(f"the request was answered HTTP {exchange.status}, not with a success to judge", by="GEN-06")
    return json_body(exchange)


def answer_body(exchange: Exchange) -> dict:
    """A success holding an answer, for a rule about what an answer holds or must not hold: a body
    without a candidate would pass such a rule with nothing judged, so the rule is blocked by GEN-01
    there (a prompt the safety filters blocked is the model's side's decision)."""
    body = success_body(exchange)
    prompt_not_blocked(exchange, [body])
    if not (isinstance(body, dict) and isinstance(body.get("candidates"), list) and body["candidates"]):
        blocked("the answer holds no candidate to judge", by="GEN-01")
    return body


def answer_matches(exchange: Exchange, fragment: str, what: str) -> None:
    """A success holding an answer (answer_body), against a fragment of the GenerateContentResponse
    schema: how a rule says what an answer must not hold (a thought, a call or a picture unasked)."""
    matches_schema(answer_body(exchange), f"generate_content_response#/$defs/{fragment}", exchange, what=what)


def accepted(exchange: Exchange) -> dict:
    """The answer to a request the gateway accepted. Any 2xx will do here (that it is exactly 200 is
    GEN-06's), and a body that is not one JSON object leaves nothing to judge (SHAPE-01's)."""
    if not 200 <= exchange.status < 300:
        status_ok(exchange)
    body = json_body(exchange)  # whole, then JSON
    if not isinstance(body, dict):
        blocked("the answer is not one JSON object", by="SHAPE-01")
    return body


def prompt_not_blocked(exchange: Exchange, answers: list[Any]) -> None:
    """A prompt Google's safety filters blocked is an HTTP 200 with promptFeedback.blockReason and no
    candidate (the recordings show it, streamed and whole): the model's side decided, and there is no
    candidate, finishReason or final usage to judge. ``answers``: the body, or a stream's chunks."""
    if any(isinstance(answer, dict) and answer.get("candidates") for answer in answers):
        return
    for answer in answers:
        feedback = answer.get("promptFeedback") if isinstance(answer, dict) else None
        if isinstance(feedback, dict) and feedback.get("blockReason"):
            model_decided(f"the prompt was blocked (promptFeedback.blockReason {feedback['blockReason']}), so no candidate came back")
