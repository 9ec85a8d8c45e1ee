"""The recipes of the sdk area: what its checks (conformance/checks/sdk.py) read."""

from __future__ import annotations

from itertools import islice

from conformance.client.sdk import DEFAULT_AUTH
from conformance.outcomes import not_applicable
from conformance.recipes import bodies
from conformance.recipes.common import UNKNOWN_MODEL, embedding_model
from conformance.recipes.engine import recipe

MAX_LISTED = 500  # models.list() follows pages; a gateway whose tokens never end must not hang it


def _config(target, max_output_tokens: int = 1) -> dict:
    """The SDK's GenerateContentConfig for the suite's cheapest generation."""
    return bodies.text_request(target, max_output_tokens=max_output_tokens)["generationConfig"]


def _generated(sdk, target, api_version: str | None):
    model = target.model("text")
    return sdk.call(
        f"models.generate_content(model={model!r}, contents=..., config=...)",
        lambda: sdk.client(api_version=api_version).models.generate_content(
            model=model, contents=bodies.COUNTING_PROMPT, config=_config(target)
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
            sdk.client().models.generate_content_stream(model=model, contents=bodies.COUNTING_PROMPT, config=_config(target))
        ),
    )


# What each declared action looks like through the SDK: the call, and what its result must hold.
SDK_ACTIONS = {
    "countTokens": (
        "models.count_tokens(model=<text>, contents=...)",
        lambda client, target: client.models.count_tokens(model=target.model("text"), contents=bodies.COUNTING_PROMPT),
        lambda result, target: isinstance(result.total_tokens, int),
    ),
    "batchEmbedContents": (  # the SDK's embed_content calls :batchEmbedContents (facts §4)
        "models.embed_content(model=<embedding>, contents=[...2 texts])",
        lambda client, target: client.models.embed_content(
            model=embedding_model(target), contents=list(bodies.EMBED_BATCH_TEXTS[:2])
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


@recipe
def sdk_unknown_model_answer(sdk, target):
    call = f"models.generate_content(model={UNKNOWN_MODEL!r}, contents=...)"
    return sdk.call(call, lambda: sdk.client().models.generate_content(model=UNKNOWN_MODEL, contents="hi", config=_config(target)))


@recipe
def sdk_default_auth_answer(sdk, target, responses):
    """generate_content with the key in x-goog-api-key only: the same answer as sdk_answer where the target
    declares that header; where it does not, one more try (refused before any model runs)."""
    if DEFAULT_AUTH in target.auth:
        return responses.read(sdk_answer)
    return sdk.call(
        "models.generate_content(...)",
        lambda: sdk.client(default_auth_only=True).models.generate_content(model=target.model("text"), contents="hi", config=_config(target)),
        default_auth_only=True,
    )
