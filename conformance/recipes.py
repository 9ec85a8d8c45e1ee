"""The responses checks of several areas read: one request each per target (see conformance/shared.py).

A recipe only one area reads lives in that area's module, next to its checks.
"""

from __future__ import annotations

from conformance import requests
from conformance.shared import (
    FIRST_MODEL_PAGE_SIZE,
    MAX_MODEL_PAGES,
    MODEL_PAGE_SIZE,
    REJECTED_REQUESTS,
    UNKNOWN_MODEL,
    next_page_token,
    recipe,
)


@recipe
def text_response(client, target):
    """One generateContent on the text model."""
    return client.generate(target.model("text"), requests.text_request(target))


@recipe
def text_stream(client, target):
    """One streamGenerateContent?alt=sse on the text model."""
    return client.stream(target.model("text"), requests.text_request(target))


@recipe
def tiny_response(client, target):
    """One tiny generateContent: the promptTokenCount that variants of it (a systemInstruction, an
    inline image) must raise."""
    return client.generate(target.model("text"), requests.tiny_request(target))


@recipe
def function_call_response(client, target):
    """One generateContent asking for a get_weather call with get_weather declared: a functionCall."""
    return client.generate(target.model("text"), requests.function_call_request(target))


@recipe
def image_response(client, target):
    return client.generate(target.model("image"), requests.image_request())


@recipe
def image_stream(client, target):
    return client.stream(target.model("image"), requests.image_request())


@recipe
def bridge_image(client, target):
    """One image generation through the OpenAI-compatible bridge (AIone seed 001)."""
    return client.chat_completions(requests.bridge_image_request(target.model("image") or UNKNOWN_MODEL))


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
