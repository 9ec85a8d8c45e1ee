"""The reference gateway's HTTP surface: what a clean Gemini-native gateway does, step by step.

Served identically under /v1beta/ and /v1/, below the config's path prefix if it has one:

    POST models/{model}:generateContent | :streamGenerateContent | :countTokens
         | :embedContent | :batchEmbedContents
    GET  models (?pageSize, ?pageToken)            GET models/{model}
    POST /v1/chat/completions   the OpenAI-compatible image bridge, where the profile declares
                                `openai_image_bridge` (openai_bridge.py)

Every request is judged in Google's order, and the first failing step answers:

    1. wait `latency_ms` (every response, errors included)
    2. authenticate (first, so a keyless probe learns nothing about the surface); the config's
       rate-limited key is answered 429 RESOURCE_EXHAUSTED here
    3. known route? unknown paths -> 404; actions the profile lacks (including Google resources
       such as files or cachedContents) -> profile.unsupported_status
    4. does the profile serve the model, for this action? -> 404 NOT_FOUND
    5. is the body valid? -> 400 INVALID_ARGUMENT
    6. answer, from the fake model (if it fails mid-answer, a stream ends with one error event)

Faults bend these steps only through the hook points of behaviour.Behaviour.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route as StarletteRoute

from . import catalog, envelopes, model, openai_bridge, responses, streaming, validation
from .auth import authenticate, presented_keys
from .behaviour import Behaviour
from .catalog import IMAGE, ResolvedModel
from .config import GatewayConfig
from .envelopes import ApiError
from .wire import JSON, SSE, Reply, compact_json

logger = logging.getLogger(__name__)

HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_GEMINI_PATH = re.compile(r"^/(?P<version>v1beta|v1)/models(?:/(?P<model>[^/:]+)(?::(?P<action>[^/]+))?)?$")
# Other resources of Google's API. A gateway without them lacks an action (profile.unsupported_status,
# e.g. Tokensmart's 501 for Files and cachedContents) rather than having an unknown path.
_OTHER_GOOGLE_RESOURCE = re.compile(
    r"^(?:/upload)?/(?P<version>v1beta|v1)/(?P<resource>files|cachedContents|tunedModels|corpora"
    r"|batches|operations|fileSearchStores|generatedFiles)(?:[/:]|$)"
)
# Where the API starts in a path, for a gateway that routes loosely (whatever precedes it).
_API_START = re.compile(r"(?:/upload)?/(?:v1beta|v1)/")
BRIDGE, _BRIDGE_PATH = "chatCompletions", "/v1/chat/completions"
MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 1000, 50  # ListModels pageSize (facts §4)
# Errors that mean "nothing lives here": a NoRoute fault may answer them with something else.
UNROUTED_REASONS = ("unsupported_action", "unknown_path")


@dataclass(frozen=True)
class Route:
    """What a request addresses. `action` is None for paths outside the Gemini surface."""

    path: str
    version: str = "v1beta"
    action: str | None = None
    model_id: str | None = None
    method_allowed: bool = True
    wants_sse: bool = False

    @classmethod
    def of(cls, request: Request, api_path: str | None = None) -> Route:
        """`api_path`: the path below the gateway's prefix (default: the whole path)."""
        path = request.url.path
        api_path = path if api_path is None else api_path
        if api_path == _BRIDGE_PATH:
            return cls(path, "v1", BRIDGE, method_allowed=request.method == "POST")
        match = _GEMINI_PATH.match(api_path)
        if not match:
            other = _OTHER_GOOGLE_RESOURCE.match(api_path)
            return cls(path, other["version"], other["resource"]) if other else cls(path)
        if match["action"]:
            action, method = match["action"], "POST"
        elif match["model"]:
            action, method = "getModel", "GET"
        else:
            action, method = "listModels", "GET"
        return cls(
            path,
            match["version"],
            action,
            match["model"],
            request.method == method,
            request.query_params.get("alt") == "sse",
        )

    @property
    def is_json_array_stream(self) -> bool:
        return self.action == "streamGenerateContent" and not self.wants_sse


class Gateway:
    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.profile = config.gateway_profile
        self.behaviour = Behaviour.of(config.faults)
        self._response_numbers = itertools.count(1)
        self._actions: dict[str, Callable[[Request, Route], Awaitable[Response]]] = {
            "generateContent": self.generate_content,
            "streamGenerateContent": self.stream_generate_content,
            "countTokens": self.count_tokens,
            "embedContent": self.embed_content,
            "batchEmbedContents": self.batch_embed_contents,
            "listModels": self.list_models,
            "getModel": self.get_model,
            "files": self.list_resource,
            "cachedContents": self.list_resource,
        }

    async def handle(self, request: Request) -> Response:
        response = await self.answer_request(request)
        for name, value in self.profile.response_headers:
            response.headers.append(name, value)
        return response

    async def answer_request(self, request: Request) -> Response:
        await asyncio.sleep(self.config.latency_ms / 1000)
        route = self.route_of(request)
        try:
            if request.method == "POST" and not self.behaviour.checks("key_first"):
                await self.read_body(request)  # a body-first gateway answers a bad body before a missing key
            authenticate(
                self.config.key,
                self.profile,
                self.behaviour,
                presented_keys(request.headers, request.query_params),
                self.config.rate_limited_key,
            )
            if route.action == BRIDGE and self.bridges_images and route.method_allowed:
                return await self.chat_completions(request, route)
            if route.action in (None, BRIDGE):
                raise envelopes.unknown_path(route.path)
            if not route.method_allowed or route.action not in self.profile.actions:
                raise envelopes.unsupported_action(self.profile.unsupported_status, route.action)
            return await self._actions[self.behaviour.action_performed(route.action)](request, route)
        except ApiError as error:
            if self.behaviour.hangs_up_on(error.reason):
                return hang_up(request)
            return self.error_response(error, route)
        except Exception:
            logger.exception("reference gateway failed on %s %s", request.method, route.path)
            return self.error_response(envelopes.internal_error(), route)

    def route_of(self, request: Request) -> Route:
        """What the request addresses below the path prefix. Outside the prefix, and under an API
        version the gateway does not serve, nothing lives."""
        path, prefix = request.url.path, self.config.path_prefix
        if self.behaviour.routes_loosely():
            start = _API_START.search(path)
            route = Route.of(request, path[start.start() :] if start else path)
        elif prefix and not path.startswith(prefix + "/"):
            return Route(path)
        else:
            route = Route.of(request, path[len(prefix) :])
        if route.action not in (None, BRIDGE) and not self.behaviour.serves_version(route.version):
            return Route(path)
        return route

    @property
    def bridges_images(self) -> bool:
        return "openai_image_bridge" in self.profile.features

    # --- Actions ---------------------------------------------------------------------------------

    async def generate_content(self, request: Request, route: Route) -> Response:
        resolved = self.resolve_model(route, "generateContent")
        generate = validation.generate_request(await self.read_body(request), self.read_options(resolved))
        await self.behaviour.stall_if_due("generateContent", resolved.spec.kind, lambda: client_gone(request))
        answer = self.answer(resolved, generate)
        if answer.failed:
            raise envelopes.upstream_unavailable()
        body = responses.generate_content_response(answer, resolved.spec.id, self.next_response_id())
        return self.reply("generateContent", body)

    async def stream_generate_content(self, request: Request, route: Route) -> Response:
        resolved = self.resolve_model(route, "streamGenerateContent")
        refuses_image_streams = self.profile.image_stream_status is not None and self.behaviour.checks("image_stream")
        if resolved.spec.kind == IMAGE and refuses_image_streams:
            raise envelopes.image_stream_rejected(self.profile.image_stream_status)
        generate = validation.generate_request(await self.read_body(request), self.read_options(resolved))
        await self.behaviour.stall_if_due("streamGenerateContent", resolved.spec.kind, lambda: client_gone(request))
        answer = self.answer(resolved, generate)
        chunks = responses.stream_chunks(answer, resolved.spec.id, self.next_response_id())
        chunks = self.behaviour.reshape("streamGenerateContent", chunks)
        if answer.failed:  # the upstream broke off: one error event ends the stream (facts §6)
            chunks.append(self.behaviour.reshape("stream_error", envelopes.upstream_unavailable().envelope()))
        if self.behaviour.streams_sse(route.wants_sse):
            frames = self.behaviour.frame_sse(streaming.sse_frames(chunks))
            media_type = self.behaviour.media_type("sse", SSE)
        else:
            frames = streaming.json_array_frames(chunks)
            media_type = self.behaviour.media_type("json_array", JSON)
        writes = self.behaviour.schedule(streaming.paced(frames, self.config.stream_interval_ms / 1000))
        return StreamingResponse(streaming.play(writes), headers={"content-type": media_type})

    async def count_tokens(self, request: Request, route: Route) -> Response:
        resolved = self.resolve_model(route, "countTokens")
        counted = validation.count_tokens_request(await self.read_body(request), self.read_options(resolved))
        return self.reply("countTokens", responses.count_tokens_response(model.prompt_token_count(counted)))

    async def embed_content(self, request: Request, route: Route) -> Response:
        self.resolve_model(route, "embedContent")
        embed = validation.embed_request(await self.read_body(request))
        return self.reply("embedContent", responses.embed_content_response(model.embed(embed.text, embed.dimensions)))

    async def batch_embed_contents(self, request: Request, route: Route) -> Response:
        self.resolve_model(route, "batchEmbedContents")
        embeds = validation.batch_embed_requests(await self.read_body(request))
        vectors = [model.embed(embed.text, embed.dimensions) for embed in embeds]
        return self.reply("batchEmbedContents", responses.batch_embed_contents_response(vectors))

    async def list_models(self, request: Request, route: Route) -> Response:
        served = catalog.served_models(self.profile)
        start, size = page_of(request.query_params)
        resources = [catalog.model_resource(spec, self.profile) for spec in served[start : start + size]]
        more = start + size < len(served)
        return self.reply("listModels", responses.list_models_response(resources, page_token(start + size) if more else None))

    async def list_resource(self, request: Request, route: Route) -> Response:
        """GET files or cachedContents, where the profile declares them: none held, so an empty list,
        which proto3 JSON writes as {} (the rest of the resource is not served)."""
        if request.method != "GET" or not route.path.endswith(f"/{route.action}"):
            raise envelopes.unsupported_action(self.profile.unsupported_status, route.action)
        return self.reply(str(route.action), {})

    async def chat_completions(self, request: Request, route: Route) -> Response:
        """The OpenAI-compatible image bridge (seed 001; openai_bridge.py)."""
        body = self.behaviour.rewrite_request(openai_bridge.parse(await self.read_raw(request)))
        resolved = catalog.resolve(self.profile, str(body.get("model")))
        if resolved is None or resolved.spec.kind != IMAGE:
            raise envelopes.unknown_model(str(body.get("model")), route.version, BRIDGE)
        streams = body.get("stream") is True
        if streams and self.behaviour.checks("bridge_stream"):
            raise openai_bridge.stream_refused()
        generate = validation.generate_request(openai_bridge.gemini_request(body), self.read_options(resolved))
        answer = self.answer(resolved, generate)
        completion = openai_bridge.chat_completion(answer, resolved.spec.id, self.next_response_id())
        if streams:  # only a gateway that forgets the refusal gets here
            frames = [b"data: " + compact_json(chunk) + b"\n\n" for chunk in openai_bridge.stream_chunks(completion)]
            writes = streaming.paced([*frames, b"data: [DONE]\n\n"], self.config.stream_interval_ms / 1000)
            return StreamingResponse(streaming.play(writes), headers={"content-type": SSE})
        return self.reply(BRIDGE, completion)

    async def get_model(self, request: Request, route: Route) -> Response:
        if route.model_id not in self.profile.model_ids:
            raise envelopes.unknown_model(str(route.model_id), route.version, "getModel")
        return self.reply("getModel", catalog.model_resource(catalog.MODELS[route.model_id], self.profile))

    # --- Steps common to the actions ---------------------------------------------------------

    def resolve_model(self, route: Route, action: str) -> ResolvedModel:
        resolved = catalog.resolve(self.profile, str(route.model_id))
        if resolved is None and not self.behaviour.checks(f"model_lookup:{action}"):
            # A gateway that never looks the model up: its text model answers whatever was named.
            resolved = ResolvedModel(next(spec for spec in catalog.served_models(self.profile) if spec.kind == catalog.TEXT))
        if resolved is not None and self.behaviour.routes_by_prefix(action):
            # A channel matched by name prefix: the first served model whose id extends this one's answers.
            longer = [spec for spec in catalog.served_models(self.profile) if spec.id.startswith(resolved.spec.id + "-")]
            resolved = ResolvedModel(longer[0]) if longer else resolved
        if resolved is None or action not in catalog.KIND_ACTIONS[resolved.spec.kind] or not self.behaviour.knows_model(resolved.spec.kind):
            raise envelopes.unknown_model(str(route.model_id), route.version, action)
        return resolved

    def answer(self, resolved: ResolvedModel, generate: validation.GenerateRequest) -> model.Answer:
        return model.answer(
            resolved.spec, generate, follows_instructions=not self.behaviour.substitutes_model(), words_per_piece=self.config.words_per_event
        )

    async def read_body(self, request: Request) -> dict[str, Any]:
        return validation.json_body(await self.read_raw(request), self.behaviour.rewrite_request)

    async def read_raw(self, request: Request) -> bytes:
        if "raw_body" in request.scope:  # read already (a fault may read it before authenticating)
            return request.scope["raw_body"]
        limit = self.profile.max_request_bytes
        raw = bytearray()
        too_large = False
        # Drain the whole body even past the limit: answering early and closing on a client that
        # is still uploading turns the 400 into a connection reset.
        async for piece in request.stream():
            too_large = too_large or (limit is not None and len(raw) + len(piece) > limit)
            if not too_large:
                raw += piece
        if too_large:
            raise envelopes.body_too_large(limit or 0)
        request.scope["raw_body"] = bytes(raw)
        return request.scope["raw_body"]

    def read_options(self, resolved: ResolvedModel) -> validation.ReadOptions:
        applies_alias = self.behaviour.checks("alias_preset")
        return validation.ReadOptions(
            check_roles=self.behaviour.checks("role"),
            thinking_preset=resolved.thinking_preset if applies_alias else {},
            image_preset=resolved.image_preset if applies_alias else {},
        )

    def next_response_id(self) -> str:
        seed = f"{self.profile.name}:{next(self._response_numbers)}".encode()
        return base64.urlsafe_b64encode(hashlib.sha256(seed).digest()[:16]).decode().rstrip("=")

    def reply(self, kind: str, body: Any) -> Response:
        status = self.behaviour.success_status(kind)
        return as_starlette(Reply(status, self.behaviour.reshape(kind, body), self.behaviour.media_type(kind, JSON)))

    def error_response(self, error: ApiError, route: Route) -> Response:
        error = self.behaviour.restate_error(replace(error, action=route.action))
        unrouted = self.behaviour.unrouted_reply()
        if unrouted and error.reason in UNROUTED_REASONS:
            return as_starlette(unrouted)
        body = self.behaviour.reshape("error", error.envelope())
        if route.action == BRIDGE and self.bridges_images:  # an OpenAI-compatible route errs in OpenAI's shape
            body = openai_bridge.openai_error(error)
        if route.action == "streamGenerateContent" and route.wants_sse and self.behaviour.commits_streams_early():
            return as_starlette(Reply(200, streaming.sse_frames([body])[0], SSE))
        if route.is_json_array_stream:
            body = [body]  # Google wraps errors on an array stream in a one-element array (facts §5)
        return as_starlette(Reply(error.http_status, body, self.behaviour.media_type("error", JSON)))


def page_of(query: Any) -> tuple[int, int]:
    """(offset, size) of the ListModels page a request asks for (pageSize, pageToken; facts §4)."""
    try:
        size = int(query.get("pageSize") or DEFAULT_PAGE_SIZE)
        token = query.get("pageToken") or ""
        start = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:")) if token else 0
    except ValueError:
        raise envelopes.invalid_argument("Invalid pageSize or pageToken.") from None
    if size <= 0 or start < 0:
        raise envelopes.invalid_argument("Invalid pageSize or pageToken.")
    return start, min(size, MAX_PAGE_SIZE)


def page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


async def client_gone(request: Request) -> None:
    """Return when the client hangs up. Only valid once the body has been read: after it, the
    next ASGI message a request receives is the disconnect."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def hang_up(request: Request) -> Response:
    """Drop the connection without an answer (a TCP reset), as a proxy cutting off an upload does.

    ASGI cannot say this, so the transport is reached through the server's request cycle, whose
    bound method `receive` is; the Response returned goes to a closed socket and is discarded."""
    transport = getattr(getattr(request.receive, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("the server does not expose the connection, so it cannot be dropped")
    transport.abort()
    return Response(b"", status_code=400)


def as_starlette(reply: Reply) -> Response:
    # The Content-Type goes in verbatim: Starlette would otherwise append its own charset.
    return Response(reply.encoded_body(), status_code=reply.status, headers={"content-type": reply.media_type})


def build_app(config: GatewayConfig) -> Starlette:
    gateway = Gateway(config)
    return Starlette(routes=[StarletteRoute("/{path:path}", gateway.handle, methods=HTTP_METHODS)])
