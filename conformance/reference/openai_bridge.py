"""AIone's OpenAI-compatible image bridge (seed 001): /v1/chat/completions for Gemini image models.

The request is an OpenAI chat completion; the gateway maps it onto a Gemini generateContent:

    messages[].content (string or parts) -> contents (system messages -> systemInstruction)
    {"type": "image_url", "image_url": {"url": "data:<mime>;base64,<data>"}} -> inlineData
        (only data: URIs are converted; "a public image URL ... will not be converted", seed 001)
    max_tokens / max_completion_tokens -> maxOutputTokens
    aspect_ratio / image_size -> imageConfig.aspectRatio / imageSize

and answers a `chat.completion` whose `choices[0].message.content` is an array: the caption as a
text part and the picture as an `image_url` part holding a data URI, plus `usage`. `stream: true`
is refused ("Streaming is not supported: stream must be false or omitted"). Errors on this route
are OpenAI-shaped, as an OpenAI-compatible endpoint's clients expect.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from typing import Any

from . import envelopes
from .envelopes import ApiError
from .model import Answer

ROLES = {"user": "user", "assistant": "model"}
_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)$", re.DOTALL)
OPENAI_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "invalid_request_error"}


def parse(raw: bytes) -> dict[str, Any]:
    """The request body as sent (OpenAI field names stay snake_case)."""
    try:
        body = json.loads(raw or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise envelopes.malformed_json(str(error)) from None
    if not isinstance(body, dict):
        raise envelopes.malformed_json("The request body must be a JSON object.")
    return body


def stream_refused() -> ApiError:
    return envelopes.invalid_argument(
        "Streaming is not supported for image generation models: stream must be false or omitted.",
        "bridge_stream",
    )


def gemini_request(body: dict[str, Any]) -> dict[str, Any]:
    """The generateContent body an OpenAI chat completion request maps to (validated later)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise envelopes.invalid_argument("messages must be a non-empty array.", "missing_messages")
    contents, system = [], []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise envelopes.invalid_argument(f"messages[{index}] must be an object.")
        parts = _parts(message.get("content"), index)
        if message.get("role") in ("system", "developer"):
            system += parts
        elif message.get("role") in ROLES:
            contents.append({"role": ROLES[message["role"]], "parts": parts})
        else:
            raise envelopes.invalid_argument(f"messages[{index}].role {message.get('role')!r} is not supported.")
    config: dict[str, Any] = {"responseModalities": ["TEXT", "IMAGE"]}
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    if max_tokens is not None:
        config["maxOutputTokens"] = max_tokens
    image_config = {name: body[key] for key, name in (("aspect_ratio", "aspectRatio"), ("image_size", "imageSize")) if body.get(key)}
    if image_config:
        config["imageConfig"] = image_config
    request: dict[str, Any] = {"contents": contents, "generationConfig": config}
    if system:
        request["systemInstruction"] = {"parts": system}
    return request


def chat_completion(answer: Answer, model_id: str, response_id: str) -> dict[str, Any]:
    content = [_content_part(part) for part in answer.parts() if "text" in part or "inlineData" in part]
    prompt, completion = answer.prompt_tokens, answer.candidates_tokens
    return {
        "id": f"chatcmpl-{response_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model_id,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


def stream_chunks(completion: dict[str, Any]) -> list[dict[str, Any]]:
    """The chat.completion as OpenAI stream chunks (only a faulty bridge streams)."""
    message = completion["choices"][0]["message"]
    base = {key: completion[key] for key in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    deltas = [{"role": "assistant", "content": part} for part in message["content"]]
    chunks = [base | {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in deltas]
    chunks.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return chunks


def openai_error(error: ApiError) -> dict[str, Any]:
    return {
        "error": {
            "message": error.message,
            "type": OPENAI_ERROR_TYPES.get(error.http_status, "api_error"),
            "param": None,
            "code": error.reason,
        }
    }


def data_uri_images(body: Any) -> list[str]:
    """The data: URIs a chat completion request carries as image_url parts."""
    urls = []
    for message in body.get("messages") or [] if isinstance(body, dict) else []:
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else []:
            url = _image_url(part)
            if url and url.startswith("data:"):
                urls.append(url)
    return urls


def _parts(content: Any, index: int) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"text": content}]
    if not isinstance(content, list):
        raise envelopes.invalid_argument(f"messages[{index}].content must be a string or an array.")
    parts = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
            parts.append({"text": part["text"]})
        elif isinstance(part, dict) and part.get("type") == "image_url":
            url = _image_url(part)
            if url and url.startswith("data:"):  # other URLs are not converted (seed 001)
                parts.append({"inlineData": _blob(url, index)})
        else:
            raise envelopes.invalid_argument(f"messages[{index}].content has an unsupported part.")
    return parts or [{"text": ""}]


def _image_url(part: Any) -> str | None:
    image_url = part.get("image_url") if isinstance(part, dict) else None
    url = image_url.get("url") if isinstance(image_url, dict) else image_url
    return url if isinstance(url, str) else None


def _blob(url: str, index: int) -> dict[str, str]:
    match = _DATA_URI.match(url)
    try:
        if match is None:
            raise ValueError(url[:40])
        base64.b64decode(match["data"], validate=True)
    except (ValueError, binascii.Error):
        raise envelopes.invalid_argument(f"messages[{index}]: image_url is not a valid base64 data: URI.") from None
    return {"mimeType": match["mime"], "data": match["data"]}


def _content_part(part: dict[str, Any]) -> dict[str, Any]:
    if "text" in part:
        return {"type": "text", "text": part["text"]}
    blob = part["inlineData"]
    return {"type": "image_url", "image_url": {"url": f"data:{blob['mimeType']};base64,{blob['data']}"}}
