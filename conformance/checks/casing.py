"""Request casing: the field names and number forms Google's JSON mapping accepts, as clients send them.

CASE-01 a body in snake_case proto names is accepted and its generation_config honoured
CASE-02 a snake_case system_instruction is honoured
CASE-03 an integral float in an int field (`topK: 40.0`, as google-genai sends it) is accepted
CASE-04 the mixed-case body google-genai sends is accepted and its snake_case leaves honoured

Google parses request bodies with the proto3 JSON mapping: every field by its camelCase or its
snake_case name, int fields also as integral floats (facts §1). Accepting a body is not enough, so
each rule also looks for the field's effect where the response shows it: `max_output_tokens` caps
candidatesTokenCount, a system_instruction raises promptTokenCount over the same request without one,
`thinking_budget: 0` leaves no thoughtsTokenCount. Every request asks for at most 2 output tokens.
"""

from __future__ import annotations

from conformance import expect
from conformance.outcomes import blocked
from conformance.recipes import bodies
from conformance.recipes.casing import (
    float_top_k_answer,
    python_sdk_body_answer,
    snake_case_answer,
    snake_case_answer_without_instruction,
)
from conformance.rules import GENERATE, MUST, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API, TOKENSMART
from conformance.usage import count_of

RESPONSE = "generate_content_response"
SNAKE_CASE_BODY = "a body in snake_case field names"
JSON_MAPPING = GEMINI_API.at("§1 Proto3 JSON mapping: parsers accept both names; §9 rule 4")


def _accepted(exchange, body: str):
    """The request was answered: HTTP 200 with a JSON body (its shape is GEN-01's and SHAPE-01's)."""
    expect.status_in(exchange, (200,), what=f"the HTTP status for {body}")
    return expect.json_body(exchange)


@rule(
    "CASE-01",
    MUST,
    "a body written in snake_case proto names (generation_config, max_output_tokens, inline_data) is accepted and applied",
    source=(JSON_MAPPING, TOKENSMART.at("Example: multimodal: inline_data / mime_type"), GATEWAY_BUGS.at("§5 rule 13; new-api PR#1145, litellm#37028")),
    needs=GENERATE,
    reads=snake_case_answer,
)
def snake_case_body():
    exchange = snake_case_answer()
    used = _usage(_accepted(exchange, SNAKE_CASE_BODY), "candidatesTokenCount", absent_as=0)
    if used > bodies.CASING_MAX_OUTPUT_TOKENS:
        raise expect.fail(
            f"the answer used {used} output tokens although generation_config.max_output_tokens was "
            f"{bodies.CASING_MAX_OUTPUT_TOKENS}: the snake_case generation_config was not applied",
            exchange,
            path="$.usageMetadata.candidatesTokenCount",
            expected=f"<= {bodies.CASING_MAX_OUTPUT_TOKENS}",
            actual=used,
        )


@rule(
    "CASE-02",
    MUST,
    "a snake_case system_instruction is applied (it counts in promptTokenCount)",
    source=(JSON_MAPPING, GATEWAY_BUGS.at("§4 Request fields: new-api#1431, #2448; §6 F22")),
    needs=GENERATE,
    reads=(snake_case_answer, snake_case_answer_without_instruction),
)
def snake_case_system_instruction():
    with_it, without = snake_case_answer(), snake_case_answer_without_instruction()
    counts = [_usage(_accepted(exchange, SNAKE_CASE_BODY), "promptTokenCount") for exchange in (with_it, without)]
    if counts[0] <= counts[1]:
        raise expect.fail(
            f"promptTokenCount is {counts[0]} with a {len(bodies.SYSTEM_INSTRUCTION.split())}-word system_instruction "
            f"and {counts[1]} without it: the system_instruction never reached the model",
            with_it,
            path="$.usageMetadata.promptTokenCount",
            expected=f"> {counts[1]}",
            actual=counts[0],
        )


@rule(
    "CASE-03",
    MUST,
    "an integral float in an int field (topK: 40.0, as google-genai sends it) is accepted",
    source=(GEMINI_API.at("§1: the Python SDK sends \"topK\": 40.0; §9 rule 4"),),
    needs=GENERATE,
    reads=float_top_k_answer,
)
def integral_float_accepted():
    _accepted(float_top_k_answer(), "a body with topK: 40.0")


@rule(
    "CASE-04",
    MUST,
    "the mixed-case body google-genai sends (inlineData.mime_type, thinkingConfig.thinking_budget) is accepted and applied",
    source=(GEMINI_API.at("§1: the Python SDK sends mixed snake_case and camelCase; §8 captured body; §9 rule 4"), GATEWAY_BUGS.at("§5 rule 13; Aether#161")),
    needs=GENERATE,
    reads=python_sdk_body_answer,
)
def python_sdk_body(target):
    exchange = python_sdk_body_answer()
    body = _accepted(exchange, "the mixed-case body google-genai sends")
    if "thinking" in target.features:
        expect.matches_schema(body, f"{RESPONSE}#/$defs/NoThoughts", exchange, what="the answer to thinkingConfig.thinking_budget 0")


def _usage(body, count: str, absent_as: int | None = None) -> int:
    """A usageMetadata count (see count_of); not applicable without one (GEN-04 checks usageMetadata)."""
    value = count_of(body, count, absent_as=absent_as)
    if value is None:
        blocked(f"the answer carries no usageMetadata.{count} to read the effect from", by="GEN-04")
    return value
