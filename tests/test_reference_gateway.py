"""Self-tests of the built-in reference gateway (conformance.reference), over loopback HTTP.

They pin down the clean behaviour the conformance checks rely on, and show that each fault in
FAULTS really misbehaves (and that the same probe passes quietly on a clean gateway).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conformance.reference import FAULTS, PROFILES, GatewayConfig, ReferenceGateway
from conformance.reference.images import png_dimensions
from conformance.vocabulary import BLOCKED_PROMPT, UPSTREAM_FAILURE

KEY = "test-key-123"
TEXT = "gemini-2.5-flash"
IMAGE = "gemini-2.5-flash-image"
EMBEDDING = "text-embedding-004"
PROMPT = "Count from 1 to 20"
NO_KEY = {"authorization": ""}  # overrides the test clients' default Bearer key
REPO = Path(__file__).resolve().parents[1]

Serve = Callable[..., httpx.Client]


@pytest.fixture(scope="module")
def serve() -> Iterator[Serve]:
    """serve(profile=..., faults=..., key=...) -> an httpx client for a (cached) running gateway.

    The client sends the key as a Bearer token, which every profile but Google's own accepts.
    """
    running: dict[GatewayConfig, tuple[ReferenceGateway, httpx.Client]] = {}

    def start(
        profile: str = "full", faults: tuple[str, ...] = (), key: str | None = KEY, **options: int
    ) -> httpx.Client:
        # These tests read a stream two words an event, as the reference streamed before it sent
        # Google's event sizes; the suite's own runs use the default.
        config = GatewayConfig(key=key, profile=profile, faults=faults, **{"words_per_event": 2, **options})
        if config not in running:
            gateway = ReferenceGateway(config)
            headers = {"authorization": f"Bearer {key}"} if key else {}
            running[config] = (gateway, httpx.Client(base_url=gateway.start(), headers=headers, timeout=5))
        return running[config][1]

    yield start
    for _, client in running.values():
        client.close()
    # Each uvicorn shutdown mostly sleeps; stopping them side by side keeps the suite fast.
    with ThreadPoolExecutor(max_workers=max(1, len(running))) as pool:
        list(pool.map(lambda entry: entry[0].stop(), running.values()))


def user(text: str, **extra: object) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}], **extra}


def generate(client: httpx.Client, model: str = TEXT, body: dict | None = None, **kwargs: object) -> httpx.Response:
    return client.post(f"/v1beta/models/{model}:generateContent", json=user(PROMPT) if body is None else body, **kwargs)


def stream(client: httpx.Client, model: str = TEXT, body: dict | None = None, sse: bool = True) -> httpx.Response:
    query = "?alt=sse" if sse else ""
    path = f"/v1beta/models/{model}:streamGenerateContent{query}"
    return client.post(path, json=user(PROMPT) if body is None else body)


def sse_chunks(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    events = response.content.split(b"\r\n\r\n")
    assert events[-1] == b""
    return [json.loads(event.removeprefix(b"data: ")) for event in events[:-1]]


def texts(chunk: dict) -> str:
    parts = chunk["candidates"][0]["content"]["parts"]
    return "".join(part.get("text", "") for part in parts if not part.get("thought"))


def error_of(response: httpx.Response) -> dict:
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    error = response.json()["error"]
    assert error["code"] == response.status_code
    return error


# --- Lifecycle ---------------------------------------------------------------------------------


def test_start_serves_on_a_free_port_and_stop_frees_it() -> None:
    gateway = ReferenceGateway(GatewayConfig())
    base_url = gateway.start()
    assert base_url.startswith("http://127.0.0.1:") and gateway.base_url == base_url
    assert httpx.get(f"{base_url}/v1beta/models").status_code == 200
    started = time.monotonic()
    gateway.stop()
    assert time.monotonic() - started < 1.0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/v1beta/models")


def test_stop_returns_quickly_while_a_request_is_stalled() -> None:
    with ReferenceGateway(GatewayConfig(faults=("stall_generate",))) as gateway:
        outcome: list[object] = []
        caller = threading.Thread(
            target=lambda: outcome.append(_try(lambda: generate(httpx.Client(base_url=gateway.base_url, timeout=10))))
        )
        caller.start()
        time.sleep(0.2)
        started = time.monotonic()
        gateway.stop()
        assert time.monotonic() - started < 2.0
    caller.join(2)
    assert not caller.is_alive() and isinstance(outcome[0], httpx.HTTPError)


def _try(call: Callable[[], object]) -> object:
    try:
        return call()
    except httpx.HTTPError as error:
        return error


def test_latency_delays_every_response(serve: Serve) -> None:
    client = serve(latency_ms=150)
    for send in (lambda: generate(client), lambda: client.get("/nowhere")):
        started = time.monotonic()
        send()
        assert time.monotonic() - started >= 0.15


def test_config_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="done_sentinel"):
        GatewayConfig(faults=("no_such_fault",))
    with pytest.raises(ValueError, match="tokensmart"):
        GatewayConfig(profile="no_such_profile")


def test_cli_lists_and_rejects_bad_names() -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "conformance.reference", *args]
        return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=20)

    listed = cli("--list-faults")
    assert listed.returncode == 0 and set(FAULTS) <= {line.split("\t")[0] for line in listed.stdout.splitlines()}
    bad = cli("--fault", "nope")
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and len(bad.stderr.splitlines()) == 1


# --- Clean generation ----------------------------------------------------------------------------


def test_generate_content_shape(serve: Serve) -> None:
    response = generate(serve())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    body = response.json()
    candidate = body["candidates"][0]
    assert candidate["content"] == {"parts": [{"text": PROMPT}], "role": "model"}
    assert candidate["finishReason"] == "STOP" and candidate["index"] == 0
    usage = body["usageMetadata"]
    assert usage["promptTokenCount"] == 5 and usage["candidatesTokenCount"] == 5
    assert usage["totalTokenCount"] == 5 + 5 + usage["thoughtsTokenCount"]
    assert body["modelVersion"] == TEXT and body["responseId"]


def test_both_api_versions_are_served(serve: Serve) -> None:
    client = serve()
    for version in ("v1beta", "v1"):
        assert client.post(f"/{version}/models/{TEXT}:generateContent", json=user("hi")).status_code == 200
        assert client.get(f"/{version}/models/{TEXT}").json()["name"] == f"models/{TEXT}"


def test_sse_stream_is_framed_like_google_and_arrives_in_pieces(serve: Serve) -> None:
    client = serve()
    with client.stream("POST", f"/v1beta/models/{TEXT}:streamGenerateContent?alt=sse", json=user(PROMPT)) as response:
        pieces = list(response.iter_raw())
    assert response.headers["content-type"] == "text/event-stream"
    assert len(pieces) >= 2
    raw = b"".join(pieces)
    events = raw.split(b"\r\n\r\n")
    assert events[-1] == b"" and all(event.startswith(b"data: {") and b"\n" not in event for event in events[:-1])
    chunks = [json.loads(event[len(b"data: ") :]) for event in events[:-1]]
    assert [texts(chunk) for chunk in chunks] == ["Count from", " 1 to", " 20"]
    assert [chunk["usageMetadata"]["candidatesTokenCount"] for chunk in chunks] == [2, 4, 5]
    for chunk in chunks:
        usage = chunk["usageMetadata"]
        assert usage["promptTokenCount"] == 5
        counted = usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
        assert usage["totalTokenCount"] == counted
    assert ["finishReason" in chunk["candidates"][0] for chunk in chunks] == [False, False, True]
    assert len({(chunk["responseId"], chunk["modelVersion"]) for chunk in chunks}) == 1


def test_stream_without_alt_is_a_json_array(serve: Serve) -> None:
    response = stream(serve(), sse=False)
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert response.content.startswith(b"[{") and b",\r\n{" in response.content
    chunks = response.json()
    assert "".join(texts(chunk) for chunk in chunks) == PROMPT
    unknown = serve().post("/v1beta/models/nope:streamGenerateContent", json=user("hi"))
    assert unknown.status_code == 404 and unknown.json()[0]["error"]["status"] == "NOT_FOUND"


def test_upstream_failure_ends_a_stream_with_one_error_event(serve: Serve) -> None:
    client = serve()
    body = user(f"{PROMPT} {UPSTREAM_FAILURE}")
    chunks = sse_chunks(stream(client, body=body))
    assert texts(chunks[0]) == "Count from" and "finishReason" not in chunks[0]["candidates"][0]
    assert chunks[1]["error"]["code"] == 503 and chunks[1]["error"]["status"] == "UNAVAILABLE" and len(chunks) == 2
    assert error_of(generate(client, body=body))["status"] == "UNAVAILABLE"


def test_a_blocked_prompt_has_no_candidate_as_googles_does(serve: Serve) -> None:
    client = serve()
    body = user(f"{PROMPT} {BLOCKED_PROMPT}")
    whole = generate(client, body=body)
    assert whole.status_code == 200
    assert "candidates" not in whole.json() and whole.json()["promptFeedback"] == {"blockReason": "SAFETY"}
    (chunk,) = sse_chunks(stream(client, body=body))
    assert "candidates" not in chunk and chunk["promptFeedback"]["blockReason"] == "SAFETY"


def test_a_gemini_3_thinking_stream_ends_with_an_empty_signed_part(serve: Serve) -> None:
    client = serve("tokensmart")
    body = user(PROMPT, generationConfig={"thinkingConfig": {"thinkingBudget": 4}})
    chunks = sse_chunks(stream(client, "gemini-3.5-flash", body=body))
    last = chunks[-1]["candidates"][0]
    assert last["content"]["parts"] == [{"text": "", "thoughtSignature": last["content"]["parts"][0]["thoughtSignature"]}]
    assert last["finishReason"] == "STOP" and "".join(texts(chunk) for chunk in chunks) == PROMPT
    whole = generate(client, "gemini-3.5-flash", body=body).json()["candidates"][0]["content"]["parts"]
    assert whole == [{"text": PROMPT, "thoughtSignature": last["content"]["parts"][0]["thoughtSignature"]}]


def test_thinking_budget_and_included_thoughts(serve: Serve) -> None:
    client = serve()
    config = {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 3}}
    body = generate(client, body=user("hi there", generationConfig=config)).json()
    assert body["candidates"][0]["content"]["parts"][0] == {"text": "Let me think", "thought": True}
    assert body["usageMetadata"]["thoughtsTokenCount"] == 3
    off = generate(client, body=user("hi", generationConfig={"thinkingConfig": {"thinkingBudget": 0}})).json()
    assert "thoughtsTokenCount" not in off["usageMetadata"]
    assert "thoughtsTokenCount" not in generate(serve("nexusflow"), "qwen-turbo").json()["usageMetadata"]


def test_stop_sequences_and_max_output_tokens(serve: Serve) -> None:
    client = serve()
    stopped = generate(client, body=user(PROMPT, generationConfig={"stopSequences": ["to"]})).json()
    assert texts(stopped) == "Count from 1" and stopped["candidates"][0]["finishReason"] == "STOP"
    capped = generate(client, body=user(PROMPT, generationConfig={"maxOutputTokens": 3})).json()
    assert texts(capped) == "Count from 1" and capped["candidates"][0]["finishReason"] == "MAX_TOKENS"


def test_function_calling(serve: Serve) -> None:
    tools = [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": {
                        "type": "object",
                        "properties": {"city_name": {"type": "string"}},
                        "required": ["city_name"],
                    },
                }
            ]
        }
    ]
    body = generate(serve(), body=user("Call get_weather for Paris.", tools=tools)).json()
    call = body["candidates"][0]["content"]["parts"][0]["functionCall"]
    assert call == {"id": "call-1", "name": "get_weather", "args": {"city_name": "Paris"}}
    forced = user("hello", tools=tools, tool_config={"function_calling_config": {"mode": "ANY"}})
    assert "functionCall" in generate(serve(), body=forced).json()["candidates"][0]["content"]["parts"][0]
    assert texts(generate(serve(), body=user("hello", tools=tools)).json()) == "hello"


def test_snake_case_and_sdk_mixed_bodies_are_accepted(serve: Serve) -> None:
    body = {
        "contents": [
            {
                "role": "user",
                "parts": [{"text": "one two three"}, {"inline_data": {"mime_type": "image/png", "data": "AAAA"}}],
            }
        ],
        "system_instruction": {"role": "user", "parts": [{"text": "be brief"}]},
        "generation_config": {
            "max_output_tokens": 2,
            "topK": 40.0,
            "thinkingConfig": {"include_thoughts": True, "thinking_budget": 2},
        },
    }
    answer = generate(serve(), body=body).json()
    assert answer["candidates"][0]["content"]["parts"][0] == {"text": "Let me", "thought": True}
    assert texts(answer) == "one two" and answer["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert answer["usageMetadata"]["promptTokenCount"] == 5 + 258  # system_instruction and the image counted
    bad_int = generate(serve(), body=user("x", generationConfig={"topK": 40.5}))
    assert bad_int.status_code == 400


# --- Auth ------------------------------------------------------------------------------------------

PLACEMENTS: dict[str, Callable[[str], dict]] = {
    "bearer": lambda key: {"headers": {"authorization": f"Bearer {key}"}},
    "x-goog-api-key": lambda key: {"headers": {"x-goog-api-key": key}},
    "x-api-key": lambda key: {"headers": {"x-api-key": key}},
    "query": lambda key: {"params": {"key": key}},
}


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_accepts_only_its_key_placements(serve: Serve, profile: str) -> None:
    client = serve(profile)
    model = PROFILES[profile].models["text"]
    for placement, place in PLACEMENTS.items():
        options = place(KEY)
        headers = {**NO_KEY, **options.pop("headers", {})}
        response = client.post(f"/v1beta/models/{model}:generateContent", json=user("hi"), headers=headers, **options)
        if placement in PROFILES[profile].auth:
            assert response.status_code == 200, (placement, response.text)
        else:
            assert response.status_code == PROFILES[profile].auth_failure_status, placement
            missing = "unregistered callers" if PROFILES[profile].google_wording else "missing"
            assert missing in error_of(response)["message"], placement


def test_auth_errors(serve: Serve) -> None:
    client = serve()
    missing = error_of(generate(client, headers=NO_KEY))
    assert missing["status"] == "UNAUTHENTICATED" and missing["message"].startswith("API key is missing")
    wrong = generate(client, headers={**NO_KEY, "x-goog-api-key": "sk-wrong-999"})
    error = error_of(wrong)
    assert wrong.status_code == 401 and error["status"] == "UNAUTHENTICATED" and "sk-wrong-999" not in wrong.text
    assert error["details"][0]["reason"] == "API_KEY_INVALID"
    # Auth is judged before the surface: a keyless probe of an unsupported action learns nothing.
    assert client.post(f"/v1beta/models/{TEXT}:predict", json={}, headers=NO_KEY).status_code == 401
    assert generate(serve(key=None), headers={}).status_code == 200


# --- Errors ----------------------------------------------------------------------------------------

ERROR_CASES = [
    # (profile, method, path, body, HTTP status)
    ("full", "POST", "/v1beta/models/nope:generateContent", user("hi"), 404),
    ("full", "POST", f"/v1beta/models/{EMBEDDING}:generateContent", user("hi"), 404),
    ("full", "POST", f"/v1beta/models/{TEXT}:generateContent", {}, 400),
    ("full", "POST", f"/v1beta/models/{TEXT}:generateContent", {"contents": [{"parts": []}]}, 400),
    ("full", "POST", f"/v1beta/models/{TEXT}:generateContent", {"contents": [{"role": "system", "parts": [{}]}]}, 400),
    ("full", "POST", f"/v1beta/models/{TEXT}:generateContent", b"{nope", 400),
    ("full", "POST", f"/v1beta/models/{TEXT}:predict", {}, 404),
    ("full", "POST", "/v1beta/models/nope:batchGenerateContent", {}, 404),
    ("full", "GET", "/v1beta/files", None, 404),
    ("full", "GET", "/v1beta/cachedContents", None, 404),
    ("tokensmart", "POST", "/v1beta/models/gemini-3.5-flash:countTokens", user("hi"), 501),
    ("tokensmart", "GET", "/v1beta/models", None, 501),
    ("tokensmart", "GET", "/v1beta/files", None, 501),
    ("tokensmart", "GET", "/v1beta/nowhere", None, 404),
    ("aione", "POST", f"/v1beta/models/{TEXT}:embedContent", {}, 404),
    ("aione", "POST", f"/v1beta/models/{IMAGE}:streamGenerateContent?alt=sse", user("a cat"), 503),
    ("nexusflow", "POST", f"/v1beta/models/{TEXT}:generateContent", user("hi"), 404),
]


@pytest.mark.parametrize(("profile", "method", "path", "body", "status"), ERROR_CASES)
def test_errors_use_google_envelope(
    serve: Serve, profile: str, method: str, path: str, body: object, status: int
) -> None:
    content = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode()
    response = serve(profile).request(method, path, content=content)
    assert response.status_code == status, response.text
    canonical = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 501: "UNIMPLEMENTED", 503: "UNAVAILABLE"}
    assert error_of(response)["status"] == canonical[status]


def test_error_messages_match_google(serve: Serve) -> None:
    client = serve()
    assert error_of(generate(client, "nope"))["message"].startswith("models/nope is not found for API version v1beta")
    missing = "* GenerateContentRequest.contents: contents is not specified\n"
    assert error_of(generate(client, body={}))["message"] == missing
    bad_role = {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}
    assert error_of(generate(client, body=bad_role))["message"] == "Please use a valid role: user, model."


def test_oversize_body_is_rejected(serve: Serve) -> None:
    padding = "x" * (30 * 1024 * 1024)
    response = serve("tokensmart").post("/v1beta/models/gemini-3.5-flash:generateContent", json=user(padding))
    assert response.status_code == 400 and error_of(response)["status"] == "INVALID_ARGUMENT"


# --- Images, tokens, embeddings, models ----------------------------------------------------------


@pytest.mark.parametrize(
    ("aspect_ratio", "image_size", "ratio", "scale"),
    [(None, None, (1, 1), 1), ("16:9", None, (16, 9), 1), ("9:16", "2K", (9, 16), 2), ("4:3", "4K", (4, 3), 4)],
)
def test_image_size_follows_image_config(serve: Serve, aspect_ratio, image_size, ratio, scale) -> None:
    image_config = {key: value for key, value in (("aspectRatio", aspect_ratio), ("imageSize", image_size)) if value}
    body = generate(serve(), IMAGE, user("a red cat", generationConfig={"imageConfig": image_config})).json()
    text, picture = body["candidates"][0]["content"]["parts"]
    assert text == {"text": "Here is the image."} and picture["inlineData"]["mimeType"] == "image/png"
    width, height = png_dimensions(base64.b64decode(picture["inlineData"]["data"]))
    assert width * ratio[1] == height * ratio[0]
    assert 32 * scale < max(width, height) <= 64 * scale


def test_image_models_stream_in_full_profile(serve: Serve) -> None:
    chunks = sse_chunks(stream(serve(), IMAGE, user("a cat")))
    assert "inlineData" in chunks[-1]["candidates"][0]["content"]["parts"][0]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"


def test_count_tokens_is_not_a_generation(serve: Serve) -> None:
    client = serve()
    direct = client.post(f"/v1beta/models/{TEXT}:countTokens", json=user("one two three"))
    wrapped = client.post(f"/v1beta/models/{TEXT}:countTokens", json={"generateContentRequest": user("one two three")})
    assert direct.json() == wrapped.json() == {"totalTokens": 3}


def test_embeddings(serve: Serve) -> None:
    client = serve()
    content = {"content": {"parts": [{"text": "a"}]}}
    single = client.post(f"/v1beta/models/{EMBEDDING}:embedContent", json=content).json()
    assert len(single["embedding"]["values"]) == 8
    requests = [{"model": f"models/{EMBEDDING}", "content": {"parts": [{"text": word}]}} for word in ("a", "b", "c")]
    requests[1]["outputDimensionality"] = 4
    batch = client.post(f"/v1beta/models/{EMBEDDING}:batchEmbedContents", json={"requests": requests}).json()
    assert [len(item["values"]) for item in batch["embeddings"]] == [8, 4, 8]
    assert batch["embeddings"][0]["values"] == single["embedding"]["values"]


def test_models_list_and_get(serve: Serve) -> None:
    client = serve()
    listing = client.get("/v1beta/models").json()
    assert set(listing) == {"models"}
    names = {model["name"] for model in listing["models"]}
    assert names == {f"models/{TEXT}", f"models/{IMAGE}", f"models/{EMBEDDING}"}
    assert all(model["supportedGenerationMethods"] for model in listing["models"])
    assert client.get(f"/v1beta/models/{TEXT}").json()["baseModelId"] == TEXT
    assert client.get("/v1beta/models/gemini-2.5-pro").status_code == 404  # another profile's model


def test_thinking_suffixes_in_nebula(serve: Serve) -> None:
    client = serve("nebula")
    no_thinking = generate(client, "gemini-2.5-pro-nothinking").json()
    assert "thoughtsTokenCount" not in no_thinking["usageMetadata"]
    assert generate(client, "gemini-2.5-pro-thinking-4").json()["usageMetadata"]["thoughtsTokenCount"] == 4
    assert generate(serve(), "gemini-2.5-flash-nothinking").status_code == 404  # full has no aliases


# --- Faults ----------------------------------------------------------------------------------------
# One probe per fault: it passes against a gateway with the fault and fails (AssertionError) against
# a clean gateway of the same profile.

FAULT_PROBES: dict[str, Callable[[httpx.Client], None]] = {}
QUICK = httpx.Timeout(5, read=0.3)  # stalls are detected by a short read timeout


def probe(name: str) -> Callable[[Callable[[httpx.Client], None]], Callable[[httpx.Client], None]]:
    def register(function: Callable[[httpx.Client], None]) -> Callable[[httpx.Client], None]:
        FAULT_PROBES[name] = function
        return function

    return register


def stalls(send: Callable[[], httpx.Response]) -> bool:
    try:
        send()
    except httpx.ReadTimeout:
        return True
    return False


def all_parts(chunks: list[dict]) -> list[dict]:
    return [part for chunk in chunks for part in chunk["candidates"][0]["content"]["parts"]]


@probe("rejects_x_goog_api_key")
def _(c: httpx.Client) -> None:
    assert generate(c, headers={**NO_KEY, "x-goog-api-key": KEY}).status_code == 401


@probe("accepts_missing_key")
def _(c: httpx.Client) -> None:
    assert generate(c, headers=NO_KEY).status_code == 200


@probe("accepts_any_key")
def _(c: httpx.Client) -> None:
    assert generate(c, headers={"authorization": "Bearer whatever"}).status_code == 200


@probe("echoes_key_in_auth_error")
def _(c: httpx.Client) -> None:
    response = generate(c, headers={"authorization": "Bearer sk-wrong-999"})
    assert response.status_code == 401 and "sk-wrong-999" in response.text


@probe("wrong_key_as_plain_bad_request")
def _(c: httpx.Client) -> None:
    response = generate(c, headers={"authorization": "Bearer sk-wrong-999"})
    assert response.status_code == 400 and "details" not in error_of(response)


@probe("empty_success_body")
def _(c: httpx.Client) -> None:
    response = generate(c)
    assert response.status_code == 200 and response.json() == {}


@probe("candidate_index_as_string")
def _(c: httpx.Client) -> None:
    assert generate(c).json()["candidates"][0]["index"] == "0"
    assert all(chunk["candidates"][0]["index"] == "0" for chunk in sse_chunks(stream(c)))


@probe("role_assistant")
def _(c: httpx.Client) -> None:
    assert generate(c).json()["candidates"][0]["content"]["role"] == "assistant"


@probe("finish_reason_omitted")
def _(c: httpx.Client) -> None:
    assert "finishReason" not in generate(c).json()["candidates"][0]


@probe("usage_omitted")
def _(c: httpx.Client) -> None:
    assert "usageMetadata" not in generate(c).json()


@probe("total_tokens_miscounted")
def _(c: httpx.Client) -> None:
    usage = generate(c).json()["usageMetadata"]
    parts = usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    assert usage["totalTokenCount"] == parts + 7


@probe("generate_content_type_text_plain")
def _(c: httpx.Client) -> None:
    response = generate(c)
    assert response.headers["content-type"].startswith("text/plain") and "candidates" in response.json()


@probe("stream_content_type_json")
def _(c: httpx.Client) -> None:
    assert stream(c).headers["content-type"].startswith("application/json")


@probe("done_sentinel")
def _(c: httpx.Client) -> None:
    assert stream(c).content.endswith(b"data: [DONE]\r\n\r\n")


@probe("keepalive_comments")
def _(c: httpx.Client) -> None:
    assert stream(c).content.count(b": keep-alive\r\n") == 3


@probe("data_without_space")
def _(c: httpx.Client) -> None:
    assert stream(c).content.startswith(b"data:{")


@probe("stream_usage_deltas")
def _(c: httpx.Client) -> None:
    usages = [chunk["usageMetadata"] for chunk in sse_chunks(stream(c))]
    assert [usage["candidatesTokenCount"] for usage in usages] == [2, 2, 1]
    assert ["promptTokenCount" in usage for usage in usages] == [True, False, False]


@probe("stream_final_finish_reason_dropped")
def _(c: httpx.Client) -> None:
    assert not any("finishReason" in chunk["candidates"][0] for chunk in sse_chunks(stream(c)))


@probe("stream_usage_only_on_first_chunk")
def _(c: httpx.Client) -> None:
    assert ["usageMetadata" in chunk for chunk in sse_chunks(stream(c))] == [True, False, False]


@probe("buffered_stream")
def _(c: httpx.Client) -> None:
    started = time.monotonic()
    body = user("one two three four five six seven eight nine ten")  # 5 events, 4 pauses of 15 ms
    with c.stream("POST", f"/v1beta/models/{TEXT}:streamGenerateContent?alt=sse", json=body) as response:
        pieces = response.iter_raw()
        first = next(pieces)
        waited = time.monotonic() - started
        rest = list(pieces)
    assert first.count(b"data: ") == 5 and not rest and waited >= 0.05


@probe("event_field_lines")
def _(c: httpx.Client) -> None:
    assert stream(c).content.startswith(b"event: message\r\ndata: {")


@probe("json_split_across_data_lines")
def _(c: httpx.Client) -> None:
    assert b',\r\ndata: "usageMetadata"' in stream(c).content


@probe("nan_in_opening_chunk")
def _(c: httpx.Client) -> None:
    assert b'"avgLogprobs":NaN' in stream(c).content.split(b"\r\n\r\n")[0]


@probe("no_blank_line_after_last_event")
def _(c: httpx.Client) -> None:
    content = stream(c).content
    assert content.endswith(b"}") and b"\r\n\r\ndata: " in content


@probe("sse_error_before_first_byte")
def _(c: httpx.Client) -> None:
    response = stream(c, "no-such-model")
    assert response.status_code == 200 and response.content.startswith(b'data: {"error":{"code":404')


@probe("openai_error_event_mid_stream")
def _(c: httpx.Client) -> None:
    error = sse_chunks(stream(c, body=user(f"{PROMPT} {UPSTREAM_FAILURE}")))[-1]["error"]
    assert error.get("type") == "invalid_request_error" and error.get("code") == "unavailable"


@probe("sse_body_as_json_array")
def _(c: httpx.Client) -> None:
    response = stream(c)
    assert response.headers["content-type"] == "text/event-stream" and response.content.startswith(b"[{")


@probe("json_array_ignored_without_alt")
def _(c: httpx.Client) -> None:
    assert stream(c, sse=False).content.startswith(b"data: {")


@probe("response_id_changes_per_chunk")
def _(c: httpx.Client) -> None:
    assert len({chunk["responseId"] for chunk in sse_chunks(stream(c))}) == 3


@probe("stream_ids_dropped")
def _(c: httpx.Client) -> None:
    assert not any({"responseId", "modelVersion"} & set(chunk) for chunk in sse_chunks(stream(c)))


@probe("cumulative_text_chunks")
def _(c: httpx.Client) -> None:
    assert [texts(chunk) for chunk in sse_chunks(stream(c))] == ["Count from", "Count from 1 to", "Count from 1 to 20"]


@probe("generate_returns_array")
def _(c: httpx.Client) -> None:
    assert isinstance(generate(c).json(), list)


@probe("snake_case_response_keys")
def _(c: httpx.Client) -> None:
    assert {"usage_metadata", "model_version", "response_id"} <= set(generate(c).json())
    assert {"usage_metadata", "model_version", "response_id"} <= set(sse_chunks(stream(c))[0])


@probe("success_status_201")
def _(c: httpx.Client) -> None:
    assert generate(c).status_code == 201


@probe("ignores_snake_case_fields")
def _(c: httpx.Client) -> None:
    body = user(PROMPT, generation_config={"max_output_tokens": 1})
    assert generate(c, body=body).json()["candidates"][0]["finishReason"] == "STOP"


@probe("drops_snake_case_system_instruction")
def _(c: httpx.Client) -> None:
    with_instruction = user(PROMPT, system_instruction={"parts": [{"text": "be brief"}]})
    counts = [generate(c, body=body).json()["usageMetadata"]["promptTokenCount"] for body in (user(PROMPT), with_instruction)]
    assert counts[0] == counts[1]


@probe("rejects_float_top_k")
def _(c: httpx.Client) -> None:
    assert generate(c, body=user(PROMPT, generationConfig={"topK": 40.0})).status_code == 400


@probe("image_mime_mismatch")
def _(c: httpx.Client) -> None:
    data = generate(c, IMAGE, user("a cat")).json()["candidates"][0]["content"]["parts"][1]["inlineData"]
    assert data["mimeType"] == "image/jpeg" and base64.b64decode(data["data"]).startswith(b"\x89PNG")


@probe("image_stream_not_rejected")
def _(c: httpx.Client) -> None:
    assert stream(c, IMAGE, user("a cat")).status_code == 200


@probe("stream_gathered_into_one_event")
def _(c: httpx.Client) -> None:
    chunks = sse_chunks(stream(c, body=user("one two three four five six seven eight nine ten")))
    assert len(chunks) == 1 and texts(chunks[0]) == "one two three four five six seven eight nine ten"
    assert chunks[0]["candidates"][0]["finishReason"] == "STOP"


@probe("image_part_dropped")
def _(c: httpx.Client) -> None:
    body = generate(c, IMAGE, user("a cat")).json()
    assert not any("inlineData" in part for part in body["candidates"][0]["content"]["parts"])
    assert any(d["modality"] == "IMAGE" for d in body["usageMetadata"]["candidatesTokensDetails"])


@probe("image_stream_drops_inline_data")
def _(c: httpx.Client) -> None:
    assert not any("inlineData" in part for part in all_parts(sse_chunks(stream(c, IMAGE, user("a cat")))))


@probe("unknown_route_html_200")
def _(c: httpx.Client) -> None:
    for response in (c.get("/v1beta/tunedModels"), c.post(f"/v1beta/models/{TEXT}:predict", json={})):
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")


@probe("count_tokens_runs_generation")
def _(c: httpx.Client) -> None:
    assert "candidates" in c.post(f"/v1beta/models/{TEXT}:countTokens", json=user("hi")).json()


@probe("embeddings_openai_shape")
def _(c: httpx.Client) -> None:
    body = c.post(f"/v1beta/models/{EMBEDDING}:embedContent", json={"content": {"parts": [{"text": "a"}]}}).json()
    assert body.get("object") == "list" and body["data"][0]["object"] == "embedding"


@probe("models_openai_shape")
def _(c: httpx.Client) -> None:
    assert c.get("/v1beta/models").json().get("object") == "list"
    assert c.get(f"/v1beta/models/{TEXT}").json() == {"id": TEXT, "object": "model"}


@probe("openai_error_shape")
def _(c: httpx.Client) -> None:
    response = generate(c, "nope")
    error = response.json()["error"]
    assert response.status_code == 404 and error.get("type") == "invalid_request_error"
    assert isinstance(error["code"], str) and "status" not in error


@probe("error_code_500")
def _(c: httpx.Client) -> None:
    response = generate(c, "nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == 500


@probe("auth_error_status_invalid_argument")
def _(c: httpx.Client) -> None:
    response = generate(c, headers=NO_KEY)
    assert response.status_code == 401 and response.json()["error"]["status"] == "INVALID_ARGUMENT"


@probe("errors_as_text_plain")
def _(c: httpx.Client) -> None:
    response = generate(c, "nope")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/plain")
    assert response.json()["error"]["status"] == "NOT_FOUND"


@probe("unknown_model_400")
def _(c: httpx.Client) -> None:
    assert generate(c, "nope").status_code == 400


@probe("missing_contents_500")
def _(c: httpx.Client) -> None:
    assert generate(c, body={"generationConfig": {}}).status_code == 500


@probe("stream_missing_contents_500")
def _(c: httpx.Client) -> None:
    assert stream(c, body={"generationConfig": {}}).status_code == 500
    assert generate(c, body={"generationConfig": {}}).status_code == 400  # only the stream's handler crashes


@probe("count_tokens_any_model")
def _(c: httpx.Client) -> None:
    response = c.post("/v1beta/models/nope:countTokens", json=user(PROMPT))
    assert response.status_code == 200 and response.json()["totalTokens"] > 0
    assert generate(c, "nope").status_code == 404


@probe("parses_body_before_key")
def _(c: httpx.Client) -> None:
    assert c.post(f"/v1beta/models/{TEXT}:generateContent", content=b"{nope", headers=NO_KEY).status_code == 400
    assert generate(c, headers=NO_KEY).status_code == 401  # a valid body without a key is still refused


@probe("parses_text_as_function_call")
def _(c: httpx.Client) -> None:
    parts = generate(c, body=user("Reply with exactly lookup_order(42) and nothing else.")).json()["candidates"][0]["content"]["parts"]
    assert parts == [{"functionCall": {"name": "lookup_order", "args": {"input": "42"}}}]


@probe("json_mode_unasked")
def _(c: httpx.Client) -> None:
    text = generate(c, body=user(PROMPT) | {"generationConfig": {}}).json()["candidates"][0]["content"]["parts"][0]["text"]
    assert text.startswith("\"") and isinstance(json.loads(text), str)


@probe("routes_by_model_prefix")
def _(c: httpx.Client) -> None:
    parts = generate(c).json()["candidates"][0]["content"]["parts"]
    assert any(part.get("inlineData", {}).get("mimeType") == "image/png" for part in parts)


@probe("malformed_json_500")
def _(c: httpx.Client) -> None:
    assert c.post(f"/v1beta/models/{TEXT}:generateContent", content=b"{nope").status_code == 500


@probe("bad_role_accepted")
def _(c: httpx.Client) -> None:
    assert generate(c, body={"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}).status_code == 200


@probe("stall_generate")
def _(c: httpx.Client) -> None:
    assert stalls(lambda: generate(c, timeout=QUICK))
    assert stream(c).status_code == 200 and generate(c, IMAGE, user("a cat")).status_code == 200


@probe("stall_stream")
def _(c: httpx.Client) -> None:
    path = f"/v1beta/models/{TEXT}:streamGenerateContent?alt=sse"
    assert stalls(lambda: c.post(path, json=user("hi"), timeout=QUICK))
    assert generate(c).status_code == 200


@probe("stall_image_generation")
def _(c: httpx.Client) -> None:
    assert stalls(lambda: generate(c, IMAGE, user("a cat"), timeout=QUICK))
    assert generate(c).status_code == 200


# --- Probes: generation config, tools, thinking, multimodal input and images -------------------

CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
TOOLS = [{"functionDeclarations": [{"name": "get_weather", "parameters": CITY}, {"name": "get_time", "parameters": CITY}]}]
NO_THINKING = {"thinkingConfig": {"thinkingBudget": 0}}


def calls(body: dict) -> list[dict]:
    return [part for part in body["candidates"][0]["content"]["parts"] if "functionCall" in part]


def answered_call(c: httpx.Client, config: dict, model: str = TEXT) -> httpx.Response:
    """A call, then its result sent back in the history."""
    ask = user("Call get_weather for Paris.", tools=TOOLS, generationConfig=config)
    turn = generate(c, model, ask).json()["candidates"][0]["content"]
    result = {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"forecast": "sunny"}}}]}
    return generate(c, model, ask | {"contents": [*ask["contents"], turn, result]})


def oversize(c: httpx.Client, megabytes: int) -> httpx.Response:
    blob = {"inlineData": {"mimeType": "image/png", "data": "A" * (megabytes * 2**20)}}
    body = {"contents": [{"parts": [{"text": "hi"}, blob]}]}
    return c.post("/v1beta/models/gemini-3.5-flash:generateContent", content=json.dumps(body), timeout=30)


def image_size(c: httpx.Client, model: str = IMAGE, **image_config: str) -> tuple[int, int]:
    body = user("a cat", generationConfig={"imageConfig": image_config})
    picture = generate(c, model, body).json()["candidates"][0]["content"]["parts"][1]
    return png_dimensions(base64.b64decode(picture["inlineData"]["data"]))


@probe("ignores_max_output_tokens")
def _(c: httpx.Client) -> None:
    assert texts(generate(c, body=user(PROMPT, generationConfig={"maxOutputTokens": 2})).json()) == PROMPT


@probe("max_tokens_reported_as_stop")
def _(c: httpx.Client) -> None:
    capped = generate(c, body=user(PROMPT, generationConfig={"maxOutputTokens": 2})).json()
    assert texts(capped) == "Count from" and capped["candidates"][0]["finishReason"] == "STOP"


@probe("ignores_stop_sequences")
def _(c: httpx.Client) -> None:
    assert texts(generate(c, body=user(PROMPT, generationConfig={"stopSequences": ["to"]})).json()) == PROMPT


@probe("json_mode_ignored")
def _(c: httpx.Client) -> None:
    config = {"responseMimeType": "application/json", "responseJsonSchema": {"type": "object"}}
    assert texts(generate(c, body=user(PROMPT, generationConfig=config)).json()) == PROMPT


@probe("drops_system_instruction")
def _(c: httpx.Client) -> None:
    body = user("hi", systemInstruction={"parts": [{"text": "be brief"}]})
    assert generate(c, body=body).json()["usageMetadata"]["promptTokenCount"] == 1


@probe("args_as_json_string")
def _(c: httpx.Client) -> None:
    call = calls(generate(c, body=user("Call get_weather for Paris.", tools=TOOLS)).json())[0]["functionCall"]
    assert isinstance(call["args"], str) and json.loads(call["args"]) == {"city": "Paris"}


@probe("args_wrapped_in_arguments")
def _(c: httpx.Client) -> None:
    call = calls(generate(c, body=user("Call get_weather for Paris.", tools=TOOLS)).json())[0]["functionCall"]
    assert set(call["args"]) == {"arguments"} and json.loads(call["args"]["arguments"]) == {"city": "Paris"}


@probe("keeps_only_first_function_call")
def _(c: httpx.Client) -> None:
    assert len(calls(generate(c, body=user("Call get_weather and get_time for Paris.", tools=TOOLS)).json())) == 1


@probe("function_call_ids_collide")
def _(c: httpx.Client) -> None:
    body = generate(c, body=user("Call get_weather and get_time for Paris.", tools=TOOLS)).json()
    assert [part["functionCall"]["id"] for part in calls(body)] == ["call_0", "call_0"]


@probe("function_response_as_string")
def _(c: httpx.Client) -> None:
    assert answered_call(c, NO_THINKING).status_code == 400


@probe("ignores_tool_config")
def _(c: httpx.Client) -> None:
    body = user("Call get_weather for Paris.", tools=TOOLS, toolConfig={"functionCallingConfig": {"mode": "NONE"}})
    assert calls(generate(c, body=body).json())


@probe("strips_thought_signature")
def _(c: httpx.Client) -> None:
    body = generate(c, "gemini-3.5-flash", user("Call get_weather for Paris.", tools=TOOLS)).json()
    assert "thoughtSignature" not in calls(body)[0]
    assert answered_call(c, {}, "gemini-3.5-flash").status_code == 400


@probe("rejects_thought_signature_in_history")
def _(c: httpx.Client) -> None:
    assert answered_call(c, {}).status_code == 400


@probe("thoughts_despite_zero_budget")
def _(c: httpx.Client) -> None:
    assert generate(c, body=user("hi", generationConfig=NO_THINKING)).json()["usageMetadata"].get("thoughtsTokenCount") == 8


@probe("thoughts_unasked")
def _(c: httpx.Client) -> None:
    parts = generate(c, body=user("hi", generationConfig={"thinkingConfig": {"thinkingBudget": -1}})).json()["candidates"][0]["content"]["parts"]
    assert parts[0].get("thought") is True


@probe("thoughts_not_flagged")
def _(c: httpx.Client) -> None:
    config = {"thinkingConfig": {"includeThoughts": True}}
    assert generate(c, body=user("hi", generationConfig=config)).json()["candidates"][0]["content"]["parts"][0] == {
        "text": "Let me think about this step by step"
    }


@probe("total_excludes_thoughts")
def _(c: httpx.Client) -> None:
    usage = generate(c, body=user("hi")).json()["usageMetadata"]
    assert usage["thoughtsTokenCount"] and usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"]


@probe("rejects_thinking_level")
def _(c: httpx.Client) -> None:
    assert generate(c, body=user("hi", generationConfig={"thinkingConfig": {"thinkingLevel": "LOW"}})).status_code == 400


@probe("rejects_budget_minus_one")
def _(c: httpx.Client) -> None:
    assert generate(c, body=user("hi", generationConfig={"thinkingConfig": {"thinkingBudget": -1}})).status_code == 400


@probe("suffix_not_applied")
def _(c: httpx.Client) -> None:
    assert generate(c, "gemini-2.5-pro-nothinking").json()["usageMetadata"].get("thoughtsTokenCount") == 8


@probe("drops_snake_case_inline_data")
def _(c: httpx.Client) -> None:
    image = {"inline_data": {"mime_type": "image/png", "data": "AAAA"}}
    body = {"contents": [{"parts": [{"text": "one two"}, image]}], "generationConfig": NO_THINKING}
    assert generate(c, body=body).json()["usageMetadata"]["promptTokenCount"] == 2


@probe("inline_limit_below_documented")
def _(c: httpx.Client) -> None:
    assert oversize(c, 21).status_code == 400


@probe("oversize_body_500")
def _(c: httpx.Client) -> None:
    assert oversize(c, 31).status_code == 500


@probe("oversize_body_resets_connection")
def _(c: httpx.Client) -> None:
    try:
        response = oversize(c, 31)
    except httpx.TransportError:
        return
    raise AssertionError(f"answered HTTP {response.status_code} instead of dropping the connection")


@probe("truncates_large_image")
def _(c: httpx.Client) -> None:
    picture = generate(c, IMAGE, user("a cat")).json()["candidates"][0]["content"]["parts"][1]
    assert len(picture["inlineData"]["data"]) == 2**20


@probe("ignores_aspect_ratio")
def _(c: httpx.Client) -> None:
    assert image_size(c, aspectRatio="16:9") == (64, 64)


@probe("ignores_image_size")
def _(c: httpx.Client) -> None:
    assert image_size(c, imageSize="2K") == (64, 64)


@probe("size_variant_served_as_base")
def _(c: httpx.Client) -> None:
    assert image_size(c, "gemini-3-pro-image-preview-2k") == (64, 64)


@probe("drops_text_part_with_image")
def _(c: httpx.Client) -> None:
    assert [set(part) for part in generate(c, IMAGE, user("a cat")).json()["candidates"][0]["content"]["parts"]] == [{"inlineData"}]


# Declared actions, API versions, the OpenAI image bridge, semantic smoke.
LIMITED = "limited-key-456"  # the rate-limited key of the gateways the rate-limit probes run on
PROBE_OPTIONS = {name: {"rate_limited_key": LIMITED} for name in ("rate_limit_as_500", "rate_limit_without_retry_info")}


def embeddings(c: httpx.Client, *texts: str) -> list[list[float]]:
    body = {"requests": [{"model": f"models/{EMBEDDING}", "content": {"parts": [{"text": t}]}} for t in texts]}
    return [e["values"] for e in c.post(f"/v1beta/models/{EMBEDDING}:batchEmbedContents", json=body).json()["embeddings"]]


def bridge(c: httpx.Client, **change: object) -> httpx.Response:
    content = [{"type": "text", "text": "a cat"}]
    body = {"model": IMAGE, "messages": [{"role": "user", "content": content}], "aspect_ratio": "16:9", **change}
    return c.post("/v1/chat/completions", json=body)


@probe("count_tokens_zero")
def _(c: httpx.Client) -> None:
    assert c.post(f"/v1beta/models/{TEXT}:countTokens", json=user("one two three")).json() == {"totalTokens": 0}


@probe("count_tokens_rejects_generate_content_request")
def _(c: httpx.Client) -> None:
    assert c.post(f"/v1beta/models/{TEXT}:countTokens", json={"generateContentRequest": user("hi")}).status_code == 400


@probe("batch_embed_reversed")
def _(c: httpx.Client) -> None:
    assert embeddings(c, "a", "b")[0] == embeddings(c, "b")[0]


@probe("batch_embed_drops_last")
def _(c: httpx.Client) -> None:
    assert len(embeddings(c, "a", "b")) == 1


@probe("models_without_prefix")
def _(c: httpx.Client) -> None:
    assert not any(model["name"].startswith("models/") for model in c.get("/v1beta/models").json()["models"])


@probe("models_empty_next_page_token")
def _(c: httpx.Client) -> None:
    assert c.get("/v1beta/models").json().get("nextPageToken") == ""


@probe("models_missing_generation_methods")
def _(c: httpx.Client) -> None:
    assert not any("supportedGenerationMethods" in model for model in c.get("/v1beta/models").json()["models"])


@probe("get_model_wrong_name")
def _(c: httpx.Client) -> None:
    assert c.get(f"/v1beta/models/{TEXT}").json()["name"] == f"models/{TEXT}-001"


@probe("rate_limit_as_500")
def _(c: httpx.Client) -> None:
    assert generate(c, headers={"authorization": f"Bearer {LIMITED}"}).status_code == 500


@probe("rate_limit_without_retry_info")
def _(c: httpx.Client) -> None:
    response = generate(c, headers={"authorization": f"Bearer {LIMITED}"})
    assert response.status_code == 429 and "details" not in response.json()["error"]


@probe("v1_not_served")
def _(c: httpx.Client) -> None:
    assert c.post(f"/v1/models/{TEXT}:generateContent", json=user("hi")).status_code == 404
    assert generate(c).status_code == 200


@probe("v1_catch_all")
def _(c: httpx.Client) -> None:
    answer = c.post(f"/v1/models/{TEXT}:generateContent", json=user("hi"))
    assert answer.status_code == 200 and "candidates" not in answer.json()
    assert generate(c).status_code == 200


@probe("forgets_image_model")
def _(c: httpx.Client) -> None:
    unknown = generate(c, IMAGE)
    assert unknown.status_code == 404 and error_of(unknown)["status"] == "NOT_FOUND"
    assert generate(c).status_code == 200  # the text model is still served


@probe("files_openai_shape")  # profile google: it lists files, and reads no Bearer
def _(c: httpx.Client) -> None:
    assert "data" in c.get("/v1beta/files", headers={"x-goog-api-key": KEY}).json()


def test_googles_profile_lists_its_files_and_cached_contents_and_serves_no_more_of_them(serve: Serve) -> None:
    c, key = serve("google"), {"x-goog-api-key": KEY}
    assert [c.get(f"/v1beta/{resource}", headers=key).json() for resource in ("files", "cachedContents")] == [{}, {}]
    assert c.post("/v1beta/files", json={}, headers=key).status_code == 404
    assert c.get("/v1beta/cachedContents/abc", headers=key).status_code == 404


@probe("ignores_path_prefix")
def _(c: httpx.Client) -> None:
    assert c.post(f"/wrong/prefix/v1beta/models/{TEXT}:generateContent", json=user("hi")).status_code == 200


@probe("semantic_ignores_instruction")
def _(c: httpx.Client) -> None:
    assert texts(generate(c, body=user("Reply with exactly PONG")).json()) == "Reply with exactly PONG"


@probe("bridge_content_as_string")
def _(c: httpx.Client) -> None:
    content = bridge(c).json()["choices"][0]["message"]["content"]
    assert isinstance(content, str) and content.startswith("Here is the image.\n\n![image](data:image/png")


@probe("bridge_ignores_aspect_ratio")
def _(c: httpx.Client) -> None:
    content = bridge(c).json()["choices"][0]["message"]["content"]
    png = base64.b64decode(content[1]["image_url"]["url"].split(",", 1)[1])
    assert png_dimensions(png) == (64, 64)


@probe("bridge_remote_url_only")
def _(c: httpx.Client) -> None:
    picture = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    assert bridge(c, messages=[{"role": "user", "content": [picture]}]).status_code == 400


@probe("bridge_streams")
def _(c: httpx.Client) -> None:
    response = bridge(c, stream=True)
    assert response.status_code == 200 and response.text.endswith("data: [DONE]\n\n")


@probe("bridge_no_usage")
def _(c: httpx.Client) -> None:
    assert "usage" not in bridge(c).json()


def test_bridge_and_rate_limited_key_on_clean_gateways(serve: Serve) -> None:
    completion = bridge(serve("aione")).json()
    assert [part["type"] for part in completion["choices"][0]["message"]["content"]] == ["text", "image_url"]
    limited = generate(serve(rate_limited_key=LIMITED), headers={"authorization": f"Bearer {LIMITED}"})
    assert limited.status_code == 429 and error_of(limited)["status"] == "RESOURCE_EXHAUSTED"


def test_every_fault_has_a_probe_and_a_documented_bug() -> None:
    assert set(FAULT_PROBES) == set(FAULTS)
    for fault in FAULTS.values():
        assert fault.description and fault.breaks and fault.profile in PROFILES
    assert {name for name, fault in FAULTS.items() if fault.timeouts} == {
        "stall_generate",
        "stall_stream",
        "stall_image_generation",
    }


@pytest.mark.parametrize("name", FAULTS)
def test_fault_misbehaves_and_clean_gateway_does_not(serve: Serve, name: str) -> None:
    profile, options = FAULTS[name].profile, PROBE_OPTIONS.get(name, {})
    FAULT_PROBES[name](serve(profile, faults=(name,), **options))
    with pytest.raises(AssertionError):
        FAULT_PROBES[name](serve(profile, **options))


def test_faults_combine(serve: Serve) -> None:
    client = serve(faults=("done_sentinel", "keepalive_comments", "error_code_500", "unknown_model_400"))
    content = stream(client).content
    assert content.startswith(b": keep-alive") and content.endswith(b"data: [DONE]\r\n\r\n")
    response = generate(client, "nope")
    assert response.status_code == 400 and response.json()["error"]["code"] == 500
