"""The only code that talks HTTP.

``GeminiClient`` builds every URL, places the key the way the target declares, bounds every request
by its timeouts, records each request/response as an ``Exchange`` (exchange.py: the evidence a check
asserts on and a report shows, with a curl line, key redacted) and what it cost in the run's ledger
(ledger.py). Checks never build URLs or parse SSE.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import replace
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from conformance.client.curl import curl_line
from conformance.client.deadline import bounded_transport, until
from conformance.client.exchange import Exchange
from conformance.client.ledger import BILLABLE_ACTIONS, Ledger, LedgerEntry
from conformance.client.limits import (
    MAX_INFLATION,
    MAX_RESPONSE_MB,
    RetryPolicy,
    Timeouts,
)
from conformance.client.redact import Redactor
from conformance.client.retry import retry_delay
from conformance.outcomes import (
    GatewayUnreachable,
    RequestTimedOut,
    ResponseTooLarge,
    not_judged,
)

NO_KEY = "no-key"  # an auth choice: send the request without any key


# How a replay target marks a request no recording answers (conformance/reference/replay.py).
REPLAY_HEADER, UNRECORDED = "x-conformance-replay", "unrecorded"

# What a retry starts afresh: the response side of an Exchange.
_FRESH = {"status": 0, "reason": "", "body": b"", "ttfb": 0.0, "elapsed": 0.0, "transport_error": None}


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
        declared_models: frozenset[str] = frozenset(),
        api_version: str = "v1beta",
        retries: RetryPolicy = RetryPolicy(),
        concurrency: int = 4,
        ledger: Ledger | None = None,
        max_response_mb: float = MAX_RESPONSE_MB,
        replay: bool = False,
        evidence: Any = None,
    ) -> None:
        self.target = target
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.auth = auth
        self.timeouts = timeouts
        self.redactor = redactor
        self.image_models = image_models
        self.declared_models = declared_models
        self.api_version = api_version
        self.retries = retries
        self._retry_budget_s = retries.budget_s  # what is left of it, for all of this target's requests
        self._budget_lock = threading.Lock()
        self.ledger = ledger if ledger is not None else Ledger()  # the run's: what its requests cost
        self._slots = threading.BoundedSemaphore(concurrency)  # the target's concurrency cap
        self.max_response_bytes = int(max_response_mb * 1024 * 1024)
        # A replay target answers a request no recording answers with a marked 501 (reference/replay.py):
        # nothing to judge. Only a replay's mark counts: a real gateway's header is just a header.
        self.replay = replay
        self.evidence = evidence  # an EvidenceWriter (--evidence): every exchange, written as a recording
        # Never a redirect (the key would follow it), never a cookie (a probe without a key must
        # carry nothing else that authenticates it), and every exchange within its deadline.
        self._http = httpx.Client(
            follow_redirects=False, trust_env=False, transport=bounded_transport(), cookies=CookieJar(policy=_NO_COOKIES)
        )
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
            # Not when the request probes another version or prefix: a 404 there is that probe's verdict.
            model_declared=model in self.declared_models and api_version in (None, self.api_version) and not prefix,
        )
        bound = self.timeouts.image if self._makes_images(model) else self.timeouts.read
        while True:
            with self._slots:
                self._exchange(exchange, url, sent_headers, bound)
            self._record(exchange)
            if self.replay and exchange.headers.get(REPLAY_HEADER) == UNRECORDED:
                not_judged("the replay has no recording that answers this request")
            delay = retry_delay(exchange, len(exchange.retries), self.retries) if retry else None
            if delay is None or not self._spend_on_waiting(delay):
                return exchange
            time.sleep(delay)
            retries = [*exchange.retries, (exchange.status, delay)]
            exchange = replace(exchange, retries=retries, reads=[], headers=httpx.Headers(), **_FRESH)

    def _spend_on_waiting(self, delay: float) -> bool:
        """Take ``delay`` seconds from the target's retry budget; False when it has not got them."""
        with self._budget_lock:
            if delay > self._retry_budget_s:
                return False
            self._retry_budget_s -= delay
            return True

    def _record(self, exchange: Exchange) -> None:
        if self.evidence is not None:
            self.evidence.write(exchange)
        if exchange.status == 429:
            self.rate_limited.append(exchange)
        self.ledger.record(
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
        """One exchange, from connect to its last byte within ``bound`` seconds (a wall-clock
        deadline, whatever the gateway trickles) and ``max_response_bytes``."""
        started = time.monotonic()
        with until(started + bound):
            self._bounded_exchange(exchange, url, headers, bound, started)

    def _bounded_exchange(self, exchange: Exchange, url: str, headers: Mapping[str, str], bound: float, started: float) -> None:
        timeout = httpx.Timeout(connect=self.timeouts.connect, read=bound, write=bound, pool=bound)
        deadline = started + bound
        what = f"{exchange.method} {exchange.url}"
        try:
            request = self._http.build_request(
                exchange.method, url, content=exchange.request_body, headers=headers, timeout=timeout
            )
            response = self._send_once_more_if_dropped(request)
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
                if len(received) > self.max_response_bytes:
                    exchange.elapsed = now - started
                    raise ResponseTooLarge(
                        f"the response exceeded {self.max_response_bytes / 2**20:g} MB, the most the suite keeps "
                        "(a Gemini response, 4K images included, is far smaller)",
                        exchange=exchange,
                    )
                if now > deadline:
                    raise RequestTimedOut(
                        elapsed=now - started, bound=bound,
                        what=f"{what}: body still arriving ({len(received)} bytes so far)",
                        curl=exchange.curl,
                    )
        except httpx.TimeoutException:
            now = time.monotonic()
            how = "still arriving" if now >= deadline - 0.05 else "stalled"
            raise RequestTimedOut(
                elapsed=now - started, bound=bound,
                what=f"{what}: body {how} after {len(received)} bytes", curl=exchange.curl,
            ) from None
        except httpx.TransportError as error:
            exchange.transport_error = _reason(error)
        finally:
            response.close()
        exchange.elapsed = time.monotonic() - started
        exchange.body = decoded(bytes(received), response.headers, self.max_response_bytes, exchange)

    def _send_once_more_if_dropped(self, request: httpx.Request) -> httpx.Response:
        """A kept-alive connection the server closed just as the request went out answers nothing:
        send it once more, on a fresh connection (no byte of an answer came, so nothing is lost)."""
        try:
            return self._http.send(request, stream=True)
        except httpx.RemoteProtocolError as error:
            if "without sending a response" not in str(error):
                raise
            return self._http.send(request, stream=True)


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


class _RejectCookies(DefaultCookiePolicy):
    def set_ok(self, cookie, request) -> bool:  # noqa: ARG002
        return False

    def return_ok(self, cookie, request) -> bool:  # noqa: ARG002
        return False


_NO_COOKIES = _RejectCookies()


def decoded(body: bytes, headers: httpx.Headers, cap: int, exchange: Exchange | None) -> bytes:
    """Undo Content-Encoding: the raw reads are kept for timing, the checks see the payload. Inflating
    stops at ``cap`` bytes or MAX_INFLATION times the body, whichever is less (a decompression bomb
    is the gateway's failure, not the suite's MemoryError)."""
    encoding = headers.get("content-encoding", "").lower().strip()
    if not body or encoding in ("", "identity"):
        return body
    limit = min(cap, max(len(body) * MAX_INFLATION, 1024 * 1024))
    if encoding in ("gzip", "x-gzip", "deflate"):
        # gzip (or zlib: wbits 32 + 15 reads either header); "deflate" is zlib, or sometimes raw.
        for wbits in (zlib.MAX_WBITS | 32,) if encoding != "deflate" else (zlib.MAX_WBITS, -zlib.MAX_WBITS):
            try:
                payload = zlib.decompressobj(wbits=wbits).decompress(body, limit + 1)
            except zlib.error:
                continue
            if len(payload) > limit:
                raise ResponseTooLarge(
                    f"the {encoding} body of {len(body)} bytes inflates past {limit} bytes: more than the suite keeps",
                    exchange=exchange,
                )
            return payload
        return body
    decoder = httpx.Response(200, headers={"content-encoding": encoding}, content=body)
    try:
        return decoder.read()
    except httpx.DecodingError:
        return body
