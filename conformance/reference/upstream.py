"""The scripted Gemini upstream: what a relaying gateway is pointed at for the fidelity checks.

    python -m conformance.reference --upstream --port P --key UPSTREAM_KEY [--silence-s N]

It is the reference gateway (profile `full`) behind one credential, the upstream key, which it
accepts in any placement (recording where it came) with two additions:

- **Scenarios.** A request whose text carries a marker `gcfid:<scenario>:<nonce>` (the suite puts it
  in the prompt, so it survives any gateway) is answered from SCENARIOS instead of the fake model:
  a cumulative stream with delays, thought parts and signatures, parallel function calls, MAX_TOKENS
  and SAFETY finishes, a blocked prompt, 429 with RetryInfo, 500, an error after the first chunk, a
  dropped connection, an 8 MB inline image, a long silence before the first byte, ...
- **A recorder.** Every request it receives is recorded (method, path, query, headers, body), and for
  scenario requests also what it answered: the status and each body or stream event, with the time
  it was sent (seconds after the request arrived). The suite reads the records in process
  (`ScriptedUpstream.recorded(marker)`) or over HTTP: `GET /__recorded?marker=M`, guarded by the
  upstream key (x-goog-api-key or ?key=). Keys are recorded as sent: the checks look for them.

Requests without a marker get the reference gateway's answers, so every other conformance check
passes through a clean relay unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route as StarletteRoute

from conformance.images import padded_png, solid_png

from . import envelopes
from .app import HTTP_METHODS, Gateway, as_starlette
from .auth import presented_keys
from .config import GatewayConfig
from .server import ReferenceGateway
from .streaming import json_array_frames, sse_frames
from .wire import JSON, SSE, Reply, compact_json

RECORDED_PATH = "/__recorded"
MARKER = re.compile(r"gcfid:([a-z_]+):([0-9a-f]{8,32})")
DEFAULT_SILENCE_S = 30.0

# Timing of the delayed stream: the first event after FIRST_EVENT_S, then one every EVENT_GAP_S.
FIRST_EVENT_S = 0.3
EVENT_GAP_S = 0.5
BIG_IMAGE_BYTES = 6 * 1024 * 1024  # 8 MiB once base64-encoded


def marker(scenario: str) -> str:
    """A fresh marker for one request: the scenario to play and a nonce that finds its record."""
    return f"gcfid:{scenario}:{secrets.token_hex(8)}"


@dataclass(frozen=True)
class UpstreamConfig:
    key: str  # the upstream credential the gateway must send (x-goog-api-key)
    silence_s: float = DEFAULT_SILENCE_S  # the long_silence scenario's wait before its first byte


# --- What was received and sent ------------------------------------------------------------------


@dataclass
class SentEvent:
    at_s: float  # seconds after the request arrived
    body: Any  # the JSON value sent: a whole body, or one stream chunk / error event


@dataclass
class Recorded:
    """One request the upstream received and, for scenario requests, what it answered."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    marker: str | None = None
    scenario: str | None = None
    status: int | None = None
    streamed: bool = False
    sent: list[SentEvent] = field(default_factory=list)
    dropped: bool = False  # the connection was cut after the events

    @property
    def action(self) -> str | None:
        _, colon, action = self.path.rpartition(":")
        return action if colon else None

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": [list(pair) for pair in self.query],
            "headers": [list(pair) for pair in self.headers],
            "body_base64": base64.b64encode(self.body).decode(),
            "marker": self.marker,
            "scenario": self.scenario,
            "status": self.status,
            "streamed": self.streamed,
            "sent": [{"at_s": event.at_s, "body": event.body} for event in self.sent],
            "dropped": self.dropped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recorded:
        return cls(
            method=data["method"],
            path=data["path"],
            query=[tuple(pair) for pair in data["query"]],
            headers=[tuple(pair) for pair in data["headers"]],
            body=base64.b64decode(data["body_base64"]),
            marker=data["marker"],
            scenario=data["scenario"],
            status=data["status"],
            streamed=data["streamed"],
            sent=[SentEvent(event["at_s"], event["body"]) for event in data["sent"]],
            dropped=data["dropped"],
        )


class Recorder:
    def __init__(self) -> None:
        self._records: list[Recorded] = []
        self._lock = threading.Lock()

    def add(self, record: Recorded) -> None:
        with self._lock:
            self._records.append(record)

    def recorded(self, marker: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self._records if marker is None or r.marker == marker]


# --- Scenarios -------------------------------------------------------------------------------------


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
HELP = {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]}


def rate_limited(call: Call) -> Script:
    message = "You exceeded your current quota, please check your plan and billing details."
    return Script(((0.0, error(429, message, QUOTA_FAILURE, HELP, RETRY_INFO)),), status=429)


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
    """Every optional field Google sends, so a renamed, dropped or added key shows."""
    citations = {"citationSources": [{"startIndex": 0, "endIndex": 21, "uri": "https://example.com/source", "license": "mit"}]}
    details = {"candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 9}]}
    extra = {"candidate": {"safetyRatings": SAFETY_RATINGS[:1], "citationMetadata": citations, "avgLogprobs": -0.2137}}
    chunks = [([{"text": "Cited text, word for"}], usage(30, 5)), ([{"text": " word."}], usage(30, 9) | details)]
    return pieces(call, "rich_response", chunks, "STOP", [{"text": "Cited text, word for word."}], **extra)


def count_tokens(call: Call) -> Script:
    if call.action == "countTokens":
        return Script(((0.0, {"totalTokens": 4321, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 4321}]}),))
    return pieces(call, "count_tokens", [([{"text": "Counted as a generation."}], usage(4321, 4))], "STOP", [{"text": "Counted as a generation."}])


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
        internal_error,
        error_after_first_chunk,
        dropped_stream,
        big_image,
        long_silence,
        rich_response,
        count_tokens,
        echo,
    )
}


# --- The server ------------------------------------------------------------------------------------


class UpstreamDropped(Exception):
    """Raised inside a stream to cut the connection (uvicorn then closes it mid-body)."""


class _QuietDrops(logging.Filter):
    """uvicorn logs every exception that ends a stream; the scripted drops are on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, UpstreamDropped)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class Upstream:
    def __init__(self, config: UpstreamConfig, recorder: Recorder) -> None:
        self.config = config
        self.recorder = recorder
        self.gateway = Gateway(GatewayConfig(key=None, profile="full"))

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        if request.url.path == RECORDED_PATH:
            return self.records(request)
        found = MARKER.search(body.decode("utf-8", errors="replace"))
        record = Recorded(
            method=request.method,
            path=request.url.path,
            query=list(request.query_params.multi_items()),
            headers=list(request.headers.items()),
            body=body,
            marker=found.group(0) if found else None,
            scenario=found.group(1) if found else None,
        )
        self.recorder.add(record)
        if self.config.key not in presented_keys(request.headers, request.query_params).values():
            return as_starlette(Reply(401, envelopes.missing_key(401, ("x-goog-api-key",)).envelope()))
        if record.scenario is None:
            return await self.gateway.handle(request)  # it reads the body Starlette kept
        scenario = SCENARIOS.get(record.scenario)
        if scenario is None:
            return as_starlette(Reply(400, envelopes.invalid_argument(f"unknown fidelity scenario {record.scenario!r}").envelope()))
        call = Call(record.action, request.query_params.get("alt") == "sse", _model_of(record.path), self.config.silence_s)
        return await self.play(scenario(call), call, record)

    async def play(self, script: Script, call: Call, record: Recorded) -> Response:
        started = time.monotonic()
        record.status = script.status
        if not call.streams or script.status != 200:
            delay, body = script.steps[0]
            await asyncio.sleep(delay)
            record.sent.append(SentEvent(round(time.monotonic() - started, 4), body))
            return as_starlette(Reply(script.status, [body] if call.streams and not call.wants_sse else body))
        record.streamed = True
        bodies = [body for _, body in script.steps]
        frames = sse_frames(bodies) if call.wants_sse else json_array_frames(bodies)
        # The first event's delay is a wait before the first byte: the headers go with that event.
        await asyncio.sleep(script.steps[0][0])

        async def events() -> AsyncIterator[bytes]:
            for index, ((delay, body), frame) in enumerate(zip(script.steps, frames)):
                if index:
                    await asyncio.sleep(delay)
                record.sent.append(SentEvent(round(time.monotonic() - started, 4), body))
                yield frame
            if script.drop:
                record.dropped = True
                raise UpstreamDropped(record.marker)

        return StreamingResponse(events(), headers={"content-type": SSE if call.wants_sse else JSON})

    def records(self, request: Request) -> Response:
        if self.config.key not in presented_keys(request.headers, request.query_params).values():
            return as_starlette(Reply(401, envelopes.missing_key(401, ("x-goog-api-key",)).envelope()))
        found = self.recorder.recorded(request.query_params.get("marker"))
        return Response(compact_json({"records": [r.to_json() for r in found]}), media_type=JSON)


def _model_of(path: str) -> str:
    match = re.search(r"/models/([^/:]+)", path)
    return match.group(1) if match else "unknown"


def build_upstream_app(config: UpstreamConfig, recorder: Recorder) -> Starlette:
    upstream = Upstream(config, recorder)
    return Starlette(routes=[StarletteRoute("/{path:path}", upstream.handle, methods=HTTP_METHODS)])


class ScriptedUpstream(ReferenceGateway):
    """The scripted upstream on http://host:port, with its records in process."""

    def __init__(self, config: UpstreamConfig, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(GatewayConfig(), host, port)
        self.upstream_config = config
        self.recorder = Recorder()

    @property
    def key(self) -> str:
        return self.upstream_config.key

    def _build_app(self) -> Starlette:
        return build_upstream_app(self.upstream_config, self.recorder)

    def recorded(self, marker: str | None = None) -> list[Recorded]:
        return self.recorder.recorded(marker)


class RemoteUpstream:
    """A scripted upstream someone started elsewhere; its records come over GET /__recorded."""

    def __init__(self, base_url: str, key: str, timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.timeout_s = timeout_s

    def recorded(self, marker: str | None = None) -> list[Recorded]:
        params = {"marker": marker} if marker else {}
        with httpx.Client(trust_env=False, timeout=self.timeout_s) as http:
            answer = http.get(self.base_url + RECORDED_PATH, params=params, headers={"x-goog-api-key": self.key})
        answer.raise_for_status()
        return [Recorded.from_json(record) for record in answer.json()["records"]]
