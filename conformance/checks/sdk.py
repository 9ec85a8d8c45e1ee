"""google-genai compatibility: the official Python SDK, pointed at the target with http_options.base_url.

SDK-01 generate_content returns the text and usage_metadata
SDK-02 generate_content_stream yields the text, and the last chunk carries usage_metadata
SDK-03 count_tokens, embed_content and models.list work where the target declares them
SDK-04 an unknown model raises ClientError with code 404 and a status
SDK-05 the SDK works with its default auth, the x-goog-api-key header (SHOULD)
SDK-06 the SDK works with its default API version (v1 in google-genai 3.x) (SHOULD)

The SDK runs with api_version v1beta (every seed documents /v1beta), the key in x-goog-api-key
where the target reads it and in its first declared header otherwise, and the target's read
timeout (client/sdk.py): a stalled gateway is a timeout, never a hang.
"""

from __future__ import annotations

from itertools import islice

import pytest

from conformance import expect, requests
from conformance.client.sdk import DEFAULT_AUTH, SDKCallFailed
from conformance.outcomes import not_applicable
from conformance.rules import GENERATE, MUST, SHOULD, STREAM, Needs, rule
from conformance.shared import UNKNOWN_MODEL, embedding_model, recipe
from conformance.sources import GEMINI_API, TOKENSMART

SDK_DOCS = (
    TOKENSMART.at("Using Google's official SDK: google-genai with http_options base_url"),
    GEMINI_API.at("§7 SDK behaviour; §8 Empirical results"),
)
MAX_LISTED = 500  # models.list() follows pages; a gateway whose tokens never end must not hang it


def _config(target, max_output_tokens: int = 1) -> dict:
    """The SDK's GenerateContentConfig for the suite's cheapest generation."""
    return requests.text_request(target, max_output_tokens=max_output_tokens)["generationConfig"]


def _succeeded(sdk_result):
    """The result of an SDK call that must succeed; a raise is this rule's failure."""
    try:
        return sdk_result()
    except SDKCallFailed as failed:
        raise expect.fail(
            f"the google-genai SDK call failed with {failed.kind}",
            expected="the call to succeed, as against Google's endpoint",
            actual=str(failed)[:600],
        ) from None


def _generated(sdk, target, api_version: str | None):
    model = target.model("text")
    return sdk.call(
        f"models.generate_content(model={model!r}, contents=..., config=...)",
        lambda: sdk.client(api_version=api_version).models.generate_content(
            model=model, contents=requests.COUNTING_PROMPT, config=_config(target)
        ),
        api_version=api_version,
    )


sdk_answer = recipe(_generated, name="sdk_answer", api_version="v1beta")
sdk_answer_default_version = recipe(_generated, name="sdk_answer_default_version", api_version=None)


@recipe
def sdk_stream_chunks(sdk, target):
    model = target.model("text")
    return sdk.call(
        f"models.generate_content_stream(model={model!r}, contents=..., config=...)",
        lambda: sdk.drain(
            sdk.client().models.generate_content_stream(model=model, contents=requests.COUNTING_PROMPT, config=_config(target))
        ),
    )


def _has_text(response, what: str) -> None:
    if not response.text:
        raise expect.fail(f"{what}: response.text is empty", expected="the model's text", actual=repr(response.text))


@rule("SDK-01", MUST, "google-genai generate_content returns the text and usage_metadata", source=SDK_DOCS, needs=GENERATE)
def sdk_generate_content(sdk_answer):
    response = _succeeded(sdk_answer)
    _has_text(response, "generate_content")
    usage = response.usage_metadata
    if usage is None or not isinstance(usage.total_token_count, int):
        raise expect.fail(
            "generate_content: response.usage_metadata.total_token_count is missing",
            expected="usage_metadata with total_token_count", actual=repr(usage),
        )


@rule(
    "SDK-02",
    MUST,
    "google-genai generate_content_stream yields the text, and its last chunk carries usage_metadata",
    source=SDK_DOCS + (TOKENSMART.at("Example: streaming: the Google SDK accumulates usageMetadata"),),
    needs=STREAM,
)
def sdk_generate_content_stream(sdk_stream_chunks):
    chunks = _succeeded(sdk_stream_chunks)
    if not "".join(chunk.text or "" for chunk in chunks):
        raise expect.fail("the stream's chunks carry no text", expected="the model's text", actual=f"{len(chunks)} chunk(s) without text")
    if chunks[-1].usage_metadata is None or chunks[-1].usage_metadata.total_token_count is None:
        raise expect.fail(
            "the last chunk has no usage_metadata.total_token_count: the SDK user cannot see what the stream cost",
            expected="usage_metadata on the last chunk", actual=repr(chunks[-1].usage_metadata),
        )


# What each declared action looks like through the SDK: the call, and what its result must hold.
SDK_ACTIONS = {
    "countTokens": (
        "models.count_tokens(model=<text>, contents=...)",
        lambda client, target: client.models.count_tokens(model=target.model("text"), contents=requests.COUNTING_PROMPT),
        lambda result, target: isinstance(result.total_tokens, int),
    ),
    "batchEmbedContents": (  # the SDK's embed_content calls :batchEmbedContents (facts §4)
        "models.embed_content(model=<embedding>, contents=[...2 texts])",
        lambda client, target: client.models.embed_content(
            model=embedding_model(target), contents=list(requests.EMBED_BATCH_TEXTS[:2])
        ),
        lambda result, target: len(result.embeddings or []) == 2 and all(e.values for e in result.embeddings),
    ),
    "listModels": (
        "models.list()",
        lambda client, target: [model.name for model in islice(client.models.list(), MAX_LISTED)],
        lambda names, target: f"models/{target.model('text')}" in names,
    ),
}


@recipe
def sdk_action_result(sdk, target, action):
    if action not in target.actions:
        not_applicable(f"target {target.name} does not declare action {action}")
    call, run, _ = SDK_ACTIONS[action]
    return sdk.call(call, lambda: run(sdk.client(), target))


@rule(
    "SDK-03",
    MUST,
    "google-genai count_tokens, embed_content and models.list work where the target declares the action",
    source=SDK_DOCS + (GEMINI_API.at("§4 both SDKs call :batchEmbedContents for embed_content"),),
    needs=Needs(models=("text",)),
)
@pytest.mark.parametrize("action", list(SDK_ACTIONS))
def sdk_declared_actions(sdk_action_result, target, action):
    call, _, holds = SDK_ACTIONS[action]
    result = _succeeded(sdk_action_result)
    if not holds(result, target):
        raise expect.fail(f"{call} returned an unusable result", expected="what Google's endpoint returns", actual=repr(result)[:300])


@recipe
def sdk_unknown_model_answer(sdk, target):
    call = f"models.generate_content(model={UNKNOWN_MODEL!r}, contents=...)"
    return sdk.call(call, lambda: sdk.client().models.generate_content(model=UNKNOWN_MODEL, contents="hi", config=_config(target)))


@recipe
def sdk_default_auth_answer(sdk, target, responses):
    """generate_content with the key in x-goog-api-key only: the shared answer where the target
    declares that header; where it does not, one more try (refused before any model runs)."""
    if DEFAULT_AUTH in target.auth:
        return responses.read("sdk_answer")
    return sdk.call(
        "models.generate_content(...)",
        lambda: sdk.client(default_auth_only=True).models.generate_content(model=target.model("text"), contents="hi", config=_config(target)),
        default_auth_only=True,
    )


@rule(
    "SDK-04",
    MUST,
    "google-genai raises ClientError with code 404 and a status for an unknown model",
    source=SDK_DOCS + (GEMINI_API.at("§7 Error mapping: status = body.error.status; §8 OpenAI-style errors give status None"),),
    needs=GENERATE,
)
def sdk_unknown_model_error(sdk_unknown_model_answer):
    from google.genai import errors

    try:
        sdk_unknown_model_answer()
    except SDKCallFailed as failed:
        error = failed.error
        if not isinstance(error, errors.ClientError) or error.code != 404 or not error.status:
            raise expect.fail(
                "an unknown model did not raise ClientError(code=404, status=NOT_FOUND)",
                expected="ClientError code=404 status='NOT_FOUND'",
                actual=f"{failed.kind} code={getattr(error, 'code', None)!r} status={getattr(error, 'status', None)!r}",
                details=(str(failed)[:400],),
            ) from None
        return
    raise expect.fail("an unknown model was answered without an error", expected="ClientError 404", actual="a response")


@rule(
    "SDK-05",
    SHOULD,
    "google-genai works with its default auth, the key in the x-goog-api-key header",
    source=(GEMINI_API.at("§1 Auth: both SDKs send x-goog-api-key; §7 Headers"), TOKENSMART.at("Using Google's official SDK")),
    needs=GENERATE,
)
def sdk_default_auth(sdk_default_auth_answer, sdk, target):
    if DEFAULT_AUTH in target.auth:
        _has_text(_succeeded(sdk_default_auth_answer), "generate_content with the default auth")
        return
    # Not declared: tried anyway, to say what it takes.
    try:
        sdk_default_auth_answer()
    except SDKCallFailed as failed:
        if getattr(failed.error, "code", None) not in target.expect.auth_failure:
            raise expect.fail(
                f"with only x-goog-api-key the SDK call failed with {failed.kind}",
                expected=f"an auth failure ({target.expect.auth_failure}) or success", actual=str(failed)[:400],
            ) from None
        placement = sdk.header_placement() or "no header placement"
        not_applicable(
            f"target {target.name} does not declare x-goog-api-key: the SDK needs a custom header here "
            f"(http_options={{'headers': ...}} with {placement}), and without it gets HTTP {failed.error.code}"
        )


@rule(
    "SDK-06",
    SHOULD,
    "google-genai works with its default API version (v1 in google-genai 3.x, v1beta in 2.x)",
    source=(GEMINI_API.at("§7 API version: 3.x defaults to v1; §9 rule 1"), TOKENSMART.at("Using Google's official SDK: change one baseUrl line")),
    needs=GENERATE,
)
def sdk_default_api_version(sdk_answer_default_version):
    _has_text(_succeeded(sdk_answer_default_version), "generate_content with the default api_version")
