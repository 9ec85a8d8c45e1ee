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

    def image(self) -> Exchange:
        return self._once(
            "image", lambda: self.client.generate(self.target.model("image"), requests.image_request())
        )

    def image_stream(self) -> Exchange:
        return self._once(
            "image_stream", lambda: self.client.stream(self.target.model("image"), requests.image_request())
        )

    def rejected(self, case: str) -> Exchange:
        """The response to one of REJECTED_REQUESTS."""
        return self._once(f"rejected:{case}", lambda: REJECTED_REQUESTS[case](self.client, self.target))

    def remember(self, name: str, fetch: Callable[[], Any]) -> Any:
        """Share any other response between checks."""
        return self._once(name, fetch)


def _embedding_model(target: Target) -> str:
    return target.model("embedding") or target.model("text") or UNKNOWN_MODEL


# Every action the suite knows, each as its cheapest valid request. The first five are ones a target
# may declare; the rest are Google endpoints no seed gateway offers, probed to see how they're refused.
ACTION_REQUESTS: dict[str, Callable[[GeminiClient, Target], Exchange]] = {
    "countTokens": lambda c, t: c.action(t.model("text"), "countTokens", requests.count_tokens_request()),
    "embedContent": lambda c, t: c.action(_embedding_model(t), "embedContent", requests.embed_request(_embedding_model(t))),
    "batchEmbedContents": lambda c, t: c.action(
        _embedding_model(t), "batchEmbedContents", requests.batch_embed_request(_embedding_model(t))
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
