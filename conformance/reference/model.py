"""The deterministic fake model behind the reference gateway.

Everything it says follows from the request, so checks can predict answers exactly:

- **Tokens** are whitespace-separated words. The prompt's token count is the number of words in the
  text parts of `contents` plus `systemInstruction`; other parts (inline images, files, function
  calls and responses) count 0.
- **Text models echo.** The answer is the words of the last user turn's text parts, joined by single
  spaces ("OK" if that turn has no text). It is cut before the earliest `stopSequences` match
  (finishReason STOP), then to `maxOutputTokens` words (finishReason MAX_TOKENS). Sampling knobs
  (temperature, topP, topK, seed) change nothing.
- **Thinking** (models that think): unless `thinkingBudget` is 0 the model thinks
  min(budget, 8) tokens, 8 when the budget is unset or -1; `thinkingLevel` is accepted and changes
  nothing. They show up as `thoughtsTokenCount` and, with `includeThoughts`, as a leading part
  `{"text": <those words>, "thought": true}`. Thoughts do not count against maxOutputTokens.
- **Function calling**: with `functionDeclarations` and a mode other than NONE, the model calls every
  declared (and allowed) function whose name the last user turn mentions; in mode ANY it calls the
  first allowed function if none is mentioned. Each call is `{"id": "call-<n>", "name", "args"}`
  with a value for every required parameter: strings get the last ordinary word of the prompt
  (or "value"), other types a fixed placeholder. A call costs 1 token plus 1 per argument.
- **Image models** answer "Here is the image." (4 tokens) plus a solid-colour PNG whose size follows
  `imageConfig` (see images.py), counted as 1290 tokens like Google's per-image count.
- **Embeddings** are unit vectors of 8 floats (or `outputDimensionality`) drawn from SHA-256 of the text.
- **Streaming** sends the answer in pieces of 2 words; each piece after the first starts with the
  space that separates it from the previous one, so the texts concatenate to the exact answer.
  The thought part rides in the first piece, an image model's picture in its own last piece.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any

from .catalog import IMAGE, ModelSpec
from .images import solid_png
from .validation import FunctionDeclaration, GenerateRequest, ThinkingSettings

WORDS_PER_PIECE = 2
MAX_THOUGHT_TOKENS = 8
THOUGHT_WORDS = "Let me think about this step by step".split()
IMAGE_CAPTION = "Here is the image."
IMAGE_TOKENS = 1290
DEFAULT_EMBEDDING_DIMENSIONS = 8
PUNCTUATION = ".,;:!?\"'()"
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

    @property
    def candidates_tokens(self) -> int:
        return sum(piece.tokens for piece in self.pieces)

    def parts(self) -> list[dict[str, Any]]:
        """The whole answer's parts: the pieces' text deltas joined back into one text part."""
        merged: list[dict[str, Any]] = []
        for part in (part for piece in self.pieces for part in piece.parts):
            if merged and _is_plain_text(part) and _is_plain_text(merged[-1]):
                merged[-1] = {"text": merged[-1]["text"] + part["text"]}
            else:
                merged.append(dict(part))
        return merged


def answer(model: ModelSpec, request: GenerateRequest) -> Answer:
    prompt_tokens = prompt_token_count(request)
    if model.kind == IMAGE:
        return _image_answer(request, prompt_tokens)
    thoughts = _thoughts(model, request.thinking)
    lead = ({"text": " ".join(thoughts), "thought": True},) if thoughts and request.thinking.include_thoughts else ()
    calls = _function_calls(request)
    if calls:
        tokens = sum(1 + len(call["functionCall"]["args"]) for call in calls)
        return Answer((Piece((*lead, *calls), tokens),), "STOP", prompt_tokens, len(thoughts))
    words, finish_reason = _echo(request)
    return Answer(_text_pieces(words, lead), finish_reason, prompt_tokens, len(thoughts))


def prompt_token_count(request: GenerateRequest) -> int:
    turns = [*request.contents, *([request.system_instruction] if request.system_instruction else [])]
    return sum(len(_text_of(turn).split()) for turn in turns)


def embed(text: str, dimensions: int | None = None) -> list[float]:
    count = dimensions or DEFAULT_EMBEDDING_DIMENSIONS
    digest = b""
    while len(digest) < 4 * count:
        digest += hashlib.sha256(f"{len(digest)}:{text}".encode()).digest()
    raw = [int.from_bytes(digest[4 * i : 4 * i + 4], "big") / 2**31 - 1 for i in range(count)]
    norm = math.sqrt(sum(value * value for value in raw)) or 1.0
    return [round(value / norm, 6) for value in raw]


def _echo(request: GenerateRequest) -> tuple[list[str], str]:
    text = " ".join(_last_user_words(request.contents) or ["OK"])
    stops = [text.find(stop) for stop in request.stop_sequences if stop and stop in text]
    words = text[: min(stops)].split() if stops else text.split()
    limit = request.max_output_tokens
    if limit is not None and len(words) > limit:
        return words[:limit], "MAX_TOKENS"
    return words, "STOP"


def _text_pieces(words: list[str], lead: tuple[dict[str, Any], ...]) -> tuple[Piece, ...]:
    groups = [words[start : start + WORDS_PER_PIECE] for start in range(0, len(words), WORDS_PER_PIECE)] or [[]]
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


def _function_calls(request: GenerateRequest) -> list[dict[str, Any]]:
    if not request.functions or request.function_mode == "NONE":
        return []
    allowed = [
        function
        for function in request.functions
        if not request.allowed_function_names or function.name in request.allowed_function_names
    ]
    words = _last_user_words(request.contents)
    prompt = " ".join(words)
    chosen = [function for function in allowed if re.search(rf"(?<!\w){re.escape(function.name)}(?!\w)", prompt)]
    if not chosen and request.function_mode == "ANY":
        chosen = allowed[:1]
    names = {function.name for function in request.functions}
    bare_words = [word.strip(PUNCTUATION) for word in words]
    filler = next((word for word in reversed(bare_words) if word and word not in names), "value")
    return [
        {"functionCall": {"id": f"call-{number}", "name": function.name, "args": _arguments(function, filler)}}
        for number, function in enumerate(chosen, start=1)
    ]


def _arguments(function: FunctionDeclaration, filler: str) -> dict[str, Any]:
    return {name: PLACEHOLDER_ARGUMENTS.get(kind, filler) for name, kind in function.required}


def _image_answer(request: GenerateRequest, prompt_tokens: int) -> Answer:
    prompt = " ".join(_last_user_words(request.contents))
    colour = tuple(hashlib.sha256(prompt.encode()).digest()[:3])
    png = solid_png(*request.image_size, colour)
    picture = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}}
    caption = Piece(({"text": IMAGE_CAPTION},), len(IMAGE_CAPTION.split()))
    return Answer((caption, Piece((picture,), IMAGE_TOKENS)), "STOP", prompt_tokens)


def _last_user_words(contents: tuple[dict[str, Any], ...]) -> list[str]:
    user_turns = [content for content in contents if (content.get("role") or "user") == "user"]
    return _text_of(user_turns[-1]).split() if user_turns else []


def _text_of(content: dict[str, Any]) -> str:
    texts = [part.get("text") for part in content.get("parts") or () if isinstance(part, dict)]
    return " ".join(text for text in texts if isinstance(text, str))


def _is_plain_text(part: dict[str, Any]) -> bool:
    return set(part) == {"text"}
