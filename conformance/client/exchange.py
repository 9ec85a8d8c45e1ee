"""The record of one request and what came back: the evidence a check asserts on and a report shows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import httpx

from conformance.client.json_array import JSONArrayStream, parse_json_array_stream
from conformance.client.limits import MAX_SSE_LINES
from conformance.client.redact import KEY_PLACEHOLDERS, Redactor
from conformance.client.sse import SSEStream, parse_sse
from conformance.outcomes import ResponseTooLarge

EXCERPT = 600
# Response headers worth showing as evidence (the rest is noise or could carry secrets).
SHOWN_HEADERS = {"content-type", "content-length", "transfer-encoding", "retry-after", "x-request-id", "server", "via"}


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
    # The request names a model the target declares, at its version and base URL: a 404 says the
    # gateway does not know the model (not a probe's unknown model, version or prefix).
    model_declared: bool = False
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

    @property
    def key_carried(self) -> str:
        """Which key the request carried (given, wrong, rate_limited or missing), read from its redacted form."""
        shown = self.url + " " + " ".join(value for _, value in self.request_headers)
        return next((kind for kind in ("wrong", "rate_limited", "given") if KEY_PLACEHOLDERS[kind] in shown), "missing")

    @cached_property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python parses
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
        # Line ends of any kind (LF, CRLF, CR), counted before anything is parsed.
        lines = self.body.count(b"\n") + self.body.count(b"\r") - self.body.count(b"\r\n")
        if lines > MAX_SSE_LINES:
            raise ResponseTooLarge(
                f"the stream holds {lines} lines, more than the {MAX_SSE_LINES} the suite parses",
                exchange=self,
                expected=f"at most {MAX_SSE_LINES} lines (a real stream has hundreds)",
                actual=f"{lines} lines in {len(self.body)} bytes",
            )
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
        """The start of the body, redacted before it is cut (a cut must never fall inside a key)."""
        text = self.redactor.text(self.body[: limit * 4 + 1024].decode("utf-8", errors="replace"))
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
