"""The shape of a success: one JSON object whose field names are lowerCamelCase.

SHAPE-01 a generateContent success body is one JSON object, never an array
SHAPE-02 generateContent response field names are lowerCamelCase
SHAPE-03 stream chunk field names are lowerCamelCase

That a success is exactly HTTP 200 with Content-Type application/json is GEN-06 (generateContent) and
UNSUP-02 (the other actions). CamelCase is the schema fragment generate_content_response#/$defs/
CamelCaseKeys: JSON Schema cannot say "every key, except inside user data", so the fragment applies
propertyNames object by object down the structure the API defines, leaving free-form values
(functionCall.args, functionResponse.response, partMetadata) alone.
"""

from __future__ import annotations

from conformance import expect
from conformance.checks.streaming import every_chunk_matches
from conformance.outcomes import blocked
from conformance.recipes.common import text_response, text_stream
from conformance.rules import GENERATE, MUST, STREAM, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API

RESPONSE = "generate_content_response"
# google-genai reads top-level and candidate fields by their camelCase names only (facts §3, §8).
SNAKE_CASE_LOST = "google-genai reads snake_case top-level and candidate fields as None"
CAMEL_CASE_DOCS = (GEMINI_API.at("§1 proto3 JSON mapping: output keys are lowerCamelCase; §3; §8; §9 rule 8"), GATEWAY_BUGS.at("§5 rule 14; §6 F24"))


@rule(
    "SHAPE-01",
    MUST,
    "a generateContent success body is one JSON object, never an array",
    source=(GEMINI_API.at("§8: JSON array to generateContent; §9 rule 7"), GATEWAY_BUGS.at("§4 OpenHands#7915")),
    needs=GENERATE,
    reads=text_response,
)
def single_object():
    _answer_matches(text_response, "SingleObject", "google-genai reads an array as an empty response")


@rule("SHAPE-02", MUST, "generateContent response field names are lowerCamelCase", source=CAMEL_CASE_DOCS, needs=GENERATE, reads=text_response)
def camel_case_response_keys():
    if expect.success_body(text_response()) == {}:
        blocked("the answer is an empty object: no field name to judge", by="GEN-01")
    _answer_matches(text_response, "CamelCaseKeys", SNAKE_CASE_LOST)


@rule("SHAPE-03", MUST, "stream chunk field names are lowerCamelCase", source=CAMEL_CASE_DOCS, needs=STREAM, reads=text_stream)
def camel_case_chunk_keys():
    every_chunk_matches(text_stream, f"{RESPONSE}#/$defs/CamelCaseKeys", why=f" ({SNAKE_CASE_LOST})")


def _answer_matches(text_response, fragment: str, breaks: str) -> None:
    """The text answer (generateContent) against a response fragment; `breaks`: what a mismatch does."""
    exchange = text_response()
    expect.matches_schema(expect.success_body(exchange), f"{RESPONSE}#/$defs/{fragment}", exchange, what=f"the body ({breaks})")
