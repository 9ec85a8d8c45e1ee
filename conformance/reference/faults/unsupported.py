"""Faults that break rules of the unsupported area (conformance/checks/unsupported.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import (
        DASHBOARD,
        for_each_listed_model,
        openai_embeddings,
        openai_list,
        openai_model,
        strip_models_prefix,
        with_empty_next_page_token,
)

FAULTS = (
    Fault(
        "unknown_route_html_200",
        "A NoRoute handler serves the web console: 200 text/html for any unknown path or action "
        "(new-api/one-api NoRoute; musistudio/claude-code-router#160).",
        ("UNSUP-01", "ACT-10", "VER-02"),
        unrouted=DASHBOARD,
    ),
    Fault(
        "count_tokens_runs_generation",
        "countTokens is executed (and billed) as generateContent (QuantumNous/new-api#7283).",
        ("UNSUP-02", "ACT-01", "ACT-02", "SDK-03"),
        reroutes={"countTokens": "generateContent"},
    ),
    Fault(
        "embeddings_openai_shape",
        "Embeddings come back in the OpenAI list shape (bugs F32).",
        ("UNSUP-02", "ACT-03", "ACT-04", "SDK-03"),
        reshape={
            "embedContent": lambda body: openai_embeddings([body["embedding"]]),
            "batchEmbedContents": lambda body: openai_embeddings(body["embeddings"]),
        },
    ),
    Fault(
        "models_openai_shape",
        "GET models answers in the OpenAI list shape (bugs F31; QuantumNous/new-api#1280).",
        ("UNSUP-02", "ACT-05", "ACT-06", "ACT-08", "SDK-03"),
        reshape={
            "listModels": lambda body: openai_list([openai_model(model) for model in body["models"]]),
            "getModel": openai_model,
        },
    ),
    Fault(
        "models_without_prefix",
        "GET models lists bare ids without the models/ prefix (new-api GET /v1beta/models; bugs F31).",
        ("UNSUP-02", "ACT-05", "ACT-06", "SDK-03"),
        reshape={"listModels": for_each_listed_model(strip_models_prefix)},
    ),
    Fault(
        "models_empty_next_page_token",
        "The last page of GET models carries nextPageToken \"\", which loops the Node SDK's pager forever "
        "(facts §7-§8).",
        ("UNSUP-02", "ACT-07"),
        reshape={"listModels": with_empty_next_page_token},
    ),
    Fault(
        "files_openai_shape",
        "GET files, which the gateway declares it serves, answers OpenAI's file list "
        "({\"object\": \"list\", \"data\": []}) instead of Google's (the OpenAI-compatible layer's own "
        "route reached from the Gemini path; new-api/one-api relay mode mapping, bugs §1).",
        ("UNSUP-02",),
        profile="google",
        reshape={"files": lambda body: openai_list([])},
    ),
)
