"""The official google-genai SDK, pointed at a target the way a user would point it.

``SDK`` builds ``genai.Client(api_key=..., http_options={"base_url": <target>, "api_version": ...})``
and runs calls on it with three guarantees the SDK does not give by itself:

- **bounded**: ``http_options.timeout`` is the target's read timeout (the SDK has none by default)
  and a stream is cut at the same bound overall, so a stalled gateway is a ``RequestTimedOut``;
- **authenticated as the target declares**: the SDK sends ``x-goog-api-key``; a target that does not
  read it gets the key in its first declared header placement too (``http_options.headers``);
- **redacted**: what the SDK raises is re-raised with every key replaced, and costs are recorded
  in the same ledger as the suite's own requests;
- **in evidence**: each exchange the SDK makes is written as a recording like the suite's own
  (``evidence``), so the SDK's verdicts can be judged again from a replay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlparse

import httpx

from conformance.client.curl import curl_line
from conformance.client.deadline import bounded_transport, until
from conformance.client.exchange import Exchange
from conformance.client.http import decoded, unreachable_message
from conformance.client.ledger import BILLABLE_ACTIONS, Ledger, LedgerEntry
from conformance.client.redact import Redactor
from conformance.outcomes import (
    GatewayUnreachable,
    RequestTimedOut,
    ResponseTooLarge,
    not_judged,
    without_frames,
)
from conformance.targets import Target

T = TypeVar("T")
DEFAULT_AUTH = "x-goog-api-key"  # what the SDK sends
HEADER_PLACEMENTS = {"bearer": ("Authorization", "Bearer {key}"), "x-api-key": ("x-api-key", "{key}")}


class SDKNotInstalled(RuntimeError):
    """google-genai cannot be imported."""


class SDKCallFailed(Exception):
    """The SDK raised; the message is redacted and names the call."""

    def __init__(self, call: str, error: BaseException, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(f"{call} raised {type(error).__name__}: {message}")
        self.call = call
        self.error = error  # the original exception (checks read .code / .status of an APIError)
        self.kind = type(error).__name__
        self.exchange = exchange  # the SDK's last request and what came back, when it got an answer


def genai_version() -> str:
    try:
        from google.genai import version
    except ImportError as error:
        raise SDKNotInstalled("google-genai is not installed (pip install 'google-genai>=2,<4')") from error
    return version.__version__


@dataclass
class SDK:
    target: Target
    base_url: str
    key: str | None
    redactor: Redactor
    ledger: Ledger = field(default_factory=Ledger)  # the run's: what the SDK's requests cost
    evidence: Any = None  # an EvidenceWriter: every exchange the SDK makes, as a recording
    # One genai.Client per configuration, kept alive: a collected Client closes its HTTP client.
    _clients: dict[tuple[str | None, bool], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # recipes call it from several threads
    _calls: threading.local = field(default_factory=threading.local)  # .exchanges: those of this thread's call

    def header_placement(self) -> str | None:
        """Where the key goes besides x-goog-api-key: None when the target reads the SDK's default."""
        if DEFAULT_AUTH in self.target.auth:
            return None
        return next((placement for placement in self.target.auth if placement in HEADER_PLACEMENTS), None)

    def client(self, *, api_version: str | None = "v1beta", default_auth_only: bool = False) -> Any:
        """A genai.Client on the target; ``api_version`` None is the SDK's own default (v1 in 3.x)."""
        with self._lock:
            if (api_version, default_auth_only) not in self._clients:
                self._clients[api_version, default_auth_only] = self._new_client(api_version, default_auth_only)
            return self._clients[api_version, default_auth_only]

    def _new_client(self, api_version: str | None, default_auth_only: bool) -> Any:
        genai_version()
        from google import genai

        headers = {}
        placement = None if default_auth_only else self.header_placement()
        if placement and self.key:
            name, value = HEADER_PLACEMENTS[placement]
            headers[name] = value.format(key=self.key)
        options: dict[str, Any] = {
            "base_url": self.base_url,
            "timeout": int(self.target.timeouts.read * 1000),  # milliseconds
            "headers": headers,
            # No redirect (x-goog-api-key would follow it to another host), and the suite's bounded
            # transport, of the HTTP library the SDK itself uses (google-genai 3.x: its httpx fork),
            # so the SDK runs as users run it and its requests keep to call()'s deadline and byte cap.
            "client_args": {
                "trust_env": False,
                "follow_redirects": False,
                "transport": self._transport(),
                "event_hooks": {"response": [self._record]},
            },
        }
        if api_version:
            options["api_version"] = api_version
        return genai.Client(api_key=self.key or "no-key", http_options=options)

    def _transport(self) -> Any:
        library = _sdk_http_library()
        # The SDK inflates a compressed body without a bound (a 200 KB gzip bomb took 1.2 GB): it gets
        # the body inflated here, within the target's cap, as the suite's own client does.
        transport = _Inflated(bounded_transport(*library), library[0], int(self.target.max_response_mb * 2**20))
        return _Recorded(transport, library[0], self._recorded)

    def _recorded(self, request: Any, response: Any, body: bytes, reads: list[tuple[float, int]]) -> None:
        """The SDK's exchange, as the suite's client would have recorded it: the evidence of a failed
        call, and a recording of the run when evidence is kept."""
        url = str(request.url)
        model, action = _addressed(url)
        exchange = Exchange(
            method=request.method,
            url=self.redactor.url(url),
            request_headers=self.redactor.headers(list(request.headers.items())),
            request_body=request.content or None,
            curl=curl_line(request.method, url, list(request.headers.items()), request.content or None, self.redactor),
            action=action,
            model=model,
            redactor=self.redactor,
            # At the version the suite names (SDK-06 leaves the SDK's default: another version's 404 is its verdict).
            model_declared=model in self.target.models.values() and "v1beta" in urlparse(url).path.split("/"),
            status=response.status_code,
            # Already inflated within the cap, beneath (_Inflated): the body as the SDK read it.
            headers=httpx.Headers(list(response.headers.multi_items())),
            body=body,
            ttfb=reads[0][0] if reads else 0.0,
            elapsed=reads[-1][0] if reads else 0.0,
            reads=reads,
        )
        getattr(self._calls, "exchanges", []).append(exchange)
        if self.evidence is not None:
            self.evidence.write(exchange)

    def describe(self, call: str, api_version: str | None = "v1beta", default_auth_only: bool = False) -> str:
        """The call as a user would write it (for evidence)."""
        placement = None if default_auth_only else self.header_placement()
        extra = f", 'headers': {{{HEADER_PLACEMENTS[placement][0]!r}: ...}}" if placement else ""
        version = f", 'api_version': {api_version!r}" if api_version else ""
        return (
            f"google-genai {genai_version()}: genai.Client(api_key=$API_KEY, http_options={{'base_url': "
            f"{self.redactor.url(self.base_url)!r}{version}{extra}}}).{call}"
        )

    def call(self, call: str, run: Callable[[], T], **how: Any) -> T:
        """Run an SDK call; a timeout or connection failure becomes the suite's own outcome, any
        other exception an SDKCallFailed with a redacted message."""
        what = self.describe(call, **how)
        started = time.monotonic()
        result: Any = None
        self._calls.exchanges = []
        try:
            with self.ledger.collecting() as recorded:  # by _record; the tokens come from the result
                with until(started + self.target.timeouts.read, int(self.target.max_response_mb * 2**20)):
                    result = run()
            return result
        except Exception as error:  # noqa: BLE001 - everything the SDK raises is evidence
            # By class name: google-genai 3.x uses its own fork of httpx (httpx2), 2.x uses httpx.
            if _is_a(error, "TimeoutException"):
                raise RequestTimedOut(
                    elapsed=time.monotonic() - started, bound=self.target.timeouts.read, what=what, curl=what
                ) from None
            if _is_a(error, "ConnectError"):
                message = unreachable_message(self.redactor.url(self.base_url), self.target.name, error)
                raise GatewayUnreachable(self.redactor.text(message)) from None
            if isinstance(error, ResponseTooLarge):
                raise without_frames(error) from None  # the gateway's failure, as the suite's own client says it
            if _replayed_nothing(self.target, error):
                not_judged("the replay has no recording that answers the SDK's request")
            exchanges = self._calls.exchanges
            raise SDKCallFailed(what, without_frames(error), self.redactor.text(str(error))[:600], exchanges[-1] if exchanges else None) from None
        finally:
            tokens = _usage_tokens(result)
            if tokens and recorded:
                recorded[-1] = replace(recorded[-1], tokens=tokens)
            self.ledger.charge(recorded)

    def drain(self, chunks: Iterable[T]) -> list[T]:
        """Every chunk of a stream, cut at the read timeout overall (the SDK bounds each read only)."""
        deadline = time.monotonic() + self.target.timeouts.read
        collected = []
        for chunk in chunks:
            collected.append(chunk)
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout(f"stream still arriving after {self.target.timeouts.read:g} s")
        return collected

    def _record(self, response: httpx.Response) -> None:
        _, action = _addressed(str(response.request.url))
        self.ledger.record(
            LedgerEntry(
                target=self.target.name,
                action=action,
                billable=response.status_code == 200 and action in BILLABLE_ACTIONS,
                tokens=0,  # the SDK reads the body; call() takes the tokens from the result
                status=response.status_code,
                kind=action,
            )
        )


def _addressed(url: str) -> tuple[str | None, str]:
    """(model, action) of a URL the SDK called: .../models/M:action, or GET models / models/M."""
    model, _, action = urlparse(url).path.rsplit("/", 1)[-1].partition(":")
    if action:
        return model, action
    return None, "listModels" if model == "models" else "getModel"


class _Inflated:
    """The SDK's transport, with a compressed body inflated here, within ``cap`` (http.decoded): the
    SDK then reads the payload as sent without Content-Encoding, and a decompression bomb is a
    ResponseTooLarge instead of the SDK's unbounded inflating."""

    def __init__(self, inner: Any, library: Any, cap: int) -> None:
        self.inner, self.library, self.cap = inner, library, cap

    def handle_request(self, request: Any) -> Any:
        response = self.inner.handle_request(request)
        encoding = response.headers.get("content-encoding", "").lower().strip()
        if encoding in ("", "identity"):
            return response
        try:
            raw = b"".join(response.stream)
        finally:
            response.close()
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        payload = decoded(raw, httpx.Headers(list(response.headers.multi_items())), self.cap, None)
        return self.library.Response(response.status_code, headers=headers, content=payload, request=request, extensions=response.extensions)

    def close(self) -> None:
        self.inner.close()


class _Recorded:
    """The SDK's transport, with each response's bytes kept as they stream by, for the evidence."""

    def __init__(self, inner: Any, library: Any, done: Callable[..., None]) -> None:
        self.inner, self.library, self.done = inner, library, done

    def handle_request(self, request: Any) -> Any:
        started = time.monotonic()
        response = self.inner.handle_request(request)
        response.stream = _tee(self.library, response.stream, started, lambda body, reads: self.done(request, response, body, reads))
        return response

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> _Recorded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tee(library: Any, stream: Any, started: float, done: Callable[[bytes, list[tuple[float, int]]], None]) -> Any:
    """A byte stream of the SDK's HTTP library that passes ``stream`` on and, when closed, hands
    what passed (and when) to ``done``, once."""

    class Tee(library.SyncByteStream):
        def __init__(self) -> None:
            self.body, self.reads, self.finished = bytearray(), [], False

        def __iter__(self):
            for piece in stream:
                self.body += piece
                self.reads.append((time.monotonic() - started, len(self.body)))
                yield piece

        def close(self) -> None:
            stream.close()
            if not self.finished:
                self.finished = True
                done(bytes(self.body), self.reads)

    return Tee()


def _sdk_http_library() -> tuple[Any, Any]:
    """(httpx module, httpcore module) that google-genai uses by default: 3.x prefers its fork,
    httpx2, where installed; 2.x knows only httpx."""
    import httpcore
    import httpx

    try:
        from google.genai import _api_client

        if getattr(_api_client, "_DEFAULT_HTTP_CLIENT_BACKEND", "httpx") != "httpx2":
            return httpx, httpcore
        import httpcore2
        import httpx2
    except ImportError:
        return httpx, httpcore
    return httpx2, httpcore2


def _usage_tokens(result: Any) -> int:
    """totalTokenCount of an SDK result: a response, or a stream's chunks (cumulative: the largest)."""
    counts = [getattr(getattr(item, "usage_metadata", None), "total_token_count", None) for item in (result if isinstance(result, list) else [result])]
    return max((count for count in counts if isinstance(count, int)), default=0)


def _replayed_nothing(target: Any, error: Exception) -> bool:
    """The SDK's error is a replay target's 501 for a request no recording answers."""
    replay = target.reference is not None and target.reference.replay is not None
    return replay and getattr(error, "code", None) == 501 and "no recording answers this request" in str(error)


def _is_a(error: BaseException, class_name: str) -> bool:
    return any(cls.__name__ == class_name for cls in type(error).__mro__)
