"""The building blocks the fault tables are written in: transforms of bodies, chunks, parts and
errors, used by the reference gateway's faults and the test relay's alike."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..envelopes import ApiError, invalid_argument
from ..streaming import Write, json_array_frames
from ..wire import FREE_FORM_FIELDS, HTML, Reply, snake_case
from .fault import Transform


def for_each_chunk(transform: Transform) -> Transform:
    """Lift a transform of one GenerateContentResponse to a transform of a stream's chunk list."""
    return lambda chunks: [transform(chunk) for chunk in chunks]


def for_each_candidate(transform: Callable[[dict[str, Any]], None]) -> Transform:
    def apply(response: dict[str, Any]) -> dict[str, Any]:
        for candidate in response.get("candidates") or []:
            transform(candidate)
        return response

    return apply


def for_each_part(transform: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> Transform:
    def apply(candidate: dict[str, Any]) -> None:
        content = candidate.get("content", {})
        content["parts"] = transform(content.get("parts", []))

    return for_each_candidate(apply)


def map_parts(transform: Callable[[dict[str, Any]], dict[str, Any]]) -> Transform:
    """Apply a transform of one part to every part of every candidate that has a list of parts."""

    def apply(candidate: dict[str, Any]) -> None:
        content = candidate.get("content") or {}
        if isinstance(content.get("parts"), list):
            content["parts"] = [transform(part) for part in content["parts"]]

    return for_each_candidate(apply)


def set_in_candidate(path: str, value: Any) -> Transform:
    """Set `a.b` inside every candidate."""
    *parents, leaf = path.split(".")

    def apply(candidate: dict[str, Any]) -> None:
        for parent in parents:
            candidate = candidate.setdefault(parent, {})
        candidate[leaf] = value

    return for_each_candidate(apply)


def drop_from_candidates(key: str) -> Transform:
    return for_each_candidate(lambda candidate: candidate.pop(key, None))


def drop_key(key: str) -> Transform:
    return drop_keys(key)


def drop_keys(*keys: str) -> Transform:
    def apply(body: dict[str, Any]) -> dict[str, Any]:
        for key in keys:
            body.pop(key, None)
        return body

    return apply


def when_reason(reason: str, *, on: str | None = None, **changes: Any) -> Callable[[ApiError], ApiError]:
    """Restate one kind of error (on one action, or on any), e.g. report an unknown model as a 400."""
    return lambda error: replace(error, **changes) if error.reason == reason and on in (None, error.action) else error


def when_status(http_status: int, **changes: Any) -> Callable[[ApiError], ApiError]:
    return lambda error: replace(error, **changes) if error.http_status == http_status else error


def always(**changes: Any) -> Callable[[ApiError], ApiError]:
    return lambda error: replace(error, **changes)


def echo_key(error: ApiError) -> ApiError:
    if error.reason != "invalid_key":
        return error
    return replace(error, message=f"Incorrect API key provided: {error.presented_key}")


def miscount_total(response: dict[str, Any]) -> dict[str, Any]:
    usage = response.get("usageMetadata")
    if usage:
        usage["totalTokenCount"] += 7
    return response


def usage_as_deltas(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each chunk reports only what it added; the prompt is reported once, on the first chunk."""
    previous: dict[str, int] = {}
    for index, chunk in enumerate(chunks):
        cumulative = chunk.get("usageMetadata") or {}
        delta = {key: value - previous.get(key, 0) for key, value in cumulative.items() if key != "totalTokenCount"}
        if index:
            delta.pop("promptTokenCount", None)
        delta = {key: value for key, value in delta.items() if value or key == "candidatesTokenCount"}
        delta["totalTokenCount"] = sum(delta.values())
        chunk["usageMetadata"] = delta
        previous = cumulative
    return chunks


def usage_on_first_chunk_only(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for chunk in chunks[1:]:
        chunk.pop("usageMetadata", None)
    return chunks


def without_inline_data(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [part for part in parts if "inlineData" not in part]


def label_images_jpeg(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for part in parts:
        if "inlineData" in part:
            part["inlineData"]["mimeType"] = "image/jpeg"
    return parts


def openai_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data": items}


def openai_embeddings(vectors: list[dict[str, Any]]) -> dict[str, Any]:
    return openai_list([{"object": "embedding", "index": i, "embedding": v["values"]} for i, v in enumerate(vectors)])


def openai_model(model: dict[str, Any]) -> dict[str, Any]:
    return {"id": model["name"].removeprefix("models/"), "object": "model"}


def openai_error(envelope: dict[str, Any]) -> dict[str, Any]:
    error = envelope["error"]
    code = str(error.get("status", "error")).lower()
    return {"error": {"message": error["message"], "type": "invalid_request_error", "param": None, "code": code}}


def flush_once_at_the_end(writes: list[Write]) -> list[Write]:
    """Wait as long as the whole stream takes, then send it in one write (fake streaming)."""
    return [Write(sum(write.delay_s for write in writes), b"".join(write.data for write in writes))]


DASHBOARD = Reply(
    200,
    "<!doctype html><html><head><title>Gateway Console</title></head>"
    "<body><h1>Gateway Console</h1><p>Sign in to manage your API keys.</p></body></html>",
    HTML,
)


def opening_chunk_with_nan(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An OpenAI-to-Gemini translator opens with the role-only delta, an empty chunk whose
    avgLogprobs is the mean of no log-probabilities: NaN, which Python's json.dumps writes bare."""
    first = chunks[0]
    candidate = {"content": {"parts": [{"text": ""}], "role": "model"}, "index": 0, "avgLogprobs": float("nan")}
    opening = {"candidates": [candidate], "modelVersion": first.get("modelVersion"), "responseId": first.get("responseId")}
    return [opening, *chunks]


def json_split_before(key: str) -> Callable[[list[bytes]], list[bytes]]:
    """Continue each event's JSON on a second `data:` line, from `key` on (bugs F4)."""
    marker = f',"{key}"'.encode()
    return lambda frames: [frame.replace(marker, b",\r\ndata: " + marker[1:], 1) for frame in frames]


def no_blank_line_after_last(frames: list[bytes]) -> list[bytes]:
    """Blank lines written as separators between events rather than after each one."""
    return [*frames[:-1], frames[-1].removesuffix(b"\r\n\r\n")]


def sse_frames_as_json_array(frames: list[bytes]) -> list[bytes]:
    """The body a stream requested without `alt` gets: `[chunk,\\r\\nchunk]`."""
    return json_array_frames([json.loads(frame.removeprefix(b"data: ")) for frame in frames])


def response_id_per_chunk(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for index, chunk in enumerate(chunks):
        chunk["responseId"] = f"{chunk.get('responseId', 'resp')}-{index}"
    return chunks


def cumulative_text(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each chunk carries all the answer's text so far instead of what it adds."""
    so_far = ""
    for chunk in chunks:
        for candidate in chunk.get("candidates", []):
            for part in candidate.get("content", {}).get("parts", []):
                if isinstance(part.get("text"), str) and not part.get("thought"):
                    so_far += part["text"]
                    part["text"] = so_far
    return chunks


def gathered_into_one_event(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chunks gathered into one: the last chunk (its usage, finishReason and ids) carrying every
    chunk's parts, in order."""
    if len(chunks) < 2 or not all(chunk.get("candidates") for chunk in chunks):
        return chunks
    parts = [part for chunk in chunks for part in chunk["candidates"][0].get("content", {}).get("parts", [])]
    last = chunks[-1]
    last["candidates"][0].setdefault("content", {})["parts"] = parts
    return [last]


def snake_case_envelope(body: dict[str, Any]) -> dict[str, Any]:
    """usageMetadata -> usage_metadata, modelVersion -> model_version, responseId -> response_id."""
    return {re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower(): value for key, value in body.items()}


def drop_snake_case_fields(body: Any) -> Any:
    """A reader that knows the camelCase field names only: snake_case ones are silently dropped."""
    if isinstance(body, list):
        return [drop_snake_case_fields(item) for item in body]
    if not isinstance(body, dict):
        return body
    return {
        key: value if key in FREE_FORM_FIELDS else drop_snake_case_fields(value)
        for key, value in body.items()
        if "_" not in key
    }


def reject_float_top_k(body: dict[str, Any]) -> dict[str, Any]:
    """Go's encoding/json will not put 40.0 into an int32 field."""
    config = body.get("generationConfig") or body.get("generation_config") or {}
    for name in ("topK", "top_k"):
        if isinstance(config, dict) and isinstance(config.get(name), float):
            raise invalid_argument(
                f"json: cannot unmarshal number {config[name]!r} into Go struct field GenerationConfig.{name} of type int32"
            )
    return body


def _config(body: Any, name: str = "generationConfig") -> dict[str, Any]:
    """A request's generationConfig (or a part of it: "generationConfig.imageConfig"), however spelt; {} if absent."""
    found: Any = body
    for step in name.split("."):
        found = found.get(step, found.get(snake_case(step))) if isinstance(found, dict) else None
    return found if isinstance(found, dict) else {}


def drop_config(name: str, *fields: str) -> Transform:
    """A translator that does not map these fields of a config object: they never reach the model."""

    def apply(body: Any) -> Any:
        config = _config(body, name)
        for field_name in fields:
            config.pop(field_name, None)
        return body

    return apply


def default_config(name: str, **defaults: Any) -> Transform:
    """A channel preset that fills in config fields the client left out (in either spelling)."""

    def apply(body: Any) -> Any:
        config = _config(body, name)
        for field_name, value in defaults.items():
            if field_name not in config and snake_case(field_name) not in config:
                config[field_name] = value
        return body

    return apply


def refuse_config(name: str, field_name: str, message: str, allowed: Callable[[Any], bool] = lambda value: False) -> Transform:
    """A validator that knows an older API: a config field it does not know (or a value it does not
    allow) is a 400."""

    def apply(body: Any) -> Any:
        config = _config(body, name)
        if field_name in config and not allowed(config[field_name]):
            raise invalid_argument(message)
        return body

    return apply


def omit_zero_thinking_budget(body: Any) -> Any:
    """Go's `omitempty` drops thinkingBudget 0, so the upstream default (thinking) applies."""
    config = _config(body, "generationConfig.thinkingConfig")
    if config.get("thinkingBudget") == 0:
        del config["thinkingBudget"]
    return body


def thoughts_always_included(body: Any) -> Any:
    """A channel option shows the model's reasoning: includeThoughts is set on every request that
    lets the model think, asked for or not."""
    config = _config(body, "generationConfig.thinkingConfig")
    if config and config.get("thinkingBudget", config.get("thinking_budget")) != 0:
        config.setdefault("includeThoughts", True)
    return body


def for_each_request_part(transform: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Transform:
    """Rewrite every part of a request's contents; a part the transform maps to None is dropped."""

    def apply(body: Any) -> Any:
        for content in body.get("contents") or () if isinstance(body, dict) else ():
            if isinstance(content, dict) and isinstance(content.get("parts"), list):
                content["parts"] = [new for part in content["parts"] if (new := transform(part)) is not None]
        return body

    return apply


def refuse_thought_signatures(part: dict[str, Any]) -> dict[str, Any]:
    if "thoughtSignature" in part or "thought_signature" in part:
        raise invalid_argument('Invalid JSON payload received. Unknown name "thoughtSignature" at \'contents[].parts[]\': Cannot find field.')
    return part


def function_response_as_string(part: dict[str, Any]) -> dict[str, Any]:
    """A translator that carries a tool result as OpenAI's string content, then back as a JSON string."""
    result = part.get("functionResponse")
    if isinstance(result, dict) and isinstance(result.get("response"), dict):
        result["response"] = json.dumps(result["response"])
    return part


GOOGLE_INLINE_LIMIT = 20 * 1024 * 1024


def over_google_inline_limit(body: Any) -> Any:
    """A gateway that applies Google's 20 MB inline-data limit instead of its own documented one."""
    inline = 0

    def measure(part: dict[str, Any]) -> dict[str, Any]:
        nonlocal inline
        blob = part.get("inlineData") or part.get("inline_data")
        inline += len(blob.get("data") or "") if isinstance(blob, dict) else 0
        return part

    for_each_request_part(measure)(body)
    if inline > GOOGLE_INLINE_LIMIT:
        raise invalid_argument(f"Request payload size exceeds the limit: {GOOGLE_INLINE_LIMIT} bytes.", "body_too_large")
    return body


def for_each_call(transform: Callable[[dict[str, Any]], None]) -> Transform:
    """Apply to the functionCall of every response part that has one."""

    def apply(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for part in parts:
            if isinstance(part.get("functionCall"), dict):
                transform(part["functionCall"])
        return parts

    return for_each_part(apply)


_CALL_LIKE_TEXT = re.compile(r"^\s*(?P<name>[A-Za-z_]\w*)\((?P<args>[^()]*)\)\s*$")


def text_parsed_as_call(part: dict[str, Any]) -> dict[str, Any]:
    """A text part that reads like a call, `name(args)`, made a functionCall, as layers that emulate
    tools by parsing a model's text do, whether or not the request declared any."""
    match = _CALL_LIKE_TEXT.match(part.get("text") or "") if not part.get("thought") else None
    if match is None:
        return part
    return {"functionCall": {"name": match["name"], "args": {"input": match["args"]}}}


def args_as_json_string(call: dict[str, Any]) -> None:
    call["args"] = json.dumps(call.get("args", {}))


def args_wrapped(call: dict[str, Any]) -> None:
    """new-api's OpenAI -> Gemini conversion: tool-call arguments kept as {"arguments": "<raw>"}."""
    call["args"] = {"arguments": json.dumps(call.get("args", {}))}


def first_function_call_only(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """one-api's getToolCalls reads parts[0] only: later calls are lost."""
    first = next((index for index, part in enumerate(parts) if "functionCall" in part), None)
    return [part for index, part in enumerate(parts) if "functionCall" not in part or index == first]


def restart_call_ids(call: dict[str, Any]) -> None:
    if "id" in call:
        call["id"] = "call_0"


def without_part_field(name: str) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    def apply(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for part in parts:
            part.pop(name, None)
        return parts

    return apply


def usage_total_without_thoughts(response: dict[str, Any]) -> dict[str, Any]:
    usage = response.get("usageMetadata") or {}
    usage["totalTokenCount"] = usage.get("totalTokenCount", 0) - usage.get("thoughtsTokenCount", 0)
    return response


def max_tokens_as_stop(candidate: dict[str, Any]) -> None:
    if candidate.get("finishReason") == "MAX_TOKENS":
        candidate["finishReason"] = "STOP"


def truncate_inline_data(limit: int) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """A buffer that cuts a long line: the base64 stops at `limit` characters."""

    def apply(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for part in parts:
            blob = part.get("inlineData")
            if isinstance(blob, dict) and isinstance(blob.get("data"), str):
                blob["data"] = blob["data"][:limit]
        return parts

    return apply


def only_image_parts(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A converter that looks for the image and keeps nothing else."""
    images = [part for part in parts if "inlineData" in part]
    return images or parts


def for_each_listed_model(transform: Callable[[dict[str, Any]], None]) -> Transform:
    def apply(body: dict[str, Any]) -> dict[str, Any]:
        for model in body.get("models", []):
            transform(model)
        return body

    return apply


def strip_models_prefix(model: dict[str, Any]) -> None:
    model["name"] = model["name"].removeprefix("models/")


def versioned_name(model: dict[str, Any]) -> dict[str, Any]:
    """The name of the versioned model an alias resolved to upstream, e.g. models/gemini-2.5-flash-001."""
    model["name"] = f"{model['name']}-{model.get('version', '001')}"
    return model


def with_empty_next_page_token(body: dict[str, Any]) -> dict[str, Any]:
    body.setdefault("nextPageToken", "")
    return body


def without_request_fields(*names: str, when: str) -> Transform:
    """Drop top-level fields from request bodies that carry `when` (the action's own field)."""

    def apply(body: Any) -> Any:
        if isinstance(body, dict) and when in body:
            for name in names:
                body.pop(name, None)
        return body

    return apply


def refuse_data_uri_images(body: Any) -> Any:
    from ..openai_bridge import data_uri_images

    if data_uri_images(body):
        raise ApiError(400, "Invalid image_url: only http(s) URLs are supported.", "bridge_image_url")
    return body


def content_as_markdown(completion: dict[str, Any]) -> dict[str, Any]:
    """The image comes back as markdown in a content string (QuantumNous/new-api#1681)."""
    message = completion["choices"][0]["message"]
    message["content"] = "\n\n".join(
        part["text"] if part["type"] == "text" else f"![image]({part['image_url']['url']})" for part in message["content"]
    )
    return completion
