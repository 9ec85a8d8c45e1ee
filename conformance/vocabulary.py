"""The words targets.yaml, the checks and the reference gateway share: where a key goes, which
actions exist, which optional features a gateway may declare, which kinds of model it names."""

from __future__ import annotations

AUTH_PLACEMENTS = ("bearer", "x-goog-api-key", "x-api-key", "query")

ACTIONS = (
    "generateContent",
    "streamGenerateContent",
    "countTokens",
    "embedContent",
    "batchEmbedContents",
    "listModels",
    "getModel",
)

FEATURES = (
    "sse",
    "json_array_stream",
    "inline_images",
    "function_calling",
    "thinking",
    "thinking_suffixes",
    "image_streaming",
    "google_search",
    "cached_content",
)

MODEL_ROLES = ("text", "image", "embedding", "thinking")
