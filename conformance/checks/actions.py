"""Declared actions in depth: countTokens, embeddings, the model list, unknown paths and rate limits.

ACT-01 countTokens with {contents} counts the prompt (totalTokens > 0) and is not run as a generation
ACT-02 countTokens with {generateContentRequest} counts it too
ACT-03 batchEmbedContents of N texts returns N embeddings
ACT-04 ... in request order (each matches its text's single embedding)
ACT-05 every listed model is named models/{id} and has supportedGenerationMethods
ACT-06 the list (all pages) includes the models the target declares
ACT-07 pagination ends: nextPageToken is never "" and never repeats
ACT-08 GET models/{id} answers a Model named models/{id}
ACT-09 GET models/{unknown} is a 404 NOT_FOUND
ACT-10 an unknown path under the base URL is a JSON 404, never a 200 page (SHOULD)
ACT-11 a rate-limited request is 429 RESOURCE_EXHAUSTED in Google's envelope
ACT-12 a 429 carries RetryInfo (SHOULD)
"""

from __future__ import annotations

import math

import pytest

from conformance import expect
from conformance.google_rpc import RETRY_INFO
from conformance.outcomes import blocked
from conformance.recipes import bodies
from conformance.recipes.actions import (
    batch_embedding,
    contents_token_count,
    rate_limited_answer,
    request_token_count,
    single_embeddings,
    text_model_info,
    unknown_model_info,
    unknown_path_answer,
)
from conformance.recipes.common import MODEL_PAGE_SIZE, model_pages, next_page_token
from conformance.rules import MUST, SHOULD, Needs, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API, NEBULA, TOKENSMART

COUNT_TOKENS = Needs(actions=("countTokens",), models=("text",))
BATCH_EMBED = Needs(actions=("batchEmbedContents",))
LIST_MODELS = Needs(actions=("listModels",))
GET_MODEL = Needs(actions=("getModel",), models=("text",))
TEXT_MODEL = Needs(models=("text",))


def _counted(exchange) -> int:
    """The exchange is a CountTokensResponse (not a generation); returns totalTokens."""
    expect.status_ok(exchange)
    body = expect.body_matches_schema(exchange, "count_tokens_response")
    if "candidates" in body:
        raise expect.fail(
            "countTokens answered with candidates: the request was run as a generation (and billed)",
            exchange, path="$.candidates", expected="{totalTokens} only", actual="a GenerateContentResponse",
        )
    if body["totalTokens"] <= 0:
        raise expect.fail(
            f"totalTokens is {body['totalTokens']} for a prompt of {len(bodies.COUNTING_PROMPT.split())} words: the count is hard-coded",
            exchange, path="$.totalTokens", expected="> 0", actual=body["totalTokens"],
        )
    return body["totalTokens"]


@rule(
    "ACT-01",
    MUST,
    "countTokens with {contents} answers {totalTokens} counting the prompt (> 0), not a generation",
    source=(GEMINI_API.at("§4 CountTokens; §9 rule 30"), GATEWAY_BUGS.at("§4 Request fields: new-api#7283, Antigravity-Manager#3294; §6 F21")),
    needs=COUNT_TOKENS,
    reads=contents_token_count,
)
def count_tokens_contents():
    _counted(contents_token_count())


@rule(
    "ACT-02",
    MUST,
    "countTokens with {generateContentRequest} answers {totalTokens} counting that request's prompt",
    source=(GEMINI_API.at("§4 CountTokens: contents or generateContentRequest; §9 rule 30"), GATEWAY_BUGS.at("§4 Request fields: litellm PR#41286")),
    needs=COUNT_TOKENS,
    reads=request_token_count,
)
def count_tokens_generate_content_request():
    _counted(request_token_count())


def _embeddings(exchange) -> tuple[object, list[list[float]]]:
    """A batchEmbedContents exchange and its vectors."""
    expect.status_ok(exchange)
    body = expect.body_matches_schema(exchange, "batch_embed_contents_response")
    return exchange, [embedding["values"] for embedding in body["embeddings"]]


@rule(
    "ACT-03",
    MUST,
    "batchEmbedContents of N texts returns exactly N embeddings",
    source=(GEMINI_API.at("§4 Embed: BatchEmbedContentsResponse in request order; §9 rule 29"), NEBULA.at("Batch Embedding")),
    needs=BATCH_EMBED,
    reads=batch_embedding,
)
def batch_embed_count():
    texts = bodies.EMBED_BATCH_TEXTS
    exchange, vectors = _embeddings(batch_embedding())
    if len(vectors) != len(texts):
        raise expect.fail(
            f"{len(texts)} texts were sent but {len(vectors)} embeddings came back",
            exchange, path="$.embeddings", expected=f"{len(texts)} embeddings", actual=len(vectors),
        )


@rule(
    "ACT-04",
    MUST,
    "batchEmbedContents returns the embeddings in request order (each one is its own text's embedding)",
    source=(GEMINI_API.at("§4 Embed: BatchEmbedContentsResponse in request order; §9 rule 29"), NEBULA.at("Batch Embedding")),
    needs=BATCH_EMBED,
    reads=(batch_embedding, single_embeddings),
)
def batch_embed_order():
    texts = bodies.EMBED_BATCH_TEXTS
    exchange, vectors = _embeddings(batch_embedding())
    # Real models drift a little between calls, so an embedding belongs to the text whose single
    # embedding it is closest to.
    singles = [_embeddings(single)[1] for single in single_embeddings()]
    if not all(singles):
        blocked("a one-text batch came back without its embedding", by="ACT-03")
    for index, vector in enumerate(vectors[: len(texts)]):
        similarity = [_cosine(vector, single[0]) for single in singles]
        closest = max(range(len(texts)), key=similarity.__getitem__)
        if closest != index:
            raise expect.fail(
                f"embedding {index} belongs to text {closest} ({texts[closest]!r}), not to text {index} ({texts[index]!r})",
                exchange, path=f"$.embeddings[{index}]", expected=f"the embedding of {texts[index]!r}",
                actual=f"cosine similarity {similarity[closest]:.3f} with {texts[closest]!r}, {similarity[index]:.3f} with its own text",
            )


def _cosine(a: list[float], b: list[float]) -> float:
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b)) / norm if norm and len(a) == len(b) else -1.0


def _listed_models(model_pages) -> list[tuple[object, int, dict]]:
    """(page, index, model) for every model on every page of GET models."""
    listed = []
    for page in model_pages():
        expect.status_ok(page)
        body = expect.body_matches_schema(page, "list_models_response#/$defs/ModelList")
        listed += [(page, index, model) for index, model in enumerate(body["models"])]
    return listed


@rule(
    "ACT-05",
    MUST,
    "every model GET models lists is named models/{id} and has supportedGenerationMethods",
    source=(GEMINI_API.at("§4 Model; §9 rule 31"), GATEWAY_BUGS.at("§1 new-api GET /v1beta/models: no models/ prefix, no supportedGenerationMethods; §6 F31")),
    needs=LIST_MODELS,
    reads=model_pages,
)
def listed_models_shape():
    for page in model_pages():
        expect.status_ok(page)
        body = expect.body_matches_schema(page, "list_models_response#/$defs/ModelList")
        expect.matches_schema(body, "list_models_response#/$defs/ModelsHaveGenerationMethods", page)


@rule(
    "ACT-06",
    MUST,
    "GET models (all pages) lists every model the target declares",
    source=(GEMINI_API.at("§4 ListModels; §9 rule 31"), GATEWAY_BUGS.at("§5 rule 21")),
    needs=LIST_MODELS,
    reads=model_pages,
)
def declared_models_listed(target):
    listed = _listed_models(model_pages)
    names = {model.get("name") for _, _, model in listed}
    missing = sorted(f"models/{model}" for model in set(target.models.values()) if f"models/{model}" not in names)
    if missing:
        pages = model_pages()
        raise expect.fail(
            f"GET models does not list {', '.join(missing)} (the target declares them)",
            pages[-1], path="$.models[*].name", expected=missing, actual=sorted(map(str, names))[:20],
        )


@rule(
    "ACT-07",
    MUST,
    'GET models pagination ends: a page\'s nextPageToken is never "" and never repeats (the last page omits it)',
    source=(GEMINI_API.at("§4 ListModels: omitted on the last page; §7 Node pager; §8 nextPageToken \"\" loops; §9 rule 31"),),
    needs=LIST_MODELS,
    reads=model_pages,
)
def model_pages_end():
    pages = model_pages()
    seen: set[str] = set()
    for number, page in enumerate(pages):
        expect.status_ok(page)
        token = next_page_token(page)
        if token == "" or token in seen:
            problem = "an empty nextPageToken" if token == "" else f"nextPageToken {token!r} again"
            raise expect.fail(
                f"page {number + 1} of GET models carries {problem}: the Node SDK's pager requests the same page forever",
                page, path="$.nextPageToken", expected="a new token, or none on the last page", actual=token,
            )
        seen.add(token or "")
    if next_page_token(pages[-1]):
        raise expect.fail(
            f"GET models still had a nextPageToken after {len(pages)} pages (up to {MODEL_PAGE_SIZE} models each)",
            pages[-1], path="$.nextPageToken", expected="no token on the last page", actual=next_page_token(pages[-1]),
        )


@rule(
    "ACT-08",
    MUST,
    'GET models/{id} answers a Model whose name is "models/{id}"',
    source=(GEMINI_API.at("§4 Model; §9 rule 32"),),
    needs=GET_MODEL,
    reads=text_model_info,
)
def get_model_name(target):
    model = target.model("text")
    exchange = text_model_info()
    expect.status_ok(exchange)
    body = expect.body_matches_schema(exchange, "model")
    if body["name"] != f"models/{model}":
        raise expect.fail(
            f"GET models/{model} answered a Model named {body['name']!r}",
            exchange, path="$.name", expected=f"models/{model}", actual=body["name"],
        )


@rule(
    "ACT-09",
    MUST,
    "GET models/{id} for a model the gateway does not serve is a 404 NOT_FOUND in Google's envelope",
    source=(GEMINI_API.at("§4 Model; §9 rule 32"), GEMINI_API.at("§5 Unknown model")),
    needs=GET_MODEL,
    reads=unknown_model_info,
)
def get_unknown_model_not_found():
    exchange = unknown_model_info()
    expect.status_in(exchange, (404,))
    expect.google_error(exchange)


def json_not_found(exchange) -> None:
    """A JSON 404 in Google's envelope (VER-02 asks the same: a wrong base URL must fail loudly)."""
    expect.status_in(exchange, (404,))
    expect.media_type(exchange, expect.JSON_TYPES)
    expect.google_error(exchange)


@rule(
    "ACT-10",
    SHOULD,
    "an unknown path under the base URL is a JSON 404 in Google's envelope, never a 200 page",
    source=(GATEWAY_BUGS.at("§5 rule 24; §1 new-api/one-api NoRoute: 200 index.html; §6 F11"), GEMINI_API.at("§9 rule 13")),
    needs=TEXT_MODEL,
    reads=unknown_path_answer,
)
def unknown_path_not_found():
    json_not_found(unknown_path_answer())


def _rate_limited(rate_limited_answer, client):
    """A 429 to inspect: the answer to the rate-limited key, else the first 429 the run saw."""
    exchange = rate_limited_answer() or next(iter(client.rate_limited), None)
    if exchange is None:
        pytest.skip(
            "no 429 was seen in this run, and the target names no rate_limited_key_env "
            "(a key the gateway answers with 429) to provoke one"
        )
    return exchange


@rule(
    "ACT-11",
    MUST,
    "a rate-limited request is HTTP 429 with error.status RESOURCE_EXHAUSTED in Google's envelope",
    source=(
        GEMINI_API.at("§5 Quota: 429 RESOURCE_EXHAUSTED; §9 rule 18"),
        TOKENSMART.at("Error response format: 429 RESOURCE_EXHAUSTED"),
        NEBULA.at("Error handling: 429 Rate limited"),
        GATEWAY_BUGS.at("§5 rule 5; §6 F9"),
    ),
    needs=TEXT_MODEL,
    reads=rate_limited_answer,
)
def rate_limit_resource_exhausted(client):
    exchange = _rate_limited(rate_limited_answer, client)
    expect.status_in(exchange, (429,))
    error = expect.google_error(exchange)
    if error["status"] != "RESOURCE_EXHAUSTED":
        raise expect.fail(
            f"a 429 carries error.status {error['status']!r}",
            exchange, path="$.error.status", expected="RESOURCE_EXHAUSTED", actual=error["status"],
        )


@rule(
    "ACT-12",
    SHOULD,
    "a 429 carries a google.rpc.RetryInfo detail saying when to retry",
    source=(GEMINI_API.at("§5 Detail types: RetryInfo; §9 rule 18"), GATEWAY_BUGS.at("§4 SDK parsing facts: Retries parse RetryInfo; §5 rule 5")),
    needs=TEXT_MODEL,
    reads=rate_limited_answer,
)
def rate_limit_retry_info(client):
    exchange = _rate_limited(rate_limited_answer, client)
    if exchange.status != 429:
        blocked(f"the rate-limited request got HTTP {exchange.status}, not a 429", by="ACT-11")
    details = expect.google_error(exchange).get("details") or []
    if not any(isinstance(d, dict) and d.get("@type") == RETRY_INFO for d in details):
        raise expect.fail(
            "the 429 has no RetryInfo detail: clients cannot tell when to retry",
            exchange, path="$.error.details", expected=f"a detail with @type {RETRY_INFO}",
            actual=[d.get("@type") for d in details if isinstance(d, dict)] or "no details",
        )
