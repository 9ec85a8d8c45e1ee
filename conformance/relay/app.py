"""The test relay: a minimal pass-through Gemini gateway in front of an upstream.

Every request is authenticated with the relay's own key (any placement, as the reference gateway
does), then forwarded to the upstream unchanged: same method, path and query (less the client's
`key`), same body, with the relay's upstream credential as `x-goog-api-key` and none of the
client's credentials. Answers come back as the upstream sent them: status, Content-Type and body,
a stream copied read by read as it arrives; an upstream that drops mid-stream makes the relay drop
the client too. Relay faults (faults.py) bend these steps through the hook points listed there.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route as StarletteRoute

from conformance.reference.app import HTTP_METHODS, Route, as_starlette
from conformance.reference.auth import authenticate, presented_keys
from conformance.reference.behaviour import Behaviour
from conformance.reference.envelopes import ApiError
from conformance.reference.profiles import PROFILES
from conformance.reference.wire import Reply, compact_json

from .config import RELAY_PROFILE, RelayConfig
from .faults import RELAY_FAULTS, RelayFault

UPSTREAM_TIMEOUT_S = 600.0
# Response headers that describe one hop, not the answer.
HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"})
CLIENT_AUTH_HEADERS = ("authorization", "x-api-key")


class RelayCut(Exception):
    """The upstream broke off a stream; raising it inside the client's stream cuts that too."""


class _QuietCuts(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, RelayCut)


logging.getLogger("uvicorn.error").addFilter(_QuietCuts())


class Relay:
    def __init__(self, config: RelayConfig) -> None:
        self.config = config
        self.faults: tuple[RelayFault, ...] = tuple(RELAY_FAULTS[name] for name in config.faults)
        self.profile = PROFILES[RELAY_PROFILE]
        self._http: httpx.AsyncClient | None = None

    def _hook(self, name: str) -> list[Any]:
        return [getattr(fault, name) for fault in self.faults if getattr(fault, name)]

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:  # created on the server's own event loop
            timeouts = [*self._hook("upstream_timeout_s"), UPSTREAM_TIMEOUT_S]
            self._http = httpx.AsyncClient(
                trust_env=False, timeout=httpx.Timeout(UPSTREAM_TIMEOUT_S, connect=10.0, read=min(timeouts))
            )
        return self._http

    async def handle(self, request: Request) -> Response:
        route = Route.of(request)
        try:
            presented = presented_keys(request.headers, request.query_params)
            authenticate(self.config.key, self.profile, Behaviour(), presented, self.config.rate_limited_key)
        except ApiError as error:
            return self.error(error, route)
        body = await request.body()
        action = route.action if route.model_id and ":" in route.path else None
        path = route.path
        for reroute in self._hook("reroutes"):
            if action in reroute:
                path = path.replace(f":{action}", f":{reroute[action]}")
        for rewrite in self._hook("rewrite_path"):
            path = rewrite(action, path)
        body = self.rewrite(action, body)
        tries = 1 + max(self._hook("retries"), default=0)
        try:
            for tried in range(1, tries + 1):
                upstream = self.http.build_request(
                    request.method,
                    self.config.upstream_url.rstrip("/") + path,
                    params=self.upstream_query(request),
                    headers=self.upstream_headers(request),
                    content=body,
                )
                answer = await self.http.send(upstream, stream=True)
                if answer.status_code < 400 or tried == tries:
                    break
                await answer.aclose()
        except httpx.TimeoutException:
            return self.error(ApiError(504, "The upstream did not answer in time.", "upstream_timeout"), route)
        except httpx.TransportError:
            return self.error(ApiError(503, "The upstream is unavailable.", "upstream_unavailable"), route)
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
        if self._hook("exposes_upstream"):
            headers["x-litellm-model-api-base"] = self.config.upstream_url
        sse = answer.status_code == 200 and answer.headers.get("content-type", "").startswith("text/event-stream")
        if sse and self.parses_streams:
            events = self.sse_events(answer, self.request_json(body))
        elif action != "streamGenerateContent" and (self._hook("restate") or self._hook("reshape")):
            return await self.whole(answer, headers)
        else:
            events = self.copied(answer)
        if self._hook("buffers_stream"):
            events = buffered(events)
        return StreamingResponse(events, status_code=answer.status_code, headers=headers)

    # --- Requests ------------------------------------------------------------------------------

    def rewrite(self, action: str | None, body: bytes) -> bytes:
        rewrites = self._hook("rewrite_request")
        parsed = self.request_json(body)
        if not rewrites or action is None or not isinstance(parsed, dict):
            return body
        for rewrite in rewrites:
            parsed = rewrite(action, parsed)
        return compact_json(parsed)

    def upstream_headers(self, request: Request) -> dict[str, str]:
        headers = {"accept-encoding": "identity"}
        if "content-type" in request.headers:
            headers["content-type"] = request.headers["content-type"]
        if self._hook("forwards_client_auth"):
            headers.update({name: request.headers[name] for name in CLIENT_AUTH_HEADERS if name in request.headers})
        placements = self._hook("upstream_key_as")
        if "bearer" in placements:
            headers["authorization"] = f"Bearer {self.config.upstream_key}"
        elif "query" not in placements:
            headers["x-goog-api-key"] = self.config.upstream_key
        return headers

    def upstream_query(self, request: Request) -> list[tuple[str, str]]:
        forwarded = self._hook("forwards_client_auth")
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "key" or forwarded]
        if "query" in self._hook("upstream_key_as"):
            query.append(("key", self.config.upstream_key))
        return query

    @staticmethod
    def request_json(body: bytes) -> Any:
        try:
            return json.loads(body) if body else None
        except ValueError:
            return None

    # --- Answers -------------------------------------------------------------------------------

    async def copied(self, answer: httpx.Response) -> AsyncIterator[bytes]:
        try:
            async for piece in answer.aiter_raw():
                yield piece
        except httpx.TransportError as error:
            raise RelayCut(str(error)) from None
        finally:
            await answer.aclose()

    async def whole(self, answer: httpx.Response, headers: dict[str, str]) -> Response:
        try:
            raw = await answer.aread()
        except httpx.TransportError:
            return self.error(ApiError(503, "The upstream broke off its answer.", "upstream_unavailable"), Route("/"))
        status, body = answer.status_code, self.request_json(raw)
        if body is None:
            return Response(raw, status_code=status, headers=headers)
        for restate in self._hook("restate"):
            status, body = restate(status, body)
        if status == 200 and isinstance(body, dict):
            for reshape in self._hook("reshape"):
                body = reshape(body)
        return Response(compact_json(body), status_code=status, headers=headers)

    @property
    def parses_streams(self) -> bool:
        return any(self._hook(name) for name in ("reshape", "restream", "on_stream_failure", "sse_line_limit"))

    async def sse_events(self, answer: httpx.Response, request_body: Any) -> AsyncIterator[bytes]:
        """Re-frame an SSE stream event by event, through the chunk transforms."""
        transforms = [*self._hook("reshape"), *(make(request_body or {}) for make in self._hook("restream"))]
        failure = next(iter(self._hook("on_stream_failure")), None)
        limit = min(self._hook("sse_line_limit"), default=None)
        line = bytearray()
        try:
            async for piece in answer.aiter_raw():
                for byte_line in piece.splitlines(keepends=True):
                    line += byte_line
                    if limit is not None and len(line) > limit:
                        return  # the scanner's buffer is full: the stream just ends
                    if not line.endswith(b"\n"):
                        continue
                    text, line = bytes(line).strip(), bytearray()
                    if not text.startswith(b"data: "):
                        continue
                    chunk = json.loads(text[6:])
                    if "error" in chunk and failure is not None:
                        yield b"data: " + compact_json(failure) + b"\r\n\r\n"
                        return
                    for transform in transforms:
                        chunk = transform(chunk)
                        if chunk is None:
                            break  # the relay dropped the event
                    else:
                        yield b"data: " + compact_json(chunk) + b"\r\n\r\n"
        except httpx.TransportError as error:
            if failure is not None:
                yield b"data: " + compact_json(failure) + b"\r\n\r\n"
                return
            raise RelayCut(str(error)) from None
        finally:
            await answer.aclose()

    def error(self, error: ApiError, route: Route) -> Response:
        body: Any = error.envelope()
        if route.is_json_array_stream:
            body = [body]
        return as_starlette(Reply(error.http_status, body))


async def buffered(events: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield b"".join([event async for event in events])


def build_relay_app(config: RelayConfig) -> Starlette:
    relay = Relay(config)
    return Starlette(routes=[StarletteRoute("/{path:path}", relay.handle, methods=HTTP_METHODS)])

