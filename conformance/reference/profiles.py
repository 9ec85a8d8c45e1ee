"""Profiles: the documented surface of each seed gateway, so the reference can stand in for it.

A profile says which key placements a gateway reads, which actions it serves, which models it
offers and how it refuses what it does not serve. `features` is descriptive: it tells the checks
which optional behaviours the gateway's documentation promises. Only `thinking_suffixes` changes
what the reference does (it enables Nebula-style model aliases such as `gemini-2.5-pro-nothinking`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from conformance.vocabulary import (
    ACTIONS,
    AUTH_PLACEMENTS,
    DECLARABLE_ACTIONS,
    FEATURES,
    MODEL_ROLES,
)


@dataclass(frozen=True)
class Profile:
    name: str
    source: str  # the seed document the profile is read from
    auth: tuple[str, ...]  # accepted key placements
    actions: tuple[str, ...]
    features: tuple[str, ...]
    models: dict[str, str]  # role -> model id
    unsupported_status: int = 404  # for undeclared or unknown model actions
    image_stream_status: int | None = None  # None: image models stream
    auth_failure_status: int = 401  # for a missing key
    invalid_key_status: int = 401  # for a wrong key
    google_wording: bool = False  # Google's own auth messages and details (recordings, facts §5)
    response_headers: tuple[tuple[str, str], ...] = ()  # sent with every answer
    max_request_bytes: int | None = None
    other_models: tuple[str, ...] = ()  # documented models it also serves, in no role

    def __post_init__(self) -> None:
        _require_subset(self.auth, AUTH_PLACEMENTS, f"{self.name}.auth")
        _require_subset(self.actions, DECLARABLE_ACTIONS, f"{self.name}.actions")
        _require_subset(self.features, FEATURES, f"{self.name}.features")
        _require_subset(tuple(self.models), MODEL_ROLES, f"{self.name}.models")
        # Checks read the feature, the gateway reads the status: they must tell the same story.
        if "image" in self.models and ("image_streaming" in self.features) != (self.image_stream_status is None):
            raise ValueError(f"{self.name}: 'image_streaming' feature and image_stream_status disagree")

    @property
    def model_ids(self) -> frozenset[str]:
        return frozenset((*self.models.values(), *self.other_models))


def _require_subset(values: tuple[str, ...], allowed: tuple[str, ...], what: str) -> None:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValueError(f"{what}: unknown {unknown}; expected some of {list(allowed)}")


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        # Everything Google's own endpoint offers (facts §1-§6): the baseline a clean gateway meets.
        Profile(
            name="full",
            source="reference/gemini-api-facts.md",
            auth=AUTH_PLACEMENTS,
            actions=ACTIONS,
            features=(
                "sse", "json_array_stream", "inline_images", "function_calling", "thinking", "image_streaming",
                "thinking_level", "image_size",
            ),
            models={
                "text": "gemini-2.5-flash",
                "image": "gemini-2.5-flash-image",
                "embedding": "text-embedding-004",
                "thinking": "gemini-2.5-flash",
            },
        ),
        # AIone: "Authentication header: Authorization: Bearer"; "Only generateContent and
        # streamGenerateContent are supported"; "streamGenerateContent returns 503 for image
        # generation models". The doc does not say how unsupported actions fail; 404 is assumed.
        # Seed 001: image models also answer on the OpenAI-compatible /v1/chat/completions.
        # Its image model is the one whose imageConfig.imageSize and -2k/-4k variants it documents
        # (seed 000 "imageConfig.imageSize", seed 001 "gemini-3-pro-image-preview-2k / -4k").
        Profile(
            name="aione",
            source="seeds/000_0f63e6991fefb2ae.txt",
            auth=("bearer",),
            actions=("generateContent", "streamGenerateContent"),
            features=("sse", "inline_images", "thinking", "openai_image_bridge", "image_size", "image_size_variants"),
            models={"text": "gemini-2.5-flash", "image": "gemini-3-pro-image-preview"},
            other_models=("gemini-2.5-flash-image",),
            image_stream_status=503,
        ),
        # Nebula: Bearer, x-goog-api-key or ?key=; generate, stream, embedContent and
        # batchEmbedContents; thinking via thinkingConfig or model suffixes; 404 "Model not found
        # or wrong path". It says nothing about streaming image models, so Google's behaviour stands.
        Profile(
            name="nebula",
            source="seeds/002_ae1ee3e57440e21c.txt",
            auth=("bearer", "x-goog-api-key", "query"),
            actions=("generateContent", "streamGenerateContent", "embedContent", "batchEmbedContents"),
            features=("sse", "inline_images", "function_calling", "thinking", "thinking_suffixes", "image_streaming"),
            models={
                "text": "gemini-2.5-flash",
                "image": "gemini-2.5-flash-image",
                "embedding": "text-embedding-004",
                "thinking": "gemini-2.5-pro",
            },
        ),
        # Tokensmart: Bearer, x-api-key or ?key=; generate and stream only, everything else
        # "501 UNIMPLEMENTED Endpoint not yet implemented"; "total request body size limit is 30MB".
        Profile(
            name="tokensmart",
            source="seeds/003_7dff486ec9efb71d.txt",
            auth=("bearer", "x-api-key", "query"),
            actions=("generateContent", "streamGenerateContent"),
            features=("sse", "inline_images", "function_calling", "thinking"),
            models={"text": "gemini-3.5-flash", "thinking": "gemini-3.5-flash"},
            unsupported_status=501,
            max_request_bytes=30 * 1024 * 1024,
        ),
        # NexusFlow: a translating layer over non-Gemini models (qwen-turbo); key via ?key= or
        # Bearer; generate and stream; tools. Unsupported actions are undocumented; 404 assumed.
        Profile(
            name="nexusflow",
            source="seeds/004_9500d252cc8f4f20.txt",
            auth=("query", "bearer"),
            actions=("generateContent", "streamGenerateContent"),
            features=("sse", "function_calling"),
            models={"text": "qwen-turbo"},
        ),
    )
}

# Google's own endpoint, as the recordings show it (conformance/recordings/google): the full surface,
# keys in x-goog-api-key or ?key=, a missing key 403 PERMISSION_DENIED "unregistered callers", a wrong
# key 400 INVALID_ARGUMENT with ErrorInfo API_KEY_INVALID, a LocalizedMessage and a DebugInfo naming the
# refused key (which AUTH-04 allows there, as Google does it), and the headers every recorded answer has.
PROFILES["google"] = replace(
    PROFILES["full"],
    name="google",
    source="recordings/google",
    actions=DECLARABLE_ACTIONS,  # Google lists its files and cached contents too (none held: {})
    auth=("x-goog-api-key", "query"),
    auth_failure_status=403,
    invalid_key_status=400,
    google_wording=True,
    response_headers=(("vary", "Origin"), ("vary", "X-Origin"), ("vary", "Referer"), ("server-timing", "gfet4t7; dur=1")),
)

# The test relay (conformance/relay) in front of the scripted upstream (conformance/upstream): the full
# profile's surface, relayed, so the fidelity checks apply as well as every other check.
PROFILES["relay"] = replace(
    PROFILES["full"], name="relay", source="reference/gateway-bugs.md", features=(*PROFILES["full"].features, "fidelity")
)
