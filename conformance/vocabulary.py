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
# Google's other resources a target may declare it serves too, by their list endpoint (GET files,
# GET cachedContents): declared, they are judged by Google's list shape instead of being refused.
GOOGLE_RESOURCES = ("files", "cachedContents")
DECLARABLE_ACTIONS = ACTIONS + GOOGLE_RESOURCES

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
    "openai_image_bridge",  # AIone seed 001: image models via /v1/chat/completions
    "thinking_level",  # the thinking model accepts thinkingConfig.thinkingLevel (Gemini 3)
    "image_size",  # the image model honours imageConfig.imageSize 1K/2K/4K (Gemini 3 Pro Image)
    "image_size_variants",  # `<image model>-2k` / `-4k` serve it at 2K / 4K (AIone seed 001)
    "fidelity",  # relays to the suite's scripted upstream (targets.yaml `upstream:`): FID rules apply
)

MODEL_ROLES = ("text", "image", "embedding", "thinking")

# A prompt word on which the reference gateway's fake upstream fails after its first piece, as an
# overloaded upstream does, so the gateway's mid-stream error path can be seen. Real models just read it.
UPSTREAM_FAILURE = "gc-upstream-failure"
# A word whose prompt the reference's model blocks, as Google's safety filters block one: HTTP 200,
# promptFeedback.blockReason, no candidate (conformance/recordings show it, whole and streamed).
BLOCKED_PROMPT = "gc-blocked-prompt"
