"""The official google-genai SDK works against the reference gateway, on /v1 (its 3.x default) and /v1beta."""

from __future__ import annotations

import pytest

from conformance.reference import GatewayConfig, ReferenceGateway

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

KEY = "sdk-test-key-123456"


@pytest.fixture(scope="module")
def base_url():
    with ReferenceGateway(GatewayConfig(key=KEY, profile="full", words_per_event=2)) as gateway:
        yield gateway.base_url


@pytest.fixture(params=[None, "v1beta"], ids=["default-version", "v1beta"])
def sdk(base_url, request):
    options = {"base_url": base_url, **({"api_version": request.param} if request.param else {})}
    return genai.Client(api_key=KEY, http_options=options)


def test_generate_content(sdk):
    response = sdk.models.generate_content(model="gemini-2.5-flash", contents="hello conformance world")
    assert response.text == "hello conformance world"
    assert response.usage_metadata.total_token_count >= response.usage_metadata.prompt_token_count
    assert response.candidates[0].finish_reason == types.FinishReason.STOP


def test_generate_content_stream_ends_with_usage(sdk):
    chunks = list(sdk.models.generate_content_stream(model="gemini-2.5-flash", contents="one two three four five"))
    assert len(chunks) > 1
    assert "".join(c.text or "" for c in chunks) == "one two three four five"
    assert chunks[-1].usage_metadata.candidates_token_count == 5


def test_count_tokens_embed_and_list(sdk):
    assert sdk.models.count_tokens(model="gemini-2.5-flash", contents="a b c").total_tokens == 3
    embedded = sdk.models.embed_content(model="text-embedding-004", contents=["x", "y"])
    assert len(embedded.embeddings) == 2
    assert "models/gemini-2.5-flash" in [m.name for m in sdk.models.list()]


def test_unknown_model_raises_client_error_with_status(sdk):
    with pytest.raises(errors.ClientError) as raised:
        sdk.models.generate_content(model="no-such-model", contents="hi")
    assert (raised.value.code, raised.value.status) == (404, "NOT_FOUND")


def test_an_sdk_call_is_charged_its_requests_and_tokens(base_url):
    from conformance.client.redact import Redactor
    from conformance.client.sdk import SDK
    from conformance.targets import Target

    wrapper = SDK(Target(name="ref", auth=("x-goog-api-key",)), base_url, KEY, Redactor())
    chunks = wrapper.call("stream", lambda: list(wrapper.client().models.generate_content_stream(model="gemini-2.5-flash", contents="one two")))
    [entry] = wrapper.ledger.drain()
    assert (entry.action, entry.kind, entry.billable) == ("streamGenerateContent", "streamGenerateContent", True)
    assert entry.tokens == chunks[-1].usage_metadata.total_token_count > 0
