"""generateContent: one response (text_response), checked against the schema and Google's rules.

GEN-01 the response is a GenerateContentResponse (schema)
GEN-02 the candidate's role is "model"
GEN-03 every candidate has a finishReason from the enum
GEN-04 usageMetadata is present
GEN-05 totalTokenCount = prompt + candidates + thoughts + toolUsePrompt
GEN-06 success is HTTP 200 with a JSON content type
GEN-07 every model the target declares is served (not answered 404 NOT_FOUND)
GEN-08 images come only from image models: the text model's answer holds no inlineData image
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.outcomes import blocked, not_applicable, not_judged
from conformance.recipes.common import text_response
from conformance.recipes.generate import EMBEDDING_ACTIONS, declared_model_answer
from conformance.rules import GENERATE, MUST, rule
from conformance.sources import (
    AIONE_NATIVE,
    GATEWAY_BUGS,
    GEMINI_API,
    NEBULA,
    TOKENSMART,
)
from conformance.usage import total_mismatch
from conformance.vocabulary import MODEL_ROLES

RESPONSE = "generate_content_response"


@rule(
    "GEN-01",
    MUST,
    "the response body is a GenerateContentResponse",
    source=(GEMINI_API.at("§3 GenerateContentResponse"), AIONE_NATIVE.at("Response Format: fully identical to the Google Gemini API")),
    needs=GENERATE,
    reads=text_response,
)
def generate_response_schema():
    expect.body_matches_schema(text_response(), RESPONSE)


@rule("GEN-02", MUST, 'the candidate content role is "model"', source=(GEMINI_API.at("§3 Candidate; §9 rule 11"), NEBULA.at("Response format")), needs=GENERATE, reads=text_response)
def model_role():
    exchange = text_response()
    body = expect.success_body(exchange)
    if not (isinstance(body, dict) and isinstance(body.get("candidates"), list) and body["candidates"]):
        expect.prompt_not_blocked(exchange, [body])
        blocked("the answer has no candidate whose role could be read", by="GEN-01")
    expect.matches_schema(body, f"{RESPONSE}#/$defs/ModelRole", exchange)


@rule("GEN-03", MUST, "every candidate carries a finishReason from the FinishReason enum", source=GEMINI_API.at("§3 FinishReason; §9 rule 9"), needs=GENERATE, reads=text_response)
def finish_reason():
    exchange = text_response()
    expect.prompt_not_blocked(exchange, [expect.json_body(exchange)])
    expect.body_matches_schema(exchange, f"{RESPONSE}#/$defs/Finished")


@rule("GEN-04", MUST, "the response carries usageMetadata", source=(GEMINI_API.at("§9 rule 11"), TOKENSMART.at("Token billing breakdown")), needs=GENERATE, reads=text_response)
def usage_present():
    expect.body_matches_schema(text_response(), f"{RESPONSE}#/$defs/HasUsage")


@rule(
    "GEN-05",
    MUST,
    "totalTokenCount = promptTokenCount + candidatesTokenCount + thoughtsTokenCount + toolUsePromptTokenCount",
    source=(GEMINI_API.at("§3 UsageMetadata: how totalTokenCount is computed; §9 rule 10"), TOKENSMART.at("Token billing breakdown")),
    needs=GENERATE,
    reads=text_response,
)
def total_token_count_adds_up():
    exchange = text_response()
    body = expect.json_body(exchange)
    usage = body.get("usageMetadata") if isinstance(body, dict) else None
    if usage is None:
        blocked("the response has no usageMetadata to add up", by="GEN-04")
    problem = total_mismatch(usage)
    if problem:
        raise expect.fail(problem.summary, exchange, path="$.usageMetadata.totalTokenCount", expected=problem.expected, actual=problem.actual)


@rule("GEN-06", MUST, "success is HTTP 200 with Content-Type application/json", source=GEMINI_API.at("§9 rule 6"), needs=GENERATE, reads=text_response)
def json_content_type():
    exchange = text_response()
    expect.status_ok(exchange)
    expect.media_type(exchange, expect.JSON_TYPES)


@rule(
    "GEN-07",
    MUST,
    "every model the target declares is served: a request naming it is not answered 404 NOT_FOUND, Google's answer for an unknown model",
    source=(
        AIONE_NATIVE.at("Supported Models: all connected Gemini models are available through the native API"),
        TOKENSMART.at("Supported Gemini models: every gemini-* model is callable through the Gemini Native endpoint"),
        GEMINI_API.at("§5 Unknown model"),
    ),
    needs=GENERATE,
    reads=declared_model_answer,
)
@pytest.mark.parametrize("role", MODEL_ROLES)
def declared_model_served(target, role):
    # The checks that read an answer of an unknown declared model are blocked by this rule
    # (expect.model_known): one unknown model is one cause, not every rule of its kind failing.
    if target.model(role) is None:
        not_applicable(f"target {target.name} declares no {role} model")
    exchange = declared_model_answer()
    if exchange is None:
        not_applicable(f"target {target.name} declares no action an embedding model answers ({' or '.join(EMBEDDING_ACTIONS)})")
    if not exchange.status:
        not_judged(f"no answer arrived ({exchange.describe()})")
    expect.key_accepted(exchange)
    expect.whole(exchange)  # a body cut short is no answer the SDKs accept, whatever its status
    if exchange.status == 404:
        raise expect.fail(
            f"the {role} model the target declares, {target.model(role)}, is not served: HTTP 404",
            exchange,
            expected=f"an answer of {target.model(role)}",
            actual=f"HTTP 404 {exchange.excerpt(200)}",
        )


@rule(
    "GEN-08",
    MUST,
    "images come only from image models: the text model's answer holds no inlineData image (the request "
    "was answered by the model it named)",
    source=(GEMINI_API.at("§2 GenerationConfig: responseModalities"), GATEWAY_BUGS.at("§5 rule 16")),
    needs=GENERATE,
    reads=text_response,
)
def text_answer_holds_no_image():
    # A text model cannot draw: a picture in its answer means another model answered, as when a
    # gateway picks its channel by a model-name prefix and gemini-2.5-flash matches ...-flash-image.
    exchange = text_response()
    expect.answer_matches(exchange, "NoInlineImage", what="the text model's answer")
