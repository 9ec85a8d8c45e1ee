"""A replay target: real recorded answers (conformance/recordings) served over HTTP, streams paced.

    targets:
      google-replay: {reference: {replay: conformance/recordings/google/pydantic-ai}}

The suite's own client, SSE parser and checks then judge Google's real bytes exactly as they judge a
live gateway. A request is answered with a recording only where the recording is an answer to it:

1. the key: the run's key lets the request in; a wrong key gets the recorded wrong-key answer (an
   error whose ErrorInfo says API_KEY_INVALID), if the folder has one; no key, nothing recorded
2. the action and model: an action no recording answers, nothing; a model no recording of that
   action names gets a recorded "model not found" answer of that action, if there is one
3. the request: a success of that action and model whose sidecar shows the same kind of request
   (``answers``): the same turns, tools, systemInstruction and output settings, and an answer that
   fits the request's maxOutputTokens. The first in name order is served.

Anything else is answered 501 with the header ``x-conformance-replay: unrecorded``: the client of a
replay target turns it into "not judged" (never a pass, never a failure of Google's bytes).
A stream's events go out at their recorded times where the sidecar has them (``event_times_s``),
else ``EVENT_GAP_S`` apart; a raw-bytes body keeps its exact framing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from conformance.client.http import REPLAY_HEADER, UNRECORDED
from conformance.recordings import KIND_ACTIONS, Recording, load, summarise_request

from .auth import presented_keys
from .config import GatewayConfig
from .server import ReferenceGateway

EVENT_GAP_S = 0.04
TARGET_FILE = "target.json"  # a run's evidence: what its target declared (recordings/writer.py)
# Google's placements for an API key; Authorization: Bearer is OAuth there.
PLACEMENTS = ("x-goog-api-key", "query")
# Headers the server computes itself for the body it sends.
_NOT_REPLAYED = {"content-length", "transfer-encoding", "content-encoding", "date"}


def served_by(folder: Path) -> list[Recording]:
    """The Gemini API recordings of ``folder`` (a folder, or one sidecar) a replay may serve."""
    if folder.is_file():
        recordings = [r for r in load(folder.parent) if folder.name == f"{r.id.rsplit('/', 1)[-1]}.meta.json"]
    else:
        recordings = load(folder)
    return [recording for recording in recordings if recording.api == "gemini" and not recording.meta.get("edited")]


def declarations(folder: Path) -> dict[str, Any]:
    """What a replay target declares: what the run whose evidence it is declared (its target.json),
    or for other recordings the actions and the model their successes answer."""
    declared = (folder if folder.is_dir() else folder.parent) / TARGET_FILE
    if declared.is_file():
        return json.loads(declared.read_text(encoding="utf-8"))
    recordings = served_by(folder)
    successes = [r for r in recordings if not r.is_error and r.answers in KIND_ACTIONS]
    actions = sorted({KIND_ACTIONS[r.answers] for r in successes})
    models = [r.model for r in successes if r.model and r.answers in ("generate", "stream_sse")]
    return {
        "auth": list(PLACEMENTS),
        "actions": actions,
        "features": ["sse"] if "streamGenerateContent" in actions else [],
        "models": {"text": max(set(models), key=models.count)} if models else {},
        "expect": {"auth_failure": [400, 403]},
    }


# What must be the same for a recorded answer to be an answer to the request; sampling settings
# (temperature, topP, seed, ...) change what is said, not what shape it takes.
SHAPING = ("responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities", "candidateCount", "stopSequences")


def answers(recording: Recording, asked: dict[str, Any]) -> bool:
    recorded = recording.request
    if not recorded:
        return False  # the source kept no summary of what was asked
    if recorded.get("unparsed") or asked.get("unparsed"):
        return bool(recorded.get("unparsed")) == bool(asked.get("unparsed"))
    if recorded.get("contents") != asked.get("contents") or bool(recorded.get("systemInstruction")) != bool(asked.get("systemInstruction")):
        return False
    if _tools(recorded.get("tools")) != _tools(asked.get("tools")) or ("toolConfig" in recorded) != ("toolConfig" in asked):
        return False
    config, recorded_config = asked.get("generationConfig") or {}, recorded.get("generationConfig") or {}
    if any(_setting(config, name) != _setting(recorded_config, name) for name in SHAPING):
        return False
    thoughts = lambda c: bool((c.get("thinkingConfig") or {}).get("includeThoughts"))  # noqa: E731
    if thoughts(config) != thoughts(recorded_config):
        return False
    cap = config.get("maxOutputTokens")
    return not isinstance(cap, int) or _output_tokens(recording) <= cap


def _setting(config: dict[str, Any], name: str) -> Any:
    """A generationConfig setting, with Google's default where it is absent."""
    value = config.get(name)
    return ["TEXT"] if name == "responseModalities" and not value else value


def _tools(tools: dict[str, Any] | None) -> tuple:
    """Declared functions (with their parameter names) and built-in tools, in a comparable form."""
    tools = tools or {}
    functions = {name: frozenset(params or ()) for name, params in (tools.get("functions") or {}).items()}
    return functions, frozenset(tools.get("builtin") or ())


def _output_tokens(recording: Recording) -> int:
    """The answer's candidatesTokenCount (a stream's last), 0 where it has none."""
    bodies = [json.loads(event) for event in recording.events] if recording.is_stream else [recording.json]
    counts = [((b or {}).get("usageMetadata") or {}).get("candidatesTokenCount") for b in bodies if isinstance(b, dict)]
    return max((c for c in counts if isinstance(c, int)), default=0)


class Replay:
    """The replay's one job: pick the recording that answers a request, and send it."""

    def __init__(
        self,
        recordings: list[Recording],
        key: str | None,
        rate_limited_key: str | None = None,
        placements: tuple[str, ...] = PLACEMENTS,
        base_path: str = "",
    ) -> None:
        self.recordings = recordings
        self.placements = placements
        self.base_path = base_path  # where the recorded run's API lived, which the replay serves at its root
        self.key = key
        self.rate_limited_key = rate_limited_key
        self.models = {recording.model for recording in recordings if recording.model}

    async def handle(self, request: Request) -> Response:
        action, model = _route(request.url.path)
        raw = await request.body()
        keys = [key for placement, key in presented_keys(request.headers, request.query_params).items() if placement in self.placements]
        carried = _carried(keys, self.key, self.rate_limited_key)
        asked = _asked(raw)
        # A run's own evidence first: the recording of this very request (the same bytes, path and key).
        digest = hashlib.sha256(raw).hexdigest()
        ours = self._first(lambda r: r.request.get("sha256") == digest and r.request.get("key") == carried and _same_path(r, request, self.base_path))
        if ours is not None or any("sha256" in r.request for r in self.recordings):
            return self._send(ours, request)
        # Google's recordings: an answer to the same kind of request.
        if carried == "rate_limited":
            return self._send(self._first(lambda r: r.is_error and r.status == 429), request)
        if carried != "given":
            wrong_key = self._first(lambda r: r.is_error and r.error_reason == "API_KEY_INVALID") if carried == "wrong" else None
            return self._send(wrong_key, request)
        kind = next((k for k, a in KIND_ACTIONS.items() if a == action), None)
        if kind is None or asked.get("unparsed"):
            return self._send(None, request)
        if model not in self.models:
            # A model no recording names: Google's recorded "not found" for the action, if any. (A
            # model named only by other actions' recordings may well exist: nothing is recorded.)
            return self._send(self._first(lambda r: r.answers == kind and r.is_error and r.status == 404), request)
        return self._send(self._first(lambda r: r.answers == kind and r.model == model and not r.is_error and answers(r, asked)), request)

    def _first(self, wanted) -> Recording | None:
        return next((recording for recording in self.recordings if wanted(recording)), None)

    def _send(self, recording: Recording | None, request: Request) -> Response:
        if recording is None:
            body = {"error": {"code": 501, "message": "no recording answers this request", "status": "UNIMPLEMENTED"}}
            return Response(json.dumps(body), 501, {"content-type": "application/json; charset=UTF-8", REPLAY_HEADER: UNRECORDED})
        headers = {name: value for name, value in recording.headers if name.lower() not in _NOT_REPLAYED}
        headers.setdefault("content-type", "text/event-stream" if recording.is_stream and not recording.is_error else "application/json; charset=UTF-8")
        if recording.is_stream and not recording.is_error:
            return StreamingResponse(_paced(recording), recording.status, headers)
        return Response(recording.served, recording.status or 200, headers)


def _carried(keys: list[str], key: str | None, rate_limited_key: str | None) -> str:
    """Which key a request carries, as a run's evidence notes it: given, wrong, rate_limited, missing."""
    if rate_limited_key is not None and rate_limited_key in keys:
        return "rate_limited"
    if key is None or key in keys:
        return "given"
    return "wrong" if keys else "missing"


def _asked(raw: bytes) -> dict[str, Any]:
    if not raw:
        return summarise_request({})
    try:
        return summarise_request(json.loads(raw))
    except ValueError:
        return {"unparsed": True}


def _same_path(recording: Recording, request: Request, base_path: str) -> bool:
    """The recording was made at this path below the base URL, with these query parameters
    besides the key (a wrong prefix, a wrong version and an unknown path are requests of their own)."""
    recorded = urlsplit(recording.meta.get("uri") or "")
    recorded_query = sorted((k, v) for k, v in parse_qsl(recorded.query) if k != "key")
    query = sorted((k, v) for k, v in request.query_params.multi_items() if k != "key")
    return recorded.path.removeprefix(base_path) == request.url.path and recorded_query == query


def _route(path: str) -> tuple[str | None, str | None]:
    """(action, model) of /v1beta/models/{model}:{action} (or /v1/...)."""
    tail = path.split("/models/", 1)[-1] if "/models/" in path else ""
    model, _, action = tail.partition(":")
    return (action or None), (model or None)


async def _paced(recording: Recording) -> AsyncIterator[bytes]:
    """The stream's bytes, cut after each event, sent at the recorded times (else EVENT_GAP_S apart)."""
    served, cuts = recording.served, recording.event_ends
    times = recording.event_times or [index * EVENT_GAP_S for index in range(len(cuts))]
    start, sent = asyncio.get_running_loop().time(), 0
    for cut, at in zip(cuts, times):
        await asyncio.sleep(max(0.0, start + at - asyncio.get_running_loop().time()))
        yield served[sent:cut]
        sent = cut
    if sent < len(served):
        yield served[sent:]


class ReplayGateway(ReferenceGateway):
    """The replay, served like the reference gateway (a free loopback port, a background thread)."""

    def __init__(self, folder: Path, key: str | None, rate_limited_key: str | None = None) -> None:
        super().__init__(GatewayConfig(key=key, profile="google"))
        declared = declarations(folder)
        placements = tuple(declared.get("auth") or PLACEMENTS)
        self.replay = Replay(served_by(folder), key, rate_limited_key, placements, declared.get("base_path", ""))

    def _build_app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.replay.handle, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])])
