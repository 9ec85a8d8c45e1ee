"""Responses that many checks read, fetched once per target.

Real targets bill per call, so every check that can share a response does. A shared response is
fetched the first time a check asks for it (inside that check, so a timeout or an unreachable
gateway is that check's outcome, not a setup error) and remembered, exception included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance import requests
from conformance.client.http import NO_KEY, Exchange, GeminiClient
from conformance.targets import Target

UNKNOWN_MODEL = "gemini-conformance-no-such-model"
WRONG_KEY = "gc-wrong-key-0000000000000000"


def _missing_key(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(target.model("text"), requests.tiny_request(target), auth=NO_KEY)


def _wrong_key(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(target.model("text"), requests.tiny_request(target), key=WRONG_KEY)


def _unknown_model(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(UNKNOWN_MODEL, requests.tiny_request(target))


def _missing_contents(client: GeminiClient, target: Target) -> Exchange:
    body = requests.tiny_request(target)
    del body["contents"]
    return client.generate(target.model("text"), body)


def _malformed_json(client: GeminiClient, target: Target) -> Exchange:
    return client.action(target.model("text"), "generateContent", raw_body=b'{"contents": [{"parts": [')


def _bad_role(client: GeminiClient, target: Target) -> Exchange:
    body = requests.tiny_request(target)
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


class SharedResponses:
    def __init__(self, client: GeminiClient, target: Target) -> None:
        self.client = client
        self.target = target
        self._memo: dict[str, tuple[Exchange | None, BaseException | None]] = {}

    def _once(self, name: str, fetch: Callable[[], Exchange]) -> Exchange:
        if name not in self._memo:
            try:
                self._memo[name] = (fetch(), None)
            except Exception as error:  # remembered: every sharer gets the same outcome
                self._memo[name] = (None, error)
        exchange, error = self._memo[name]
        if error is not None:
            raise error
        assert exchange is not None
        return exchange

    def text(self) -> Exchange:
        """One generateContent on the text model."""
        return self._once(
            "text", lambda: self.client.generate(self.target.model("text"), requests.text_request(self.target))
        )

    def text_stream(self) -> Exchange:
        """One streamGenerateContent?alt=sse on the text model."""
        return self._once(
            "text_stream",
            lambda: self.client.stream(self.target.model("text"), requests.text_request(self.target)),
        )

    def tiny(self) -> Exchange:
        """One tiny generateContent: the promptTokenCount that variants of it (a systemInstruction,
        an inline image) must raise."""
        return self._once(
            "tiny", lambda: self.client.generate(self.target.model("text"), requests.tiny_request(self.target))
        )

    def function_call(self) -> Exchange:
        """One generateContent asking for a get_weather call with get_weather declared: a functionCall."""
        return self._once(
            "function_call",
            lambda: self.client.generate(self.target.model("text"), requests.function_call_request(self.target)),
        )

    def image(self) -> Exchange:
        return self._once(
            "image", lambda: self.client.generate(self.target.model("image"), requests.image_request())
        )

    def image_stream(self) -> Exchange:
        return self._once(
            "image_stream", lambda: self.client.stream(self.target.model("image"), requests.image_request())
        )

    def bridge_image(self) -> Exchange:
        """One image generation through the OpenAI-compatible bridge (AIone seed 001)."""
        model = self.target.model("image") or UNKNOWN_MODEL
        return self._once("bridge_image", lambda: self.client.chat_completions(requests.bridge_image_request(model)))

    def model_pages(self) -> list[Exchange]:
        """GET models page by page until a page has no nextPageToken, a token repeats, or
        MAX_MODEL_PAGES pages. The first page is small, so even a short list is paginated; the
        rest are large, so a long one (Google lists 50+ models) takes few requests."""

        def fetch() -> list[Exchange]:
            pages: list[Exchange] = []
            token: str | None = None
            while len(pages) < MAX_MODEL_PAGES:
                size = MODEL_PAGE_SIZE if token else FIRST_MODEL_PAGE_SIZE
                query = {"pageSize": str(size), **({"pageToken": token} if token else {})}
                pages.append(self.client.get("models", query=query))
                previous, token = token, next_page_token(pages[-1])
                if not token or token == previous:
                    break
            return pages

        return self._once("model_pages", fetch)  # type: ignore[arg-type, return-value]

    def rate_limited(self, key: str | None) -> Exchange | None:
        """A 429 to inspect: the first the client saw in this run, else the answer to a tiny request
        sent (without retries) with a key the target answers with 429, else None."""
        if self.client.rate_limited:
            return self.client.rate_limited[0]
        if key is None:
            return None
        return self._once(
            "rate_limited",
            lambda: self.client.generate(self.target.model("text"), requests.tiny_request(self.target), key=key, retry=False),
        )

    def rejected(self, case: str) -> Exchange:
        """The response to one of REJECTED_REQUESTS."""
        return self._once(f"rejected:{case}", lambda: REJECTED_REQUESTS[case](self.client, self.target))

    def remember(self, name: str, fetch: Callable[[], Any]) -> Any:
        """Share any other response between checks."""
        return self._once(name, fetch)


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
    "countTokens": lambda c, t: c.action(t.model("text"), "countTokens", requests.count_tokens_request()),
    "embedContent": lambda c, t: c.action(embedding_model(t), "embedContent", requests.embed_request(embedding_model(t))),
    "batchEmbedContents": lambda c, t: c.action(
        embedding_model(t), "batchEmbedContents", requests.batch_embed_request(embedding_model(t))
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
