"""Actions: what a target does not offer is refused in Google's shape; what it offers has the right shape.

UNSUP-01 an action the target does not declare is refused with an expected status and an error envelope
UNSUP-02 an action the target declares answers with its response schema

A target may declare Google's other resources it serves (files, cachedContents: their list endpoint);
then they are judged by Google's list shape, not required to be refused (GET files answered with a
list is Google's own files.list answer, not a failure).
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.outcomes import not_applicable
from conformance.recipes.common import ACTION_REQUESTS
from conformance.recipes.unsupported import action_answer
from conformance.rules import MUST, Needs, rule
from conformance.sources import AIONE_NATIVE, GATEWAY_BUGS, GEMINI_API, TOKENSMART
from conformance.vocabulary import DECLARABLE_ACTIONS

TEXT_MODEL = Needs(models=("text",))
# The response schema of each action a target may declare.
ACTION_SCHEMAS = {
    "countTokens": "count_tokens_response",
    "embedContent": "embed_content_response",
    "batchEmbedContents": "batch_embed_contents_response",
    "listModels": "list_models_response",
    "getModel": "model",
    "files": "list_files_response",
    "cachedContents": "list_cached_contents_response",
}


@rule(
    "UNSUP-01",
    MUST,
    "an action the target does not declare is refused with an expected status and a Google error envelope (never 200, never HTML)",
    source=(
        AIONE_NATIVE.at("Limitations & Notes 3: only generateContent and streamGenerateContent"),
        TOKENSMART.at("Endpoint coverage status; 501 UNIMPLEMENTED"),
        GATEWAY_BUGS.at("§5 rules 12, 24; new-api/one-api NoRoute"),
    ),
    needs=TEXT_MODEL,
    reads=action_answer,
)
@pytest.mark.parametrize("action", list(ACTION_REQUESTS))
def undeclared_action_rejected(target, action):
    if action in target.actions:
        not_applicable(f"target {target.name} declares {action}; UNSUP-02 checks its response")
    exchange = action_answer()
    expect.status_in(exchange, target.expect.unsupported_action)
    expect.media_type(exchange, expect.JSON_TYPES)
    expect.google_error(exchange)


@rule(
    "UNSUP-02",
    MUST,
    "an action the target declares answers HTTP 200 with that action's response schema",
    source=(
        GEMINI_API.at("§4 CountTokens, Embed, Models; §9 rules 29-32"),
        GEMINI_API.at("§1 Proto3 JSON mapping"),
        GATEWAY_BUGS.at("§5 rules 12, 21, 22; new-api#7283"),
    ),
    needs=TEXT_MODEL,
    reads=action_answer,
)
@pytest.mark.parametrize("action", [a for a in DECLARABLE_ACTIONS if a in ACTION_SCHEMAS])
def declared_action_schema(target, action):
    if action not in target.actions:
        not_applicable(f"target {target.name} does not declare action {action}")
    exchange = action_answer()
    expect.status_ok(exchange)
    expect.body_matches_schema(exchange, ACTION_SCHEMAS[action])
