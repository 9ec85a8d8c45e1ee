"""generationConfig honoured: the answer shows each setting took effect, not just that it was accepted.

CFG-01 with maxOutputTokens, candidatesTokenCount stays within the cap
CFG-02 an answer cut by maxOutputTokens ends with finishReason MAX_TOKENS
CFG-03 stopSequences end the answer before the stop text, with finishReason STOP
CFG-04 responseMimeType application/json with responseSchema / responseJsonSchema gives JSON that validates
CFG-05 systemInstruction reaches the model (it counts in promptTokenCount)
CFG-06 JSON only when asked: without a JSON responseMimeType, the counting answer is words, not JSON

Each setting is looked for where a real model and the reference's fake model both show it: the counting
prompt's twelve-word answer is cut at 4 tokens, or before its last word "twelve"; a JSON answer parses
and validates against the schema sent. A systemInstruction has no cheap, reliable effect on what a model
says, but Google counts it in promptTokenCount: the tiny request with one must count more prompt tokens
than the same request without (the tiny_response recipe, also the baseline of MEDIA-01). The snake_case
system_instruction is CASE-02's.
"""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from conformance import expect
from conformance.outcomes import blocked
from conformance.recipes import bodies
from conformance.recipes.common import text_response, tiny_response
from conformance.recipes.config import (
    capped_answer,
    json_mode_answer,
    stop_sequence_answer,
    system_instruction_answer,
)
from conformance.rules import GENERATE, MUST, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API, NEBULA, NEXUSFLOW, TOKENSMART
from conformance.usage import count_of

RESPONSE = "generate_content_response"
GENERATION_CONFIG = GEMINI_API.at("§2 GenerationConfig")


def _answer(exchange) -> dict:
    """The body of a success that has an answer to read."""
    body = expect.accepted(exchange)
    expect.matches_schema(body, f"{RESPONSE}#/$defs/HasCandidates", exchange)
    return body


def _text(body: dict) -> str:
    """The answer's text: its non-thought text parts, joined."""
    parts = body["candidates"][0]["content"]["parts"]
    return "".join(part["text"] for part in parts if isinstance(part.get("text"), str) and not part.get("thought"))


@rule(
    "CFG-01",
    MUST,
    f"with maxOutputTokens {bodies.CAPPED_MAX_OUTPUT_TOKENS}, candidatesTokenCount is at most {bodies.CAPPED_MAX_OUTPUT_TOKENS}",
    source=(GENERATION_CONFIG, NEBULA.at("generationConfig: maxOutputTokens"), NEXUSFLOW.at("generationConfig.maxOutputTokens")),
    needs=GENERATE,
    reads=capped_answer,
)
def max_output_tokens_cap():
    exchange = capped_answer()
    usage = expect.accepted(exchange).get("usageMetadata")
    if not isinstance(usage, dict):
        blocked("the answer carries no usageMetadata to read", by="GEN-04")
    count = usage.get("candidatesTokenCount", 0)  # proto3 leaves out a 0
    if not isinstance(count, int) or count > bodies.CAPPED_MAX_OUTPUT_TOKENS:
        raise expect.fail(
            f"candidatesTokenCount is {count!r} for maxOutputTokens {bodies.CAPPED_MAX_OUTPUT_TOKENS}: the cap was not applied",
            exchange,
            path="$.usageMetadata.candidatesTokenCount",
            expected=f"<= {bodies.CAPPED_MAX_OUTPUT_TOKENS}",
            actual=count,
        )


@rule(
    "CFG-02",
    MUST,
    "an answer cut by maxOutputTokens ends with finishReason MAX_TOKENS, not STOP",
    source=(GEMINI_API.at("§3 FinishReason: MAX_TOKENS"), GATEWAY_BUGS.at("§1 new-api ResponseOpenAI2Gemini: finishReason mapping; §4 envoyproxy/ai-gateway PR#2107; §6 F16")),
    needs=GENERATE,
    reads=capped_answer,
)
def max_tokens_finish_reason():
    exchange = capped_answer()
    body = expect.accepted(exchange)
    if not any(isinstance(candidate, dict) and "finishReason" in candidate for candidate in body.get("candidates") or ()):
        blocked("the answer carries no finishReason", by="GEN-03")
    expect.matches_schema(body, f"{RESPONSE}#/$defs/StoppedAtMaxTokens", exchange)


@rule(
    "CFG-03",
    MUST,
    "stopSequences end the answer before the stop text (which is not included), with finishReason STOP",
    source=(GEMINI_API.at("§2 GenerationConfig: stopSequences, the stop text is not included"), NEBULA.at("generationConfig: stopSequences"), NEXUSFLOW.at("generationConfig.stopSequences"), GATEWAY_BUGS.at("§5 rule 13")),
    needs=GENERATE,
    reads=stop_sequence_answer,
)
def stop_sequences():
    exchange = stop_sequence_answer()
    body = _answer(exchange)
    text = _text(body)
    if any(stop.lower() in text.lower() for stop in bodies.STOP_SEQUENCES):
        raise expect.fail(
            f"the answer runs on past the stop sequence {bodies.STOP_SEQUENCES[0]!r}",
            exchange,
            path="$.candidates[0].content.parts",
            expected=f"text ending before {bodies.STOP_SEQUENCES[0]!r}",
            actual=expect.cut(exchange, text, 120, end=True),
        )
    reason = body["candidates"][0].get("finishReason")
    if reason not in ("STOP", None):  # an absent finishReason is GEN-03's
        raise expect.fail(f"finishReason is {reason!r} after a stop sequence", exchange, path="$.candidates[0].finishReason", expected="STOP", actual=reason)


@rule(
    "CFG-04",
    MUST,
    "with responseMimeType application/json and a responseSchema or responseJsonSchema, the text is JSON valid against it",
    source=(GEMINI_API.at("§2 GenerationConfig: responseMimeType, responseSchema, responseJsonSchema"), TOKENSMART.at("Request body: generationConfig"), GATEWAY_BUGS.at("§1 new-api: responseSchema not mapped; §5 rule 13")),
    needs=GENERATE,
    reads=json_mode_answer,
)
@pytest.mark.parametrize("schema_field", list(bodies.RESPONSE_SCHEMAS))
def json_mode(schema_field):
    exchange = json_mode_answer()
    text = _text(_answer(exchange))
    try:
        value = json.loads(text)
    except ValueError:
        raise expect.fail("the answer in JSON mode is not JSON", exchange, path="$.candidates[0].content.parts", expected="a JSON text", actual=expect.cut(exchange, text, 200)) from None
    schema = _as_json_schema(bodies.RESPONSE_SCHEMAS[schema_field])
    problems = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda error: list(error.path))
    if problems:
        raise expect.fail(
            f"the JSON answer does not match the {schema_field} sent: {problems[0].message}",
            exchange,
            path="$.candidates[0].content.parts[*].text",
            expected=json.dumps(bodies.RESPONSE_SCHEMAS[schema_field]),
            actual=expect.cut(exchange, text, 200),
        )


def _as_json_schema(schema):
    """Google's OpenAPI-subset Schema (upper-case type names) read as a JSON Schema."""
    if isinstance(schema, list):
        return [_as_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {key: value.lower() if key == "type" and isinstance(value, str) else _as_json_schema(value) for key, value in schema.items()}


@rule(
    "CFG-05",
    MUST,
    "systemInstruction reaches the model: it counts in promptTokenCount",
    source=(GEMINI_API.at("§2 GenerateContentRequest: systemInstruction"), NEBULA.at("systemInstruction"), TOKENSMART.at("Request body: systemInstruction"), GATEWAY_BUGS.at("§4 litellm#12671: top-level systemInstruction lost; §6 F22")),
    needs=GENERATE,
    reads=(system_instruction_answer, tiny_response),
)
def system_instruction_counted():
    raises_prompt_tokens(tiny_response, system_instruction_answer(), "the systemInstruction")


def raises_prompt_tokens(tiny_response, exchange, what: str) -> None:
    """``exchange`` (the tiny request plus ``what``) counts more prompt tokens than the tiny request."""
    counts = [count_of(expect.accepted(answer), "promptTokenCount") for answer in (exchange, tiny_response())]
    if None in counts:
        blocked("the answers carry no promptTokenCount to compare", by="GEN-04")
    if counts[0] <= counts[1]:
        raise expect.fail(
            f"promptTokenCount is {counts[0]} with {what} and {counts[1]} without it: {what} never reached the model",
            exchange,
            path="$.usageMetadata.promptTokenCount",
            expected=f"> {counts[1]}",
            actual=counts[0],
        )


@rule(
    "CFG-06",
    MUST,
    "JSON comes only when asked: without responseMimeType application/json (text/plain is the default), "
    "the answer to the counting prompt is words, not a JSON document",
    source=(GEMINI_API.at("§2 GenerationConfig: responseMimeType, text/plain (default)"), GATEWAY_BUGS.at("§5 rule 14")),
    needs=GENERATE,
    reads=text_response,
)
def json_only_when_asked():
    # Asked for twelve words separated by spaces, a model writes them; a quoted string, an object or
    # an array around them is JSON mode, which the request did not ask for.
    exchange = text_response()
    expect.answer_body(exchange)
    text = _text(_answer(exchange))
    try:
        value = json.loads(text)
    except ValueError:
        return
    if isinstance(value, (str, dict, list)):
        raise expect.fail(
            "the answer to a request without a JSON responseMimeType is a JSON document: JSON mode was turned on",
            exchange,
            path="$.candidates[0].content.parts[*].text",
            expected="plain text (responseMimeType defaults to text/plain)",
            actual=expect.cut(exchange, text, 200),
        )
