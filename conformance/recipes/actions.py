"""The recipes of the actions area: what its checks (conformance/checks/actions.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.common import UNKNOWN_MODEL, embedding_model
from conformance.recipes.engine import recipe

UNKNOWN_PATH = "gemini-conformance-no-such-resource"


@recipe
def contents_token_count(client, target):
    return client.action(target.model("text"), "countTokens", bodies.count_tokens_request())


@recipe
def request_token_count(client, target):
    model = target.model("text")
    return client.action(model, "countTokens", bodies.count_tokens_generate_content_request(model))


def _batch_embedding(client, target, texts):
    model = embedding_model(target)
    return client.action(model, "batchEmbedContents", bodies.embed_batch_request(model, texts))


batch_embedding = recipe(_batch_embedding, name="batch_embedding", texts=bodies.EMBED_BATCH_TEXTS)


# Each text embedded alone: the yardstick of ACT-04.
single_embeddings = recipe(
    lambda client, target, text: _batch_embedding(client, target, (text,)),
    name="single_embeddings",
    each=[{"text": text} for text in bodies.EMBED_BATCH_TEXTS],
)


@recipe
def text_model_info(client, target):
    return client.get(f"models/{target.model('text')}")


@recipe
def unknown_model_info(client):
    return client.get(f"models/{UNKNOWN_MODEL}")


@recipe
def unknown_path_answer(client):
    return client.get(UNKNOWN_PATH)


@recipe
def rate_limited_answer(client, target, rate_limited_key):
    """A tiny request sent (without retries) with a key the target answers with 429; None without one."""
    if rate_limited_key is None:
        return None
    return client.generate(target.model("text"), bodies.tiny_request(target), key=rate_limited_key, retry=False)
