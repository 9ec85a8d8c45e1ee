"""The only code that talks HTTP.

``GeminiClient`` builds every URL, places the key the way the target declares, bounds every request
by the target's timeouts, and records each request/response as an ``Exchange``: the evidence a check
asserts on and a report shows (with a curl line, key redacted). Checks never build URLs or parse SSE.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from conformance.client.curl import curl_line
from conformance.client.json_array import JSONArrayStream, parse_json_array_stream
from conformance.client.redact import Redactor
from conformance.client.retry import retry_delay
from conformance.client.sse import SSEStream, parse_sse
from conformance.outcomes import GatewayUnreachable, RequestTimedOut
from conformance.targets import RetryPolicy, Timeouts

NO_KEY = "no-key"  # an auth choice: send the request without any key
BILLABLE_ACTIONS = ("generateContent", "streamGenerateContent", "embedContent", "batchEmbedContents", "chatCompletions")
EXCERPT = 600
# Response headers worth showing as evidence (the rest is noise or could carry secrets).
SHOWN_HEADERS = {"content-type", "content-length", "transfer-encoding", "retry-after", "x-request-id", "server", "via"}


# What a retry starts afresh: the response side of an Exchange.
_FRESH = {"status": 0, "reason": "", "body": b"", "ttfb": 0.0, "elapsed": 0.0, "transport_error": None}


class NotJSON(ValueError):
    """The response body is not JSON."""


@dataclass
class Exchange:
    """One request and what came back, as the gateway sent it."""

    method: str
    url: str  # redacted
    request_headers: list[tuple[str, str]]  # redacted
    request_body: bytes | None
    curl: str
    action: str | None
    model: str | None
    redactor: Redactor
    status: int = 0
    reason: str = ""
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    ttfb: float = 0.0  # seconds until the response headers
    elapsed: float = 0.0  # seconds until the body was complete
    reads: list[tuple[float, int]] = field(default_factory=list)  # (seconds, bytes so far) per read
    transport_error: str | None = None  # the connection broke mid-body
    retries: list[tuple[int, float]] = field(default_factory=list)  # (status, seconds waited) before this try

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    @cached_property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise NotJSON(f"body is not JSON: {self.excerpt(120)!r}") from None

    @property
    def is_json(self) -> bool:
        try:
            self.json
        except NotJSON:
            return False
        return True

    @cached_property
    def sse(self) -> SSEStream:
        return parse_sse(self.body)

    @cached_property
    def json_array(self) -> JSONArrayStream:
        return parse_json_array_stream(self.body)

    def arrival(self, offset: int) -> float:
        """When the byte at ``offset`` (exclusive end) had arrived, in seconds since the request."""
        for seconds, received in self.reads:
            if received >= offset:
                return seconds
        return self.elapsed

    def excerpt(self, limit: int = EXCERPT) -> str:
        text = self.redactor.text(self.body[: limit * 4].decode("utf-8", errors="replace"))
        return text if len(text) <= limit else text[:limit] + f"... ({len(self.body)} bytes)"

    def describe(self) -> str:
        """One line: status, type, size, time."""
        if not self.status:
            return f"no response ({self.transport_error})"
        broken = f", connection broke: {self.transport_error}" if self.transport_error else ""
        if self.retries:
            broken += ", after retries: " + ", ".join(f"HTTP {s} then waited {d:g} s" for s, d in self.retries)
        return (
            f"HTTP {self.status} {self.content_type or '(no content-type)'}, {len(self.body)} bytes, "
            f"first byte {self.ttfb:.2f} s, total {self.elapsed:.2f} s{broken}"
        )

    def evidence(self) -> dict[str, Any]:
        """What a report shows of this exchange: all of it redacted."""
        return {
            "request": self.curl,
            "status": self.status,
            "headers": {k: v for k, v in self.redactor.headers(self.headers.multi_items()) if k.lower() in SHOWN_HEADERS},
            "body_excerpt": self.excerpt(),
            "latency": {"first_byte_s": round(self.ttfb, 3), "total_s": round(self.elapsed, 3)},
            "transport_error": self.transport_error,
            "retries": [{"status": s, "waited_s": d} for s, d in self.retries],
        }

    def usage_tokens(self) -> int:
        """Tokens this exchange billed, per the usageMetadata the gateway reported."""
        if self.status != 200:
            return 0
        chunks = self.sse.chunks() if "alt=sse" in self.url else None
        if chunks is None:
            try:
                body = self.json
            except NotJSON:
                return 0
            chunks = body if isinstance(body, list) else [body]
        total = 0
        for chunk in chunks:
            usage = chunk.get("usageMetadata") if isinstance(chunk, dict) else None
            if isinstance(usage, dict) and isinstance(usage.get("totalTokenCount"), int):
                total = max(total, usage["totalTokenCount"])
            openai_usage = chunk.get("usage") if isinstance(chunk, dict) else None  # the OpenAI bridge
            if isinstance(openai_usage, dict) and isinstance(openai_usage.get("total_tokens"), int):
                total = max(total, openai_usage["total_tokens"])
        return total


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    target: str
    action: str | None
    billable: bool
    tokens: int
    status: int = 0
    ttfb: float = 0.0
    elapsed: float = 0.0
    retried: bool = False  # this request repeats one the gateway rate-limited
    kind: str = "other"  # what was billed: the action, or "image" for an image model's generation


class Ledger:
    """What requests cost, drained by the plugin after each test phase and attached to its report.

    A thread fetching a shared response ahead of its checks records into a list of its own
    (``collecting``); the first check that reads the response is charged with it (``charge``)."""

    def __init__(self) -> None:
        self._entries: list[LedgerEntry] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def record(self, entry: LedgerEntry) -> None:
        sink = getattr(self._local, "sink", None)
        if sink is not None:
            sink.append(entry)
            return
        with self._lock:
            self._entries.append(entry)

    def charge(self, entries: list[LedgerEntry]) -> None:
        for entry in entries:
            self.record(entry)

    @contextmanager
    def collecting(self) -> Iterator[list[LedgerEntry]]:
        outer = getattr(self._local, "sink", None)
        self._local.sink = sink = []
        try:
            yield sink
        finally:
            self._local.sink = outer

    def drain(self) -> list[LedgerEntry]:
        with self._lock:
            entries, self._entries = self._entries, []
        return entries


LEDGER = Ledger()


class GeminiClient:
    """A Gemini API client that records everything and never hangs."""

    def __init__(
        self,
        *,
        target: str,
        base_url: str,
        key: str | None,
        auth: tuple[str, ...],
        timeouts: Timeouts,
        redactor: Redactor,
        image_models: frozenset[str] = frozenset(),
        api_version: str = "v1beta",
        retries: RetryPolicy = RetryPolicy(),
        concurrency: int = 4,
    ) -> None:
        self.target = target
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.auth = auth
        self.timeouts = timeouts
        self.redactor = redactor
        self.image_models = image_models
        self.api_version = api_version
        self.retries = retries
        self._slots = threading.BoundedSemaphore(concurrency)  # the target's concurrency cap
        self._http = httpx.Client(follow_redirects=False, trust_env=False)
        self._unreachable: str | None = None
        self.rate_limited: list[Exchange] = []  # every 429 this client saw, for the rate-limit rules

    def close(self) -> None:
        self._http.close()

    # The Gemini surface, in the words of the API reference.

    def generate(self, model: str, body: Any, **how: Any) -> Exchange:
        return self.action(model, "generateContent", body, **how)

    def stream(self, model: str, body: Any, *, alt_sse: bool = True, **how: Any) -> Exchange:
        query = {"alt": "sse"} if alt_sse else {}
        return self.action(model, "streamGenerateContent", body, query=query, **how)

    def action(
        self,
        model: str,
        action: str,
        body: Any = None,
        *,
        raw_body: bytes | None = None,
        query: Mapping[str, str] | None = None,
        **how: Any,
    ) -> Exchange:
        """POST models/{model}:{action}."""
        content = raw_body if raw_body is not None else json.dumps(body).encode()
        path = f"models/{quote(model, safe='')}:{action}"
        return self._send("POST", path, content, query=query, action=action, model=model, **how)

    def get(self, path: str, **how: Any) -> Exchange:
        """GET a path under the API version, e.g. ``models`` or ``models/gemini-2.5-flash``."""
        action = "listModels" if path == "models" else "getModel" if path.startswith("models/") else None
        return self._send("GET", path, None, action=action, model=None, **how)

    # AIone's OpenAI-compatible image bridge (seed 001): POST {base}/v1/chat/completions.

    def chat_completions(self, body: Any, **how: Any) -> Exchange:
        model = body.get("model") if isinstance(body, dict) else None
        content = json.dumps(body).encode()
        return self._send("POST", "chat/completions", content, action="chatCompletions", model=model, api_version="v1", **how)

    # Transport.

    def _send(
        self,
        method: str,
        path: str,
        content: bytes | None,
        *,
        action: str | None,
        model: str | None,
        query: Mapping[str, str] | None = None,
        auth: str | None = None,
        key: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry: bool = True,
        api_version: str | None = None,
        prefix: str | None = None,
    ) -> Exchange:
        """``api_version``: this request's version (default: the client's); ``prefix``: a path
        segment inserted between the base URL and the version (to probe a wrong base URL)."""
        if self._unreachable:
            raise GatewayUnreachable(self._unreachable)
        params = dict(query or {})
        sent_headers = {"Content-Type": "application/json"} if content is not None else {}
        sent_headers.update(headers or {})
        placement = auth or (self.auth[0] if self.auth else None)
        self._place_key(placement, key or self.key, sent_headers, params)
        under = f"/{prefix.strip('/')}" if prefix else ""
        url = f"{self.base_url}{under}/{api_version or self.api_version}/{path}"
        if params:
            url += "?" + urlencode(params, safe="$")
        exchange = Exchange(
            method=method,
            url=self.redactor.url(url),
            request_headers=self.redactor.headers(sent_headers),
            request_body=content,
            curl=curl_line(method, url, list(sent_headers.items()), content, self.redactor),
            action=action,
            model=model,
            redactor=self.redactor,
        )
        bound = self.timeouts.image if self._makes_images(model) else self.timeouts.read
        while True:
            with self._slots:
                self._exchange(exchange, url, sent_headers, bound)
            self._record(exchange)
            delay = retry_delay(exchange, len(exchange.retries), self.retries) if retry else None
            if delay is None:
                return exchange
            time.sleep(delay)
            retries = [*exchange.retries, (exchange.status, delay)]
            exchange = replace(exchange, retries=retries, reads=[], headers=httpx.Headers(), **_FRESH)

    def _record(self, exchange: Exchange) -> None:
        if exchange.status == 429:
            self.rate_limited.append(exchange)
        LEDGER.record(
            LedgerEntry(
                target=self.target,
                action=exchange.action,
                billable=exchange.status == 200 and exchange.action in BILLABLE_ACTIONS,
                tokens=exchange.usage_tokens(),
                status=exchange.status,
                ttfb=exchange.ttfb,
                elapsed=exchange.elapsed,
                retried=bool(exchange.retries),
                kind="image" if self._makes_images(exchange.model) else exchange.action or "other",
            )
        )

    def _makes_images(self, model: str | None) -> bool:
        """An image model, or a size variant of one (`<image model>-4k` takes minutes too)."""
        return model is not None and any(model == m or model.startswith(f"{m}-") for m in self.image_models)

    def _place_key(self, placement: str | None, key: str | None, headers: dict, params: dict) -> None:
        if placement in (None, NO_KEY) or key is None:
            return
        if placement == "bearer":
            headers["Authorization"] = f"Bearer {key}"
        elif placement == "x-goog-api-key":
            headers["x-goog-api-key"] = key
        elif placement == "x-api-key":
            headers["x-api-key"] = key
        elif placement == "query":
            params["key"] = key
        else:
            raise ValueError(f"unknown auth placement {placement!r}")

    def _exchange(self, exchange: Exchange, url: str, headers: Mapping[str, str], bound: float) -> None:
        timeout = httpx.Timeout(connect=self.timeouts.connect, read=bound, write=bound, pool=bound)
        started = time.monotonic()
        deadline = started + bound
        what = f"{exchange.method} {exchange.url}"
        try:
            request = self._http.build_request(
                exchange.method, url, content=exchange.request_body, headers=headers, timeout=timeout
            )
            response = self._http.send(request, stream=True)
        except httpx.ConnectTimeout:
            self._unreachable = (
                f"cannot connect to {self.base_url} within {self.timeouts.connect:g} s"
                f" (target {self.target}): check base_url in targets.yaml and the network"
            )
            raise GatewayUnreachable(self._unreachable) from None
        except httpx.ConnectError as error:
            self._unreachable = unreachable_message(self.base_url, self.target, error)
            raise GatewayUnreachable(self._unreachable) from None
        except httpx.TimeoutException:
            raise RequestTimedOut(
                elapsed=time.monotonic() - started, bound=bound, what=f"{what}: no response headers",
                curl=exchange.curl,
            ) from None
        except httpx.TransportError as error:
            # Connected, but the gateway dropped the connection before answering (e.g. a reset on
            # an oversize body): evidence for the check, not a crash (status stays 0).
            exchange.transport_error = _reason(error)
            exchange.elapsed = time.monotonic() - started
            return
        exchange.ttfb = time.monotonic() - started
        exchange.status = response.status_code
        exchange.reason = response.reason_phrase
        exchange.headers = response.headers
        received = bytearray()
        try:
            for piece in response.iter_raw():
                received += piece
                now = time.monotonic()
                exchange.reads.append((now - started, len(received)))
                if now > deadline:
                    raise RequestTimedOut(
                        elapsed=now - started, bound=bound,
                        what=f"{what}: body still arriving ({len(received)} bytes so far)",
                        curl=exchange.curl,
                    )
        except httpx.TimeoutException:
            raise RequestTimedOut(
                elapsed=time.monotonic() - started, bound=bound,
                what=f"{what}: body stalled after {len(received)} bytes", curl=exchange.curl,
            ) from None
        except httpx.TransportError as error:
            exchange.transport_error = _reason(error)
        finally:
            response.close()
        exchange.body = _decoded(bytes(received), response.headers)
        exchange.elapsed = time.monotonic() - started


def unreachable_message(base_url: str, target: str, error: Exception) -> str:
    """One line for a gateway that refuses connections, whichever client found out."""
    return (
        f"cannot connect to {base_url}: {_reason(error)} (target {target}):"
        " is the gateway running? check base_url in targets.yaml"
    )


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if "refused" in text.lower():
        return "connection refused"
    return text.splitlines()[0][:200]


def _decoded(body: bytes, headers: httpx.Headers) -> bytes:
    """Undo Content-Encoding: the raw reads are kept for timing, the checks see the payload."""
    encoding = headers.get("content-encoding", "").lower()
    if not body or encoding in ("", "identity"):
        return body
    decoder = httpx.Response(200, headers={"content-encoding": encoding}, content=body)
    try:
        return decoder.read()
    except httpx.DecodingError:
        return body
