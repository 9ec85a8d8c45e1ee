"""Semantic smoke: a few cheap calls showing a real, unmodified model answers (marker `semantic`).

SEM-01 at temperature 0 the model follows "reply with exactly PONG" (SHOULD)
SEM-02 asked about the weather with a weather tool declared, the model calls that tool (SHOULD)

These catch a gateway that swaps in a cheaper model, injects its own system prompt or overrides
sampling parameters: wire-format checks cannot see that. Run them alone with `-m semantic`.
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.outcomes import blocked
from conformance.recipes import bodies
from conformance.recipes.semantic import exact_reply_answer, weather_question_answer
from conformance.rules import GENERATE, SHOULD, Needs, rule
from conformance.sources import GATEWAY_BUGS, NEXUSFLOW

FUNCTION_CALLING = GENERATE + Needs(features=("function_calling",))
SEMANTIC_DOCS = (
    GATEWAY_BUGS.at("§5 rule 14: no system-prompt injection, no parameter overrides; §1 new-api SystemPrompt; §6 F23"),
    NEXUSFLOW.at("Note: requests are routed to the platform's own models"),
)


def _parts(exchange) -> list[dict]:
    """The first candidate's parts, read leniently: the answer's shape is the GEN rules' business."""
    expect.status_in(exchange, range(200, 300))
    body = expect.json_body(exchange)
    expect.prompt_not_blocked(exchange, [body])
    candidates = body.get("candidates") if isinstance(body, dict) else None
    if not (isinstance(candidates, list) and candidates and isinstance(candidates[0], dict)):
        blocked("the answer has no candidate to read", by="GEN-01")
    content = candidates[0].get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    return [part for part in parts if isinstance(part, dict)] if isinstance(parts, list) else []


@rule("SEM-01", SHOULD, 'at temperature 0 the model follows "reply with exactly PONG"', source=SEMANTIC_DOCS, needs=GENERATE, reads=exact_reply_answer)
@pytest.mark.semantic
def follows_exact_reply():
    exchange = exact_reply_answer()
    text = "".join(part.get("text", "") for part in _parts(exchange) if not part.get("thought"))
    if text.strip().strip(".\"'`*").strip() != bodies.EXACT_REPLY:
        raise expect.fail(
            "the model did not reply with exactly the word it was told to",
            exchange, path="$.candidates[0].content.parts", expected=bodies.EXACT_REPLY, actual=expect.cut(exchange, text, 200),
        )


@rule(
    "SEM-02",
    SHOULD,
    "asked about the weather with a weather tool declared, the model calls that tool",
    source=SEMANTIC_DOCS + (GATEWAY_BUGS.at("§5 rule 11: functionCall kept as sent"),),
    needs=FUNCTION_CALLING,
    reads=weather_question_answer,
)
@pytest.mark.semantic
def calls_weather_tool():
    exchange = weather_question_answer()
    calls = [part["functionCall"].get("name") for part in _parts(exchange) if isinstance(part.get("functionCall"), dict)]
    if bodies.WEATHER_TOOL not in calls:
        raise expect.fail(
            f"the model did not call {bodies.WEATHER_TOOL}",
            exchange, path="$.candidates[0].content.parts[*].functionCall.name",
            expected=bodies.WEATHER_TOOL, actual=calls or "no function call",
        )
