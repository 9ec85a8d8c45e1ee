"""Gateways written to misbehave: whatever they send, an exchange ends within its bound, stays within
its byte cap, crashes nothing, and no form of the key leaves the suite or reaches another host.

Each gateway is a few lines on a loopback socket: it reads the request and writes whatever bytes the
test scripts. Peak memory under them is the benchmark's business, not a timed assertion here.
"""

from __future__ import annotations

import base64
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from conformance.client.http import GeminiClient
from conformance.client.limits import RetryPolicy, Timeouts
from conformance.client.redact import Redactor
from conformance.outcomes import RequestTimedOut, ResponseTooLarge
from conformance.targets import TargetsFileError, parse_targets

KEY = "k-hostile-" + "5a" * 12
BOUND = 1.0  # the read bound of every exchange here (seconds)
Script = Callable[[socket.socket, bytes], None]  # writes the answer to one request


@contextmanager
def gateway(script: Script) -> Iterator[tuple[str, list[bytes]]]:
    """A loopback server that answers each request with ``script``; yields its URL and the requests."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve_one(connection: socket.socket) -> None:
        with connection:
            connection.settimeout(10)
            try:
                request = _read_request(connection)
                received.append(request)
                script(connection, request)
            except OSError:
                pass  # the client hung up: what a deadline does

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=serve_one, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join(2)
        server.close()


def _read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def _client(base_url: str, **options) -> GeminiClient:
    redactor = Redactor({KEY: "$API_KEY"})
    return GeminiClient(
        target="hostile", base_url=base_url, key=KEY, auth=("query",), timeouts=Timeouts(connect=2, read=BOUND, image=BOUND),
        redactor=redactor, retries=RetryPolicy(max=1, max_delay=1), **options,
    )


def _respond(connection: socket.socket, status: str, headers: dict[str, str], body: bytes) -> None:
    # These gateways answer one request per connection, and say so: a client must not reuse it.
    fields = {**headers, "content-length": str(len(body)), "connection": "close"}
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    connection.sendall(f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body)


def _ends_in_time(call: Callable[[], object]) -> float:
    started = time.monotonic()
    with pytest.raises(RequestTimedOut):
        call()
    return time.monotonic() - started


def test_trickled_response_headers_end_at_the_deadline():
    def trickle(connection, request):
        for byte in b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-pad: " + b"a" * 1000:
            connection.sendall(bytes([byte]))
            time.sleep(0.05)  # each byte well inside a read timeout: only a deadline ends it

    with gateway(trickle) as (url, _):
        assert _ends_in_time(lambda: _client(url).generate("m", {"contents": []})) < BOUND + 0.5


def test_an_endless_run_of_early_hints_ends_at_the_deadline():
    def early_hints(connection, request):
        while True:
            connection.sendall(b"HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n")
            time.sleep(0.01)

    with gateway(early_hints) as (url, _):
        assert _ends_in_time(lambda: _client(url).generate("m", {"contents": []})) < BOUND + 0.5


def test_a_trickled_body_ends_at_the_deadline():
    def trickle(connection, request):
        connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
        while True:
            connection.sendall(b"1\r\n \r\n")
            time.sleep(0.05)

    with gateway(trickle) as (url, _):
        assert _ends_in_time(lambda: _client(url).stream("m", {"contents": []})) < BOUND + 0.5


def test_an_endless_stream_stops_at_the_byte_cap():
    def endless(connection, request):
        connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
        event = b'data: {"candidates": []}\r\n\r\n' * 2000
        chunk = f"{len(event):x}\r\n".encode() + event + b"\r\n"
        while True:
            connection.sendall(chunk)

    with gateway(endless) as (url, _):
        with pytest.raises(ResponseTooLarge, match="exceeded 1 MB"):
            _client(url, max_response_mb=1).stream("m", {"contents": []})


def test_a_gzip_bomb_is_refused_not_inflated():
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # ~200 KB that inflates to 200 MB

    with gateway(lambda c, r: _respond(c, "200 OK", {"content-type": "application/json", "content-encoding": "gzip"}, bomb)) as (url, _):
        with pytest.raises(ResponseTooLarge, match="inflates past"):
            _client(url).generate("m", {"contents": []})


def test_json_nested_too_deep_is_not_json_not_a_crash():
    deep = b"[" * 100_000 + b"]" * 100_000

    with gateway(lambda c, r: _respond(c, "429 Too Many Requests", {"content-type": "application/json", "retry-after": "\u00b2"}, deep)) as (url, _):
        exchange = _client(url).generate("m", {"contents": []})  # the 429 retry path reads the body too
    assert exchange.status == 429 and not exchange.is_json


def test_no_cookie_is_kept_or_sent():
    def set_cookie(connection, request):
        _respond(connection, "200 OK", {"content-type": "application/json", "set-cookie": "session=s3cr3t; Path=/"}, b"{}")

    with gateway(set_cookie) as (url, received):
        client = _client(url)
        client.generate("m", {"contents": []})
        client.generate("m", {"contents": []})
    assert len(received) == 2 and b"cookie" not in received[1].lower()


def test_no_redirect_is_followed_by_the_suite_or_the_sdk():
    pytest.importorskip("google.genai")
    from conformance.client.sdk import SDK
    from conformance.targets import Target

    with gateway(lambda c, r: _respond(c, "200 OK", {"content-type": "application/json"}, b"{}")) as (elsewhere, stolen):
        moved = {"location": f"{elsewhere}/v1beta/models/m:generateContent", "content-type": "application/json"}
        with gateway(lambda c, r: _respond(c, "307 Temporary Redirect", moved, b"{}")) as (url, received):
            assert _client(url).generate("m", {"contents": []}).status == 307
            sdk = SDK(Target(name="hostile", auth=("x-goog-api-key",), timeouts=Timeouts(2, 2, 2)), url, KEY, Redactor({KEY: "$API_KEY"}))
            with pytest.raises(Exception):  # noqa: B017 - whatever the SDK makes of a 307, it goes nowhere else
                sdk.call("generate_content", lambda: sdk.client().models.generate_content(model="m", contents="hi"))
    assert received and stolen == []


@pytest.mark.parametrize("cut", [1, 5, 12, len(KEY) - 1])
def test_a_key_cut_by_a_truncation_is_still_redacted(cut):
    redactor = Redactor({KEY: "$API_KEY"})
    for text in (f"echo: {KEY[:cut + 8]}", f"{KEY[cut:]} was sent", f"... {KEY[:-cut]}... (600 bytes)"):
        redacted = redactor.text(text)
        assert not any(KEY[i : i + 8] in redacted for i in range(len(KEY) - 7)), redacted


def test_a_key_inside_a_larger_base64_blob_is_redacted():
    redactor = Redactor({KEY: "$API_KEY"})
    for pad in range(3):
        blob = base64.b64encode(b"x" * pad + KEY.encode() + b"tail of the blob").decode()
        assert "$API_KEY" in redactor.text(blob), pad


def test_an_excerpt_never_shows_part_of_a_key_padded_to_its_cut():
    def padded_echo(connection, request):
        body = b'{"error": {"message": "' + b"p" * 560 + KEY.encode() + b'"}}'
        _respond(connection, "400 Bad Request", {"content-type": "application/json"}, body)

    with gateway(padded_echo) as (url, _):
        exchange = _client(url).generate("m", {"contents": []})
    for limit in range(570, 600):
        excerpt = exchange.excerpt(limit)
        assert not any(KEY[i : i + 6] in excerpt for i in range(len(KEY) - 5)), limit


@pytest.mark.parametrize(
    "url, says",
    [
        ("http://[::1", "not a URL the suite can call"),
        (f"http://user:{KEY}@gw.example", "carries credentials"),
        ("http://gw.example:port", "not a URL the suite can call"),
    ],
)
def test_a_bad_base_url_is_one_line_without_the_key(url, says):
    with pytest.raises(TargetsFileError) as error:
        parse_targets({"targets": {"gw": {"base_url": url, "api_key_env": "K"}}}, "targets.yaml")
    assert says in str(error.value) and KEY not in str(error.value) and "\n" not in str(error.value)


def test_the_sdk_keeps_to_the_same_deadline():
    pytest.importorskip("google.genai")
    from conformance.client.sdk import SDK
    from conformance.targets import Target

    def trickle(connection, request):
        connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{")
        while True:
            connection.sendall(b" ")
            time.sleep(0.05)

    with gateway(trickle) as (url, _):
        sdk = SDK(Target(name="hostile", auth=("x-goog-api-key",), timeouts=Timeouts(2, BOUND, BOUND)), url, KEY, Redactor({KEY: "$API_KEY"}))
        took = _ends_in_time(lambda: sdk.call("generate_content", lambda: sdk.client().models.generate_content(model="m", contents="hi")))
    assert took < BOUND + 1.0


def test_no_answer_is_never_a_pass(tmp_path):
    """A gateway that hangs up on every request: the rules that judge time, or look for the key in
    the answer, have nothing to judge; they are blocked by the rule that judges the answer."""
    from tests.harness import run_suite

    def hang_up(connection, request):
        connection.shutdown(socket.SHUT_RDWR)

    with gateway(hang_up) as (url, _):
        target = {"base_url": url, "api_key_env": "HOSTILE_KEY", "auth": ["x-goog-api-key"], "models": {"text": "m"},
                  "actions": ["generateContent", "streamGenerateContent"], "features": ["sse"]}
        run = run_suite(tmp_path, {"targets": {"gw": target}}, "--target", "gw", "-k", "TIME-01 or TIME-02 or AUTH-04",
                        env={"HOSTILE_KEY": KEY})
    outcomes = {r["rule"]: (r["outcome"], r["blocked_by"]) for r in run.records}
    assert outcomes == {"TIME-01": ("blocked", "GEN-06"), "TIME-02": ("blocked", "STREAM-01"), "AUTH-04": ("blocked", "AUTH-03")}, run.stdout[-2000:]


def test_an_html_page_passes_no_framing_rule(tmp_path):
    """A gateway that answers a stream with its HTML index page (200): STREAM-02 fails it, and the
    rules about one kind of framing problem have no event to judge: blocked, never passed."""
    from tests.harness import run_suite

    def index_page(connection, request):
        _respond(connection, "200 OK", {"content-type": "text/html"}, b"<!doctype html>\n<html><body>Welcome</body></html>\n")

    with gateway(index_page) as (url, _):
        target = {"base_url": url, "api_key_env": "HOSTILE_KEY", "auth": ["x-goog-api-key"], "models": {"text": "m"},
                  "actions": ["streamGenerateContent"], "features": ["sse"]}
        run = run_suite(tmp_path, {"targets": {"gw": target}}, "--target", "gw", "-k", "SSE or STREAM-02", env={"HOSTILE_KEY": KEY})
    outcomes = {r["rule"]: r["outcome"] for r in run.records}
    assert outcomes["STREAM-02"] == "fail", run.stdout[-2000:]
    framing = {rule: outcome for rule, outcome in outcomes.items() if rule in {f"SSE-0{n}" for n in range(1, 8)}}
    assert len(framing) == 7 and set(framing.values()) == {"blocked"}, framing


def test_a_body_cut_short_passes_no_rule(tmp_path):
    """A gateway whose answer is complete JSON but shorter than its Content-Length says (the
    connection closes early): the SDKs reject it, so no check passes on it."""
    from tests.harness import run_suite

    answer = (b'{"candidates": [{"content": {"role": "model", "parts": [{"text": "one two"}]}, "finishReason": "STOP", "index": 0}],'
              b' "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5}, "modelVersion": "m"}')

    def cut_short(connection, request):
        head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(answer) + 100}\r\n\r\n"
        connection.sendall(head.encode() + answer)

    with gateway(cut_short) as (url, _):
        target = {"base_url": url, "api_key_env": "HOSTILE_KEY", "auth": ["x-goog-api-key"], "models": {"text": "m"},
                  "actions": ["generateContent"], "features": []}
        run = run_suite(tmp_path, {"targets": {"gw": target}}, "--target", "gw", "-k", "GEN or SHAPE", env={"HOSTILE_KEY": KEY})
    judged = {r["rule"]: r["outcome"] for r in run.records if r["rule"].startswith(("GEN-", "SHAPE-0")) and r["rule"] != "SHAPE-03"}
    assert len(judged) == 8 and "pass" not in judged.values(), judged
    assert any("the connection broke after" in (r["message"] or "") for r in run.records)


def test_a_stream_of_countless_tiny_events_is_refused_before_it_is_parsed(tmp_path):
    """Half a million lines of `data: {}`: parsing would cost ~40 times the body, so the stream is
    refused by its line count, and the checks that read it fail saying so."""
    from tests.harness import run_suite

    events = b"data: {}\n\n" * 250_000

    def flood(connection, request):
        _respond(connection, "200 OK", {"content-type": "text/event-stream"}, events)

    with gateway(flood) as (url, _):
        target = {"base_url": url, "api_key_env": "HOSTILE_KEY", "auth": ["x-goog-api-key"], "models": {"text": "m"},
                  "actions": ["streamGenerateContent"], "features": ["sse"]}
        run = run_suite(tmp_path, {"targets": {"gw": target}}, "--target", "gw", "-k", "STREAM-03 or STREAM-05", env={"HOSTILE_KEY": KEY})
    assert run.returncode == 1, run.stdout[-2000:]
    outcomes = {r["rule"]: (r["outcome"], r["message"]) for r in run.records}
    for rule in ("STREAM-03", "STREAM-05"):
        outcome, message = outcomes[rule]
        assert outcome == "fail" and "the stream holds 500000 lines, more than the 200000 the suite parses" in message, outcomes
    assert (run.report_dir / "partial" / "report.html").exists()  # -k: a partial run, its artifacts written
