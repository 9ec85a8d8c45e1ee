"""The faults: realistic gateway bugs the reference gateway can be started with, as one table.

Each Fault names the bug, says where it is seen in the wild (gateway-bugs.md refs), lists the
conformance rules it must make fail (`breaks`; globs allowed) and describes its behaviour as values
for the gateway's hook points. Every hook's default is the clean behaviour; app.py consults the
hooks through behaviour.Behaviour and never asks which fault is active.

Hook points, in the order a request meets them:

    ignores_placements  auth: key placements the gateway does not read
    admits              auth: verdicts ("missing", "invalid") it lets through anyway
    skips               request checks it forgets ("role", "image_stream")
    reroutes            action -> the action it really performs
    stalls              (action, model kind) pairs that never start answering
    reshape             body kind -> transform of the success/error body before encoding.
                        Kinds: generateContent, streamGenerateContent (the list of chunks),
                        countTokens, embedContent, batchEmbedContents, listModels, getModel, error
    media_types         response kind -> Content-Type. Kinds: generateContent, sse, json_array,
                        error (plus the reshape kinds)
    frame_sse           transform of the list of SSE frames (bytes)
    schedule            transform of the list of timed writes a stream is played as
    restate_error       transform of an ApiError before it is rendered (status, code, message)
    unrouted            the reply sent instead of the error for unsupported actions and unknown paths

Transforms receive bodies built fresh for each request, so they may edit them in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .envelopes import ApiError
from .streaming import Write
from .wire import HTML, JSON, TEXT_PLAIN, Reply

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
    reroutes: Mapping[str, str] = _mapping(default_factory=dict)
    stalls: tuple[tuple[str, str], ...] = ()
    reshape: Mapping[str, Transform] = _mapping(default_factory=dict)
    media_types: Mapping[str, str] = _mapping(default_factory=dict)
    frame_sse: Callable[[list[bytes]], list[bytes]] | None = None
    schedule: Callable[[list[Write]], list[Write]] | None = None
    restate_error: Callable[[ApiError], ApiError] | None = None
    unrouted: Reply | None = None


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
    def apply(body: dict[str, Any]) -> dict[str, Any]:
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


# (building blocks for stream/shape/casing faults go above this line)
# (building blocks for generation/tools/thinking/multimodal faults go above this line)
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
            ("AUTH-01",),
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
            ("GEN-01", "STREAM-03"),
            reshape={
                "generateContent": set_in_candidate("index", "0"),
                "streamGenerateContent": for_each_chunk(set_in_candidate("index", "0")),
            },
        ),
        Fault(
            "role_assistant",
            "OpenAI round-trip maps the candidate role model -> assistant (one-api#1385 context; bugs F27).",
            ("GEN-02",),
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
            ("GEN-04",),
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
            ("STREAM-02",),
            frame_sse=lambda frames: [*frames, b"data: [DONE]\r\n\r\n"],
        ),
        Fault(
            "keepalive_comments",
            "A `: keep-alive` comment precedes every event (bugs F2); google-genai fails on it.",
            ("STREAM-02",),
            frame_sse=lambda frames: [b": keep-alive\r\n\r\n" + frame for frame in frames],
        ),
        Fault(
            "data_without_space",
            "Events are written as `data:{json}` without the space (bugs F3).",
            ("STREAM-02",),
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
            ("UNSUP-01",),
            unrouted=DASHBOARD,
        ),
        Fault(
            "count_tokens_runs_generation",
            "countTokens is executed (and billed) as generateContent (QuantumNous/new-api#7283).",
            ("UNSUP-02",),
            reroutes={"countTokens": "generateContent"},
        ),
        Fault(
            "embeddings_openai_shape",
            "Embeddings come back in the OpenAI list shape (bugs F32).",
            ("UNSUP-02",),
            reshape={
                "embedContent": lambda body: openai_embeddings([body["embedding"]]),
                "batchEmbedContents": lambda body: openai_embeddings(body["embeddings"]),
            },
        ),
        Fault(
            "models_openai_shape",
            "GET models answers in the OpenAI list shape (bugs F31; QuantumNous/new-api#1280).",
            ("UNSUP-02",),
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
            ("ERR-01", "ERR-02", "ERR-03", "UNSUP-01"),
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
            ("ERR-04", "UNSUP-01"),
            media_types={"error": TEXT_PLAIN},
        ),
        Fault(
            "unknown_model_400",
            "An unknown model is reported as 400 INVALID_ARGUMENT instead of 404 (cf. ItzCrazyKns/Vane PR#987).",
            ("ERR-05",),
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
            ("TIME-01", "GEN-*", "AUTH-01", "AUTH-04"),
            stalls=(("generateContent", "text"),),
            timeouts=dict(STALL_TIMEOUTS),
        ),
        Fault(
            "stall_stream",
            "streamGenerateContent for text models never sends a first byte (bugs F33).",
            ("TIME-02", "STREAM-*"),
            stalls=(("streamGenerateContent", "text"),),
            timeouts=dict(STALL_TIMEOUTS),
        ),
        Fault(
            "stall_image_generation",
            "generateContent for image models never starts answering (Wei-Shaw/sub2api#4798; bugs F33).",
            ("TIME-03", "IMG-01"),
            stalls=(("generateContent", "image"),),
            timeouts=dict(STALL_TIMEOUTS),
        ),
        # Streams, framing, response shape and request casing
        # (faults for these areas go above this line)
        # Generation config, tools, thinking, multimodal and images
        # (faults for these areas go above this line)
        # Declared actions, API versions, OpenAI image bridge, SDK compatibility
        # (faults for these areas go above this line)
    )
}
