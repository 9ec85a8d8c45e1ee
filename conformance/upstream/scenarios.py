"""What the scripted upstream answers to each scenario marker (SCENARIOS)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from conformance.images import padded_png, solid_png
from conformance.reference import envelopes

# Timing of the delayed stream: the first event after FIRST_EVENT_S, then one every EVENT_GAP_S.
FIRST_EVENT_S = 0.3
EVENT_GAP_S = 0.5
BIG_IMAGE_BYTES = 6 * 1024 * 1024  # 8 MiB once base64-encoded




@dataclass(frozen=True)
class Call:
    """What a scenario is asked for."""

    action: str | None
    wants_sse: bool
    model: str
    silence_s: float

    @property
    def streams(self) -> bool:
        return self.action == "streamGenerateContent"


@dataclass(frozen=True)
class Script:
    """The answer: status, then bodies each sent after its delay; a stream may end by dropping."""

    steps: tuple[tuple[float, Any], ...]
    status: int = 200
    drop: bool = False


Scenario = Callable[[Call], Script]


def _signature(seed: str, size: int) -> str:
    """A thoughtSignature-like base64 blob; long ones catch gateways that split or cap lines."""
    return base64.b64encode(hashlib.shake_256(seed.encode()).digest(size)).decode()


THOUGHT_SIGNATURE = _signature("thought", 4608)
CALL_SIGNATURE = _signature("call", 1536)


@cache
def big_png() -> str:
    """A valid PNG of BIG_IMAGE_BYTES (padded), 8 MiB in base64."""
    return base64.b64encode(padded_png(solid_png(64, 64, (200, 30, 30)), BIG_IMAGE_BYTES)).decode()


def usage(prompt: int, candidates: int | None = None, thoughts: int = 0) -> dict[str, Any]:
    """Google-style usage: zero counts omitted, details per modality, total = the sum."""
    counts: dict[str, Any] = {"promptTokenCount": prompt}
    if candidates:
        counts["candidatesTokenCount"] = candidates
    counts["totalTokenCount"] = prompt + (candidates or 0) + thoughts
    counts["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    if thoughts:
        counts["thoughtsTokenCount"] = thoughts
    return counts


def response(call: Call, scenario: str, parts: list[dict] | None, finish: str | None, counts: dict, **extra: Any) -> dict:
    candidate: dict[str, Any] = {}
    if parts is not None:
        candidate["content"] = {"parts": parts, "role": "model"}
    if finish:
        candidate["finishReason"] = finish
    candidate["index"] = 0
    candidate.update(extra.pop("candidate", {}))
    body: dict[str, Any] = {"candidates": [candidate], "usageMetadata": counts, **extra}
    body["modelVersion"] = call.model
    body["responseId"] = f"fid-{scenario}"
    return body


def pieces(call: Call, scenario: str, chunks: list[tuple[list[dict], dict]], finish: str, whole: list[dict], delays=None, **extra) -> Script:
    """A stream of `chunks` (parts, usage) with `finish` on the last; or, not streaming, one body.

    `delays` pace the events (the first is also the wait before a whole body)."""
    delays = delays or [0.0] * len(chunks)
    if not call.streams:
        return Script(((delays[0], response(call, scenario, whole, finish, chunks[-1][1], **extra)),))
    last = len(chunks) - 1
    return Script(
        tuple(
            (delay, response(call, scenario, parts, finish if index == last else None, counts, **(extra if index == last else {})))
            for index, (delay, (parts, counts)) in enumerate(zip(delays, chunks))
        )
    )


def error(status: int, message: str, *details: dict) -> dict:
    body: dict[str, Any] = {"code": status, "message": message, "status": envelopes.CANONICAL_STATUS[status]}
    if details:
        body["details"] = list(details)
    return {"error": body}


SAFETY_RATINGS = [
    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True},
    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
]


def cumulative_stream(call: Call) -> Script:
    """Four text chunks, cumulative usage with thoughts, paced: the first after FIRST_EVENT_S."""
    texts = ["Alpha", " beta", " gamma", " delta."]
    chunks = [([{"text": text}], usage(1207, 2 * (n + 1) + n // 3, thoughts=31)) for n, text in enumerate(texts)]
    delays = [FIRST_EVENT_S] + [EVENT_GAP_S] * (len(texts) - 1)
    return pieces(call, "cumulative_stream", chunks, "STOP", [{"text": "".join(texts)}], delays)


def thoughts(call: Call) -> Script:
    """A thought part, the answer, and the thoughtSignature on an empty-text final part (Gemini 3)."""
    thought = {"text": "**Weighing it** The user wants one number.", "thought": True}
    chunks = [
        ([thought], usage(412, thoughts=57)),
        ([{"text": "Forty-two."}], usage(412, 3, thoughts=57)),
        ([{"text": "", "thoughtSignature": THOUGHT_SIGNATURE}], usage(412, 3, thoughts=57)),
    ]
    whole = [thought, {"text": "Forty-two.", "thoughtSignature": THOUGHT_SIGNATURE}]
    return pieces(call, "thoughts", chunks, "STOP", whole)


def function_calls(call: Call) -> Script:
    """Two parallel calls with ids; the first carries a thoughtSignature, as Gemini 3 sends it."""
    calls = [
        {
            "functionCall": {
                "id": "fc-7q2x",
                "name": "get_weather",
                "args": {"city": "Paris", "units": "celsius", "days": 3, "hourly": False, "filters": {"min_temp": -2.5, "tags": ["rain", "wind"]}, "note": None},
            },
            "thoughtSignature": CALL_SIGNATURE,
        },
        {"functionCall": {"id": "fc-8r3y", "name": "get_local_time", "args": {"timezone": "Europe/Paris"}}},
    ]
    return pieces(call, "function_calls", [(calls, usage(96, 31, thoughts=12))], "STOP", calls)


def max_tokens(call: Call) -> Script:
    chunks = [([{"text": "The first"}], usage(64, 2)), ([{"text": " part"}], usage(64, 3))]
    return pieces(call, "max_tokens", chunks, "MAX_TOKENS", [{"text": "The first part"}])


def safety(call: Call) -> Script:
    """Output blocked by the safety filter: finishReason SAFETY and no content at all."""
    body = response(call, "safety", None, "SAFETY", usage(23), candidate={"safetyRatings": SAFETY_RATINGS})
    return Script(((0.0, body),))


def blocked_prompt(call: Call) -> Script:
    body = {
        "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": SAFETY_RATINGS},
        "usageMetadata": usage(23),
        "modelVersion": call.model,
        "responseId": "fid-blocked_prompt",
    }
    return Script(((0.0, body),))


RETRY_INFO = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "47s"}
QUOTA_FAILURE = {
    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
    "violations": [
        {
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
            "quotaValue": "10",
        }
    ],
}
BAD_REQUEST = {
    "@type": "type.googleapis.com/google.rpc.BadRequest",
    "fieldViolations": [{"field": "generation_config", "description": 'Invalid JSON payload received. Unknown name "gcfidUnknownField"'}],
}
HELP = {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]}


def rate_limited(call: Call) -> Script:
    message = "You exceeded your current quota, please check your plan and billing details."
    return Script(((0.0, error(429, message, QUOTA_FAILURE, HELP, RETRY_INFO)),), status=429)


def invalid_argument(call: Call) -> Script:
    """A request error: it fails the same however often it is sent, so a gateway must not send it again."""
    message = 'Invalid JSON payload received. Unknown name "gcfidUnknownField" at \'generation_config\': Cannot find field.'
    return Script(((0.0, error(400, message, BAD_REQUEST)),), status=400)


def internal_error(call: Call) -> Script:
    return Script(((0.0, error(500, "An internal error has occurred. Please retry or report it.")),), status=500)


OVERLOADED = error(503, "The model is overloaded. Please try again later.")


def error_after_first_chunk(call: Call) -> Script:
    """One chunk, then Google's mid-stream error event, then the end (facts §6)."""
    first = response(call, "error_after_first_chunk", [{"text": "Once upon"}], None, usage(40, 2))
    return Script(((0.0, first), (0.05, OVERLOADED)))


def dropped_stream(call: Call) -> Script:
    """Two chunks, then the connection is cut without a final chunk."""
    chunks = [response(call, "dropped_stream", [{"text": text}], None, usage(40, n + 2)) for n, text in enumerate(["Once", " upon"])]
    return Script(((0.0, chunks[0]), (0.05, chunks[1])), drop=True)


def big_image(call: Call) -> Script:
    picture = {"inlineData": {"mimeType": "image/png", "data": big_png()}}
    caption = {"text": "Here is the image."}
    chunks = [([caption], usage(9, 4)), ([picture], usage(9, 1294))]
    return pieces(call, "big_image", chunks, "STOP", [caption, picture])


def long_silence(call: Call) -> Script:
    """Nothing at all for `silence_s` (a slow image model), then the answer."""
    chunks = [([{"text": "Finally"}], usage(9, 1)), ([{"text": " here."}], usage(9, 2))]
    return pieces(call, "long_silence", chunks, "STOP", [{"text": "Finally here."}], delays=[call.silence_s, 0.05])


def rich_response(call: Call) -> Script:
    """Every optional field Google sends, so a renamed, dropped or added key shows; the whole answer's
    text in two parts, as Google may send it, so parts joined or dropped show too."""
    citations = {"citationSources": [{"startIndex": 0, "endIndex": 21, "uri": "https://example.com/source", "license": "mit"}]}
    details = {"candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 9}]}
    extra = {"candidate": {"safetyRatings": SAFETY_RATINGS[:1], "citationMetadata": citations, "avgLogprobs": -0.2137}}
    chunks = [([{"text": "Cited text, word for"}], usage(30, 5)), ([{"text": " word."}], usage(30, 9) | details)]
    return pieces(call, "rich_response", chunks, "STOP", [{"text": "Cited text, "}, {"text": "word for word."}], **extra)


def stream_events(call: Call) -> Script:
    """The events a relay that rebuilds each one loses: two parts in one event, an event without
    usageMetadata, and a final event of usageMetadata alone (Google sends one: recordings
    vercel-ai/020). Not streaming: one body."""
    counts = usage(14, 5)
    if not call.streams:
        return Script(((0.0, response(call, "stream_events", [{"text": "One, two, three."}], "STOP", counts)),))
    first = response(call, "stream_events", [{"text": "One,"}, {"text": " two,"}], None, {})
    del first["usageMetadata"]
    last = {"usageMetadata": counts, "modelVersion": call.model, "responseId": "fid-stream_events"}
    return Script(((0.0, first), (0.05, response(call, "stream_events", [{"text": " three."}], "STOP", counts)), (0.05, last)))


def count_tokens(call: Call) -> Script:
    if call.action == "countTokens":
        return Script(((0.0, {"totalTokens": 4321, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 4321}]}),))
    return pieces(call, "count_tokens", [([{"text": "Counted as a generation."}], usage(4321, 4))], "STOP", [{"text": "Counted as a generation."}])


def embeddings(call: Call) -> Script:
    """Two embeddings of eight values, as Google answers a batch of two (facts §4 Embed)."""
    values = [[0.125, -0.25, 0.5, 0.0625, -0.5, 0.25, 0.375, -0.125], [-0.375, 0.5, 0.0, 0.25, 0.125, -0.0625, 0.5, -0.25]]
    return Script(((0.0, {"embeddings": [{"values": one} for one in values]}),))


def echo(call: Call) -> Script:
    """A plain short answer, for the checks of what the upstream received."""
    return pieces(call, "echo", [([{"text": "Received."}], usage(12, 2))], "STOP", [{"text": "Received."}])


SCENARIOS: dict[str, Scenario] = {
    scenario.__name__: scenario
    for scenario in (
        cumulative_stream,
        thoughts,
        function_calls,
        max_tokens,
        safety,
        blocked_prompt,
        rate_limited,
        invalid_argument,
        internal_error,
        error_after_first_chunk,
        dropped_stream,
        big_image,
        long_silence,
        rich_response,
        stream_events,
        count_tokens,
        embeddings,
        echo,
    )
}


