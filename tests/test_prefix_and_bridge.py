"""The reference gateway under a path prefix, its rate-limited key, ListModels pages, and the OpenAI image bridge."""

from __future__ import annotations

import base64

import pytest

from conformance.client.http import GeminiClient
from conformance.client.limits import Timeouts
from conformance.client.redact import Redactor
from conformance.images import sniff
from conformance.recipes import bodies
from conformance.reference import GatewayConfig, ReferenceGateway

KEY, LIMITED = "prefix-test-key", "limited-test-key"
TINY = {"contents": [{"parts": [{"text": "hello there"}]}]}


@pytest.fixture(scope="module")
def prefixed():
    config = GatewayConfig(key=KEY, profile="full", path_prefix="/gemini", rate_limited_key=LIMITED)
    with ReferenceGateway(config) as gateway:
        yield gateway


def client_for(base_url: str, auth: str = "x-goog-api-key") -> GeminiClient:
    return GeminiClient(target="t", base_url=base_url, key=KEY, auth=(auth,), timeouts=Timeouts(5, 5, 5), redactor=Redactor())


def test_base_url_carries_the_prefix_and_the_api_lives_only_under_it(prefixed):
    assert prefixed.base_url.endswith("/gemini")
    client = client_for(prefixed.base_url)
    assert client.generate("gemini-2.5-flash", TINY).status == 200
    assert client.generate("gemini-2.5-flash", TINY, api_version="v1").status == 200
    wrong = client.generate("gemini-2.5-flash", TINY, prefix="elsewhere")
    assert (wrong.status, wrong.json["error"]["status"]) == (404, "NOT_FOUND")
    root = client_for(prefixed.base_url.removesuffix("/gemini")).generate("gemini-2.5-flash", TINY)
    assert root.status == 404


def test_the_sdk_keeps_the_prefix(prefixed):
    genai = pytest.importorskip("google.genai")
    sdk = genai.Client(api_key=KEY, http_options={"base_url": prefixed.base_url, "api_version": "v1beta"})
    assert sdk.models.generate_content(model="gemini-2.5-flash", contents="hello there").text == "hello there"


def test_the_rate_limited_key_gets_google_quota_answer(prefixed):
    exchange = client_for(prefixed.base_url).generate("gemini-2.5-flash", TINY, key=LIMITED, retry=False)
    error = exchange.json["error"]
    assert (exchange.status, error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert {detail["@type"].rsplit(".", 1)[-1] for detail in error["details"]} == {"QuotaFailure", "RetryInfo"}


def test_models_are_listed_page_by_page(prefixed):
    client = client_for(prefixed.base_url)
    names, token = [], None
    for _ in range(5):
        page = client.get("models", query={"pageSize": "2", **({"pageToken": token} if token else {})}).json
        names += [model["name"] for model in page["models"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert names == sorted(set(names)) and len(names) == 3
    assert client.get("models", query={"pageToken": "!!"}).status == 400


@pytest.fixture(scope="module")
def aione():
    with ReferenceGateway(GatewayConfig(key=KEY, profile="aione")) as gateway:
        yield client_for(gateway.base_url, auth="bearer")


def test_bridge_answers_an_image_of_the_asked_ratio_as_a_data_uri(aione):
    body = bodies.bridge_image_request("gemini-2.5-flash-image", reference_image=bodies.REFERENCE_IMAGE)
    completion = aione.chat_completions(body | {"image_size": "2K"}).json
    parts = completion["choices"][0]["message"]["content"]
    url = next(part["image_url"]["url"] for part in parts if part["type"] == "image_url")
    png = base64.b64decode(url.split(",", 1)[1])
    assert sniff(png) == "image/png" and png[16:24] == (128).to_bytes(4, "big") + (72).to_bytes(4, "big")  # 16:9 at 2K
    assert completion["usage"]["total_tokens"] == completion["usage"]["prompt_tokens"] + completion["usage"]["completion_tokens"]


@pytest.mark.parametrize(
    "change, status",
    [({"stream": True}, 400), ({"model": "gemini-2.5-flash"}, 404), ({"messages": []}, 400)],
)
def test_bridge_refusals_are_openai_shaped(aione, change, status):
    exchange = aione.chat_completions(bodies.bridge_image_request("gemini-2.5-flash-image") | change)
    assert exchange.status == status
    assert set(exchange.json["error"]) == {"message", "type", "param", "code"}


def test_bridge_is_not_served_where_the_profile_lacks_it(prefixed):
    exchange = client_for(prefixed.base_url).chat_completions(bodies.bridge_image_request("gemini-2.5-flash-image"))
    assert exchange.status == 404 and exchange.json["error"]["status"] == "NOT_FOUND"


def test_cli_takes_a_prefix_and_a_rate_limited_key():
    from conformance.reference.__main__ import parse_args

    args = parse_args(["--path-prefix", "/gemini", "--rate-limited-key", "x"])
    assert (args.path_prefix, args.rate_limited_key) == ("/gemini", "x")
    with pytest.raises(ValueError, match="path_prefix"):
        GatewayConfig(path_prefix="gemini/")


def test_sdk_failures_are_redacted_and_bounded():
    """What the SDK raises never carries the key, and a stalled gateway is a timeout, not a hang."""
    pytest.importorskip("google.genai")
    from conformance.client.sdk import SDK, SDKCallFailed
    from conformance.outcomes import RequestTimedOut
    from conformance.targets import Target

    wrong = "sdk-wrong-key-0123456789"
    redactor = Redactor()
    redactor.add(wrong, "$WRONG_KEY")
    target = Target(name="t", auth=("x-goog-api-key",), models={"text": "gemini-2.5-flash"}, timeouts=Timeouts(5, 1, 1))
    config = GatewayConfig(key=KEY, faults=("echoes_key_in_auth_error", "stall_generate"))
    with ReferenceGateway(config) as gateway:
        leaky = SDK(target, gateway.base_url, wrong, redactor)
        with pytest.raises(SDKCallFailed) as raised:
            leaky.call("models.generate_content(...)", lambda: leaky.client().models.generate_content(model="gemini-2.5-flash", contents="hi"))
        assert raised.value.error.code == 401
        assert wrong not in str(raised.value) and "$WRONG_KEY" in str(raised.value)
        stalled = SDK(target, gateway.base_url, KEY, redactor)
        with pytest.raises(RequestTimedOut):
            stalled.call("models.generate_content(...)", lambda: stalled.client().models.generate_content(model="gemini-2.5-flash", contents="hi"))
