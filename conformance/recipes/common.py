"""The recipes several rule areas read, and the requests every gateway must refuse.

A recipe only one area reads lives in the module of that area's name (``recipes/<area>.py``); the
bodies they send are built in ``recipes/bodies.py``, the one place to audit what a run costs.
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.client.exchange import Exchange
from conformance.client.http import NO_KEY, GeminiClient
from conformance.recipes import bodies
from conformance.recipes.engine import recipe
from conformance.targets import Target

UNKNOWN_MODEL = "gemini-conformance-no-such-model"
WRONG_KEY = "gc-wrong-key-0000000000000000"


def _missing_key(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(target.model("text"), bodies.tiny_request(target), auth=NO_KEY)


def _wrong_key(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(target.model("text"), bodies.tiny_request(target), key=WRONG_KEY)


def _unknown_model(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(UNKNOWN_MODEL, bodies.tiny_request(target))


def _missing_contents(client: GeminiClient, target: Target) -> Exchange:
    body = bodies.tiny_request(target)
    del body["contents"]
    return client.generate(target.model("text"), body)


def _malformed_json(client: GeminiClient, target: Target) -> Exchange:
    return client.action(target.model("text"), "generateContent", raw_body=b'{"contents": [{"parts": [')


def _bad_role(client: GeminiClient, target: Target) -> Exchange:
    body = bodies.tiny_request(target)
    body["contents"][0]["role"] = "assistant"
    return client.generate(target.model("text"), body)


# Requests a gateway must reject, by name. Each is cheap: rejected before any model runs.
REJECTED_REQUESTS: dict[str, Callable[[GeminiClient, Target], Exchange]] = {
    "missing_key": _missing_key,
    "wrong_key": _wrong_key,
    "unknown_model": _unknown_model,
    "missing_contents": _missing_contents,
    "malformed_json": _malformed_json,
    "bad_role": _bad_role,
}


FIRST_MODEL_PAGE_SIZE = 2
MODEL_PAGE_SIZE = 100
MAX_MODEL_PAGES = 20


def next_page_token(page: Exchange) -> str | None:
    """The page's nextPageToken as sent ("" included), None when absent or unreadable."""
    body = page.json if page.status == 200 and page.is_json else None
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return token if isinstance(token, str) else None


def embedding_model(target: Target) -> str:
    return target.model("embedding") or target.model("text") or UNKNOWN_MODEL


# Every action the suite knows, each as its cheapest valid request. The first five are ones a target
# may declare; the rest are Google endpoints no seed gateway offers, probed to see how they're refused.
ACTION_REQUESTS: dict[str, Callable[[GeminiClient, Target], Exchange]] = {
    "countTokens": lambda c, t: c.action(t.model("text"), "countTokens", bodies.count_tokens_request()),
    "embedContent": lambda c, t: c.action(embedding_model(t), "embedContent", bodies.embed_request(embedding_model(t))),
    "batchEmbedContents": lambda c, t: c.action(
        embedding_model(t), "batchEmbedContents", bodies.batch_embed_request(embedding_model(t))
    ),
    "listModels": lambda c, t: c.get("models"),
    "getModel": lambda c, t: c.get(f"models/{t.model('text')}"),
    "predict": lambda c, t: c.action(t.model("text"), "predict", {"instances": [{"prompt": "a red square"}]}),
    "batchGenerateContent": lambda c, t: c.action(
        t.model("text"), "batchGenerateContent", {"batch": {"input_config": {"requests": {"requests": []}}}}
    ),
    "files": lambda c, t: c.get("files"),
    "cachedContents": lambda c, t: c.get("cachedContents"),
}


@recipe
def text_response(client, target):
    """One generateContent on the text model."""
    return client.generate(target.model("text"), bodies.text_request(target))


@recipe
def text_stream(client, target):
    """One streamGenerateContent?alt=sse on the text model, for an answer long enough to need several events."""
    return client.stream(target.model("text"), bodies.stream_request(target))


@recipe
def tiny_response(client, target):
    """One tiny generateContent: the promptTokenCount that variants of it (a systemInstruction, an
    inline image) must raise."""
    return client.generate(target.model("text"), bodies.tiny_request(target))


@recipe
def function_call_response(client, target):
    """One generateContent asking for a get_weather call with get_weather declared: a functionCall."""
    return client.generate(target.model("text"), bodies.function_call_request(target))


@recipe
def image_response(client, target):
    return client.generate(target.model("image"), bodies.image_request())


@recipe
def image_stream(client, target):
    return client.stream(target.model("image"), bodies.image_request())


@recipe
def bridge_image(client, target):
    """One image generation through the OpenAI-compatible bridge (AIone seed 001)."""
    return client.chat_completions(bodies.bridge_image_request(target.model("image") or UNKNOWN_MODEL))


@recipe
def model_pages(client):
    """GET models page by page until a page has no nextPageToken, a token repeats, or MAX_MODEL_PAGES
    pages. The first page is small, so even a short list is paginated; the rest are large, so a long
    one (Google lists 50+ models) takes few requests."""
    pages = []
    token: str | None = None
    while len(pages) < MAX_MODEL_PAGES:
        size = MODEL_PAGE_SIZE if token else FIRST_MODEL_PAGE_SIZE
        query = {"pageSize": str(size), **({"pageToken": token} if token else {})}
        pages.append(client.get("models", query=query))
        previous, token = token, next_page_token(pages[-1])
        if not token or token == previous:
            break
    return pages


def _rejected(client, target, case):
    """The answer to one of REJECTED_REQUESTS: cheap, refused before any model runs."""
    return REJECTED_REQUESTS[case](client, target)


rejection = recipe(_rejected, name="rejection")  # the case is the reading check's parameter
missing_key_rejection = recipe(_rejected, name="missing_key_rejection", case="missing_key")
wrong_key_rejection = recipe(_rejected, name="wrong_key_rejection", case="wrong_key")
unknown_model_rejection = recipe(_rejected, name="unknown_model_rejection", case="unknown_model")
missing_contents_rejection = recipe(_rejected, name="missing_contents_rejection", case="missing_contents")
malformed_json_rejection = recipe(_rejected, name="malformed_json_rejection", case="malformed_json")
bad_role_rejection = recipe(_rejected, name="bad_role_rejection", case="bad_role")
