"""The scripted upstream's app: records every request, answers markers from SCENARIOS and the rest
as the clean reference gateway."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route as StarletteRoute

from conformance.reference import envelopes
from conformance.reference.app import HTTP_METHODS, Gateway, as_starlette
from conformance.reference.auth import presented_keys
from conformance.reference.catalog import MODELS
from conformance.reference.config import GatewayConfig
from conformance.reference.profiles import PROFILES, Profile
from conformance.reference.server import ReferenceGateway
from conformance.reference.streaming import json_array_frames, sse_frames
from conformance.reference.wire import JSON, SSE, Reply, compact_json
from conformance.targets import DEFAULT_SILENCE_S
from conformance.upstream.records import (
    MARKER,
    RECORDED_PATH,
    Recorded,
    Recorder,
    SentEvent,
)
from conformance.upstream.scenarios import SCENARIOS, Call, Script


@dataclass(frozen=True)
class UpstreamConfig:
    key: str  # the upstream credential the gateway must send (x-goog-api-key)
    silence_s: float = DEFAULT_SILENCE_S  # the long_silence scenario's wait before its first byte


# The paths Google serves a model action at: a scenario is played only there, so a gateway that calls
# its upstream elsewhere (a doubled version prefix) gets Google's 404, as it would from Google.
GOOGLE_ACTION_PATH = re.compile(r"/(v1|v1beta)/models/[^/:]+:(generateContent|streamGenerateContent|countTokens|embedContent|batchEmbedContents)")


class UpstreamDropped(Exception):
    """Raised inside a stream to cut the connection (uvicorn then closes it mid-body)."""


class _QuietDrops(logging.Filter):
    """uvicorn logs every exception that ends a stream; the scripted drops are on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, UpstreamDropped)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


@dataclass(frozen=True)
class _AsGoogle(GatewayConfig):
    """The clean gateway serving every model Google does (the catalogue), as the upstream a gateway
    calls: a gateway that maps a client's model to another still gets answers, and FID-18 names it."""

    @property
    def gateway_profile(self) -> Profile:
        full = PROFILES[self.profile]
        return replace(full, other_models=tuple(model for model in MODELS if model not in full.model_ids))


class Upstream:
    def __init__(self, config: UpstreamConfig, recorder: Recorder) -> None:
        self.config = config
        self.recorder = recorder
        self.gateway = Gateway(_AsGoogle(key=None, profile="full"))

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
        if not GOOGLE_ACTION_PATH.fullmatch(record.path):
            record.status = 404
            return as_starlette(Reply(404, envelopes.unknown_path(record.path).envelope()))
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
