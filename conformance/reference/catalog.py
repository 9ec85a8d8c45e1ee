"""The models the reference gateway knows, how a path's model id resolves, and the Model resource.

A gateway serves only its profile's models. With the `thinking_suffixes` feature (Nebula, seed
002) a thinking model is also reachable under suffixed aliases that preset its thinkingConfig:
`-thinking` (thinking on), `-nothinking` (budget 0), `-thinking-<N>` (budget N) and
`-thinking-low` / `-thinking-high` (thinkingLevel). With `image_size_variants` (AIone, seed 001) an
image model is also reachable as `<model>-2k` / `<model>-4k`, presetting imageConfig.imageSize.
Aliases are resolved, never listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .profiles import Profile

TEXT, IMAGE, EMBEDDING = "text", "image", "embedding"

# What each kind of model can do, in the order Google lists supportedGenerationMethods.
KIND_ACTIONS: dict[str, tuple[str, ...]] = {
    TEXT: ("generateContent", "streamGenerateContent", "countTokens"),
    IMAGE: ("generateContent", "streamGenerateContent", "countTokens"),
    EMBEDDING: ("embedContent", "batchEmbedContents"),
}


@dataclass(frozen=True)
class ModelSpec:
    id: str
    kind: str
    display_name: str
    description: str
    input_token_limit: int
    output_token_limit: int
    thinks: bool = False
    # Gemini 3: a thinking request's history must carry back the thoughtSignature of each step's
    # first function call (Antigravity-Manager#3202: 400 "Function call is missing a thought_signature").
    requires_thought_signatures: bool = False
    version: str = "001"


MODELS: dict[str, ModelSpec] = {
    spec.id: spec
    for spec in (
        ModelSpec("gemini-2.5-flash", TEXT, "Gemini 2.5 Flash", "Fast thinking model.", 1_048_576, 65_536, thinks=True),
        ModelSpec("gemini-2.5-pro", TEXT, "Gemini 2.5 Pro", "Strong thinking model.", 1_048_576, 65_536, thinks=True),
        ModelSpec(
            "gemini-3.5-flash", TEXT, "Gemini 3.5 Flash", "Thinking model.", 1_048_576, 65_536,
            thinks=True, requires_thought_signatures=True,
        ),
        ModelSpec("qwen-turbo", TEXT, "Qwen Turbo", "Non-Gemini model behind a translating layer.", 131_072, 8_192),
        ModelSpec("gemini-2.5-flash-image", IMAGE, "Gemini 2.5 Flash Image", "Image generation.", 32_768, 32_768),
        ModelSpec("gemini-3-pro-image-preview", IMAGE, "Gemini 3 Pro Image", "Image generation up to 4K.", 65_536, 32_768),
        ModelSpec("text-embedding-004", EMBEDDING, "Text Embedding 004", "Text embeddings.", 2_048, 1, version="004"),
    )
}

_THINKING_SUFFIX = re.compile(r"^(?P<base>.+?)-(?P<suffix>nothinking|thinking(?:-(?P<arg>low|high|\d+))?)$")
_SIZE_VARIANT = re.compile(r"^(?P<base>.+)-(?P<size>[24]k)$")


@dataclass(frozen=True)
class ResolvedModel:
    spec: ModelSpec
    # thinkingConfig fields a suffix alias presets; they override the request's.
    thinking_preset: dict[str, Any] = field(default_factory=dict)
    # imageConfig fields a size variant presets; they override the request's.
    image_preset: dict[str, Any] = field(default_factory=dict)


def resolve(profile: Profile, model_id: str) -> ResolvedModel | None:
    """The model a path's model id names in this profile, or None when the gateway does not serve it."""
    if model_id in profile.model_ids:
        return ResolvedModel(MODELS[model_id])
    return _thinking_alias(profile, model_id) or _size_variant(profile, model_id)


def _thinking_alias(profile: Profile, model_id: str) -> ResolvedModel | None:
    if "thinking_suffixes" not in profile.features:
        return None
    match = _THINKING_SUFFIX.match(model_id)
    if not match or match["base"] not in profile.model_ids or not MODELS[match["base"]].thinks:
        return None
    return ResolvedModel(MODELS[match["base"]], _thinking_preset(match["suffix"], match["arg"]))


def _size_variant(profile: Profile, model_id: str) -> ResolvedModel | None:
    match = _SIZE_VARIANT.match(model_id)
    if "image_size_variants" not in profile.features or not match or match["base"] not in profile.model_ids:
        return None
    base = MODELS[match["base"]]
    return ResolvedModel(base, image_preset={"imageSize": match["size"].upper()}) if base.kind == IMAGE else None


def _thinking_preset(suffix: str, arg: str | None) -> dict[str, Any]:
    if suffix == "nothinking":
        return {"thinkingBudget": 0}
    if arg is None:
        return {"thinkingBudget": -1}
    if arg.isdigit():
        return {"thinkingBudget": int(arg)}
    return {"thinkingLevel": arg.upper()}


def served_models(profile: Profile) -> list[ModelSpec]:
    return [MODELS[model_id] for model_id in sorted(profile.model_ids)]


def model_actions(spec: ModelSpec, profile: Profile) -> list[str]:
    """The actions this gateway really performs for the model (what ListModels should advertise)."""
    refuses_to_stream = spec.kind == IMAGE and profile.image_stream_status is not None
    return [
        action
        for action in KIND_ACTIONS[spec.kind]
        if action in profile.actions and not (refuses_to_stream and action == "streamGenerateContent")
    ]


def model_resource(spec: ModelSpec, profile: Profile) -> dict[str, Any]:
    return {
        "name": f"models/{spec.id}",
        "baseModelId": spec.id,
        "version": spec.version,
        "displayName": spec.display_name,
        "description": spec.description,
        "inputTokenLimit": spec.input_token_limit,
        "outputTokenLimit": spec.output_token_limit,
        "supportedGenerationMethods": model_actions(spec, profile),
    }
