"""Self-tests for schemas/*.schema.json and conformance.schemas.

Valid examples are taken from the facts doc (shared/reference/gemini-api-facts.md) and the gateway seed
docs (shared/seeds/*.txt); invalid examples must fail at the expected JSON path.
"""

from __future__ import annotations

import copy
import json
import threading

import pytest
from jsonschema import Draft202012Validator

from conformance import schemas
from conformance.schemas import SCHEMA_DIR, Violation, schema_names, validate

BASE = "https://gemini-conformance.dev/schemas/"


def paths(schema, instance):
    return [v.path for v in validate(schema, instance)]


def assert_valid(schema, instance):
    violations = validate(schema, instance)
    assert violations == [], "\n".join(map(str, violations))


def assert_fails_at(schema, instance, *expected_paths):
    got = paths(schema, instance)
    assert got, f"expected {schema} to fail at {expected_paths}, but it is valid"
    assert sorted(set(got)) == sorted(set(expected_paths)), "\n".join(map(str, validate(schema, instance)))


# --------------------------------------------------------------------------- the schema files themselves

EXPECTED_FILES = {path.name.removesuffix(".schema.json") for path in SCHEMA_DIR.glob("*.schema.json")}
SUITE_OWN = {"targets", "certificate", "results"}  # the suite's own documents, not API objects


def _load(stem):
    return json.loads((SCHEMA_DIR / f"{stem}.schema.json").read_text(encoding="utf-8"))


def _walk(node, where="#"):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}")


@pytest.fixture(autouse=True)
def both_validators_must_agree(monkeypatch):
    """Every validation in this file also proves the fast path agrees with jsonschema."""
    monkeypatch.setattr(schemas, "crosscheck", True)


def test_schema_names_lists_every_file():
    assert set(schema_names()) == EXPECTED_FILES
    assert schema_names() == sorted(schema_names())


@pytest.mark.parametrize("stem", sorted(EXPECTED_FILES))
def test_schema_file_is_valid_2020_12_with_id_and_description(stem):
    doc = _load(stem)
    Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == f"{BASE}{stem}.schema.json"
    if stem not in SUITE_OWN:
        assert "facts §" in doc["description"], "top-level description must cite the facts section"


@pytest.mark.parametrize("stem", sorted(EXPECTED_FILES))
def test_every_ref_resolves_offline(stem):
    _, registry = schemas._load()
    doc = _load(stem)
    resolver = registry.resolver(base_uri=doc["$id"])
    refs = [(where, node["$ref"]) for where, node in _walk(doc) if isinstance(node.get("$ref"), str)]
    for where, ref in refs:
        resolver.lookup(ref)  # raises Unresolvable; the registry has no retrieve hook, so no network


@pytest.mark.parametrize("stem", sorted(EXPECTED_FILES - SUITE_OWN))
def test_api_schemas_never_forbid_unknown_fields(stem):
    for where, node in _walk(_load(stem)):
        assert node.get("additionalProperties") is not False, f"{stem}{where}: unknown fields must stay allowed"
        assert node.get("unevaluatedProperties") is not False, f"{stem}{where}"


def test_every_defined_fragment_can_be_validated_against():
    for stem in EXPECTED_FILES:
        for name in _load(stem).get("$defs", {}):
            validate(f"{stem}#/$defs/{name}", {})  # resolves, does not raise


# --------------------------------------------------------------------------- the module API


def test_unknown_schema_name_is_a_keyerror_listing_names():
    with pytest.raises(KeyError) as err:
        validate("generate_content", {})
    assert "generate_content_response" in str(err.value) and "targets" in str(err.value)


def test_unknown_pointer_is_a_keyerror():
    with pytest.raises(KeyError) as err:
        validate("generate_content_response#/$defs/NoSuchRule", {})
    assert "ModelRole" in str(err.value)


def test_file_name_suffix_is_tolerated():
    assert validate("error.schema.json", {"error": {"code": 404, "message": "x", "status": "NOT_FOUND"}}) == []


def test_violations_are_sorted_and_carry_schema_paths():
    body = {"candidates": [{"index": "0", "finishReason": "stop"}, {"index": -1}], "usageMetadata": {"totalTokenCount": "9"}}
    got = validate("generate_content_response", body)
    assert [v.path for v in got] == [
        "$.candidates[0].finishReason",
        "$.candidates[0].index",
        "$.candidates[1].index",
        "$.usageMetadata.totalTokenCount",
    ]
    assert all(isinstance(v, Violation) for v in got)
    assert got[0].schema_path.startswith("generate_content_response#/")
    assert got[0].schema_path.endswith("/enum")


def test_fragment_schema_path_names_the_fragment():
    (v,) = validate("generate_content_response#/$defs/ModelRole", {"candidates": [{"content": {"role": "user"}}]})
    assert v.schema_path.startswith("generate_content_response#/$defs/ModelRole/properties/candidates")
    assert v.schema_path.endswith("/const")


def test_messages_are_short_even_for_huge_instances():
    huge = "data:image/png;base64," + "A" * 2_000_000
    body = {"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": huge}}]}}]}
    (v,) = validate("generate_content_response", body)
    assert v.path == "$.candidates[0].content.parts[0].inlineData.data"
    assert len(v.message) <= 200
    big_obj = {"candidates": "x" * 10_000}
    assert all(len(v.message) <= 200 for v in validate("generate_content_response", big_obj))
    (v,) = validate("generate_content_response", {"candidates": [{"finishReason": "nope"}]})
    assert len(v.message) <= 200 and v.message.startswith("'nope' is not one of")


def test_odd_keys_are_rendered_readably():
    body = {"error": {"code": 400, "message": "m", "status": "INVALID_ARGUMENT", "details": [{"@type": 5}]}}
    assert paths("error", body) == ["$.error.details[0].@type"]


def test_concurrent_use(monkeypatch):
    # start cold: the registry and validators are built while 8 threads race for them
    monkeypatch.setattr(schemas, "_state", {})
    monkeypatch.setattr(schemas, "_validators", {})
    errors = []

    def work():
        try:
            for _ in range(50):
                assert paths("error", {"error": {"code": "x", "message": "m", "status": "NOT_FOUND"}}) == ["$.error.code"]
                assert validate("generate_content_response#/$defs/HasUsage", {"usageMetadata": {}}) == []
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# --------------------------------------------------------------------------- generate_content_response

AIONE_RESPONSE = {  # seeds/000 (AIone) "Response Format"
    "candidates": [
        {
            "content": {"parts": [{"text": "Quantum computing leverages quantum mechanics principles..."}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 25, "totalTokenCount": 35},
    "modelVersion": "gemini-2.5-flash",
}
NEBULA_RESPONSE = {  # seeds/002 (Nebula): createTime is not in the Gemini proto -> unknown-but-allowed
    "candidates": [
        {
            "content": {"parts": [{"text": "Response text"}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
            "safetyRatings": [],
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 10,
        "candidatesTokenCount": 20,
        "totalTokenCount": 30,
        "thoughtsTokenCount": 0,
        "cachedContentTokenCount": 0,
    },
    "modelVersion": "gemini-2.5-pro",
    "createTime": "2025-01-01T00:00:00Z",
}
TOKENSMART_RESPONSE = {  # seeds/003 (Tokensmart): avgLogprobs, no index
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "Hello! I'm Gemini..."}]},
            "finishReason": "STOP",
            "avgLogprobs": -1.23,
        }
    ],
    "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 50, "totalTokenCount": 60, "thoughtsTokenCount": 0},
    "modelVersion": "gemini-3.5-flash",
}
NEXUSFLOW_RESPONSE = {  # seeds/004 (NexusFlow): no modelVersion, no index
    "candidates": [
        {
            "content": {"parts": [{"text": "Machine learning is a branch of artificial intelligence..."}], "role": "model"},
            "finishReason": "STOP",
        }
    ],
    "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 256, "totalTokenCount": 268},
}
RICH_RESPONSE = {  # every typed field, facts §3
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": "Let me think.", "thought": True},
                    {"text": "Here is the cat.", "thoughtSignature": "c2ln"},
                    {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
                    {"functionCall": {"id": "call_1", "name": "get_weather", "args": {"location": "Shanghai"}}},
                    {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                    {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
                    {"fileData": {"mimeType": "video/mp4", "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc"},
                     "videoMetadata": {"startOffset": "1.5s", "endOffset": "10s", "fps": 2}},
                ],
            },
            "finishReason": "STOP",
            "finishMessage": "done",
            "index": 0,
            "tokenCount": 42,
            "avgLogprobs": -0.5,
            "safetyRatings": [
                {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "LOW", "blocked": False},
            ],
            "citationMetadata": {"citationSources": [{"startIndex": 0, "endIndex": 10, "uri": "https://example.com", "license": ""}]},
            "groundingMetadata": {
                "searchEntryPoint": {"renderedContent": "<div/>"},
                "groundingChunks": [{"web": {"uri": "https://example.com", "title": "Example"}}],
                "groundingSupports": [{"segment": {"startIndex": 0, "endIndex": 5, "text": "Here"},
                                       "groundingChunkIndices": [0], "confidenceScores": [0.9]}],
                "webSearchQueries": ["weather beijing"],
            },
            "logprobsResult": {"logProbabilitySum": -1.0, "topCandidates": [{"candidates": [{"token": "a", "tokenId": 1, "logProbability": -0.1}]}],
                               "chosenCandidates": [{"token": "a", "tokenId": 1, "logProbability": -0.1}]},
            "urlContextMetadata": {"urlMetadata": [{"retrievedUrl": "https://example.com", "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS"}]},
        }
    ],
    "promptFeedback": {"safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}]},
    "usageMetadata": {
        "promptTokenCount": 5,
        "candidatesTokenCount": 39,
        "thoughtsTokenCount": 186,
        "totalTokenCount": 230,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 5}],
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 39}],
    },
    "modelVersion": "models/gemini-2.5-flash-preview-05-20",
    "responseId": "abc123",
    "modelStatus": {"modelStage": "STABLE"},
}
BLOCKED_PROMPT = {  # facts §3: HTTP 200, blockReason, no candidates
    "promptFeedback": {
        "blockReason": "SAFETY",
        "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}],
    },
    "usageMetadata": {"promptTokenCount": 7, "totalTokenCount": 7},
    "modelVersion": "gemini-2.5-flash",
}


@pytest.mark.parametrize(
    "body",
    [AIONE_RESPONSE, NEBULA_RESPONSE, TOKENSMART_RESPONSE, NEXUSFLOW_RESPONSE, RICH_RESPONSE, BLOCKED_PROMPT],
    ids=["aione", "nebula-createTime", "tokensmart-avgLogprobs", "nexusflow", "rich", "blocked-prompt"],
)
def test_response_valid(body):
    assert_valid("generate_content_response", body)


def test_a_response_is_an_answer_or_the_reason_there_is_none():
    """{} is no GenerateContentResponse a client can use: GEN-01 used to pass on it. A usage-only
    stream chunk is fine (a chunk need not carry candidates)."""
    assert_fails_at("generate_content_response", {}, "$")
    assert_fails_at("generate_content_response", {"usageMetadata": {"totalTokenCount": 3}}, "$")
    assert_valid("stream_chunk", {"usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3}})


FINISH_REASONS = [
    "FINISH_REASON_UNSPECIFIED", "STOP", "MAX_TOKENS", "SAFETY", "RECITATION", "OTHER", "LANGUAGE", "BLOCKLIST",
    "PROHIBITED_CONTENT", "SPII", "MALFORMED_FUNCTION_CALL", "IMAGE_SAFETY", "UNEXPECTED_TOOL_CALL",
    "TOO_MANY_TOOL_CALLS", "IMAGE_PROHIBITED_CONTENT", "IMAGE_OTHER", "NO_IMAGE", "IMAGE_RECITATION",
    # google-genai 3.4.0 additions (facts §3)
    "MISSING_THOUGHT_SIGNATURE", "MALFORMED_RESPONSE", "ESCALATION", "PUP_LIMITED_DISABLED", "CONTINUATION", "MODEL_ARMOR",
]


@pytest.mark.parametrize("reason", FINISH_REASONS)
def test_every_finish_reason_accepted(reason):
    body = {"candidates": [{"content": {"role": "model"}, "finishReason": reason}]}
    assert_valid("generate_content_response", body)
    assert_valid("generate_content_response#/$defs/Finished", body)


def test_finish_reason_enum_is_exactly_the_facts_table():
    assert _load("common")["$defs"]["FinishReason"]["enum"] == FINISH_REASONS


@pytest.mark.parametrize("reason", ["BLOCK_REASON_UNSPECIFIED", "SAFETY", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT",
                                    "IMAGE_SAFETY", "MODEL_ARMOR", "JAILBREAK"])
def test_every_block_reason_accepted(reason):
    assert_valid("generate_content_response", {"promptFeedback": {"blockReason": reason}})


def _with(base, mutate):
    body = copy.deepcopy(base)
    mutate(body)
    return body


def _set(path, value):
    def mutate(body):
        node = body
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


RESPONSE_INVALID = [
    ("finish-lowercase", _set(["candidates", 0, "finishReason"], "stop"), ["$.candidates[0].finishReason"]),
    ("finish-openai", _set(["candidates", 0, "finishReason"], "length"), ["$.candidates[0].finishReason"]),
    ("finish-integer", _set(["candidates", 0, "finishReason"], 1), ["$.candidates[0].finishReason"]),
    ("index-string", _set(["candidates", 0, "index"], "0"), ["$.candidates[0].index"]),
    ("index-negative", _set(["candidates", 0, "index"], -1), ["$.candidates[0].index"]),
    ("count-string", _set(["usageMetadata", "totalTokenCount"], "35"), ["$.usageMetadata.totalTokenCount"]),
    ("count-negative", _set(["usageMetadata", "promptTokenCount"], -3), ["$.usageMetadata.promptTokenCount"]),
    ("count-fraction", _set(["usageMetadata", "candidatesTokenCount"], 2.5), ["$.usageMetadata.candidatesTokenCount"]),
    ("args-json-string", _set(["candidates", 0, "content", "parts", 0], {"functionCall": {"name": "f", "args": "{\"a\": 1}"}}),
     ["$.candidates[0].content.parts[0].functionCall.args"]),
    ("functionCall-no-name", _set(["candidates", 0, "content", "parts", 0], {"functionCall": {"args": {}}}),
     ["$.candidates[0].content.parts[0].functionCall"]),
    ("text-not-string", _set(["candidates", 0, "content", "parts", 0], {"text": ["a"]}),
     ["$.candidates[0].content.parts[0].text"]),
    ("parts-not-array", _set(["candidates", 0, "content", "parts"], {"text": "a"}), ["$.candidates[0].content.parts"]),
    ("role-not-string", _set(["candidates", 0, "content", "role"], None), ["$.candidates[0].content.role"]),
    ("inlineData-data-uri", _set(["candidates", 0, "content", "parts", 0],
                                 {"inlineData": {"mimeType": "image/png", "data": "data:image/png;base64,iVBORw0KGgo="}}),
     ["$.candidates[0].content.parts[0].inlineData.data"]),
    ("thought-string", _set(["candidates", 0, "content", "parts", 0], {"text": "x", "thought": "true"}),
     ["$.candidates[0].content.parts[0].thought"]),
    ("candidates-object", _set(["candidates"], {"content": {}}), ["$.candidates"]),
    ("usage-list", _set(["usageMetadata"], [10, 25, 35]), ["$.usageMetadata"]),
    ("modelVersion-number", _set(["modelVersion"], 2.5), ["$.modelVersion"]),
    ("safety-rating-bad-prob", _set(["candidates", 0, "safetyRatings"], [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "NONE"}]),
     ["$.candidates[0].safetyRatings[0].probability"]),
    ("safety-rating-bad-category", _set(["candidates", 0, "safetyRatings"], [{"category": "harassment", "probability": "LOW"}]),
     ["$.candidates[0].safetyRatings[0].category"]),
    ("block-reason", _set(["promptFeedback"], {"blockReason": "BLOCKED"}), ["$.promptFeedback.blockReason"]),
    ("modality", _set(["usageMetadata", "promptTokensDetails"], [{"modality": "text", "tokenCount": 5}]),
     ["$.usageMetadata.promptTokensDetails[0].modality"]),
]


@pytest.mark.parametrize("mutate, expected", [(m, e) for _, m, e in RESPONSE_INVALID], ids=[i for i, _, _ in RESPONSE_INVALID])
def test_response_invalid_at_path(mutate, expected):
    assert_fails_at("generate_content_response", _with(AIONE_RESPONSE, mutate), *expected)


def test_response_must_be_an_object_not_an_array():
    assert_fails_at("generate_content_response", [AIONE_RESPONSE], "$")


def test_unknown_fields_allowed_everywhere():
    body = _with(AIONE_RESPONSE, lambda b: None)
    body["sdkHttpResponse"] = {"headers": {}}
    body["candidates"][0]["somethingNew"] = 1
    body["candidates"][0]["content"]["parts"][0]["mediaResolution"] = {"level": "HIGH"}
    body["usageMetadata"]["trafficType"] = "ON_DEMAND"
    body["usageMetadata"]["newCount"] = 3
    assert_valid("generate_content_response", body)


# --------------------------------------------------------------------------- rule fragments

FRAGMENTS = ["ModelRole", "Finished", "HasUsage", "HasCandidates"]


def _failing(body):
    failing = set()
    if validate("generate_content_response", body):
        failing.add("main")
    for name in FRAGMENTS:
        if validate(f"generate_content_response#/$defs/{name}", body):
            failing.add(name)
    return failing


FRAGMENT_CASES = [
    ("conformant", AIONE_RESPONSE, set()),
    ("role-assistant", _with(AIONE_RESPONSE, _set(["candidates", 0, "content", "role"], "assistant")), {"ModelRole"}),
    ("no-finishReason", _with(AIONE_RESPONSE, lambda b: b["candidates"][0].pop("finishReason")), {"Finished"}),
    ("no-usage", _with(AIONE_RESPONSE, lambda b: b.pop("usageMetadata")), {"HasUsage"}),
    ("final-chunk-no-parts", _with(AIONE_RESPONSE, _set(["candidates", 0, "content"], {"role": "model"})), {"HasCandidates"}),
    ("empty-parts", _with(AIONE_RESPONSE, _set(["candidates", 0, "content", "parts"], [])), {"HasCandidates"}),
    ("no-content", _with(AIONE_RESPONSE, lambda b: b["candidates"][0].pop("content")), {"HasCandidates"}),
    ("blocked-prompt", BLOCKED_PROMPT, {"Finished", "HasCandidates"}),
    ("empty-candidates", _with(AIONE_RESPONSE, _set(["candidates"], [])), {"main", "Finished", "HasCandidates"}),
    ("finish-lowercase", _with(AIONE_RESPONSE, _set(["candidates", 0, "finishReason"], "stop")), {"main", "Finished"}),
    ("snake-case-usage", _with(AIONE_RESPONSE, lambda b: b.update(usage_metadata=b.pop("usageMetadata"))), {"HasUsage"}),
]


@pytest.mark.parametrize("body, expected", [(b, e) for _, b, e in FRAGMENT_CASES], ids=[i for i, _, _ in FRAGMENT_CASES])
def test_each_fragment_fails_only_on_its_own_aspect(body, expected):
    assert _failing(body) == expected


def test_fragment_paths():
    assert paths("generate_content_response#/$defs/ModelRole",
                 {"candidates": [{"content": {"role": "model"}}, {"content": {"role": "assistant"}}]}) == ["$.candidates[1].content.role"]
    assert paths("generate_content_response#/$defs/Finished", {"candidates": [{"finishReason": "STOP"}, {}]}) == ["$.candidates[1]"]
    assert paths("generate_content_response#/$defs/Finished", {}) == ["$"]
    assert paths("generate_content_response#/$defs/HasUsage", {"usageMetadata": None}) == ["$.usageMetadata"]
    assert paths("generate_content_response#/$defs/HasCandidates", {"candidates": [{"content": {"parts": []}}]}) == [
        "$.candidates[0].content.parts"]


def test_has_candidates_only_looks_at_the_first_candidate():
    body = {"candidates": [{"content": {"parts": [{"text": "a"}]}}, {"content": {}}]}
    assert_valid("generate_content_response#/$defs/HasCandidates", body)


def test_model_role_allows_missing_role_and_content():
    assert_valid("generate_content_response#/$defs/ModelRole", {"candidates": [{"content": {"parts": []}}, {}]})
    assert_valid("generate_content_response#/$defs/ModelRole", BLOCKED_PROMPT)


# --------------------------------------------------------------------------- stream_chunk

AIONE_CHUNKS = [  # seeds/000 "SSE Response Format"
    {"candidates": [{"content": {"parts": [{"text": "Spring"}], "role": "model"}, "index": 0}],
     "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 2, "totalTokenCount": 10}},
    {"candidates": [{"content": {"parts": [{"text": " breeze blows,"}], "role": "model"}, "index": 0}],
     "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 5, "totalTokenCount": 13}},
    {"candidates": [{"content": {"role": "model"}, "finishReason": "STOP", "index": 0}],
     "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 28, "totalTokenCount": 36}},
]
TOKENSMART_CHUNKS = [  # seeds/003 streaming example
    {"candidates": [{"content": {"role": "model", "parts": [{"text": "Once upon..."}]}}], "modelVersion": "gemini-3.5-flash"},
    {"candidates": [{"content": {"role": "model", "parts": [{"text": " a time..."}]}, "finishReason": "STOP"}],
     "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 15, "totalTokenCount": 23}},
]
OTHER_CHUNKS = [
    # current models (facts §6): usage + modelVersion + responseId on every chunk, thoughts counted
    {"candidates": [{"content": {"parts": [{"text": "Hi", "thought": True}], "role": "model"}, "index": 0}],
     "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 39, "thoughtsTokenCount": 186, "totalTokenCount": 230},
     "modelVersion": "models/gemini-2.5-flash-preview-05-20", "responseId": "r1"},
    # older models (facts §6): finishReason + safetyRatings on every chunk, no usage
    {"candidates": [{"content": {"parts": [{"text": "Hello"}], "role": "model"}, "finishReason": "STOP", "index": 0,
                     "safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"}]}]},
    # content filtered mid-stream (facts §3): empty content
    {"candidates": [{"content": {}, "finishReason": "SAFETY", "index": 0}]},
    # signature-only part (Gemini 3)
    {"candidates": [{"content": {"parts": [{"text": "", "thoughtSignature": "c2ln"}], "role": "model"}}]},
]


@pytest.mark.parametrize("chunk", AIONE_CHUNKS + TOKENSMART_CHUNKS + OTHER_CHUNKS)
def test_stream_chunk_valid(chunk):
    assert_valid("stream_chunk", chunk)


def test_stream_chunk_invalid():
    assert_fails_at("stream_chunk", {"candidates": [{"finishReason": "stop"}]}, "$.candidates[0].finishReason")
    assert_fails_at("stream_chunk", {"candidates": [{"content": {"parts": [{"text": 1}]}}]}, "$.candidates[0].content.parts[0].text")
    assert_fails_at("stream_chunk", "[DONE]", "$")
    # an OpenAI chat.completion.chunk has no Gemini fields: "valid" here, but it fails the rule fragments
    openai_chunk = {"id": "c", "object": "chat.completion.chunk", "choices": [{"delta": {"content": "hi"}}]}
    assert_valid("stream_chunk", openai_chunk)
    assert paths("generate_content_response#/$defs/HasCandidates", openai_chunk) == ["$"]


# --------------------------------------------------------------------------- error

INVALID_KEY_ERROR = {  # facts §5, real body
    "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
             "metadata": {"service": "generativelanguage.googleapis.com"}},
            {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
             "message": "API key not valid. Please pass a valid API key."},
        ],
    }
}
QUOTA_ERROR = {
    "error": {
        "code": 429,
        "message": "You exceeded your current quota, please check your plan and billing details.",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"}, "quotaValue": "10"}]},
            {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Learn more", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"},
        ],
    }
}
VALID_ERRORS = [
    INVALID_KEY_ERROR,
    QUOTA_ERROR,
    {"error": {"code": 403, "message": "Method doesn't allow unregistered callers (callers without established identity). "
               "Please use API Key or other form of API consumer identity to call this API.", "status": "PERMISSION_DENIED"}},
    {"error": {"code": 404, "message": "models/X is not found for API version v1beta, or is not supported for generateContent.",
               "status": "NOT_FOUND"}},
    {"error": {"code": 400, "message": "* GenerateContentRequest.contents: contents is not specified\n", "status": "INVALID_ARGUMENT",
               "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                            "fieldViolations": [{"field": "generation_config", "description": "Cannot find field."}]}]}},
    {"error": {"code": 503, "message": "This model is currently experiencing high demand.", "status": "UNAVAILABLE"}},
    # Tokensmart's 402 FAILED_PRECONDITION (seeds/003): the shape is fine; the code->status mapping is another rule
    {"error": {"code": 402, "message": "Insufficient balance", "status": "FAILED_PRECONDITION"}},
    # Nebula's example (seeds/002)
    {"error": {"code": 400, "message": "Invalid request: ...", "status": "INVALID_ARGUMENT"}},
    # unknown detail types and extra fields pass through
    {"error": {"code": 500, "message": "x", "status": "INTERNAL", "details": [{"@type": "type.example.com/Custom", "x": 1}]}, "extra": 1},
]


@pytest.mark.parametrize("body", VALID_ERRORS)
def test_error_valid(body):
    assert_valid("error", body)


ERROR_INVALID = [
    ("status-BAD_REQUEST", {"error": {"code": 400, "message": "m", "status": "BAD_REQUEST"}}, ["$.error.status"]),
    ("status-lowercase", {"error": {"code": 404, "message": "m", "status": "not_found"}}, ["$.error.status"]),
    ("openai-shaped",
     {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}},
     ["$.error", "$.error.code"]),
    ("code-string", {"error": {"code": "400", "message": "m", "status": "INVALID_ARGUMENT"}}, ["$.error.code"]),
    ("code-grpc-number", {"error": {"code": 3, "message": "m", "status": "INVALID_ARGUMENT"}}, ["$.error.code"]),
    ("no-message", {"error": {"code": 500, "status": "INTERNAL"}}, ["$.error"]),
    ("flat", {"code": 400, "message": "m", "status": "INVALID_ARGUMENT"}, ["$"]),
    ("error-string", {"error": "invalid key"}, ["$.error"]),
    ("details-object", {"error": {"code": 400, "message": "m", "status": "INVALID_ARGUMENT", "details": {"reason": "x"}}},
     ["$.error.details"]),
    ("detail-no-type", {"error": {"code": 400, "message": "m", "status": "INVALID_ARGUMENT", "details": [{"reason": "x"}]}},
     ["$.error.details[0]"]),
    ("retry-delay-number", {"error": {"code": 429, "message": "m", "status": "RESOURCE_EXHAUSTED",
                                      "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": 37}]}},
     ["$.error.details[0].retryDelay"]),
    ("array-wrapped", [{"error": {"code": 400, "message": "m", "status": "INVALID_ARGUMENT"}}], ["$"]),
]


@pytest.mark.parametrize("body, expected", [(b, e) for _, b, e in ERROR_INVALID], ids=[i for i, _, _ in ERROR_INVALID])
def test_error_invalid_at_path(body, expected):
    assert_fails_at("error", body, *expected)


def test_openai_error_messages_are_helpful():
    body = {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}
    got = {v.path: v.message for v in validate("error", body)}
    assert got["$.error"] == "'status' is a required property"
    assert "is not of type 'integer'" in got["$.error.code"]


# --------------------------------------------------------------------------- countTokens / embeddings / models


def test_count_tokens():
    assert_valid("count_tokens_response", {"totalTokens": 5})
    assert_valid("count_tokens_response", {"totalTokens": 0})
    assert_valid("count_tokens_response", {"totalTokens": 300, "cachedContentTokenCount": 100,
                                           "promptTokensDetails": [{"modality": "IMAGE", "tokenCount": 258}],
                                           "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 100}]})
    assert_fails_at("count_tokens_response", {}, "$")
    assert_fails_at("count_tokens_response", {"total_tokens": 5}, "$")
    assert_fails_at("count_tokens_response", {"totalTokens": "5"}, "$.totalTokens")
    assert_fails_at("count_tokens_response", {"totalTokens": -1}, "$.totalTokens")
    assert_fails_at("count_tokens_response", {"totalTokens": 5, "promptTokensDetails": [{"modality": "PDF"}]},
                    "$.promptTokensDetails[0].modality")


def test_embed_content():
    assert_valid("embed_content_response", {"embedding": {"values": [0.013, -0.008, 0.021]}})
    assert_valid("embed_content_response", {"embedding": {"values": [0, 1, -1]}})
    assert_fails_at("embed_content_response", {"embeddings": [{"values": [0.1]}]}, "$")
    assert_fails_at("embed_content_response", {"embedding": [0.1, 0.2]}, "$.embedding")
    assert_fails_at("embed_content_response", {"embedding": {"values": ["0.1"]}}, "$.embedding.values[0]")
    assert_fails_at("embed_content_response", {"embedding": {"values": []}}, "$.embedding.values")
    # OpenAI shape
    assert_fails_at("embed_content_response", {"data": [{"embedding": [0.1]}], "object": "list"}, "$")


def test_batch_embed_contents():
    assert_valid("batch_embed_contents_response", {"embeddings": [{"values": [0.1, 0.2]}, {"values": [0.3, 0.4]}]})
    assert_fails_at("batch_embed_contents_response", {"embedding": {"values": [0.1]}}, "$")
    assert_fails_at("batch_embed_contents_response", {"embeddings": [{"values": [0.1]}, {}]}, "$.embeddings[1]")
    # Nebula says "Response is an array": a bare array is not the Gemini shape
    assert_fails_at("batch_embed_contents_response", [{"values": [0.1]}], "$")


GEMINI_MODEL = {
    "name": "models/gemini-2.5-flash",
    "baseModelId": "gemini-2.5-flash",
    "version": "001",
    "displayName": "Gemini 2.5 Flash",
    "description": "Stable version of Gemini 2.5 Flash",
    "inputTokenLimit": 1048576,
    "outputTokenLimit": 65536,
    "supportedGenerationMethods": ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"],
    "temperature": 1,
    "topP": 0.95,
    "topK": 64,
    "maxTemperature": 2,
    "thinking": True,
}


def test_model():
    assert_valid("model", GEMINI_MODEL)
    assert_valid("model", {"name": "models/text-embedding-004"})
    assert_valid("model#/$defs/HasGenerationMethods", GEMINI_MODEL)
    assert_fails_at("model#/$defs/HasGenerationMethods", {"name": "models/x"}, "$")
    assert_fails_at("model", {"name": "gemini-2.5-flash"}, "$.name")
    assert_fails_at("model", {"name": "models/"}, "$.name")
    assert_fails_at("model", {"id": "gemini-2.5-flash", "object": "model"}, "$")  # OpenAI model object
    assert_fails_at("model", {**GEMINI_MODEL, "inputTokenLimit": "1048576"}, "$.inputTokenLimit")
    assert_fails_at("model", {**GEMINI_MODEL, "supportedGenerationMethods": "generateContent"}, "$.supportedGenerationMethods")
    assert_fails_at("model", {**GEMINI_MODEL, "thinking": "yes"}, "$.thinking")


def test_list_models():
    page = {"models": [GEMINI_MODEL, {"name": "models/text-embedding-004", "supportedGenerationMethods": ["embedContent"]}]}
    assert_valid("list_models_response", page)
    assert_valid("list_models_response", {**page, "nextPageToken": "Ch1tb2RlbHMvZ2VtaW5p"})
    assert_valid("list_models_response#/$defs/ModelsHaveGenerationMethods", page)
    assert_fails_at("list_models_response", {**page, "nextPageToken": ""}, "$.nextPageToken")
    assert_fails_at("list_models_response", {**page, "nextPageToken": None}, "$.nextPageToken")
    bad = {"models": [GEMINI_MODEL, GEMINI_MODEL, {"name": "gemini-pro"}]}
    assert_fails_at("list_models_response", bad, "$.models[2].name")
    assert_fails_at("list_models_response", {"object": "list", "data": [{"id": "gemini-2.5-flash"}]}, "$")
    assert_fails_at("list_models_response#/$defs/ModelsHaveGenerationMethods",
                    {"models": [GEMINI_MODEL, {"name": "models/x"}]}, "$.models[1]")


# --------------------------------------------------------------------------- generate_content_request

PY_SDK_BODY = {  # facts §8, captured from google-genai 3.4.0 (mixed snake/camel)
    "contents": [{"parts": [{"text": "hi"}], "role": "user"}],
    "systemInstruction": {"parts": [{"text": "be brief"}], "role": "user"},
    "generationConfig": {"temperature": 0.2, "maxOutputTokens": 50,
                         "thinkingConfig": {"include_thoughts": True, "thinking_budget": 128}},
}
REQUESTS_VALID = [
    PY_SDK_BODY,
    # Nebula (seeds/002): thinking
    {"contents": [{"role": "user", "parts": [{"text": "Give a geometry problem and solve it step by step"}]}],
     "generationConfig": {"maxOutputTokens": 8192, "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 8192}}},
    # Nebula: thinkingLevel
    {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": {"thinkingLevel": "LOW"}}},
    # Nebula: multimodal inlineData + fileData
    {"contents": [{"role": "user", "parts": [{"text": "Describe this image"},
                                             {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQSkZJRg=="}},
                                             {"fileData": {"mimeType": "image/png", "fileUri": "gs://bucket/cat.png"}}]}]},
    # Tokensmart (seeds/003): snake_case inline_data / mime_type
    {"contents": [{"parts": [{"text": "What is in this image?"},
                             {"inline_data": {"mime_type": "image/jpeg", "data": "/9j/4AAQSkZJRg=="}}]}]},
    # Python SDK fileData.file_uri / mime_type (facts §1)
    {"contents": [{"parts": [{"fileData": {"file_uri": "https://x/files/a", "mime_type": "video/mp4"}}]}]},
    # Nebula: function calling
    {"contents": [{"role": "user", "parts": [{"text": "What is the weather in Shanghai today?"}]}],
     "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Get weather for a city",
                                          "parameters": {"type": "object", "properties": {"location": {"type": "string"}},
                                                         "required": ["location"]}}]}],
     "toolConfig": {"functionCallingConfig": {"mode": "AUTO", "allowedFunctionNames": []}}},
    # function call round trip
    {"contents": [{"role": "user", "parts": [{"text": "weather?"}]},
                  {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"location": "Shanghai"}},
                                               "thoughtSignature": "c2ln"}]},
                  {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp": 21}}}]}]},
    # Python SDK parameters_json_schema
    {"contents": [{"parts": [{"text": "x"}]}],
     "tools": [{"functionDeclarations": [{"name": "f", "description": "d", "parameters_json_schema": {"type": "object"}}]}]},
    # Nebula: googleSearch + cachedContent
    {"contents": [{"role": "user", "parts": [{"text": "What is the weather in Beijing today?"}]}],
     "tools": [{"googleSearch": {}}], "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
     "cachedContent": "cached-content-id"},
    # Nebula: image generation, with an unknown imageOutputOptions
    {"contents": [{"role": "user", "parts": [{"text": "Draw a cat"}]}],
     "generationConfig": {"responseModalities": ["IMAGE"],
                          "imageConfig": {"aspectRatio": "1:1", "imageSize": "1K", "imageOutputOptions": {"mimeType": "image/png"}}}},
    # NexusFlow (seeds/004) sampling params; Python SDK sends topK as a float (facts §1)
    {"contents": [{"role": "user", "parts": [{"text": "Explain what machine learning is"}]}],
     "generationConfig": {"temperature": 1.0, "maxOutputTokens": 256, "topP": 0.9, "topK": 40.0, "stopSequences": ["\n\n"]}},
    # snake_case top level + safety settings
    {"contents": [{"parts": [{"text": "x"}]}], "generation_config": {"max_output_tokens": 10, "response_mime_type": "application/json"},
     "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF"}],
     "system_instruction": {"parts": [{"text": "s"}]}},
]


@pytest.mark.parametrize("body", REQUESTS_VALID)
def test_request_valid(body):
    assert_valid("generate_content_request", body)


REQUEST_INVALID = [
    ("no-contents", {"generationConfig": {}}, ["$"]),
    ("openai-messages", {"messages": [{"role": "user", "content": "hi"}]}, ["$"]),
    ("empty-contents", {"contents": []}, ["$.contents"]),
    ("empty-parts", {"contents": [{"role": "user", "parts": [{"text": "a"}]}, {"role": "model", "parts": []}]}, ["$.contents[1].parts"]),
    ("no-parts", {"contents": [{"role": "user"}]}, ["$.contents[0]"]),
    ("content-string", {"contents": ["hi"]}, ["$.contents[0]"]),
    ("bad-threshold", {"contents": [{"parts": [{"text": "x"}]}], "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "NONE"}]},
     ["$.safetySettings[0].threshold"]),
    ("bad-thinking-level", {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": {"thinkingLevel": "EXTREME"}}},
     ["$.generationConfig.thinkingConfig.thinkingLevel"]),
    ("budget-string", {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": {"thinking_budget": "128"}}},
     ["$.generationConfig.thinkingConfig.thinking_budget"]),
    ("temperature-high", {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"temperature": 3}}, ["$.generationConfig.temperature"]),
    ("modalities-lower", {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["IMAGE", "video"]}},
     ["$.generationConfig.responseModalities[1]"]),
    ("aspect-ratio", {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"imageConfig": {"aspectRatio": "square"}}},
     ["$.generationConfig.imageConfig.aspectRatio"]),
    ("fn-name", {"contents": [{"parts": [{"text": "x"}]}], "tools": [{"functionDeclarations": [{"name": "get weather", "description": "d"}]}]},
     ["$.tools[0].functionDeclarations[0].name"]),
    ("fileData-no-uri", {"contents": [{"parts": [{"fileData": {"mimeType": "image/png"}}]}]}, ["$.contents[0].parts[0].fileData"]),
    ("functionResponse-no-response", {"contents": [{"parts": [{"functionResponse": {"name": "f"}}]}]},
     ["$.contents[0].parts[0].functionResponse"]),
    ("fc-mode", {"contents": [{"parts": [{"text": "x"}]}], "toolConfig": {"functionCallingConfig": {"mode": "auto"}}},
     ["$.toolConfig.functionCallingConfig.mode"]),
]


@pytest.mark.parametrize("body, expected", [(b, e) for _, b, e in REQUEST_INVALID], ids=[i for i, _, _ in REQUEST_INVALID])
def test_request_invalid_at_path(body, expected):
    assert_fails_at("generate_content_request", body, *expected)


def test_request_missing_fileuri_message_names_the_camelcase_field():
    (v,) = validate("generate_content_request", {"contents": [{"parts": [{"fileData": {}}]}]})
    assert v.message == "'fileUri' is a required property"


# --------------------------------------------------------------------------- targets

TARGETS_FULL = {
    "defaults": {
        "timeouts": {"connect": 10, "read": 120, "image": 600},
        "expect": {"auth_failure": [401], "unsupported_action": [404, 501], "image_stream_rejection": [503]},
    },
    "targets": {
        "local": {"reference": "full"},
        "local-faulty": {"reference": {"profile": "full", "faults": ["sse-done-sentinel"], "latency_ms": 0}},
        "aione": {
            "base_url": "https://api.nexara.net",
            "api_key_env": "AIONE_API_KEY",
            "auth": ["bearer"],
            "models": {"text": "gemini-2.5-flash", "image": "gemini-2.5-flash-image"},
            "actions": ["generateContent", "streamGenerateContent"],
            "features": ["sse", "inline_images", "function_calling", "thinking"],
            "deviations": {"ERR-13": "AIone passes upstream bodies through",
                           "SSE-4": {"reason": "known upstream bug", "until": "2026-12-31"}},
            "timeouts": {"read": 600},
            "expect": {"image_stream_rejection": [503]},
            "max_request_bytes": 31457280,
            "docs": "seeds/000_0f63e6991fefb2ae.txt",
        },
        "tokensmart": {"base_url": "https://api.tokensmart.ai", "api_key_env": "TOKENSMART_KEY",
                       "auth": ["bearer", "x-api-key", "query"], "deviations": {}},
        "nebula.v2": {"base_url": "http://localhost:8080", "api_key_env": "NEBULA_KEY", "reference": "strict"},
    },
}


def test_targets_valid():
    assert_valid("targets", TARGETS_FULL)
    assert_valid("targets", {"targets": {}})
    assert_valid("targets", {"targets": {"x": {"reference": "full"}}, "defaults": {}})
    # defaults have the same keys as a target but require none of them
    assert_valid("targets", {"defaults": {"api_key_env": "KEY", "auth": ["x-goog-api-key"]}, "targets": {"x": {"reference": "full"}}})


def _targets_with(mutate):
    return _with(TARGETS_FULL, mutate)


TARGETS_INVALID = [
    ("top-level-typo", lambda t: t.update(target={}), ["$"]),
    ("no-targets", lambda t: t.pop("targets"), ["$"]),
    ("target-key-typo", lambda t: t["targets"]["aione"].update(base_ur="x"), ["$.targets.aione"]),
    ("neither", lambda t: t["targets"].update(bare={"auth": ["bearer"]}), ["$.targets.bare"]),
    ("base-url-without-key-env", lambda t: t["targets"]["aione"].pop("api_key_env"), ["$.targets.aione"]),
    ("timeout-string", lambda t: t["targets"]["aione"]["timeouts"].update(read="120"), ["$.targets.aione.timeouts.read"]),
    ("timeout-zero", lambda t: t["defaults"]["timeouts"].update(connect=0), ["$.defaults.timeouts.connect"]),
    ("timeout-unknown", lambda t: t["defaults"]["timeouts"].update(write=5), ["$.defaults.timeouts"]),
    ("expect-status-range", lambda t: t["defaults"]["expect"].update(auth_failure=[401, 42]), ["$.defaults.expect.auth_failure[1]"]),
    ("expect-dupes", lambda t: t["defaults"]["expect"].update(unsupported_action=[404, 404]), ["$.defaults.expect.unsupported_action"]),
    ("expect-not-list", lambda t: t["defaults"]["expect"].update(auth_failure=401), ["$.defaults.expect.auth_failure"]),
    ("expect-unknown", lambda t: t["defaults"]["expect"].update(auth_failures=[401]), ["$.defaults.expect"]),
    ("base-url-scheme", lambda t: t["targets"]["aione"].update(base_url="api.nexara.net"), ["$.targets.aione.base_url"]),
    ("key-env-pattern", lambda t: t["targets"]["aione"].update(api_key_env="sk-nex-123"), ["$.targets.aione.api_key_env"]),
    ("auth-enum", lambda t: t["targets"]["aione"].update(auth=["Bearer"]), ["$.targets.aione.auth[0]"]),
    ("auth-string", lambda t: t["targets"]["aione"].update(auth="bearer"), ["$.targets.aione.auth"]),
    ("auth-dupes", lambda t: t["targets"]["aione"].update(auth=["bearer", "bearer"]), ["$.targets.aione.auth"]),
    ("models-key", lambda t: t["targets"]["aione"]["models"].update(video="veo"), ["$.targets.aione.models"]),
    ("models-empty-name", lambda t: t["targets"]["aione"]["models"].update(text=""), ["$.targets.aione.models.text"]),
    ("actions-enum", lambda t: t["targets"]["aione"].update(actions=["generateContent", "chat"]), ["$.targets.aione.actions[1]"]),
    ("features-pattern", lambda t: t["targets"]["aione"].update(features=["sse", "Inline-Images"]), ["$.targets.aione.features[1]"]),
    ("deviation-id", lambda t: t["targets"]["aione"]["deviations"].update({"err13": "x"}), ["$.targets.aione.deviations"]),
    ("deviation-no-reason", lambda t: t["targets"]["aione"]["deviations"].update({"ERR-14": {"until": "2026-01-01"}}),
     ["$.targets.aione.deviations.ERR-14"]),
    ("deviation-bad-date", lambda t: t["targets"]["aione"]["deviations"].update({"ERR-14": {"reason": "r", "until": "soon"}}),
     ["$.targets.aione.deviations.ERR-14.until"]),
    ("deviation-extra", lambda t: t["targets"]["aione"]["deviations"].update({"ERR-14": {"reason": "r", "ticket": 5}}),
     ["$.targets.aione.deviations.ERR-14"]),
    ("deviation-number", lambda t: t["targets"]["aione"]["deviations"].update({"ERR-14": 5}), ["$.targets.aione.deviations.ERR-14"]),
    ("max-bytes-zero", lambda t: t["targets"]["aione"].update(max_request_bytes=0), ["$.targets.aione.max_request_bytes"]),
    ("max-bytes-string", lambda t: t["targets"]["aione"].update(max_request_bytes="30MB"), ["$.targets.aione.max_request_bytes"]),
    ("reference-latency", lambda t: t["targets"]["local"].update(reference={"profile": "full", "latency_ms": -5}),
     ["$.targets.local.reference.latency_ms"]),
    ("reference-extra", lambda t: t["targets"]["local"].update(reference={"profile": "full", "fault": ["x"]}), ["$.targets.local.reference"]),
    ("target-name", lambda t: t["targets"].update({"AIone": {"reference": "full"}}), ["$.targets"]),
    ("target-not-object", lambda t: t["targets"].update(broken="https://x"), ["$.targets.broken"]),
    ("defaults-typo", lambda t: t["defaults"].update(timeout={"read": 1}), ["$.defaults"]),
]


@pytest.mark.parametrize("mutate, expected", [(m, e) for _, m, e in TARGETS_INVALID], ids=[i for i, _, _ in TARGETS_INVALID])
def test_targets_invalid_at_path(mutate, expected):
    assert_fails_at("targets", _targets_with(mutate), *expected)


def test_targets_messages_are_understandable():
    got = {v.path: v.message for v in validate("targets", {"targets": {"bare": {}}})}
    assert got == {"$.targets.bare": "'base_url' is a required property"}
    got = {v.path: v.message for v in validate("targets", {"targets": {"x": {"reference": "full", "base_ur": "h"}}})}
    assert "'base_ur' was unexpected" in got["$.targets.x"]
    got = {v.path: v.message for v in validate("targets", {"targets": {"x": {"base_url": "https://h"}}})}
    assert got == {"$.targets.x": "'api_key_env' is a required property"}


def test_where_the_validators_differ_jsonschema_has_the_last_word(monkeypatch):
    # ECMA's "$" (jsonschema-rs) does not match before a final newline; Python's (jsonschema) does.
    body = {"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": "QUJD\n"}}]}}]}
    monkeypatch.setattr(schemas, "crosscheck", False)
    assert validate("generate_content_response", body) == []  # no check fails on what no one can explain
    monkeypatch.setattr(schemas, "crosscheck", True)
    with pytest.raises(AssertionError, match="jsonschema-rs says invalid"):
        validate("generate_content_response", body)
