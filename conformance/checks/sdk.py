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

import pytest

from conformance import expect
from conformance.client.sdk import DEFAULT_AUTH, SDKCallFailed
from conformance.outcomes import not_applicable
from conformance.recipes.sdk import (
    SDK_ACTIONS,
    sdk_action_result,
    sdk_answer,
    sdk_answer_default_version,
    sdk_default_auth_answer,
    sdk_stream_chunks,
    sdk_unknown_model_answer,
)
from conformance.rules import GENERATE, MUST, SHOULD, STREAM, Needs, rule
from conformance.sources import GEMINI_API, TOKENSMART

SDK_DOCS = (
    TOKENSMART.at("Using Google's official SDK: google-genai with http_options base_url"),
    GEMINI_API.at("§7 SDK behaviour; §8 Empirical results"),
)


def _succeeded(sdk_result, *, judges_auth: bool = False):
    """The result of an SDK call that must succeed; a raise is this rule's failure, unless the gateway
    refused the target's own key or did not know its declared model (AUTH-01's or GEN-07's failure,
    which blocks the rule; ``judges_auth``: the rule is about the SDK's auth itself, so a refused key
    is its failure)."""
    try:
        return sdk_result()
    except SDKCallFailed as failed:
        if failed.exchange is not None:
            (expect.model_known if judges_auth else expect.admitted)(failed.exchange)
        raise expect.fail(
            f"the google-genai SDK call failed with {failed.kind}",
            failed.exchange,
            expected="the call to succeed, as against Google's endpoint",
            actual=str(failed)[:600],
        ) from None


def _has_text(response, what: str) -> None:
    if not response.text:
        raise expect.fail(f"{what}: response.text is empty", expected="the model's text", actual=repr(response.text))


@rule("SDK-01", MUST, "google-genai generate_content returns the text and usage_metadata", source=SDK_DOCS, needs=GENERATE, reads=sdk_answer)
def sdk_generate_content():
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
    reads=sdk_stream_chunks,
)
def sdk_generate_content_stream():
    chunks = _succeeded(sdk_stream_chunks)
    if not "".join(chunk.text or "" for chunk in chunks):
        raise expect.fail("the stream's chunks carry no text", expected="the model's text", actual=f"{len(chunks)} chunk(s) without text")
    if chunks[-1].usage_metadata is None or chunks[-1].usage_metadata.total_token_count is None:
        raise expect.fail(
            "the last chunk has no usage_metadata.total_token_count: the SDK user cannot see what the stream cost",
            expected="usage_metadata on the last chunk", actual=repr(chunks[-1].usage_metadata),
        )


@rule(
    "SDK-03",
    MUST,
    "google-genai count_tokens, embed_content and models.list work where the target declares the action",
    source=SDK_DOCS + (GEMINI_API.at("§4 both SDKs call :batchEmbedContents for embed_content"),),
    needs=Needs(models=("text",)),
    reads=sdk_action_result,
)
@pytest.mark.parametrize("action", list(SDK_ACTIONS))
def sdk_declared_actions(target, action):
    call, _, holds = SDK_ACTIONS[action]
    result = _succeeded(sdk_action_result)
    if not holds(result, target):
        # Whole: the evidence redacts it, then cuts it (a cut must never fall inside a key).
        raise expect.fail(f"{call} returned an unusable result", expected="what Google's endpoint returns", actual=repr(result))


@rule(
    "SDK-04",
    MUST,
    "google-genai raises ClientError with code 404 and a status for an unknown model",
    source=SDK_DOCS + (GEMINI_API.at("§7 Error mapping: status = body.error.status; §8 OpenAI-style errors give status None"),),
    needs=GENERATE,
    reads=sdk_unknown_model_answer,
)
def sdk_unknown_model_error():
    from google.genai import errors

    try:
        sdk_unknown_model_answer()
    except SDKCallFailed as failed:
        if failed.exchange is not None:
            expect.key_accepted(failed.exchange)
        error = failed.error
        if not isinstance(error, errors.ClientError) or error.code != 404 or not error.status:
            raise expect.fail(
                "an unknown model did not raise ClientError(code=404, status=NOT_FOUND)",
                expected="ClientError code=404 status='NOT_FOUND'",
                exchange=failed.exchange,
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
    reads=sdk_default_auth_answer,
)
def sdk_default_auth(sdk, target):
    if DEFAULT_AUTH in target.auth:
        _has_text(_succeeded(sdk_default_auth_answer, judges_auth=True), "generate_content with the default auth")
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
    reads=sdk_answer_default_version,
)
def sdk_default_api_version():
    _has_text(_succeeded(sdk_answer_default_version), "generate_content with the default api_version")
