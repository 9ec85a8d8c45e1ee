"""No rule fails what Google's servers really sent (conformance/recordings/google, carried with the
project): each rule's own check is run on every recording that shows its precondition."""

from __future__ import annotations

import json

import pytest

from conformance.recordings import GOOGLE, Recording, load
from conformance.rules import load_all_rules
from conformance.truth import (
    JUDGED_ON,
    NOT_JUDGEABLE,
    Verdict,
    judge,
    judge_all,
    tally,
)

RECORDINGS = load()


def test_no_rule_fails_a_gemini_api_recording():
    judged = judge_all(recording for recording in RECORDINGS if recording.api == "gemini")
    failed = [f"{j.rule} on {j.recording}: {j.why}" for j in judged if j.verdict is Verdict.FAILED]
    assert not failed, "\n".join(failed)
    # ...and the run judged something: most rules real traffic can speak to are confirmed by it.
    confirmed = {rule for rule, counts in tally(judged).items() if counts[Verdict.CONFIRMED]}
    assert len(confirmed) >= 40, sorted(confirmed)


def test_every_rule_says_whether_real_traffic_can_judge_it():
    rules = set(load_all_rules())
    assert not set(JUDGED_ON) & set(NOT_JUDGEABLE)
    assert rules == set(JUDGED_ON) | set(NOT_JUDGEABLE)


def test_the_recordings_are_carried_with_their_source_and_stay_small():
    assert len(RECORDINGS) > 400
    size = sum(path.stat().st_size for path in GOOGLE.rglob("*") if path.is_file())
    assert size < 6_000_000, f"{size} bytes of recordings"
    for recording in RECORDINGS:
        assert recording.api == "gemini", recording.id
        assert recording.meta["source_repo"] and recording.meta["path"] and len(recording.meta["commit"]) == 40, recording.id


def _recording(rid: str) -> Recording:
    return next(recording for recording in RECORDINGS if recording.id == rid)


def _doctored(recording: Recording, body: bytes) -> Recording:
    return Recording(recording.id + "+doctored", recording.meta, body)


def test_the_judge_can_fail_a_rule():
    """A recording changed the way a broken gateway changes it is failed by the same rule."""
    original = _recording("pydantic-ai/147-test_google_stream_usage_is_live_mid_stream-0-stream_sse")
    gen05 = load_all_rules()["GEN-05"]
    answer = next(r for r in RECORDINGS if judge(gen05, r) is not None and r.json and "usageMetadata" in r.json)
    miscounted = json.loads(answer.body)
    miscounted["usageMetadata"]["totalTokenCount"] += 7
    assert judge(gen05, _doctored(answer, json.dumps(miscounted).encode())).verdict is Verdict.FAILED
    with_done = _doctored(original, original.body + b"data: [DONE]\r\n\r\n")
    assert judge(load_all_rules()["SSE-04"], with_done).verdict is Verdict.FAILED
    assert judge(load_all_rules()["SSE-04"], original).verdict is Verdict.CONFIRMED


@pytest.mark.parametrize(
    ("rule", "rid", "verdict"),
    [
        # Gemini 2.0 with a systemInstruction: promptTokenCount 15, 15, 13. Outside STREAM-04's scope.
        ("STREAM-04", "pydantic-ai/103-test_google_model_stream-0-stream_sse", None),
        ("STREAM-06", "pydantic-ai/103-test_google_model_stream-0-stream_sse", Verdict.CONFIRMED),
        # A blocked prompt: HTTP 200, promptFeedback, no candidate.
        ("GEN-03", "vercel-ai/016-issue-19758-prompt-block", Verdict.MODEL_DECIDED),
        ("STREAM-05", "firebase-sdk-test-data/002-streaming-failure-prompt-blocked-safety", Verdict.MODEL_DECIDED),
        # Gemini 3 nesting its own arguments in {"parameters": {...}}: the model's, not a re-wrap.
        ("TOOL-01", "pydantic-ai/272-test_multimodal_tool_return_matrix_direct-url-document-google_gemini3_-0-generate", Verdict.MODEL_DECIDED),
        ("IMG-01", "vercel-ai/026-google-image-no-image-live", Verdict.MODEL_DECIDED),
        # Google's wrong-key answer: 400 INVALID_ARGUMENT with ErrorInfo API_KEY_INVALID.
        ("AUTH-03", "firebase-sdk-test-data/014-unary-failure-api-key", Verdict.CONFIRMED),
    ],
)
def test_where_google_disagreed_with_a_document_the_rule_follows_google(rule, rid, verdict):
    judgement = judge(load_all_rules()[rule], _recording(rid))
    assert (judgement.verdict if judgement else None) is verdict, judgement


def test_a_recording_edited_by_hand_is_never_judged():
    edited = [recording for recording in RECORDINGS if recording.meta.get("edited")]
    assert edited
    assert all(judge(rule, recording) is None for rule in load_all_rules().values() for recording in edited)


def _strict(node):
    """The schema with every object type closed (unevaluatedProperties false): a field it does not
    name fails. The suite's own schemas leave unknown fields allowed; this says which ones are known."""
    if isinstance(node, list):
        return [_strict(value) for value in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
        node["unevaluatedProperties"] = False
    return node


def _strict_validators() -> dict:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    from conformance.schemas import SCHEMA_DIR

    schemas = {path.name: _strict(json.loads(path.read_text())) for path in SCHEMA_DIR.glob("*.schema.json")}
    registry = Registry().with_resources(
        (uri, Resource(schema, DRAFT202012)) for name, schema in schemas.items() for uri in (schema["$id"], name)
    )
    names = ("generate_content_response", "stream_chunk", "error", "count_tokens_response", "batch_embed_contents_response")
    return {name: Draft202012Validator(schemas[f"{name}.schema.json"], registry=registry) for name in names}


def _bodies(recording: Recording) -> list[tuple[str, object]]:
    if recording.is_stream:
        kind = "error" if recording.is_error else "stream_chunk"
        return [(kind, json.loads(event)) for event in recording.events]
    kind = "error" if recording.is_error else {
        "generate": "generate_content_response", "count_tokens": "count_tokens_response", "batch_embed": "batch_embed_contents_response"
    }.get(recording.answers)
    return [(kind, recording.json)] if kind else []


def test_the_schemas_know_every_field_google_sends():
    """Every field in a Gemini API recording is typed by the schemas (which still allow unknown ones)."""
    validators = _strict_validators()
    unknown = set()
    for recording in RECORDINGS:
        if recording.meta.get("edited"):
            continue
        for kind, body in _bodies(recording):
            for error in validators[kind].iter_errors(body):
                unknown.add(f"{kind} at {error.json_path}: {error.message[:160]} ({recording.id})")
    assert not unknown, "\n".join(sorted(unknown)[:20])
