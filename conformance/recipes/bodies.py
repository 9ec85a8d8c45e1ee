"""The request bodies the suite sends, in one place.

Real targets bill per token, so every generation is small: a short prompt, a low
``maxOutputTokens``, and thinking switched off where the target declares it (thinking tokens count
against the output budget and would be billed for nothing).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from conformance.images import padded_png, solid_png
from conformance.targets import Target
from conformance.vocabulary import UPSTREAM_FAILURE

# A short answer (~15 tokens): Google sends one this short in a single stream event.
COUNTING_PROMPT = "Reply with the numbers from one to twelve as words, separated by spaces."
TEXT_MAX_OUTPUT_TOKENS = 64
# The streamed answer is long enough that Google sends it in several events, so the stream rules have
# chunks to compare: every recorded Google stream of 6 output tokens or more came in two events or more
# (conformance/recordings), and counting to 40 is ~40-80 tokens.
STREAM_COUNT = 40
STREAM_PROMPT = f"Count from 1 to {STREAM_COUNT}, one number per line, digits only."
STREAM_MAX_OUTPUT_TOKENS = 128
IMAGE_PROMPT = "A single red square on a white background."
IMAGE_ASPECT_RATIO = "16:9"


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def text_request(target: Target, *, max_output_tokens: int = TEXT_MAX_OUTPUT_TOKENS) -> dict[str, Any]:
    config: dict[str, Any] = {"maxOutputTokens": max_output_tokens, "temperature": 0}
    if "thinking" in target.features:
        config["thinkingConfig"] = {"thinkingBudget": 0}
    return {"contents": [user(COUNTING_PROMPT)], "generationConfig": config}


def stream_request(target: Target) -> dict[str, Any]:
    """The request every stream rule reads the answer to: the long counting answer."""
    return text_request(target, max_output_tokens=STREAM_MAX_OUTPUT_TOKENS) | {"contents": [user(STREAM_PROMPT)]}


def tiny_request(target: Target) -> dict[str, Any]:
    """The cheapest generation that still proves a request was accepted."""
    return text_request(target, max_output_tokens=1)


def image_request(image_size: str | None = None) -> dict[str, Any]:
    image_config = {"aspectRatio": IMAGE_ASPECT_RATIO} | ({"imageSize": image_size} if image_size else {})
    return {
        "contents": [user(IMAGE_PROMPT)],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": image_config},
    }


EMBED_TEXT = "conformance"


def embed_request(model: str) -> dict[str, Any]:
    return {"model": f"models/{model}", "content": {"parts": [{"text": EMBED_TEXT}]}}


def batch_embed_request(model: str) -> dict[str, Any]:
    return {"requests": [embed_request(model), embed_request(model) | {"content": {"parts": [{"text": "suite"}]}}]}


def count_tokens_request() -> dict[str, Any]:
    return {"contents": [user(COUNTING_PROMPT)]}


def count_tokens_generate_content_request(model: str) -> dict[str, Any]:
    """CountTokensRequest in its other form: a whole GenerateContentRequest (facts §4)."""
    return {"generateContentRequest": {"model": f"models/{model}", "contents": [user(COUNTING_PROMPT)]}}


# Distinct texts, so a batch answered out of order or short is visible.
EMBED_BATCH_TEXTS = ("a red apple on a table", "the deep blue ocean", "a quiet green forest")


def embed_batch_request(model: str, texts: tuple[str, ...]) -> dict[str, Any]:
    requests = [{"model": f"models/{model}", "content": {"parts": [{"text": text}]}} for text in texts]
    return {"requests": requests}


# Semantic smoke: what a real model at temperature 0 reliably does.
EXACT_REPLY = "PONG"
WEATHER_TOOL = "get_weather"
WEATHER_PROMPT = "What is the weather like in Paris right now?"


# Text that a layer emulating function calls by parsing the model's text would take for a call.
CALL_LIKE_REPLY = "lookup_order(42)"


def exact_reply_request(target: Target, reply: str = EXACT_REPLY) -> dict[str, Any]:
    return text_request(target, max_output_tokens=8) | {"contents": [user(f"Reply with exactly {reply} and nothing else.")]}


def _city_function(name: str, description: str) -> dict[str, Any]:
    parameters = {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}
    return {"name": name, "description": description, "parameters": parameters}


WEATHER_DECLARATION = _city_function(WEATHER_TOOL, "Get the current weather in a city.")


def weather_tool_request(target: Target) -> dict[str, Any]:
    return tools_request(text_request(target, max_output_tokens=32), WEATHER_PROMPT, [WEATHER_DECLARATION])


def tools_request(
    base: dict[str, Any], prompt: str, declarations: list[dict[str, Any]], mode: str | None = None
) -> dict[str, Any]:
    """``base`` (a text or thinking request) asking ``prompt`` with these functions declared."""
    body = base | {"contents": [user(prompt)], "tools": [{"functionDeclarations": declarations}]}
    return body | ({"toolConfig": {"functionCallingConfig": {"mode": mode}}} if mode else {})


# AIone's OpenAI-compatible image bridge (seed 001). Only aspect_ratio is sent: image_size is
# optional, and not every image model takes it (gemini-2.5-flash-image predates imageSize).
# A 16x16 solid blue PNG: the smallest reference image worth sending.
REFERENCE_IMAGE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGPQiDpBEmIY1TCqYfhqAADQmEoQ58t5gwAAAABJRU5ErkJggg=="
)


def bridge_image_request(model: str, *, reference_image: str | None = None, stream: bool | None = None) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": IMAGE_PROMPT}]
    if reference_image:
        content.append({"type": "image_url", "image_url": {"url": reference_image}})
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": content}],
        "aspect_ratio": IMAGE_ASPECT_RATIO,
    }
    return body | ({"stream": stream} if stream is not None else {})


# Request casing (facts §1: proto3 JSON names; §8: the body google-genai really sends).
CASING_MAX_OUTPUT_TOKENS = 2  # far below the counting answer, so an honoured limit ends in MAX_TOKENS
SYSTEM_INSTRUCTION = "You are a terse assistant. Answer with as few words as you can and never explain yourself."
# A 1x1 white PNG: the smallest image a model accepts, for the inline-data spellings.
TINY_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"


def snake_case_request(target: Target, *, system_instruction: bool = True) -> dict[str, Any]:
    """Every field by its proto (snake_case) name, as Tokensmart's inline_data example writes them."""
    config: dict[str, Any] = {"max_output_tokens": CASING_MAX_OUTPUT_TOKENS, "temperature": 0}
    if "thinking" in target.features:
        config["thinking_config"] = {"thinking_budget": 0}
    parts: list[dict[str, Any]] = [{"text": COUNTING_PROMPT}]
    if "inline_images" in target.features:
        parts.append({"inline_data": {"mime_type": "image/png", "data": TINY_PNG_BASE64}})
    body: dict[str, Any] = {"contents": [{"role": "user", "parts": parts}], "generation_config": config}
    if system_instruction:
        body["system_instruction"] = {"parts": [{"text": SYSTEM_INSTRUCTION}]}
    return body


def python_sdk_request(target: Target) -> dict[str, Any]:
    """The mixed body google-genai sends (facts §8): camelCase objects holding snake_case leaves."""
    config: dict[str, Any] = {"temperature": 0, "maxOutputTokens": CASING_MAX_OUTPUT_TOKENS}
    if "thinking" in target.features:
        config["thinkingConfig"] = {"include_thoughts": False, "thinking_budget": 0}
    parts: list[dict[str, Any]] = [{"text": COUNTING_PROMPT}]
    if "inline_images" in target.features:
        parts.append({"inlineData": {"mime_type": "image/png", "data": TINY_PNG_BASE64}})
    return {
        "contents": [{"parts": parts, "role": "user"}],
        "systemInstruction": {"parts": [{"text": SYSTEM_INSTRUCTION}], "role": "user"},
        "generationConfig": config,
    }


def float_top_k_request(target: Target) -> dict[str, Any]:
    """topK as google-genai writes it: an integral float in an int32 field (facts §1)."""
    body = tiny_request(target)
    body["generationConfig"]["topK"] = 40.0
    return body


def upstream_failure_request(target: Target) -> dict[str, Any]:
    """A short answer on which the reference gateway's fake upstream fails mid-stream (model.py)."""
    return text_request(target, max_output_tokens=8) | {"contents": [user(f"{COUNTING_PROMPT} {UPSTREAM_FAILURE}")]}


# Fidelity mode (checks/fidelity.py): each request carries a scenario marker in its prompt, so the
# scripted upstream behind the gateway knows what to answer and the suite finds what it received.
FIDELITY_PROMPT = "Answer briefly."
FIDELITY_SIGNATURE = "c2lnbmF0dXJlLW9mLXR1cm4tMQ=="  # a thoughtSignature in the history, forwarded as is


def marked_request(marker: str) -> dict[str, Any]:
    """The least a gateway can forward: contents and one generation setting."""
    return {"contents": [user(f"{marker} {FIDELITY_PROMPT}")], "generationConfig": {"maxOutputTokens": TEXT_MAX_OUTPUT_TOKENS}}


def marked_every_field_request(target: Target, marker: str) -> dict[str, Any]:
    """Every field of GenerateContentRequest a gateway must forward (camelCase), within what the target
    declares: newer and rarer ones included (seed, logprobs, mediaResolution, enableEnhancedCivicAnswers,
    responseSchema, cachedContent, a newer HarmCategory), which gateways built on an older copy of the
    request type drop or rename."""
    config: dict[str, Any] = {
        "maxOutputTokens": TEXT_MAX_OUTPUT_TOKENS, "temperature": 0.3, "topP": 0.9, "topK": 20, "stopSequences": ["STOP!"],
        "seed": 7, "presencePenalty": 0.1, "frequencyPenalty": 0.1, "responseLogprobs": True, "logprobs": 2,
        "mediaResolution": "MEDIA_RESOLUTION_LOW", "enableEnhancedCivicAnswers": False,
        "responseMimeType": "application/json",
        "responseSchema": {"type": "OBJECT", "properties": {"answer": {"type": "STRING"}}, "required": ["answer"]},
    }
    if "thinking" in target.features:
        config["thinkingConfig"] = {"thinkingBudget": 128, "includeThoughts": True}
    body: dict[str, Any] = {
        "contents": [user(f"{marker} {WEATHER_PROMPT}")],
        "systemInstruction": {"role": "user", "parts": [{"text": SYSTEM_INSTRUCTION}]},
        "safetySettings": [
            {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"},
            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_MEDIUM_AND_ABOVE"},
            {"category": "HARM_CATEGORY_CIVIC_INTEGRITY", "threshold": "BLOCK_NONE"},
        ],
        "generationConfig": config,
        "cachedContent": "cachedContents/gcfid-every-field",
    }
    if "function_calling" in target.features:
        call = {"functionCall": {"id": "fc-1", "name": WEATHER_TOOL, "args": {"city": "Paris"}}, "thoughtSignature": FIDELITY_SIGNATURE}
        # An empty text part carrying a signature, as Gemini 3 ends a turn with one: sent back as it came.
        signed_empty = {"text": "", "thoughtSignature": FIDELITY_SIGNATURE}
        answer = {"functionResponse": {"id": "fc-1", "name": WEATHER_TOOL, "response": {"temperature_c": 21, "sky": "clear"}}}
        body["contents"] += [{"role": "model", "parts": [call, signed_empty]}, {"role": "user", "parts": [answer]}]
        body["tools"] = [{"functionDeclarations": [WEATHER_DECLARATION, JSON_SCHEMA_TOOL]}]
        body["toolConfig"] = {"functionCallingConfig": {"mode": "AUTO"}}
    return body


# A declaration in JSON Schema (parametersJsonSchema), with what translators strip: $defs and $ref,
# anyOf and const.
JSON_SCHEMA_TOOL = {
    "name": "book_table",
    "description": "Books a table.",
    "parametersJsonSchema": {
        "type": "object",
        "$defs": {"size": {"type": "integer", "minimum": 1}},
        "properties": {
            "guests": {"$ref": "#/$defs/size"},
            "when": {"anyOf": [{"type": "string", "format": "date-time"}, {"const": "now"}]},
        },
        "required": ["guests"],
    },
}


def marked_snake_case_request(target: Target, marker: str) -> dict[str, Any]:
    """The proto field names Google also accepts (facts §1), as some SDKs and users send them."""
    config: dict[str, Any] = {"max_output_tokens": TEXT_MAX_OUTPUT_TOKENS, "stop_sequences": ["STOP!"]}
    if "thinking" in target.features:
        config["thinking_config"] = {"thinking_budget": 0}
    parts: list[dict[str, Any]] = [{"text": f"{marker} {FIDELITY_PROMPT}"}]
    if "inline_images" in target.features:
        parts.append({"inline_data": {"mime_type": "image/png", "data": TINY_PNG_BASE64}})
    return {
        "contents": [{"role": "user", "parts": parts}],
        "system_instruction": {"parts": [{"text": SYSTEM_INSTRUCTION}]},
        "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}],
        "generation_config": config,
    }


def marked_count_tokens_request(marker: str) -> dict[str, Any]:
    return {"contents": [user(f"{marker} {FIDELITY_PROMPT}")]}


def marked_batch_embed_request(target: Target, marker: str) -> dict[str, Any]:
    """A batch whose requests carry what an embeddings translation has no place for: a taskType, a
    document's title and an outputDimensionality (facts §4 Embed; bugs §5 rule 22)."""
    model = f"models/{target.model('embedding') or target.model('text')}"
    document = {"parts": [{"text": f"{marker} {FIDELITY_PROMPT}"}]}
    return {
        "requests": [
            {"model": model, "content": document, "taskType": "RETRIEVAL_DOCUMENT", "title": "Fidelity", "outputDimensionality": 8},
            {"model": model, "content": {"parts": [{"text": EMBED_TEXT}]}, "taskType": "RETRIEVAL_QUERY", "outputDimensionality": 8},
        ]
    }


# --- Generation config, function calling, thinking and multimodal input ----------------------

CAPPED_MAX_OUTPUT_TOKENS = 4  # far below the twelve words of the counting answer
# The counting answer's last word, as a model may capitalise it: the answer stops before it.
STOP_SEQUENCES = ("twelve", "Twelve")


def capped_request(target: Target) -> dict[str, Any]:
    return text_request(target, max_output_tokens=CAPPED_MAX_OUTPUT_TOKENS)


def stop_sequence_request(target: Target) -> dict[str, Any]:
    body = text_request(target)
    body["generationConfig"]["stopSequences"] = list(STOP_SEQUENCES)
    return body


JSON_PROMPT = "List the numbers from one to three."
# The same answer shape, once as a responseSchema (Google's OpenAPI subset) and once as a JSON Schema.
RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "responseSchema": {
        "type": "OBJECT",
        "properties": {"numbers": {"type": "ARRAY", "items": {"type": "INTEGER"}}},
        "required": ["numbers"],
    },
    "responseJsonSchema": {
        "type": "object",
        "properties": {"numbers": {"type": "array", "items": {"type": "integer"}}},
        "required": ["numbers"],
        "additionalProperties": False,
    },
}


def json_mode_request(target: Target, schema_field: str) -> dict[str, Any]:
    body = text_request(target) | {"contents": [user(JSON_PROMPT)]}
    body["generationConfig"] |= {"responseMimeType": "application/json", schema_field: RESPONSE_SCHEMAS[schema_field]}
    return body


def system_instruction_request(target: Target) -> dict[str, Any]:
    """The tiny request plus a systemInstruction: it must raise promptTokenCount over the tiny one's."""
    return tiny_request(target) | {"systemInstruction": {"parts": [{"text": SYSTEM_INSTRUCTION}]}}


INLINE_DATA_SPELLINGS = {"camelCase": ("inlineData", "mimeType"), "snake_case": ("inline_data", "mime_type")}


def inline_image_request(target: Target, spelling: str, png_base64: str = TINY_PNG_BASE64) -> dict[str, Any]:
    """The tiny request with an inline PNG beside its text, the Blob's names spelt one way."""
    blob, mime = INLINE_DATA_SPELLINGS[spelling]
    body = tiny_request(target)
    body["contents"][0]["parts"].append({blob: {mime: "image/png", "data": png_base64}})
    return body


def body_of_size(target: Target, size: int) -> bytes:
    """A tiny request whose JSON is exactly ``size`` bytes: the bulk is one inline PNG (a small
    picture padded by a chunk decoders skip), so a model bills it as one small image."""
    envelope = json.dumps(inline_image_request(target, "camelCase", "")).encode()
    room = size - len(envelope)
    png = padded_png(solid_png(16, 16, (200, 30, 30)), room // 4 * 3)
    data = json.dumps(inline_image_request(target, "camelCase", base64.b64encode(png).decode())).encode()
    return data + b" " * (size - len(data))  # JSON may end in whitespace: the last bytes of the size


WEATHER_RESULT = {"forecast": "sunny", "temperature_celsius": 21}
TIME_DECLARATION = _city_function("get_time", "Get the current local time in a city.")
# Prompts name the functions outright: what any model calls, however literal-minded.
CALL_PROMPT = f"Call {WEATHER_TOOL} for Paris."
PARALLEL_PROMPT = f"Call {WEATHER_TOOL} and get_time for Paris, both at once."
UNRELATED_PROMPT = "Say hello."  # nothing a declared function is for


def function_call_request(target: Target) -> dict[str, Any]:
    return tools_request(text_request(target, max_output_tokens=32), CALL_PROMPT, [WEATHER_DECLARATION])


def function_result_request(request: dict[str, Any], model_turn: dict[str, Any]) -> dict[str, Any]:
    """``request`` continued: the model's turn as it came back, then a functionResponse (name, id)
    for each of its calls, as the SDKs send them."""
    calls = [part["functionCall"] for part in model_turn.get("parts") or () if isinstance(part.get("functionCall"), dict)]
    results = [
        {"functionResponse": {"name": call.get("name"), "response": WEATHER_RESULT} | ({"id": call["id"]} if "id" in call else {})}
        for call in calls
    ]
    return request | {"contents": [*request["contents"], model_turn, {"role": "user", "parts": results}]}


THINKING_PROMPT = "What is 17 times 23? Reply with the number only."
THINKING_BUDGET = 128  # the smallest budget every thinking model takes (Gemini 2.5 Pro's minimum)
# Room for the budget's thoughts (they count against maxOutputTokens on Gemini 2.5) and a short answer.
THINKING_MAX_OUTPUT_TOKENS = THINKING_BUDGET + 64


def thinking_request(target: Target, thinking_config: dict[str, Any] | None, prompt: str = THINKING_PROMPT) -> dict[str, Any]:
    """A request to the thinking model that lets it think; no thinkingConfig when None (a model
    suffix decides)."""
    config: dict[str, Any] = {"maxOutputTokens": THINKING_MAX_OUTPUT_TOKENS, "temperature": 0}
    if thinking_config is not None:
        config["thinkingConfig"] = thinking_config
    return {"contents": [user(prompt)], "generationConfig": config}
