"""The faults: realistic gateway bugs the reference gateway can be started with, as one table.

Each Fault names the bug, says where it is seen in the wild (gateway-bugs.md refs), lists the
conformance rules it must make fail (`breaks`; globs allowed) and describes its behaviour as values
for the gateway's hook points. Every hook's default is the clean behaviour; app.py consults the
hooks through behaviour.Behaviour and never asks which fault is active.

Hook points, in the order a request meets them:

    ignores_placements  auth: key placements the gateway does not read
    admits              auth: verdicts ("missing", "invalid") it lets through anyway
    skips               request checks or steps it forgets ("role", "image_stream", "bridge_stream",
                        "alias_preset": the thinking/image config a model-name alias presets)
    rewrite_request     transform of a request body as sent (parsed JSON, before snake_case field
                        names are mapped to camelCase); may raise an ApiError to reject the request
    reroutes            action -> the action it really performs
    stalls              (action, model kind) pairs that never start answering
    reshape             body kind -> transform of the success/error body before encoding.
                        Kinds: generateContent, streamGenerateContent (the list of chunks),
                        countTokens, embedContent, batchEmbedContents, listModels, getModel,
                        chatCompletions (the OpenAI image bridge's completion), error,
                        stream_error (the `data: {"error": ...}` event that ends a stream whose
                        upstream failed mid-answer)
    success_status      body kind -> the HTTP status of a success (clean: 200)
    media_types         response kind -> Content-Type. Kinds: generateContent, sse, json_array,
                        error (plus the reshape kinds)
    stream_format       "sse" or "json_array": how a stream is framed whatever `alt` asks for
    frame_sse           transform of the list of SSE frames (bytes)
    schedule            transform of the list of timed writes a stream is played as
    restate_error       transform of an ApiError before it is rendered (status, code, message)
    hangs_up_on         error reasons ("body_too_large") answered by dropping the connection (a TCP
                        reset) instead of sending the error
    commits_streams_early  an alt=sse request's error is sent as HTTP 200 + one `data:` error event
                        (the gateway sent the stream's headers before it knew the outcome)
    unrouted            the reply sent instead of the error for unsupported actions and unknown paths
    unserved_versions   API versions ("v1") the gateway does not serve: their paths are unknown
    loose_routing       Gemini routes are matched anywhere in the path, whatever precedes /v1beta/
    substitutes_model   text requests are answered by a cheaper model that follows no instructions

Transforms receive bodies built fresh for each request, so they may edit them in place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .envelopes import ApiError, invalid_argument
from .streaming import Write, json_array_frames
from .wire import FREE_FORM_FIELDS, HTML, JSON, TEXT_PLAIN, Reply

Transform = Callable[[Any], Any]
# Client timeouts (seconds) the self-test uses for stall faults, so a stall is detected in a second.
STALL_TIMEOUTS = {"read": 1, "image": 1}


def _mapping(**kwargs: Any) -> Any:
    # Mappings can't be hashed; keep them out of the generated __hash__/__eq__.
    return field(hash=False, compare=False, **kwargs)


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    breaks: tuple[str, ...]
    profile: str = "full"  # the profile the self-test runs the fault under
    timeouts: Mapping[str, float] | None = _mapping(default=None)  # short client timeouts for the self-test
    # Behaviour. Each default is the clean gateway.
    ignores_placements: tuple[str, ...] = ()
    admits: tuple[str, ...] = ()
    skips: tuple[str, ...] = ()
    rewrite_request: Transform | None = None
    reroutes: Mapping[str, str] = _mapping(default_factory=dict)
    stalls: tuple[tuple[str, str], ...] = ()
    reshape: Mapping[str, Transform] = _mapping(default_factory=dict)
    media_types: Mapping[str, str] = _mapping(default_factory=dict)
    success_status: Mapping[str, int] = _mapping(default_factory=dict)
    stream_format: str | None = None
    frame_sse: Callable[[list[bytes]], list[bytes]] | None = None
    schedule: Callable[[list[Write]], list[Write]] | None = None
    restate_error: Callable[[ApiError], ApiError] | None = None
    hangs_up_on: tuple[str, ...] = ()
    commits_streams_early: bool = False
    unrouted: Reply | None = None
    unserved_versions: tuple[str, ...] = ()
    loose_routing: bool = False
    substitutes_model: bool = False


# --- Building blocks the table is written in -------------------------------------------------


def for_each_chunk(transform: Transform) -> Transform:
    """Lift a transform of one GenerateContentResponse to a transform of a stream's chunk list."""
    return lambda chunks: [transform(chunk) for chunk in chunks]


def for_each_candidate(transform: Callable[[dict[str, Any]], None]) -> Transform:
    def apply(response: dict[str, Any]) -> dict[str, Any]:
        for candidate in response.get("candidates", []):
            transform(candidate)
        return response

    return apply


def for_each_part(transform: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> Transform:
    def apply(candidate: dict[str, Any]) -> None:
        content = candidate.get("content", {})
        content["parts"] = transform(content.get("parts", []))

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


def when_reason(reason: str, **changes: Any) -> Callable[[ApiError], ApiError]:
    """Restate one kind of error, e.g. report an unknown model as a 400."""
    return lambda error: replace(error, **changes) if error.reason == reason else error


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


# (building blocks for stream/shape/casing faults go above this line)
def _config(body: Any, name: str = "generationConfig") -> dict[str, Any]:
    """A request's generationConfig (or a part of it: "generationConfig.imageConfig"), however spelt; {} if absent."""
    found: Any = body
    for step in name.split("."):
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", step).lower()
        found = found.get(step, found.get(snake)) if isinstance(found, dict) else None
    return found if isinstance(found, dict) else {}


def drop_config(name: str, *fields: str) -> Transform:
    """A translator that does not map these fields of a config object: they never reach the model."""

    def apply(body: Any) -> Any:
        config = _config(body, name)
        for field_name in fields:
            config.pop(field_name, None)
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


# (building blocks for generation/tools/thinking/multimodal faults go above this line)
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
    from .openai_bridge import data_uri_images

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


# (building blocks for action/version/bridge/SDK faults go above this line)


# --- The table ---------------------------------------------------------------------------------

FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        # Auth
        Fault(
            "rejects_x_goog_api_key",
            "Only Bearer/?key= are read, so the google-genai SDKs' x-goog-api-key header is ignored "
            "(diegosouzapw/OmniRoute#7034, QuantumNous/new-api#1147).",
            ("AUTH-01", "SDK-*"),
            ignores_placements=("x-goog-api-key",),
        ),
        Fault(
            "accepts_missing_key",
            "The Gemini route is mounted outside the auth middleware: requests without a key are served.",
            ("AUTH-02",),
            admits=("missing",),
        ),
        Fault(
            "accepts_any_key",
            "Key validation is stubbed out: any non-empty key is accepted.",
            ("AUTH-03",),
            admits=("invalid",),
        ),
        Fault(
            "echoes_key_in_auth_error",
            "OpenAI-style 'Incorrect API key provided: <key>' message leaks the key into errors and logs "
            "(hasamba/DFIR-Companion#516, BerriAI/litellm#10983).",
            ("AUTH-04",),
            restate_error=echo_key,
        ),
        # generateContent bodies
        Fault(
            "candidate_index_as_string",
            "A loosely typed translator re-serialises candidates[].index as the string \"0\" "
            "(cf. BerriAI/litellm#6578, numbers turned into strings).",
            ("GEN-01", "STREAM-03", "STREAM-08"),
            reshape={
                "generateContent": set_in_candidate("index", "0"),
                "streamGenerateContent": for_each_chunk(set_in_candidate("index", "0")),
            },
        ),
        Fault(
            "role_assistant",
            "OpenAI round-trip maps the candidate role model -> assistant (one-api#1385 context; bugs F27).",
            ("GEN-02", "TOOL-03", "TOOL-05"),  # the SDKs send the turn back as it came: then a 400
            reshape={"generateContent": set_in_candidate("content.role", "assistant")},
        ),
        Fault(
            "finish_reason_omitted",
            "finishReason is dropped in translation (router-for-me/CLIProxyAPI#5226, envoyproxy/ai-gateway PR#2107).",
            ("GEN-03",),
            reshape={"generateContent": drop_from_candidates("finishReason")},
        ),
        Fault(
            "usage_omitted",
            "usageMetadata is parsed for billing and then dropped from the response (windmill-labs/windmill PR#9669).",
            ("GEN-04", "SDK-01"),
            reshape={"generateContent": drop_key("usageMetadata")},
        ),
        Fault(
            "total_tokens_miscounted",
            "The gateway recounts totalTokenCount with its own tokenizer, so it no longer equals the sum "
            "(jain-aanchal/ai-tally#376; bugs F14).",
            ("GEN-05",),
            reshape={"generateContent": miscount_total},
        ),
        Fault(
            "generate_content_type_text_plain",
            "The JSON body is relayed with Content-Type text/plain.",
            ("GEN-06",),
            media_types={"generateContent": TEXT_PLAIN},
        ),
        # Streams
        Fault(
            "stream_content_type_json",
            "The SSE stream is labelled application/json (bugs F5).",
            ("STREAM-01",),
            media_types={"sse": JSON},
        ),
        Fault(
            "done_sentinel",
            "An OpenAI-style `data: [DONE]` event ends the stream (BerriAI/litellm PR#29426).",
            ("STREAM-02", "SSE-04", "SDK-02"),
            frame_sse=lambda frames: [*frames, b"data: [DONE]\r\n\r\n"],
        ),
        Fault(
            "keepalive_comments",
            "A `: keep-alive` comment precedes every event (bugs F2); google-genai fails on it.",
            ("STREAM-02", "SSE-01", "SDK-02"),
            frame_sse=lambda frames: [b": keep-alive\r\n\r\n" + frame for frame in frames],
        ),
        Fault(
            "data_without_space",
            "Events are written as `data:{json}` without the space (bugs F3).",
            ("STREAM-02", "SSE-03", "SDK-02"),
            frame_sse=lambda frames: [frame.replace(b"data: ", b"data:", 1) for frame in frames],
        ),
        Fault(
            "stream_usage_deltas",
            "Per-chunk usage deltas instead of cumulative counts; the prompt only on the first chunk "
            "(ding113/claude-code-hub PR#691, agno-agi/agno#6264).",
            ("STREAM-04", "STREAM-06"),
            reshape={"streamGenerateContent": usage_as_deltas},
        ),
        Fault(
            "stream_final_finish_reason_dropped",
            "No chunk carries finishReason; SDKs report 'stream ended without a finish reason' "
            "(router-for-me/CLIProxyAPI#5226).",
            ("STREAM-05",),
            reshape={"streamGenerateContent": for_each_chunk(drop_from_candidates("finishReason"))},
        ),
        Fault(
            "stream_usage_only_on_first_chunk",
            "Usage is attached to the first chunk only, so final totals are lost (ding113/claude-code-hub PR#691).",
            ("STREAM-06",),
            reshape={"streamGenerateContent": usage_on_first_chunk_only},
        ),
        Fault(
            "buffered_stream",
            "The gateway buffers the upstream stream and flushes it in one write at the end "
            "(router-for-me/CLIProxyAPI#593, yym68686/uni-api#146).",
            ("STREAM-07",),
            schedule=flush_once_at_the_end,
        ),
        # Images
        Fault(
            "image_mime_mismatch",
            "inlineData is labelled image/jpeg while carrying PNG bytes (cf. QuantumNous/new-api#1681).",
            ("IMG-01",),
            reshape={"generateContent": for_each_part(label_images_jpeg)},
        ),
        Fault(
            "image_stream_not_rejected",
            "The documented 503 for streaming image models is not enforced; the stream is served with 200 "
            "(seed 000 limitation 2; snailyp/gemini-balance#386).",
            ("IMG-02",),
            profile="aione",
            skips=("image_stream",),
        ),
        Fault(
            "image_stream_drops_inline_data",
            "Image parts are lost in stream mode only (Laisky/one-api#44; bugs F30).",
            ("IMG-03",),
            reshape={"streamGenerateContent": for_each_chunk(for_each_part(without_inline_data))},
        ),
        # Unsupported surface
        Fault(
            "unknown_route_html_200",
            "A NoRoute handler serves the web console: 200 text/html for any unknown path or action "
            "(new-api/one-api NoRoute; musistudio/claude-code-router#160).",
            ("UNSUP-01", "ACT-10", "VER-02"),
            unrouted=DASHBOARD,
        ),
        Fault(
            "count_tokens_runs_generation",
            "countTokens is executed (and billed) as generateContent (QuantumNous/new-api#7283).",
            ("UNSUP-02", "ACT-01", "ACT-02", "SDK-03"),
            reroutes={"countTokens": "generateContent"},
        ),
        Fault(
            "embeddings_openai_shape",
            "Embeddings come back in the OpenAI list shape (bugs F32).",
            ("UNSUP-02", "ACT-03", "ACT-04", "SDK-03"),
            reshape={
                "embedContent": lambda body: openai_embeddings([body["embedding"]]),
                "batchEmbedContents": lambda body: openai_embeddings(body["embeddings"]),
            },
        ),
        Fault(
            "models_openai_shape",
            "GET models answers in the OpenAI list shape (bugs F31; QuantumNous/new-api#1280).",
            ("UNSUP-02", "ACT-05", "ACT-06", "ACT-08", "SDK-03"),
            reshape={
                "listModels": lambda body: openai_list([openai_model(model) for model in body["models"]]),
                "getModel": openai_model,
            },
        ),
        # Errors
        Fault(
            "openai_error_shape",
            "Errors use the OpenAI shape {message, type, param, code:<string>} "
            "(songquanpeng/one-api#1385, QuantumNous/new-api#866; bugs F8).",
            ("ERR-01", "ERR-02", "ERR-03", "UNSUP-01", "SSE-08", "ACT-09", "ACT-10", "ACT-11", "ACT-12", "SDK-04", "VER-02"),
            reshape={"error": openai_error},
        ),
        Fault(
            "error_code_500",
            "error.code is hard-wired to 500 whatever the HTTP status (bugs F9).",
            ("ERR-02",),
            restate_error=always(code=500),
        ),
        Fault(
            "auth_error_status_invalid_argument",
            "The gateway copies Google's invalid-key status INVALID_ARGUMENT onto its own 401s.",
            ("ERR-03",),
            restate_error=when_status(401, status="INVALID_ARGUMENT"),
        ),
        Fault(
            "errors_as_text_plain",
            "Error bodies are sent as text/plain (bugs F34).",
            ("ERR-04", "UNSUP-01", "SSE-08", "ACT-10", "VER-02"),
            media_types={"error": TEXT_PLAIN},
        ),
        Fault(
            "unknown_model_400",
            "An unknown model is reported as 400 INVALID_ARGUMENT instead of 404 (cf. ItzCrazyKns/Vane PR#987).",
            ("ERR-05", "ACT-09", "SDK-04"),
            restate_error=when_reason("unknown_model", http_status=400),
        ),
        Fault(
            "missing_contents_500",
            "A body without contents crashes the handler: 500 INTERNAL (bugs F34; new-api Go slice panic).",
            ("ERR-06",),
            restate_error=when_reason("missing_contents", http_status=500),
        ),
        Fault(
            "malformed_json_500",
            "Unparseable JSON surfaces as 500 INTERNAL (bugs F34).",
            ("ERR-07",),
            restate_error=when_reason("malformed_json", http_status=500),
        ),
        Fault(
            "bad_role_accepted",
            "Roles are not validated, so role 'assistant' is answered normally (songquanpeng/one-api#1385).",
            ("ERR-08",),
            skips=("role",),
        ),
        # Timeouts
        Fault(
            "stall_generate",
            "generateContent for text models never starts answering (upstream hang, no gateway timeout; bugs F33).",
            ("TIME-01", "GEN-*", "AUTH-01", "AUTH-04", "SHAPE-01", "SHAPE-02", "CASE-*", "CFG-*", "TOOL-*", "THINK-0[1-5]", "MEDIA-01", "SDK-01", "SDK-05", "SDK-06", "SEM-*", "VER-01"),
            stalls=(("generateContent", "text"),),
            timeouts=dict(STALL_TIMEOUTS),
        ),
        Fault(
            "stall_stream",
            "streamGenerateContent for text models never sends a first byte (bugs F33).",
            ("TIME-02", "STREAM-*", "SSE-01", "SSE-02", "SSE-03", "SSE-04", "SSE-05", "SSE-06", "SSE-07", "SSE-09",
             "SHAPE-03", "SDK-02"),
            stalls=(("streamGenerateContent", "text"),),
            timeouts=dict(STALL_TIMEOUTS),
        ),
        Fault(
            "stall_image_generation",
            "generateContent for image models never starts answering (Wei-Shaw/sub2api#4798; bugs F33).",
            ("TIME-03", "IMG-01", "IMG-04", "IMG-05", "IMG-07", "MEDIA-04"),
            stalls=(("generateContent", "image"),),
            timeouts=dict(STALL_TIMEOUTS),
        ),
        # Streams, framing, response shape and request casing
        Fault(
            "event_field_lines",
            "Every event is preceded by an `event: message` line (bugs F2; a new-api fork's failureSSE): "
            "google-genai raises, @google/genai silently drops the event.",
            ("STREAM-02", "SSE-02", "SDK-02"),
            frame_sse=lambda frames: [b"event: message\r\n" + frame for frame in frames],
        ),
        Fault(
            "json_split_across_data_lines",
            "Each event's JSON is continued on a second `data:` line (bugs F4; gemini-cli's "
            "'Incomplete JSON segment' behind gateways that split long events).",
            ("STREAM-02", "SSE-05"),
            frame_sse=json_split_before("usageMetadata"),
        ),
        Fault(
            "nan_in_opening_chunk",
            "An OpenAI-to-Gemini translator opens the stream with an empty role-only chunk whose avgLogprobs "
            "is NaN, which Python's json.dumps writes and JSON.parse rejects (bugs §1 new-api convert).",
            ("STREAM-02", "SSE-06", "STREAM-08"),
            reshape={"streamGenerateContent": opening_chunk_with_nan},
        ),
        Fault(
            "no_blank_line_after_last_event",
            "Blank lines are written between events, not after each, so the last event is unterminated "
            "(bugs F3; @google/genai: 'Incomplete JSON segment at the end').",
            ("STREAM-02", "SSE-07"),
            frame_sse=no_blank_line_after_last,
        ),
        Fault(
            "sse_error_before_first_byte",
            "The gateway sends 200 and the SSE headers before asking upstream, so an unknown model on a stream "
            "becomes 200 + one error event (facts §6 Errors; §9 rule 19).",
            ("SSE-08",),
            commits_streams_early=True,
        ),
        Fault(
            "openai_error_event_mid_stream",
            "When the upstream fails mid-stream the gateway emits an OpenAI-shaped error event "
            "{message, type, code:<string>}: google-genai raises TypeError, @google/genai ignores it (facts §8).",
            ("SSE-09",),
            reshape={"stream_error": openai_error},
        ),
        Fault(
            "sse_body_as_json_array",
            "The gateway drops `alt=sse` when calling upstream and relays the JSON-array stream under SSE headers "
            "(facts §8: JSON array on an alt=sse request; cf. BerriAI/litellm#28777).",
            ("STREAM-02", "STREAM-03", "STREAM-04", "STREAM-05", "STREAM-06", "STREAM-07", "STREAM-09",
             "STREAM-10", "STREAM-11", "SHAPE-03", "IMG-03", "SDK-02"),
            frame_sse=sse_frames_as_json_array,
        ),
        Fault(
            "json_array_ignored_without_alt",
            "SSE is sent whatever `alt` says, so a stream requested without alt is not a JSON array "
            "(BerriAI/litellm#28777, PR#29034).",
            ("STREAM-08",),
            stream_format="sse",
        ),
        Fault(
            "response_id_changes_per_chunk",
            "A translating layer mints a fresh responseId for every chunk it converts (bugs §5 rule 25).",
            ("STREAM-09",),
            reshape={"streamGenerateContent": response_id_per_chunk},
        ),
        Fault(
            "stream_ids_dropped",
            "responseId and modelVersion are not carried over into the converted chunks "
            "(bugs §1 new-api ResponseOpenAI2Gemini; F24).",
            ("STREAM-09", "STREAM-10"),
            reshape={"streamGenerateContent": for_each_chunk(drop_keys("responseId", "modelVersion"))},
        ),
        Fault(
            "cumulative_text_chunks",
            "Each chunk carries the whole text so far instead of the new piece, so clients that concatenate "
            "(both SDKs) repeat the answer (facts §9 rule 27).",
            ("STREAM-11",),
            reshape={"streamGenerateContent": cumulative_text},
        ),
        Fault(
            "generate_returns_array",
            "generateContent answers with a one-element JSON array, as the array stream does; google-genai "
            "silently returns an empty response (OpenHands/OpenHands#7915; facts §8).",
            ("GEN-01", "SHAPE-01", "IMG-01", "SDK-01", "SDK-05", "SDK-06"),
            reshape={"generateContent": lambda body: [body]},
        ),
        Fault(
            "snake_case_response_keys",
            "The gateway rebuilds the response envelope in its own snake_case (usage_metadata, model_version, "
            "response_id): google-genai reads usage and modelVersion as None (facts §3, §8; bugs F24).",
            ("GEN-04", "SHAPE-02", "SHAPE-03", "STREAM-06", "STREAM-09", "STREAM-10", "SDK-01", "SDK-02"),
            reshape={
                "generateContent": snake_case_envelope,
                "streamGenerateContent": for_each_chunk(snake_case_envelope),
            },
        ),
        Fault(
            "success_status_201",
            "generateContent answers 201 Created; google-genai raises APIError for any status but 200 (facts §7).",
            ("GEN-06", "AUTH-01", "CASE-*", "IMG-01", "SDK-01", "SDK-05", "SDK-06"),
            success_status={"generateContent": 201},
        ),
        Fault(
            "ignores_snake_case_fields",
            "The request reader knows camelCase names only and silently drops snake_case ones such as "
            "system_instruction or thinking_budget (QuantumNous/new-api#1431, #2448, PR#1145).",
            ("CASE-01", "CASE-02", "CASE-04", "MEDIA-01"),
            rewrite_request=drop_snake_case_fields,
        ),
        Fault(
            "drops_snake_case_system_instruction",
            "A snake_case system_instruction is ignored while systemInstruction works (QuantumNous/new-api#1431, #2448).",
            ("CASE-02",),
            rewrite_request=drop_key("system_instruction"),
        ),
        Fault(
            "rejects_float_top_k",
            "A Go gateway unmarshals generationConfig into int32 fields and rejects the `topK: 40.0` google-genai "
            "sends with 400 (facts §1, §9 rule 4).",
            ("CASE-03",),
            rewrite_request=reject_float_top_k,
        ),
        # (faults for these areas go above this line)
        # Generation config, tools, thinking, multimodal and images
        Fault(
            "ignores_max_output_tokens",
            "maxOutputTokens is not mapped when translating the request, so the answer runs to its end "
            "(bugs §5 rule 13; F22).",
            ("CFG-01", "CFG-02"),
            rewrite_request=drop_config("generationConfig", "maxOutputTokens"),
        ),
        Fault(
            "max_tokens_reported_as_stop",
            "Every finish reason is mapped to STOP, so a cut answer looks complete "
            "(new-api ResponseOpenAI2Gemini default STOP; envoyproxy/ai-gateway PR#2107; bugs F16).",
            ("CFG-02",),
            reshape={"generateContent": for_each_candidate(max_tokens_as_stop)},
        ),
        Fault(
            "ignores_stop_sequences",
            "stopSequences are dropped in translation (bugs §5 rule 13; F22).",
            ("CFG-03",),
            rewrite_request=drop_config("generationConfig", "stopSequences"),
        ),
        Fault(
            "json_mode_ignored",
            "responseMimeType and the response schemas are not mapped, so JSON mode answers in prose "
            "(new-api GeminiToOpenAIRequest: responseSchema not mapped; bugs §1).",
            ("CFG-04",),
            rewrite_request=drop_config("generationConfig", "responseMimeType", "responseSchema", "responseJsonSchema"),
        ),
        Fault(
            "drops_system_instruction",
            "The top-level systemInstruction is lost on the native route (BerriAI/litellm#12671; bugs F22).",
            ("CFG-05", "CASE-02"),
            rewrite_request=drop_keys("systemInstruction", "system_instruction"),
        ),
        Fault(
            "args_as_json_string",
            "functionCall.args is relayed as the OpenAI-style JSON string instead of an object (bugs F20; "
            "router-for-me/CLIProxyAPI#3256).",
            ("TOOL-01",),
            reshape={"generateContent": for_each_call(args_as_json_string)},
        ),
        Fault(
            "args_wrapped_in_arguments",
            'Arguments come back wrapped as {"arguments": "<raw JSON>"} (new-api ResponseOpenAI2Gemini; bugs F20).',
            ("TOOL-01",),
            reshape={"generateContent": for_each_call(args_wrapped)},
        ),
        Fault(
            "keeps_only_first_function_call",
            "Only the first functionCall part survives, so parallel calls are lost (one-api getToolCalls "
            "reads parts[0]; bugs §2, F20).",
            ("TOOL-02",),
            reshape={"generateContent": for_each_part(first_function_call_only)},
        ),
        Fault(
            "function_call_ids_collide",
            "Call ids are regenerated with a counter that restarts for each part, so parallel calls all "
            "get call_0 and their results cannot be told apart (cf. new-api synthetic call_<n> ids; bugs F20).",
            ("TOOL-02",),
            reshape={"generateContent": for_each_call(restart_call_ids)},
        ),
        Fault(
            "function_response_as_string",
            "functionResponse.response is forwarded as a JSON string, which Google refuses with 400 "
            "(AstrBotDevs/AstrBot PR#7216; PublicAffairs/openai-gemini#70).",
            ("TOOL-03", "TOOL-05"),
            rewrite_request=for_each_request_part(function_response_as_string),
        ),
        Fault(
            "ignores_tool_config",
            "toolConfig is not mapped, so functionCallingConfig.mode ANY and NONE act as AUTO "
            "(new-api GeminiToOpenAIRequest; bugs §1, F22).",
            ("TOOL-04",),
            rewrite_request=drop_keys("toolConfig", "tool_config"),
        ),
        Fault(
            "strips_thought_signature",
            "thoughtSignature is dropped from response parts, so Gemini 3 refuses the next turn "
            "(BerriAI/litellm#16893, #25322; lbjlaq/Antigravity-Manager#3202; bugs F18).",
            ("TOOL-05",),
            profile="tokensmart",
            reshape={"generateContent": for_each_part(without_part_field("thoughtSignature"))},
        ),
        Fault(
            "rejects_thought_signature_in_history",
            "The gateway's request schema predates thoughtSignature and refuses it as an unknown field "
            "(OpenHands/software-agent-sdk#1500; bugs F19).",
            ("TOOL-05",),
            rewrite_request=for_each_request_part(refuse_thought_signatures),
        ),
        Fault(
            "thoughts_despite_zero_budget",
            "A Go struct with `omitempty` drops thinkingBudget 0, so the model thinks anyway (bugs F23).",
            ("THINK-01",),
            rewrite_request=omit_zero_thinking_budget,
        ),
        Fault(
            "thoughts_not_flagged",
            "The thought flag is lost in translation, so thoughts read as answer text (new-api convert; "
            "BerriAI/litellm#15779; bugs F18).",
            ("THINK-02",),
            reshape={"generateContent": for_each_part(without_part_field("thought"))},
        ),
        Fault(
            "total_excludes_thoughts",
            "totalTokenCount is recomputed as prompt + candidates, leaving thinking unbilled "
            "(jain-aanchal/ai-tally#376; DeliciousBuding/metapi-go PR#303).",
            ("THINK-03",),
            reshape={"generateContent": usage_total_without_thoughts},
        ),
        Fault(
            "rejects_thinking_level",
            "The request validator knows thinkingBudget only and refuses thinkingLevel (facts §2: thinkingLevel "
            "is not in the proto).",
            ("THINK-04",),
            rewrite_request=refuse_config(
                "generationConfig.thinkingConfig",
                "thinkingLevel",
                'Invalid JSON payload received. Unknown name "thinkingLevel" at \'generation_config.thinking_config\'.',
            ),
        ),
        Fault(
            "rejects_budget_minus_one",
            "thinkingBudget is validated as a non-negative count, so -1 (dynamic thinking) is refused.",
            ("THINK-05",),
            rewrite_request=refuse_config(
                "generationConfig.thinkingConfig",
                "thinkingBudget",
                "thinkingBudget must be between 0 and 24576.",
                allowed=lambda budget: isinstance(budget, int) and budget >= 0,
            ),
        ),
        Fault(
            "suffix_not_applied",
            "A -thinking/-nothinking alias is routed to its base model without its thinkingConfig, so "
            "-nothinking still thinks (new-api ThinkingAdaptor switched off; bugs §1 model suffixes).",
            ("THINK-06",),
            profile="nebula",
            skips=("alias_preset",),
        ),
        Fault(
            "drops_snake_case_inline_data",
            "Only camelCase inlineData parts are read; snake_case inline_data parts are silently dropped "
            "(QuantumNous/new-api before PR#1145).",
            ("MEDIA-01",),
            rewrite_request=for_each_request_part(lambda part: None if "inline_data" in part else part),
        ),
        Fault(
            "inline_limit_below_documented",
            "Inline data over Google's 20 MB is refused although the gateway documents a 30 MB body limit "
            "(seed 003; bugs §5 rule 15).",
            ("MEDIA-02",),
            profile="tokensmart",
            rewrite_request=over_google_inline_limit,
        ),
        Fault(
            "oversize_body_500",
            "A body over the limit crashes the handler: 500 INTERNAL instead of a 400 (bugs F34).",
            ("MEDIA-03",),
            profile="tokensmart",
            restate_error=when_reason("body_too_large", http_status=500),
        ),
        Fault(
            "oversize_body_resets_connection",
            "A proxy in front cuts off an upload over the limit: the client sees a connection reset, not an "
            "error (nginx client_max_body_size; bugs §5 rule 15).",
            ("MEDIA-03",),
            profile="tokensmart",
            hangs_up_on=("body_too_large",),
        ),
        Fault(
            "truncates_large_image",
            "The base64 of a multi-megabyte image is cut at 1 MiB by a line buffer (Wei-Shaw/sub2api#4798; "
            "one-api bufio.Scanner without Buffer(); bugs F25).",
            ("MEDIA-04",),
            reshape={"generateContent": for_each_part(truncate_inline_data(1024 * 1024))},
        ),
        Fault(
            "ignores_aspect_ratio",
            "imageConfig.aspectRatio is not forwarded, so every picture is square (bugs §5 rule 13).",
            ("IMG-04",),
            rewrite_request=drop_config("generationConfig.imageConfig", "aspectRatio"),
        ),
        Fault(
            "ignores_image_size",
            "imageConfig.imageSize is not forwarded, so every picture is 1K (bugs §5 rule 13).",
            ("IMG-05",),
            rewrite_request=drop_config("generationConfig.imageConfig", "imageSize"),
        ),
        Fault(
            "size_variant_served_as_base",
            "The -2k/-4k suffix routes to the base image model without its imageSize, so the picture is 1K "
            "(cf. snailyp/gemini-balance#386: model suffix stripped; bugs F26).",
            ("IMG-06",),
            profile="aione",
            skips=("alias_preset",),
        ),
        Fault(
            "drops_text_part_with_image",
            "The converter keeps only the image part of an image answer; the model's text is lost "
            "(cf. QuantumNous/new-api#1681; bugs F30).",
            ("IMG-07",),
            reshape={"generateContent": for_each_part(only_image_parts)},
        ),
        # (faults for these areas go above this line)
        # Declared actions, API versions, OpenAI image bridge, SDK compatibility
        Fault(
            "count_tokens_zero",
            "countTokens is stubbed with a hard-coded {\"totalTokens\": 0} (lbjlaq/Antigravity-Manager#3294; bugs F21).",
            ("ACT-01", "ACT-02"),
            reshape={"countTokens": lambda body: {"totalTokens": 0}},
        ),
        Fault(
            "count_tokens_rejects_generate_content_request",
            "Only CountTokensRequest.contents is read, so the {generateContentRequest} form is refused as "
            "missing contents (BerriAI/litellm PR#41286: Gemini-shaped token count request fails).",
            ("ACT-02",),
            rewrite_request=without_request_fields("generateContentRequest", when="generateContentRequest"),
        ),
        Fault(
            "batch_embed_reversed",
            "Batch embeddings are gathered from concurrent upstream calls in completion order, not request "
            "order (facts §4: in request order; bugs F22).",
            ("ACT-04",),
            reshape={"batchEmbedContents": lambda body: {"embeddings": body["embeddings"][::-1]}},
        ),
        Fault(
            "batch_embed_drops_last",
            "An off-by-one in the batch loop loses the last embedding (facts §9 rule 29: same count as requests).",
            ("ACT-03", "SDK-03"),
            reshape={"batchEmbedContents": lambda body: {"embeddings": body["embeddings"][:-1]}},
        ),
        Fault(
            "models_without_prefix",
            "GET models lists bare ids without the models/ prefix (new-api GET /v1beta/models; bugs F31).",
            ("UNSUP-02", "ACT-05", "ACT-06", "SDK-03"),
            reshape={"listModels": for_each_listed_model(strip_models_prefix)},
        ),
        Fault(
            "models_empty_next_page_token",
            "The last page of GET models carries nextPageToken \"\", which loops the Node SDK's pager forever "
            "(facts §7-§8).",
            ("UNSUP-02", "ACT-07"),
            reshape={"listModels": with_empty_next_page_token},
        ),
        Fault(
            "models_missing_generation_methods",
            "GET models lists name and displayName only, without supportedGenerationMethods "
            "(new-api GET /v1beta/models, QuantumNous/new-api#1280).",
            ("ACT-05",),
            reshape={"listModels": for_each_listed_model(lambda model: model.pop("supportedGenerationMethods", None))},
        ),
        Fault(
            "get_model_wrong_name",
            "GET models/{id} answers with the versioned model the alias resolved to upstream "
            "(models/gemini-2.5-flash-001), so name != models/{id} (facts §9 rule 32).",
            ("ACT-08",),
            reshape={"getModel": versioned_name},
        ),
        Fault(
            "rate_limit_as_500",
            "Upstream 429s are re-emitted as 500 INTERNAL, so clients neither back off nor retry correctly "
            "(bugs F9; zuisong/gemini-openai-proxy#29).",
            ("ACT-11",),
            restate_error=when_reason("rate_limited", http_status=500),
        ),
        Fault(
            "rate_limit_without_retry_info",
            "The upstream 429 is re-emitted without its details, so RetryInfo is lost "
            "(new-api RelayErrorHandler; bugs §1 Errors, F9).",
            ("ACT-12",),
            restate_error=when_reason("rate_limited", details=()),
        ),
        Fault(
            "v1_not_served",
            "Only /v1beta routes are registered; google-genai 3.x's default /v1 calls get 404 (facts §7, §9 rule 1).",
            ("VER-01", "SDK-06"),
            unserved_versions=("v1",),
        ),
        Fault(
            "ignores_path_prefix",
            "Routes match anywhere in the path, so a wrong base-URL prefix silently works instead of failing "
            "(catch-all {path} routers; bugs §1 wrong base_url prefix).",
            ("VER-02",),
            loose_routing=True,
        ),
        Fault(
            "semantic_ignores_instruction",
            "Text requests are silently served by a cheaper model that ignores instructions and tools "
            "(model substitution; bugs §5 rule 14, F23, F26).",
            ("SEM-01", "SEM-02"),
            substitutes_model=True,
        ),
        Fault(
            "bridge_content_as_string",
            "The bridge returns the image as markdown inside a content string, not an image_url part "
            "(QuantumNous/new-api#1681, #866).",
            ("BRIDGE-01", "BRIDGE-02", "BRIDGE-03"),
            profile="aione",
            reshape={"chatCompletions": content_as_markdown},
        ),
        Fault(
            "bridge_ignores_aspect_ratio",
            "The OpenAI layer drops the non-standard aspect_ratio / image_size instead of mapping them to "
            "imageConfig, so images come out square (seed 001 Image-Specific Parameters).",
            ("BRIDGE-02",),
            profile="aione",
            rewrite_request=without_request_fields("aspect_ratio", "image_size", when="messages"),
        ),
        Fault(
            "bridge_remote_url_only",
            "Reference images are only accepted as http(s) URLs; data: URIs are refused (seed 001 Reference "
            "Image Input; diegosouzapw/OmniRoute PR#4373).",
            ("BRIDGE-03",),
            profile="aione",
            rewrite_request=refuse_data_uri_images,
        ),
        Fault(
            "bridge_streams",
            "stream: true is not refused: the image is streamed as chat.completion.chunk events "
            "(seed 001 Limitations 2).",
            ("BRIDGE-04",),
            profile="aione",
            skips=("bridge_stream",),
        ),
        Fault(
            "bridge_no_usage",
            "usage is dropped when the Gemini response is converted back to the OpenAI shape "
            "(seed 001: the usage field is still returned; windmill-labs/windmill PR#9669).",
            ("BRIDGE-05",),
            profile="aione",
            reshape={"chatCompletions": drop_key("usage")},
        ),
        # (faults for these areas go above this line)
    )
}
