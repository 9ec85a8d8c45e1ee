"""The request bodies the suite sends, in one place.

Real targets bill per token, so every generation is small: a short prompt, a low
``maxOutputTokens``, and thinking switched off where the target declares it (thinking tokens count
against the output budget and would be billed for nothing).
"""

from __future__ import annotations

from typing import Any

from conformance.targets import Target

# Long enough that a real model streams it in several chunks, short enough to cost ~30 tokens.
COUNTING_PROMPT = "Reply with the numbers from one to twelve as words, separated by spaces."
TEXT_MAX_OUTPUT_TOKENS = 64
IMAGE_PROMPT = "A single red square on a white background."
IMAGE_ASPECT_RATIO = "16:9"


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def text_request(target: Target, *, max_output_tokens: int = TEXT_MAX_OUTPUT_TOKENS) -> dict[str, Any]:
    config: dict[str, Any] = {"maxOutputTokens": max_output_tokens, "temperature": 0}
    if "thinking" in target.features:
        config["thinkingConfig"] = {"thinkingBudget": 0}
    return {"contents": [user(COUNTING_PROMPT)], "generationConfig": config}


def tiny_request(target: Target) -> dict[str, Any]:
    """The cheapest generation that still proves a request was accepted."""
    return text_request(target, max_output_tokens=1)


def image_request() -> dict[str, Any]:
    return {
        "contents": [user(IMAGE_PROMPT)],
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"aspectRatio": IMAGE_ASPECT_RATIO},
        },
    }


EMBED_TEXT = "conformance"


def embed_request(model: str) -> dict[str, Any]:
    return {"model": f"models/{model}", "content": {"parts": [{"text": EMBED_TEXT}]}}


def batch_embed_request(model: str) -> dict[str, Any]:
    return {"requests": [embed_request(model), embed_request(model) | {"content": {"parts": [{"text": "suite"}]}}]}


def count_tokens_request() -> dict[str, Any]:
    return {"contents": [user(COUNTING_PROMPT)]}
