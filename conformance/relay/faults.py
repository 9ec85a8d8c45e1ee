"""Relay faults: realistic relaying bugs the test relay can be started with, as one table.

Each RelayFault names the bug, says where it is seen in the wild (gateway-bugs.md refs), lists the
rules it must make fail (`breaks`; globs allowed: mostly FID rules, plus any ordinary rule the same
bug breaks) and describes its behaviour as values for the relay's hook points. Every default is the
clean pass-through relay; app.py never asks which fault is active.

Hook points, in the order a request meets them:

    reroutes           action -> the action the relay calls upstream
    rewrite_path       (action, upstream path) -> the path the relay calls instead
    retries            how many times more the relay sends a request the upstream answered 4xx/5xx
    exposes_upstream   response headers naming the upstream's base URL, as a debugging proxy adds them
    rewrite_request    (action, JSON body) -> the body sent upstream (model actions with JSON bodies)
    forwards_client_auth  the client's Authorization / x-api-key / ?key= go upstream as they came
    upstream_key_as    where the relay puts its own upstream credential (clean: x-goog-api-key)
    upstream_timeout_s how long the relay waits for upstream bytes (clean: 600 s)
    restate            (status, JSON body) -> (status, body) for whole (non-stream) replies
    reshape            transform of each GenerateContentResponse: whole bodies and every SSE chunk
    restream           request body -> a stateful transform of one SSE stream's chunks (None drops one)
    on_stream_failure  the chunk sent in place of an upstream failure (error event or dropped connection)
    sse_line_limit     SSE lines longer than this end the stream silently (a scanner's buffer)
    buffers_stream     the whole upstream stream is collected, then sent in one write

Any response hook makes the relay parse what it relays (JSON bodies, SSE events); the clean relay
copies bytes as they arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.reference.faults.transforms import (
    for_each_candidate,
    for_each_part,
    for_each_request_part,
    map_parts,
)
from conformance.reference.wire import camel_case

Transform = Callable[[Any], Any]
ChunkTransform = Callable[[dict[str, Any]], dict[str, Any] | None]
# Seconds the short-timeout fault waits for upstream bytes; the self-test's long silence is longer.
SHORT_UPSTREAM_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class RelayFault:
    name: str
    description: str
    breaks: tuple[str, ...]
    reroutes: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    rewrite_path: Callable[[str | None, str], str] | None = None
    retries: int = 0
    exposes_upstream: bool = False
    rewrite_request: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None
    forwards_client_auth: bool = False
    upstream_key_as: str | None = None
    upstream_timeout_s: float | None = None
    restate: Callable[[int, Any], tuple[int, Any]] | None = None
    reshape: Transform | None = None
    restream: Callable[[dict[str, Any]], ChunkTransform] | None = None
    on_stream_failure: dict[str, Any] | None = field(default=None, hash=False, compare=False)
    sse_line_limit: int | None = None
    buffers_stream: bool = False


# --- Building blocks ---------------------------------------------------------------------------


def without_signature(part: dict[str, Any]) -> dict[str, Any]:
    part.pop("thoughtSignature", None)
    return part


def join_text_parts(candidate: dict[str, Any]) -> None:
    """The candidate's plain text parts joined into one, as a translator through a chat message does."""
    parts = (candidate.get("content") or {}).get("parts")
    if not isinstance(parts, list):
        return
    plain = [part for part in parts if isinstance(part, dict) and set(part) == {"text"}]
    if len(plain) > 1:
        joined = {"text": "".join(part["text"] for part in plain)}
        rest = {id(part) for part in plain[1:]}
        candidate["content"]["parts"] = [joined if part is plain[0] else part for part in parts if id(part) not in rest]


def stamp_stop(candidate: dict[str, Any]) -> None:
    candidate.setdefault("finishReason", "STOP")


def rename_citations(candidate: dict[str, Any]) -> None:
    citations = candidate.get("citationMetadata")
    if isinstance(citations, dict) and "citationSources" in citations:
        citations["citations"] = citations.pop("citationSources")


def words(value: Any) -> int:
    """Whitespace-separated words of every text part in a Content (or a list of them)."""
    if isinstance(value, list):
        return sum(words(item) for item in value)
    if not isinstance(value, dict):
        return 0
    parts = value.get("parts") or []
    return sum(len(part["text"].split()) for part in parts if isinstance(part, dict) and isinstance(part.get("text"), str) and not part.get("thought"))


def recount_usage(request: dict[str, Any]) -> ChunkTransform:
    """one-api's ResponseText2Usage: usage counted from the text relayed so far, upstream's ignored."""
    prompt = words(request.get("contents")) + words(request.get("systemInstruction") or request.get("system_instruction"))
    written = 0

    def apply(chunk: dict[str, Any]) -> dict[str, Any]:
        nonlocal written
        written += sum(words(candidate.get("content")) for candidate in chunk.get("candidates") or [])
        chunk["usageMetadata"] = {"promptTokenCount": prompt, "candidatesTokenCount": written, "totalTokenCount": prompt + written}
        return chunk

    return apply


def first_part_only(request: dict[str, Any]) -> ChunkTransform:
    """Each event's candidate keeps its first part: a translator that reads parts[0] of each chunk."""
    return for_each_part(lambda parts: parts[:1])


def without_usage_only_events(request: dict[str, Any]) -> ChunkTransform:
    """An event of usageMetadata and no candidate (Google's usage-only final event) is taken for empty
    and dropped."""
    return lambda chunk: None if "usageMetadata" in chunk and not chunk.get("candidates") else chunk


def usage_on_every_event(request: dict[str, Any]) -> ChunkTransform:
    """An event the upstream sent without usageMetadata gets an empty one (a struct's zero value)."""
    return lambda chunk: {**chunk, "usageMetadata": chunk.get("usageMetadata", {})}


def blocked_prompt_as_error(status: int, body: Any) -> tuple[int, Any]:
    feedback = body.get("promptFeedback") if isinstance(body, dict) and status == 200 else None
    if feedback and feedback.get("blockReason") and not body.get("candidates"):
        reason = feedback["blockReason"]
        return 400, {"error": {"code": 400, "message": f"The prompt was blocked: {reason}", "status": "INVALID_ARGUMENT"}}
    return status, body


def retryable_errors_as_500(status: int, body: Any) -> tuple[int, Any]:
    if status != 429 and status < 500:
        return status, body
    message = (body.get("error") or {}).get("message", "upstream error") if isinstance(body, dict) else "upstream error"
    return 500, {"error": {"code": 500, "message": message, "status": "INTERNAL"}}


def with_system_prompt(action: str, body: dict[str, Any]) -> dict[str, Any]:
    if action in ("generateContent", "streamGenerateContent") and not ("systemInstruction" in body or "system_instruction" in body):
        body["systemInstruction"] = {"parts": [{"text": "You are a helpful assistant. Answer in the user's language."}]}
    return body


def without_keys(*keys: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    def apply(action: str, body: dict[str, Any]) -> dict[str, Any]:
        for key in keys:
            body.pop(key, None)
        return body

    return apply


def camel_copies(action: str, body: dict[str, Any]) -> dict[str, Any]:
    """Adds the camelCase spelling of each top-level snake_case field, keeping the original too."""
    for key in [key for key in body if "_" in key]:
        body.setdefault(camel_case(key), body[key])
    return body


# GenerationConfig fields newer than the request type a gateway was built on.
NEWER_CONFIG_FIELDS = ("seed", "responseLogprobs", "logprobs", "mediaResolution", "enableEnhancedCivicAnswers")


def older_request_type(action: str, body: dict[str, Any]) -> dict[str, Any]:
    """The request re-encoded through an older copy of GenerateContentRequest: newer config fields
    dropped, responseSchema sent as responseJsonSchema, cachedContent unknown."""
    config = body.get("generationConfig")
    if isinstance(config, dict):
        for name in NEWER_CONFIG_FIELDS:
            config.pop(name, None)
        if "responseSchema" in config:
            config["responseJsonSchema"] = config.pop("responseSchema")
    body.pop("cachedContent", None)
    return body


def without_empty_parts(action: str, body: dict[str, Any]) -> dict[str, Any]:
    """A translator that carries over only parts with text in them (`if part.text:`): an empty text
    part goes, and with it the thoughtSignature it carried."""
    return for_each_request_part(lambda part: None if part.get("text") == "" else part)(body)


def embeddings_as_openai_input(action: str, body: dict[str, Any]) -> dict[str, Any]:
    """A batch carried through an OpenAI-style embeddings call (one input list, one dimensions field):
    each request's taskType and title have no place there and are lost."""
    if action == "batchEmbedContents":
        for request in body.get("requests") or ():
            if isinstance(request, dict):
                request.pop("taskType", None)
                request.pop("title", None)
    return body


def rebuilt(action: str, body: dict[str, Any]) -> dict[str, Any]:
    """The request rebuilt from the relay's own model of it: a null systemInstruction where the client
    sent none, its safetySettings left out, its sampling defaults filled in."""
    if action in ("generateContent", "streamGenerateContent"):
        if "systemInstruction" not in body and "system_instruction" not in body:
            body["systemInstruction"] = None
        body.pop("safetySettings", None)
        config = body.get("generationConfig")
        if isinstance(config, dict):
            config.update({"temperature": config.get("temperature", 1.0), "topP": 0.95, "topK": 40})
    return body


def model_mapped(asked: str, called: str) -> Callable[[str | None, str], str]:
    """A model mapping entry left in place: the model actions of ``asked`` call ``called`` upstream."""
    return lambda action, path: path.replace(f"/models/{asked}:", f"/models/{called}:", 1) if action else path


def count_tokens_version_doubled(action: str | None, path: str) -> str:
    """countTokens is built from a base URL that already ends in the version: /v1beta/v1beta/..."""
    return path.replace("/v1beta/", "/v1beta/v1beta/", 1) if action == "countTokens" else path


FAKE_STOP = {"candidates": [{"content": {"parts": [], "role": "model"}, "finishReason": "STOP", "index": 0}]}


# --- The table -----------------------------------------------------------------------------------

RELAY_FAULTS: dict[str, RelayFault] = {
    fault.name: fault
    for fault in (
        RelayFault(
            "recomputes_stream_usage",
            "Stream usage is recounted from the relayed text; upstream usageMetadata (thoughtsTokenCount, "
            "details) is ignored (songquanpeng/one-api ResponseText2Usage; jain-aanchal/ai-tally#376).",
            ("FID-01", "FID-22"),
            restream=recount_usage,
        ),
        RelayFault(
            "keeps_first_part_per_event",
            "Each stream event is rebuilt from candidates[0].content.parts[0], so an event carrying two parts "
            "loses the second (issue: seen in a translating layer; bugs F20, parts kept in both directions).",
            ("FID-22", "FID-04"),
            restream=first_part_only,
        ),
        RelayFault(
            "drops_usage_only_event",
            "A final event with usageMetadata and no candidate is dropped as empty, so the stream's billed "
            "totals never reach the client (issue: seen in a relaying proxy; Google sends one, recordings "
            "vercel-ai/020; one-api#1385-style mapping).",
            ("FID-22",),
            restream=without_usage_only_events,
        ),
        RelayFault(
            "empty_usage_where_none",
            "Every event is re-serialised from a struct, so one the upstream sent without usageMetadata gets "
            "an empty usageMetadata: {} (issue: seen in a translating layer; one-api#1385-style mapping).",
            ("FID-22",),
            restream=usage_on_every_event,
        ),
        RelayFault(
            "stamps_stop_on_every_chunk",
            "finishReason STOP is stamped on every chunk that lacks one (router-for-me/CLIProxyAPI#5651, "
            "Chevey339/kelivo#1003).",
            ("FID-02", "FID-07", "FID-22"),
            reshape=for_each_candidate(stamp_stop),
        ),
        RelayFault(
            "drops_thought_signature",
            "thoughtSignature is stripped from response parts, so Gemini 3 tool calls fail on the next turn "
            "(BerriAI/litellm#16893, #25322; lbjlaq/Antigravity-Manager#3202).",
            ("FID-03", "FID-04"),
            reshape=map_parts(without_signature),
        ),
        RelayFault(
            "truncates_long_sse_lines",
            "The relay reads upstream SSE with a 64 KiB line buffer: a longer event (an inline image) ends "
            "the stream silently (songquanpeng/one-api bufio.Scanner; owndev/Open-WebUI-Functions#56).",
            ("FID-05", "IMG-03"),
            sse_line_limit=64 * 1024,
        ),
        RelayFault(
            "retryable_errors_as_500",
            "Upstream 429 and 5xx are re-emitted by the relay's own error handler as 500 INTERNAL, losing "
            "RetryInfo and QuotaFailure (QuantumNous/new-api RelayErrorHandler; bugs F9).",
            ("FID-06",),
            restate=retryable_errors_as_500,
        ),
        RelayFault(
            "fake_stop_on_upstream_failure",
            "An upstream failure mid-stream (error event or dropped connection) is papered over with a final "
            "STOP chunk, so the client takes a cut answer as complete (bugs F29; Chevey339/kelivo#1003).",
            ("FID-07",),
            on_stream_failure=FAKE_STOP,
        ),
        RelayFault(
            "blocked_prompt_as_400",
            "A promptFeedback-only (blocked) answer is turned into a 400 error (bugs F28; BerriAI/litellm#40477).",
            ("FID-08",),
            restate=blocked_prompt_as_error,
        ),
        RelayFault(
            "joins_text_parts",
            "A candidate's text parts are joined into one, as a layer that passes the answer through a chat "
            "message's single content string does (the issue's rebuilt responses; one-api keeps parts[0] only, bugs F20).",
            ("FID-09", "FID-22"),
            reshape=for_each_candidate(join_text_parts),
        ),
        RelayFault(
            "renames_citation_sources",
            "citationMetadata.citationSources is renamed to citations, the SDK's name, on the wire "
            "(LiteLLM native transform; bugs F24).",
            ("FID-09",),
            reshape=for_each_candidate(rename_citations),
        ),
        RelayFault(
            "buffers_stream",
            "The upstream stream is collected and flushed in one write at its end "
            "(router-for-me/CLIProxyAPI#593, yym68686/uni-api#146).",
            ("FID-10", "STREAM-07"),
            buffers_stream=True,
        ),
        RelayFault(
            "short_upstream_timeout",
            f"The relay gives up after {SHORT_UPSTREAM_TIMEOUT_S:g} s without upstream bytes and answers 504 "
            "(bugs F33; Wei-Shaw/sub2api#4798).",
            ("FID-11",),
            upstream_timeout_s=SHORT_UPSTREAM_TIMEOUT_S,
        ),
        RelayFault(
            "drops_safety_settings",
            "Top-level safetySettings are not forwarded (BerriAI/litellm#12671; bugs F22).",
            ("FID-12",),
            rewrite_request=without_keys("safetySettings"),
        ),
        RelayFault(
            "rebuilds_request",
            "The request is rebuilt from the relay's own model of it: systemInstruction: null injected, "
            "safetySettings dropped, topP/topK defaults filled in (issue-tracker reports of relays that send "
            "null fields and their own sampling defaults; bugs F22, F23). Every change is named, not only the first.",
            ("FID-12", "FID-14"),
            rewrite_request=rebuilt,
        ),
        RelayFault(
            "older_request_type",
            "The request is re-encoded through an older copy of the request type: seed, logprobs, mediaResolution "
            "and enableEnhancedCivicAnswers dropped, responseSchema renamed responseJsonSchema, cachedContent "
            "lost (BerriAI/litellm#12671 dropped fields; bugs F22).",
            ("FID-12",),
            rewrite_request=older_request_type,
        ),
        RelayFault(
            "drops_empty_parts",
            "Empty text parts are left out of the history sent upstream, and with them the thoughtSignature "
            "Gemini 3 puts on the empty part that ends a turn (a translator's `if part.text:`; bugs F19: "
            "signatures lost in history).",
            ("FID-12",),
            rewrite_request=without_empty_parts,
        ),
        RelayFault(
            "embeddings_through_openai_shape",
            "Embedding batches are translated through an OpenAI-style embeddings call, which has no taskType "
            "or title: Google then embeds a query and a document alike (bugs §5 rule 22: taskType kept; "
            "new-api's native embedding route, PR#2061).",
            ("FID-23",),
            rewrite_request=embeddings_as_openai_input,
        ),
        RelayFault(
            "maps_model_to_another",
            "A model mapping entry left in the channel (gemini-2.5-flash -> gemini-2.5-pro) calls another model "
            "than the client asked for: it pays for and gets that one (new-api GetRequestURL model rewriting, "
            "snailyp/gemini-balance#386 suffix stripped; bugs F26).",
            ("FID-18",),
            rewrite_path=model_mapped("gemini-2.5-flash", "gemini-2.5-pro"),
        ),
        RelayFault(
            "doubles_count_tokens_version",
            "countTokens is called upstream at /v1beta/v1beta/models/...:countTokens (a base URL joined with "
            "the version twice, as bugs F26's doubled `models/`), which Google answers 404; a scripted upstream "
            "that answered any path let it pass. A malformed countTokens body comes back 404, not 400.",
            ("FID-15", "ACT-01", "ACT-02", "SDK-03", "UNSUP-02", "ERR-07"),
            rewrite_path=count_tokens_version_doubled,
        ),
        RelayFault(
            "retries_upstream_errors",
            "Every upstream error is retried twice more, a 400 included: three upstream calls for one client "
            "request that cannot succeed (key-pooling relays' retry loops; bugs F9).",
            ("FID-19",),
            retries=2,
        ),
        RelayFault(
            "exposes_upstream",
            "Every response carries x-litellm-model-api-base with the upstream's base URL, the channel's address "
            "(BerriAI/litellm#3430, which added it; #7249 shows it naming an internal address).",
            ("FID-20",),
            exposes_upstream=True,
        ),
        RelayFault(
            "adds_camel_case_copies",
            "snake_case fields are forwarded with a camelCase copy beside them; Google rejects the doubled "
            "oneof (fawney19/Aether#161; bugs F22).",
            ("FID-13",),
            rewrite_request=camel_copies,
        ),
        RelayFault(
            "injects_system_prompt",
            "The channel's system prompt is added when the client sent none (QuantumNous/new-api channel "
            "SystemPrompt; bugs F23).",
            ("FID-14",),
            rewrite_request=with_system_prompt,
        ),
        RelayFault(
            "count_tokens_as_generate",
            "countTokens is relayed as generateContent and billed as a generation (QuantumNous/new-api#7283).",
            ("FID-15", "UNSUP-02", "ACT-01", "ACT-02", "SDK-03"),
            reroutes={"countTokens": "generateContent"},
        ),
        RelayFault(
            "forwards_client_key",
            "The client's Authorization / x-api-key / ?key= are copied upstream beside the relay's own key "
            "(songquanpeng/one-api proxy pass-through; bugs F13).",
            ("FID-16",),
            forwards_client_auth=True,
        ),
        RelayFault(
            "upstream_key_as_bearer",
            "The upstream credential is sent as Authorization: Bearer, which Google rejects for API keys "
            "(xalgorix/xalgorix#2, BerriAI/litellm#7830).",
            ("FID-17",),
            upstream_key_as="bearer",
        ),
        RelayFault(
            "upstream_key_in_query",
            "The upstream credential is sent as ?key= in the URL: Google reads it there too, but a key in "
            "a URL is written to access logs on the way (hasamba/DFIR-Companion#516: ?key= in proxy access "
            "logs; gateway-bugs §5 rule 7).",
            ("FID-21",),
            upstream_key_as="query",
        ),
    )
}
