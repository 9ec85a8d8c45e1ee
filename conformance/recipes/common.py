"""The recipes several rule areas read, and the requests every gateway must refuse.

A recipe only one area reads lives in the module of that area's name (``recipes/<area>.py``); the
bodies they send are built in ``recipes/bodies.py``, the one place to audit what a run costs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.client.exchange import Exchange
from conformance.client.http import NO_KEY, GeminiClient
from conformance.recipes import bodies
from conformance.recipes.engine import recipe
from conformance.targets import Target

UNKNOWN_MODEL = "gemini-conformance-no-such-model"
WRONG_KEY = "gc-wrong-key-0000000000000000"


# The actions that name a model, and those of them that generate: Google judges a request the same
# way on each (its recordings: countTokens and batchEmbedContents for an unknown model answer 404, as
# generateContent does), so each rejected request is sent to every one it fits that a target declares.
MODEL_ACTIONS = ("generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents")
GENERATING_ACTIONS = ("generateContent", "streamGenerateContent")
MALFORMED_JSON = b'{"contents": [{"parts": ['


def embedding_model(target: Target) -> str:
    return target.model("embedding") or target.model("text") or UNKNOWN_MODEL


def valid_request(target: Target, action: str, model: str | None = None) -> tuple[str, dict[str, Any]]:
    """The cheapest valid request of ``action`` (for ``model``, or the target's model for it): (model, body)."""
    if action in GENERATING_ACTIONS:
        return model or target.model("text") or UNKNOWN_MODEL, bodies.tiny_request(target)
    if action == "countTokens":
        return model or target.model("text") or UNKNOWN_MODEL, bodies.count_tokens_request()
    model = model or embedding_model(target)  # an embedding request names its model in the body too
    return model, bodies.embed_request(model) if action == "embedContent" else bodies.batch_embed_request(model)


def post(client: GeminiClient, action: str, model: str, body: Any = None, **how: Any) -> Exchange:
    """POST one of MODEL_ACTIONS (a stream as alt=sse): ``body`` as JSON, or ``raw_body`` as given."""
    query = {"alt": "sse"} if action == "streamGenerateContent" else None
    return client.action(model, action, body, query=query, **how)


def _missing_key(client: GeminiClient, target: Target, action: str) -> Exchange:
    return post(client, action, *valid_request(target, action), auth=NO_KEY)


def _keyless_malformed_json(client: GeminiClient, target: Target, action: str) -> Exchange:
    return post(client, action, valid_request(target, action)[0], raw_body=MALFORMED_JSON, auth=NO_KEY)


def _wrong_key(client: GeminiClient, target: Target, action: str) -> Exchange:
    return post(client, action, *valid_request(target, action), key=WRONG_KEY)


def _unknown_model(client: GeminiClient, target: Target, action: str) -> Exchange:
    return post(client, action, *valid_request(target, action, UNKNOWN_MODEL))


def _missing_contents(client: GeminiClient, target: Target, action: str) -> Exchange:
    model, body = valid_request(target, action)
    del body["contents"]
    return post(client, action, model, body)


def _malformed_json(client: GeminiClient, target: Target, action: str) -> Exchange:
    return post(client, action, valid_request(target, action)[0], raw_body=MALFORMED_JSON)


def _bad_role(client: GeminiClient, target: Target, action: str) -> Exchange:
    model, body = valid_request(target, action)
    body["contents"][0]["role"] = "assistant"
    return post(client, action, model, body)


@dataclass(frozen=True)
class Rejected:
    """A request a gateway must refuse, and the actions it is sent to (where the target declares them)."""

    send: Callable[[GeminiClient, Target, str], Exchange]
    actions: tuple[str, ...] = ("generateContent",)


# Requests a gateway must reject, by name. Each is cheap: rejected before any model runs.
REJECTED_REQUESTS: dict[str, Rejected] = {
    "missing_key": Rejected(_missing_key),
    "keyless_malformed_json": Rejected(_keyless_malformed_json),
    "wrong_key": Rejected(_wrong_key),
    "unknown_model": Rejected(_unknown_model, MODEL_ACTIONS),
    "missing_contents": Rejected(_missing_contents, GENERATING_ACTIONS),
    "malformed_json": Rejected(_malformed_json, MODEL_ACTIONS),
    "bad_role": Rejected(_bad_role, GENERATING_ACTIONS),
}
# Every (case, action) a rejection is judged for.
REJECTIONS = tuple((case, action) for case, rejected in REJECTED_REQUESTS.items() for action in rejected.actions)


FIRST_MODEL_PAGE_SIZE = 2
MODEL_PAGE_SIZE = 100
MAX_MODEL_PAGES = 20


def next_page_token(page: Exchange) -> str | None:
    """The page's nextPageToken as sent ("" included), None when absent or unreadable."""
    body = page.json if page.status == 200 and page.is_json else None
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return token if isinstance(token, str) else None


# Every action the suite knows, each as its cheapest valid request. The first five are ones a target
# may declare; the rest are Google endpoints no seed gateway offers, probed to see how they're refused.
ACTION_REQUESTS: dict[str, Callable[[GeminiClient, Target], Exchange]] = {
    **{
        action: lambda c, t, action=action: post(c, action, *valid_request(t, action))
        for action in ("countTokens", "embedContent", "batchEmbedContents")
    },
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


def rejected_answer(client, target, case, sent_to):
    """The answer to one of REJECTED_REQUESTS, sent to one of its actions: cheap, refused before any model runs."""
    return REJECTED_REQUESTS[case].send(client, target, sent_to)


rejection = recipe(rejected_answer, name="rejection")  # the case and action are the reading check's parameters
missing_key_rejection = recipe(rejected_answer, name="missing_key_rejection", case="missing_key", sent_to="generateContent")
keyless_malformed_json_rejection = recipe(
    rejected_answer, name="keyless_malformed_json_rejection", case="keyless_malformed_json", sent_to="generateContent"
)
wrong_key_rejection = recipe(rejected_answer, name="wrong_key_rejection", case="wrong_key", sent_to="generateContent")
# The action is the reading check's parameter.
unknown_model_rejection = recipe(rejected_answer, name="unknown_model_rejection", case="unknown_model")
missing_contents_rejection = recipe(rejected_answer, name="missing_contents_rejection", case="missing_contents")
malformed_json_rejection = recipe(rejected_answer, name="malformed_json_rejection", case="malformed_json")
bad_role_rejection = recipe(rejected_answer, name="bad_role_rejection", case="bad_role")
