"""Reading request bodies: JSON parsing, the proto3 name mapping, and the checks Google makes.

Each reader takes the raw body (or the already-parsed JSON object) and either returns a small typed
request or raises the ApiError Google would answer with. The gateway is lenient about what it
does not use: unknown fields are accepted, sampling knobs (temperature, topP, ...) are read only
to check their type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import envelopes
from .images import DEFAULT_ASPECT_RATIO, DEFAULT_SIZE, image_dimensions
from .wire import as_int, camel_case_keys

ROLES = ("user", "model")
INT_GENERATION_FIELDS = ("candidateCount", "maxOutputTokens", "topK", "seed", "logprobs")
FUNCTION_CALLING_MODES = ("MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED")
# responseMimeTypes a responseSchema / responseJsonSchema may go with (facts §2 GenerationConfig).
SCHEMA_MIME_TYPES = ("application/json", "text/x.enum")


@dataclass(frozen=True)
class ThinkingSettings:
    budget: int | None = None  # None or -1: the model decides; 0: no thinking
    include_thoughts: bool = False
    level: str | None = None


@dataclass(frozen=True)
class FunctionDeclaration:
    name: str
    required: tuple[tuple[str, str], ...] = ()  # (parameter, JSON type) for each required parameter


@dataclass(frozen=True)
class GenerateRequest:
    contents: tuple[dict[str, Any], ...]
    system_instruction: dict[str, Any] | None = None
    max_output_tokens: int | None = None
    stop_sequences: tuple[str, ...] = ()
    thinking: ThinkingSettings = ThinkingSettings()
    image_size: tuple[int, int] = image_dimensions()
    functions: tuple[FunctionDeclaration, ...] = ()
    function_mode: str = "AUTO"
    allowed_function_names: tuple[str, ...] = ()
    response_mime_type: str = "text/plain"
    response_schema: dict[str, Any] | None = None  # responseSchema or responseJsonSchema


@dataclass(frozen=True)
class EmbedRequest:
    text: str
    dimensions: int | None = None


@dataclass(frozen=True)
class ReadOptions:
    """Which of Google's request checks the gateway makes (a fault may switch some off)."""

    check_roles: bool = True
    thinking_preset: dict[str, Any] = field(default_factory=dict)
    image_preset: dict[str, Any] = field(default_factory=dict)  # imageConfig fields a size variant sets


def json_body(raw: bytes, rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> dict[str, Any]:
    """The body as a JSON object with camelCase field names. An empty body reads as `{}`.

    `rewrite` sees the object as sent, before the name mapping (a fault's hook)."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise envelopes.malformed_json(str(error)) from None
    if not isinstance(value, dict):
        raise envelopes.malformed_json("The request body must be a JSON object.")
    return camel_case_keys(rewrite(value) if rewrite else value)


def generate_request(body: dict[str, Any], options: ReadOptions = ReadOptions()) -> GenerateRequest:
    contents = _contents(body.get("contents"), "GenerateContentRequest", options)
    config = _object(body.get("generationConfig"), "generationConfig")
    for name in INT_GENERATION_FIELDS:
        if config.get(name) is not None:  # proto3: null means the default
            _int(config[name], f"generationConfig.{name}")
    max_output_tokens = _int(config.get("maxOutputTokens") or 0, "generationConfig.maxOutputTokens")
    if max_output_tokens < 0:
        raise envelopes.invalid_argument("generationConfig.maxOutputTokens must not be negative.")
    stop_sequences = _list(config.get("stopSequences"), "generationConfig.stopSequences")
    if not all(isinstance(stop, str) for stop in stop_sequences):
        raise envelopes.invalid_argument("generationConfig.stopSequences must be strings.")
    function_config = _object(
        _object(body.get("toolConfig"), "toolConfig").get("functionCallingConfig"),
        "toolConfig.functionCallingConfig",
    )
    mode = str(function_config.get("mode") or "AUTO").upper()
    if mode not in FUNCTION_CALLING_MODES:
        raise envelopes.invalid_argument(f"Invalid value at 'tool_config.function_calling_config.mode', \"{mode}\"")
    return GenerateRequest(
        contents=contents,
        system_instruction=_object(body.get("systemInstruction"), "systemInstruction") or None,
        max_output_tokens=max_output_tokens or None,  # proto3: 0 means unset
        stop_sequences=tuple(stop_sequences),
        thinking=_thinking({**_object(config.get("thinkingConfig"), "thinkingConfig"), **options.thinking_preset}),
        image_size=_image_size({**_object(config.get("imageConfig"), "imageConfig"), **options.image_preset}),
        functions=_function_declarations(_list(body.get("tools"), "tools")),
        function_mode=mode,
        allowed_function_names=tuple(function_config.get("allowedFunctionNames") or ()),
        response_mime_type=str(config.get("responseMimeType") or "text/plain"),
        response_schema=_response_schema(config),
    )


def count_tokens_request(body: dict[str, Any], options: ReadOptions = ReadOptions()) -> GenerateRequest:
    """CountTokensRequest: `contents`, or a whole `generateContentRequest` (which then wins)."""
    if "generateContentRequest" in body:
        return generate_request(_object(body["generateContentRequest"], "generateContentRequest"), options)
    return GenerateRequest(contents=_contents(body.get("contents"), "CountTokensRequest", options))


def embed_request(body: dict[str, Any]) -> EmbedRequest:
    content = body.get("content")
    if not content:
        raise envelopes.missing_field("EmbedContentRequest", "content")
    parts = _list(_object(content, "content").get("parts"), "content.parts")
    text = " ".join(part["text"] for part in parts if isinstance(part, dict) and isinstance(part.get("text"), str))
    dimensions = body.get("outputDimensionality")
    if dimensions is not None:
        dimensions = _int(dimensions, "outputDimensionality")
        if dimensions <= 0:
            raise envelopes.invalid_argument("outputDimensionality must be positive.")
    return EmbedRequest(text, dimensions)


def batch_embed_requests(body: dict[str, Any]) -> list[EmbedRequest]:
    requests = _list(body.get("requests"), "requests")
    if not requests:
        raise envelopes.missing_field("BatchEmbedContentsRequest", "requests")
    return [embed_request(_object(request, f"requests[{index}]")) for index, request in enumerate(requests)]


def _contents(value: Any, request_type: str, options: ReadOptions) -> tuple[dict[str, Any], ...]:
    if not value:
        raise envelopes.missing_field(request_type, "contents")
    contents = _list(value, "contents")
    for index, content in enumerate(contents):
        content = _object(content, f"contents[{index}]")
        if not _list(content.get("parts"), f"contents[{index}].parts"):
            raise envelopes.empty_parts(index)
        # proto3: an absent or empty role is the default, which the API reads as "user".
        if options.check_roles and content.get("role") and content["role"] not in ROLES:
            raise envelopes.bad_role()
        for number, part in enumerate(content["parts"]):
            call_result = part.get("functionResponse") if isinstance(part, dict) else None
            response = call_result.get("response", {}) if isinstance(call_result, dict) else {}
            if not isinstance(response, dict):  # a Struct: a string, even of JSON, is refused
                where = f"contents[{index}].parts[{number}].function_response.response"
                raise envelopes.invalid_argument(
                    f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.Struct), {json.dumps(response)}"
                )
    return tuple(contents)


def _response_schema(config: dict[str, Any]) -> dict[str, Any] | None:
    schema, json_schema = config.get("responseSchema"), config.get("responseJsonSchema")
    if schema is not None and json_schema is not None:
        raise envelopes.invalid_argument("responseJsonSchema and responseSchema cannot both be set.")
    chosen = schema if schema is not None else json_schema
    if chosen is None:
        return None
    if config.get("responseMimeType") not in SCHEMA_MIME_TYPES:
        raise envelopes.invalid_argument("A response schema needs responseMimeType application/json or text/x.enum.")
    return _object(chosen, "generationConfig.responseSchema")


def _thinking(config: dict[str, Any]) -> ThinkingSettings:
    budget = config.get("thinkingBudget")
    return ThinkingSettings(
        budget=None if budget is None else _int(budget, "thinkingConfig.thinkingBudget"),
        include_thoughts=bool(config.get("includeThoughts")),
        level=config.get("thinkingLevel"),
    )


def _image_size(config: dict[str, Any]) -> tuple[int, int]:
    aspect_ratio = config.get("aspectRatio") or DEFAULT_ASPECT_RATIO
    size = config.get("imageSize") or DEFAULT_SIZE
    try:
        return image_dimensions(str(aspect_ratio), str(size))
    except (ValueError, KeyError):
        raise envelopes.invalid_argument(
            f"Unsupported imageConfig: aspectRatio {aspect_ratio!r}, imageSize {size!r}."
        ) from None


def _function_declarations(tools: list[Any]) -> tuple[FunctionDeclaration, ...]:
    declarations = []
    for tool in tools:
        for declaration in _list(_object(tool, "tools[]").get("functionDeclarations"), "functionDeclarations"):
            declaration = _object(declaration, "functionDeclarations[]")
            if not declaration.get("name"):
                raise envelopes.missing_field("FunctionDeclaration", "name")
            schema = declaration.get("parameters") or declaration.get("parametersJsonSchema") or {}
            properties = schema.get("properties") or {}
            required = tuple(
                (name, str((properties.get(name) or {}).get("type", "string")).lower())
                for name in schema.get("required") or ()
            )
            declarations.append(FunctionDeclaration(declaration["name"], required))
    return tuple(declarations)


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise envelopes.invalid_argument(f"Invalid value at '{where}': expected an object.")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise envelopes.invalid_argument(f"Invalid value at '{where}': expected a list.")
    return value


def _int(value: Any, where: str) -> int:
    try:
        return as_int(value)
    except ValueError:
        raise envelopes.invalid_argument(f"Invalid value at '{where}' (TYPE_INT32), {value!r}") from None

