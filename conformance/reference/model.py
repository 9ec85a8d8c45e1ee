"""The deterministic fake model behind the reference gateway.

Everything it says follows from the request, so checks can predict answers exactly:

- **Tokens** are whitespace-separated words. The prompt's token count is the number of words in the
  text parts of `contents` plus `systemInstruction`, plus 258 per inline image (Google's count for a
  small image); other parts (files, function calls and responses) count 0.
- **Text models echo.** The answer is the words of the last user turn's text parts, joined by single
  spaces ("OK" if that turn has no text), except that a turn saying "reply with exactly X" is answered
  "X" (one word, surrounding quotes and a trailing full stop removed), as a real model told so at
  temperature 0 would, and "count from 1 to N, ..." (N < 1000) is answered "1 2 ... N". It is cut before the earliest `stopSequences` match
  (finishReason STOP), then to `maxOutputTokens` words (finishReason MAX_TOKENS). Sampling knobs
  (temperature, topP, topK, seed) change nothing. The string values of the last user turn's
  functionResponse parts count as its words, so a function's result is what the model answers.
- **JSON mode**: with `responseMimeType` application/json the answer is JSON: a compact instance of
  `responseSchema` / `responseJsonSchema` (every property, arrays of one item, the first enum value,
  strings "value", numbers 1), or without a schema the echo as one JSON string.
- **Thinking** (models that think): unless `thinkingBudget` is 0 the model thinks
  min(budget, 8) tokens, 8 when the budget is unset or -1; `thinkingLevel` is accepted and changes
  nothing. They show up as `thoughtsTokenCount` and, with `includeThoughts`, as a leading part
  `{"text": <those words>, "thought": true}`. Thoughts do not count against maxOutputTokens.
- **Function calling**: with `functionDeclarations` and a mode other than NONE, the model calls every
  declared (and allowed) function the last user turn is about: one whose name it mentions, or a word
  of at least 4 letters of that name (`get_weather` is called for "what is the weather in Paris?");
  in mode ANY it calls the first allowed function if none is mentioned. Each call is `{"id": "call-<n>", "name", "args"}`
  with a value for every required parameter: strings get the last ordinary word of the prompt
  (or "value"), other types a fixed placeholder. A call costs 1 token plus 1 per argument.
  A thinking answer signs its first call with a `thoughtSignature` (a digest of its name). In the
  history, a signature must be the one the model gave (else 400), and models that require them
  (Gemini 3) refuse a thinking request whose model turns lack the signature on their first call.
- **Image models** answer "Here is the image." (4 tokens) plus a solid-colour PNG whose size follows
  `imageConfig` (see images.py; 1.5 MB like a real one), counted as 1290 tokens like Google's count.
- **Embeddings** are unit vectors of 8 floats (or `outputDimensionality`) drawn from SHA-256 of the text.
- **Streaming** sends the answer in pieces of 16 words (`GatewayConfig.words_per_event`), as Google sends ~25-50 tokens an event (so a
  short answer is one event, as Google's is: conformance/recordings); each piece after the first starts with the
  space that separates it from the previous one, so the texts concatenate to the exact answer.
  The thought part rides in the first piece, an image model's picture in its own last piece.
- **Gemini 3 thinking** (models that require thought signatures) ends a stream with an empty text part
  carrying a thoughtSignature, as Google does; a whole answer carries the signature on its text part.
- **A blocked prompt**: a last user turn containing `vocabulary.BLOCKED_PROMPT` is blocked, as Google's
  safety filters block one: HTTP 200 with promptFeedback.blockReason SAFETY and no candidate.
- **Upstream failure** (a scenario, so a gateway's mid-stream error path can be seen): when the last
  user turn contains the word `vocabulary.UPSTREAM_FAILURE`, a text model stops after its first
  piece, as an overloaded upstream does: no finishReason, and `Answer.failed` is set. The gateway
  then ends a stream with one 503 UNAVAILABLE error event (facts §6); generateContent answers 503.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from conformance.vocabulary import BLOCKED_PROMPT, UPSTREAM_FAILURE

from . import envelopes
from .catalog import IMAGE, ModelSpec
from .images import generated_png
from .validation import FunctionDeclaration, GenerateRequest, ThinkingSettings

# Google streams ~25-50 tokens per event (conformance/recordings), so a short answer is one event.
WORDS_PER_PIECE = 16  # GatewayConfig.words_per_event
MAX_THOUGHT_TOKENS = 8
THOUGHT_WORDS = "Let me think about this step by step".split()
IMAGE_CAPTION = "Here is the image."
IMAGE_TOKENS = 1290
IMAGE_INPUT_TOKENS = 258
JSON_MIME_TYPE = "application/json"
DEFAULT_EMBEDDING_DIMENSIONS = 8
PUNCTUATION = ".,;:!?\"'()"
_EXACT_REPLY = re.compile(r"\breply with exactly\s+(?P<reply>\S+)", re.IGNORECASE)
_COUNT = re.compile(r"\bcount from 1 to (?P<last>\d{1,3}),", re.IGNORECASE)
QUOTES = "\"'`*"
PLACEHOLDER_ARGUMENTS: dict[str, Any] = {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}


@dataclass(frozen=True)
class Piece:
    """What one stream chunk adds: its parts and the candidate tokens they cost."""

    parts: tuple[dict[str, Any], ...]
    tokens: int


@dataclass(frozen=True)
class Answer:
    pieces: tuple[Piece, ...]
    finish_reason: str
    prompt_tokens: int
    thoughts_tokens: int = 0
    failed: bool = False  # the upstream failed after the pieces so far (finish_reason is "")
    blocked: bool = False  # the prompt was blocked: no candidate at all, only promptFeedback

    @property
    def candidates_tokens(self) -> int:
        return sum(piece.tokens for piece in self.pieces)

    def parts(self) -> list[dict[str, Any]]:
        """The whole answer's parts: the pieces' text deltas joined back into one text part."""
        merged: list[dict[str, Any]] = []
        for part in (part for piece in self.pieces for part in piece.parts):
            if merged and part.get("text") == "" and "thoughtSignature" in part and "text" in merged[-1]:
                # A stream's final signed empty part: a whole answer signs its text part instead.
                merged[-1] = {**merged[-1], "thoughtSignature": part["thoughtSignature"]}
            elif merged and _is_plain_text(part) and _is_plain_text(merged[-1]):
                merged[-1] = {"text": merged[-1]["text"] + part["text"]}
            else:
                merged.append(dict(part))
        return merged


def answer(model: ModelSpec, request: GenerateRequest, *, follows_instructions: bool = True, words_per_piece: int = WORDS_PER_PIECE) -> Answer:
    """What the model says. With `follows_instructions` False (a substituted cheap model) it only
    echoes: no "reply with exactly", and only functions named outright are called."""
    prompt_tokens = prompt_token_count(request)
    if BLOCKED_PROMPT in _last_user_words(request.contents):
        return Answer((), "", prompt_tokens, blocked=True)
    if model.kind == IMAGE:
        return _image_answer(request, prompt_tokens)
    thoughts = _thoughts(model, request.thinking)
    _check_thought_signatures(request.contents, required=bool(thoughts) and model.requires_thought_signatures)
    lead = ({"text": " ".join(thoughts), "thought": True},) if thoughts and request.thinking.include_thoughts else ()
    calls = _function_calls(request, follows_instructions)
    if calls and thoughts:
        calls[0]["thoughtSignature"] = _signature(calls[0]["functionCall"])
    if calls:
        tokens = sum(1 + len(call["functionCall"]["args"]) for call in calls)
        return Answer((Piece((*lead, *calls), tokens),), "STOP", prompt_tokens, len(thoughts))
    words, finish_reason = _echo(request, follows_instructions)
    pieces = _text_pieces(words, lead, words_per_piece)
    if thoughts and model.requires_thought_signatures:
        # Gemini 3 ends a thinking stream with an empty text part that carries the thought signature
        # and the finishReason (recording vercel-ai/027; facts §2 Part.thoughtSignature).
        pieces = (*pieces, Piece(({"text": "", "thoughtSignature": _signature({"name": "text"})},), 0))
    if UPSTREAM_FAILURE in _last_user_words(request.contents):
        return Answer(pieces[:1], "", prompt_tokens, len(thoughts), failed=True)
    return Answer(pieces, finish_reason, prompt_tokens, len(thoughts))


def prompt_token_count(request: GenerateRequest) -> int:
    turns = [*request.contents, *([request.system_instruction] if request.system_instruction else [])]
    return sum(len(_text_of(turn).split()) + IMAGE_INPUT_TOKENS * _image_count(turn) for turn in turns)


def embed(text: str, dimensions: int | None = None) -> list[float]:
    count = dimensions or DEFAULT_EMBEDDING_DIMENSIONS
    digest = b""
    while len(digest) < 4 * count:
        digest += hashlib.sha256(f"{len(digest)}:{text}".encode()).digest()
    raw = [int.from_bytes(digest[4 * i : 4 * i + 4], "big") / 2**31 - 1 for i in range(count)]
    norm = math.sqrt(sum(value * value for value in raw)) or 1.0
    return [round(value / norm, 6) for value in raw]


def _echo(request: GenerateRequest, follows_instructions: bool = True) -> tuple[list[str], str]:
    text = " ".join(_last_user_words(request.contents) or ["OK"])
    instructed = _EXACT_REPLY.search(text) if follows_instructions else None
    counted = _COUNT.search(text) if follows_instructions else None
    if instructed:
        text = instructed["reply"].strip(QUOTES).removesuffix(".").strip(QUOTES)
    elif counted:
        text = " ".join(str(number) for number in range(1, int(counted["last"]) + 1))
    if request.response_mime_type == JSON_MIME_TYPE:
        text = json.dumps(text) if request.response_schema is None else _compact(_instance(request.response_schema))
    stops = [text.find(stop) for stop in request.stop_sequences if stop and stop in text]
    words = text[: min(stops)].split() if stops else text.split()
    limit = request.max_output_tokens
    if limit is not None and len(words) > limit:
        return words[:limit], "MAX_TOKENS"
    return words, "STOP"


def _text_pieces(words: list[str], lead: tuple[dict[str, Any], ...], size: int = WORDS_PER_PIECE) -> tuple[Piece, ...]:
    groups = [words[start : start + size] for start in range(0, len(words), size)] or [[]]
    pieces = []
    for index, group in enumerate(groups):
        text = {"text": (" " if index else "") + " ".join(group)}
        pieces.append(Piece((*lead, text) if index == 0 else (text,), len(group)))
    return tuple(pieces)


def _thoughts(model: ModelSpec, thinking: ThinkingSettings) -> list[str]:
    if not model.thinks or thinking.budget == 0:
        return []
    budget = thinking.budget if thinking.budget and thinking.budget > 0 else MAX_THOUGHT_TOKENS
    return THOUGHT_WORDS[: min(budget, MAX_THOUGHT_TOKENS)]


def _function_calls(request: GenerateRequest, by_topic: bool = True) -> list[dict[str, Any]]:
    if not request.functions or request.function_mode == "NONE":
        return []
    allowed = [
        function
        for function in request.functions
        if not request.allowed_function_names or function.name in request.allowed_function_names
    ]
    words = _last_user_words(request.contents)
    prompt = " ".join(words)
    chosen = [function for function in allowed if _is_about(prompt, function.name, by_topic)]
    if not chosen and request.function_mode == "ANY":
        chosen = allowed[:1]
    names = {function.name for function in request.functions}
    bare_words = [word.strip(PUNCTUATION) for word in words]
    filler = next((word for word in reversed(bare_words) if word and word not in names), "value")
    return [
        {"functionCall": {"id": f"call-{number}", "name": function.name, "args": _arguments(function, filler)}}
        for number, function in enumerate(chosen, start=1)
    ]


def _is_about(prompt: str, name: str, by_topic: bool) -> bool:
    """The prompt names the function, or (by topic) one of its words of 4+ letters: get_weather -> weather."""
    if _mentions(prompt, name):
        return True
    topics = [word for word in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if len(word) >= 4]
    return by_topic and any(_mentions(prompt, word, re.IGNORECASE) for word in topics)


def _mentions(prompt: str, word: str, flags: int = 0) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", prompt, flags) is not None


def _arguments(function: FunctionDeclaration, filler: str) -> dict[str, Any]:
    return {name: PLACEHOLDER_ARGUMENTS.get(kind, filler) for name, kind in function.required}


def _image_answer(request: GenerateRequest, prompt_tokens: int) -> Answer:
    prompt = " ".join(_last_user_words(request.contents))
    colour = tuple(hashlib.sha256(prompt.encode()).digest()[:3])
    png = generated_png(*request.image_size, colour)
    picture = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}}
    caption = Piece(({"text": IMAGE_CAPTION},), len(IMAGE_CAPTION.split()))
    return Answer((caption, Piece((picture,), IMAGE_TOKENS)), "STOP", prompt_tokens)


def _last_user_words(contents: tuple[dict[str, Any], ...]) -> list[str]:
    user_turns = [content for content in contents if (content.get("role") or "user") == "user"]
    if not user_turns:
        return []
    results = [part["functionResponse"].get("response") for part in _parts(user_turns[-1]) if "functionResponse" in part]
    return [*_text_of(user_turns[-1]).split(), *(word for result in results for word in _string_values(result))]


def _parts(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [part for part in content.get("parts") or () if isinstance(part, dict)]


def _image_count(content: dict[str, Any]) -> int:
    blobs = [part.get("inlineData") for part in _parts(content)]
    return sum(1 for blob in blobs if isinstance(blob, dict) and str(blob.get("mimeType", "")).startswith("image/"))


def _string_values(value: Any) -> list[str]:
    """The words of every string in a JSON value, in order."""
    if isinstance(value, str):
        return value.split()
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [word for item in items for word in _string_values(item)]


def _instance(schema: Any) -> Any:
    """A value valid against a responseSchema (OpenAPI subset, any case) or a JSON Schema."""
    if not isinstance(schema, dict):
        return "value"
    if schema.get("enum"):
        return schema["enum"][0]
    for alternatives in ("anyOf", "oneOf"):
        if schema.get(alternatives):
            return _instance(schema[alternatives][0])
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or ())
    kind = next((str(k).lower() for k in kinds if str(k).lower() != "null"), "object" if "properties" in schema else "string")
    if kind == "object":
        properties = schema.get("properties") or {}
        ordering = [name for name in schema.get("propertyOrdering") or () if name in properties]
        return {name: _instance(properties[name]) for name in [*ordering, *properties]}
    if kind == "array":
        return [_instance(schema.get("items"))] * max(1, int(schema.get("minItems") or 1))
    return {"integer": 1, "number": 1, "boolean": True}.get(kind, "value")


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _signature(call: dict[str, Any]) -> str:
    digest = hashlib.sha256(f"gc-thought-signature:{call.get('name')}".encode())
    return base64.b64encode(digest.digest()).decode()


def _check_thought_signatures(contents: tuple[dict[str, Any], ...], required: bool) -> None:
    """Refuse a history whose function calls carry a signature the model never gave, or (where the
    model requires them) none on a model turn's first call."""
    for index, content in enumerate(contents):
        calls = [part for part in _parts(content) if isinstance(part.get("functionCall"), dict)]
        if content.get("role") != "model" or not calls:
            continue
        for part in calls:
            if "thoughtSignature" in part and part["thoughtSignature"] != _signature(part["functionCall"]):
                raise envelopes.invalid_argument(f"Thought signature is not valid (contents[{index}]).")
        if required and "thoughtSignature" not in calls[0]:
            name = calls[0]["functionCall"].get("name")
            raise envelopes.invalid_argument(
                f"Function call is missing a thought_signature in functionCall parts (contents[{index}], "
                f"function call `{name}`). This is required for tools to work correctly."
            )


def _text_of(content: dict[str, Any]) -> str:
    texts = [part.get("text") for part in content.get("parts") or () if isinstance(part, dict)]
    return " ".join(text for text in texts if isinstance(text, str))


def _is_plain_text(part: dict[str, Any]) -> bool:
    return set(part) == {"text"}
