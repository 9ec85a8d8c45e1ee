"""Gateways written to misbehave: whatever they send, an exchange ends within its bound, stays within
its byte cap, crashes nothing, and no form of the key leaves the suite or reaches another host.

Each gateway is a few lines on a loopback socket: it reads the request and writes whatever bytes the
test scripts. Peak memory under them is the benchmark's business, not a timed assertion here.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import pytest

from conformance.client.http import GeminiClient
from conformance.client.limits import RetryPolicy, Timeouts
from conformance.client.redact import Redactor
from conformance.outcomes import RequestTimedOut, ResponseTooLarge
from conformance.targets import TargetsFileError, parse_targets
from tests import hostile
from tests.hostile import KEY, gateway
from tests.hostile import respond as _respond

BOUND = 1.0  # the read bound of every exchange here (seconds)
def _client(base_url: str, **options) -> GeminiClient:
    redactor = Redactor({KEY: "$API_KEY"})
    return GeminiClient(
        target="hostile", base_url=base_url, key=KEY, auth=("query",), timeouts=Timeouts(connect=2, read=BOUND, image=BOUND),
        redactor=redactor, retries=RetryPolicy(max=1, max_delay=1), **options,
    )


def _ends_in_time(call: Callable[[], object]) -> float:
    started = time.monotonic()
    with pytest.raises(RequestTimedOut):
        call()
    return time.monotonic() - started


def test_trickled_response_headers_end_at_the_deadline():
    with gateway(hostile.trickled_headers) as (url, _):
        assert _ends_in_time(lambda: _client(url).generate("m", {"contents": []})) < BOUND + 0.5


def test_an_endless_run_of_early_hints_ends_at_the_deadline():
    with gateway(hostile.early_hints) as (url, _):
        assert _ends_in_time(lambda: _client(url).generate("m", {"contents": []})) < BOUND + 0.5


def test_a_trickled_body_ends_at_the_deadline():
    with gateway(hostile.trickled_body) as (url, _):
        assert _ends_in_time(lambda: _client(url).stream("m", {"contents": []})) < BOUND + 0.5


def test_an_endless_stream_stops_at_the_byte_cap():
    with gateway(hostile.endless_stream) as (url, _):
        with pytest.raises(ResponseTooLarge, match="exceeded 1 MB"):
            _client(url, max_response_mb=1).stream("m", {"contents": []})


def test_a_gzip_bomb_is_refused_not_inflated():
    with gateway(hostile.gzip_bomb) as (url, _):
        with pytest.raises(ResponseTooLarge, match="inflates past"):
            _client(url).generate("m", {"contents": []})


def test_json_nested_too_deep_is_not_json_not_a_crash():
    with gateway(hostile.deep_json) as (url, _):
        exchange = _client(url).generate("m", {"contents": []})  # the 429 retry path reads the body too
    assert exchange.status == 429 and not exchange.is_json


def test_no_cookie_is_kept_or_sent():
    with gateway(hostile.cookie) as (url, received):
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

    with gateway(hostile.hang_up) as (url, _):
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

    with gateway(hostile.html_page) as (url, _):
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

    with gateway(hostile.cut_short) as (url, _):
        target = {"base_url": url, "api_key_env": "HOSTILE_KEY", "auth": ["x-goog-api-key"], "models": {"text": "m"},
                  "actions": ["generateContent"], "features": []}
        run = run_suite(tmp_path, {"targets": {"gw": target}}, "--target", "gw", "-k", "GEN or SHAPE", env={"HOSTILE_KEY": KEY})
    judged = {r["rule"]: r["outcome"] for r in run.records if r["rule"].startswith(("GEN-", "SHAPE-0")) and r["rule"] != "SHAPE-03"}
    assert len(judged) == 10 and "pass" not in judged.values(), judged
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


# Rules about what a success holds: none may pass on an error, an empty object or a broken body.
VACUOUS_ON_HOSTILE = {"GEN-01", "GEN-02", "GEN-03", "GEN-04", "GEN-05", "SHAPE-02", "STREAM-01", "STREAM-02", "STREAM-03"}


def test_a_run_against_every_hostile_gateway_ends_writes_its_artifacts_and_leaks_nothing(hostile_run):
    """The whole suite, once, against every gateway of tests/hostile.py (one target each, short
    bounds; tests/conftest.py starts it at collection): the run ends, prints no traceback, writes
    results, report, JUnit and a certificate per target, ends no check in the suite's own error,
    passes no rule about what a success holds on a broken answer, and no form of the key reaches any
    artifact, the output, or the host a redirect points to."""
    from tests.harness import leaks_of

    run, received_elsewhere = hostile_run
    targets = {*hostile.HOSTILE, "redirect"}
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.stdout[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    for artifact in ("results.json", "report.html", "junit.xml", *(f"{name}/conformance-report.yaml" for name in targets)):
        assert (run.report_dir / artifact).is_file(), artifact
    assert {record["target"] for record in run.records} == targets
    errors = [(r["target"], r["rule"], r["message"]) for r in run.records if r["outcome"] == "error"]
    assert errors == []
    vacuous = [(r["target"], r["rule"]) for r in run.records if r["rule"] in VACUOUS_ON_HOSTILE and r["outcome"] == "pass"]
    assert vacuous == []
    assert leaks_of(KEY, run) == {}
    assert received_elsewhere == []  # the redirect's other host received nothing


def test_the_sdk_gets_a_gzip_bomb_refused_not_inflated():
    """google-genai inflates a body without a bound (a 200 KB bomb cost 1.2 GB); its transport hands
    it the body inflated within the target's cap, so the bomb is the gateway's failure."""
    pytest.importorskip("google.genai")
    from conformance.client.sdk import SDK
    from conformance.targets import Target

    with gateway(hostile.gzip_bomb) as (url, _):
        sdk = SDK(Target(name="hostile", auth=("x-goog-api-key",), timeouts=Timeouts(2, 5, 5), max_response_mb=4), url, KEY, Redactor({KEY: "$API_KEY"}))
        with pytest.raises(ResponseTooLarge, match="inflates past"):
            sdk.call("generate_content", lambda: sdk.client().models.generate_content(model="m", contents="hi"))
