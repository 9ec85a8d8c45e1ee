"""Faults that break rules of the actions area (conformance/checks/actions.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import (
        for_each_listed_model,
        versioned_name,
        when_reason,
        without_request_fields,
)

FAULTS = (
    Fault(
        "count_tokens_zero",
        "countTokens is stubbed with a hard-coded {\"totalTokens\": 0} (lbjlaq/Antigravity-Manager#3294; bugs F21).",
        ("ACT-01", "ACT-02"),
        reshape={"countTokens": lambda body: {"totalTokens": 0}},
    ),
    Fault(
        "count_tokens_rejects_generate_content_request",
        "Only CountTokensRequest.contents is read, so the {generateContentRequest} form is refused as "
        "missing contents (BerriAI/litellm PR#41286: Gemini-shaped token count request fails).",
        ("ACT-02",),
        rewrite_request=without_request_fields("generateContentRequest", when="generateContentRequest"),
    ),
    Fault(
        "batch_embed_reversed",
        "Batch embeddings are gathered from concurrent upstream calls in completion order, not request "
        "order (facts §4: in request order; bugs F22).",
        ("ACT-04",),
        reshape={"batchEmbedContents": lambda body: {"embeddings": body["embeddings"][::-1]}},
    ),
    Fault(
        "batch_embed_drops_last",
        "An off-by-one in the batch loop loses the last embedding (facts §9 rule 29: same count as requests).",
        ("ACT-03", "SDK-03"),
        reshape={"batchEmbedContents": lambda body: {"embeddings": body["embeddings"][:-1]}},
    ),
    Fault(
        "models_missing_generation_methods",
        "GET models lists name and displayName only, without supportedGenerationMethods "
        "(new-api GET /v1beta/models, QuantumNous/new-api#1280).",
        ("ACT-05",),
        reshape={"listModels": for_each_listed_model(lambda model: model.pop("supportedGenerationMethods", None))},
    ),
    Fault(
        "get_model_wrong_name",
        "GET models/{id} answers with the versioned model the alias resolved to upstream "
        "(models/gemini-2.5-flash-001), so name != models/{id} (facts §9 rule 32).",
        ("ACT-08",),
        reshape={"getModel": versioned_name},
    ),
    Fault(
        "rate_limit_as_500",
        "Upstream 429s are re-emitted as 500 INTERNAL, so clients neither back off nor retry correctly "
        "(bugs F9; zuisong/gemini-openai-proxy#29).",
        ("ACT-11",),
        restate_error=when_reason("rate_limited", http_status=500),
    ),
    Fault(
        "rate_limit_without_retry_info",
        "The upstream 429 is re-emitted without its details, so RetryInfo is lost "
        "(new-api RelayErrorHandler; bugs §1 Errors, F9).",
        ("ACT-12",),
        restate_error=when_reason("rate_limited", details=()),
    ),
)
