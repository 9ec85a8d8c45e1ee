"""Fidelity mode: the scripted upstream, the test relay, and the FID rules.

The clean relay in front of the scripted upstream passes every rule; each relay fault breaks exactly
the rules it names (one run of the suite over the clean relay and every relay fault, as test_faults.py
does for the reference gateway's faults).
A real gateway declaring `upstream:` gets the same checks, its upstream started by the suite
(`port`) or read over GET /__recorded (`url`).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from conformance.relay import RELAY_FAULTS, RelayConfig, RelayServer
from conformance.rules import load_all_rules
from conformance.targets import TargetsFileError, parse_targets
from conformance.upstream import (
    SCENARIOS,
    RemoteUpstream,
    ScriptedUpstream,
    UpstreamConfig,
    marker,
)
from tests.harness import REPO, assert_breaks_exactly, matches, run_suite

# One worker runs this module, so the suite's run over the relay faults happens once.
pytestmark = pytest.mark.xdist_group("fidelity")
RULES = load_all_rules()
FIDELITY_RULES = sorted(rule for rule in RULES if rule.startswith("FID-"))
UPSTREAM_KEY = "upstream-key-0123456789"
CLIENT_KEY = "client-key-0123456789"
MODEL = "gemini-2.5-flash"


@pytest.fixture(scope="module")
def loop() -> Iterator[tuple[ScriptedUpstream, httpx.Client]]:
    """The scripted upstream and a client of a clean relay in front of it."""
    upstream = ScriptedUpstream(UpstreamConfig(key=UPSTREAM_KEY, silence_s=0.2))
    relay = RelayServer(RelayConfig(CLIENT_KEY, upstream.start(), UPSTREAM_KEY))
    with httpx.Client(base_url=relay.start(), headers={"x-goog-api-key": CLIENT_KEY}, timeout=30) as client:
        yield upstream, client
    relay.stop()
    upstream.stop()


def marked(scenario: str) -> tuple[str, dict]:
    mark = marker(scenario)
    return mark, {"contents": [{"role": "user", "parts": [{"text": f"{mark} hello"}]}]}


# --- The tables ----------------------------------------------------------------------------------


def test_every_fidelity_rule_is_broken_by_a_relay_fault():
    unbroken = [rule for rule in FIDELITY_RULES if not any(matches(rule, f.breaks) for f in RELAY_FAULTS.values())]
    assert FIDELITY_RULES and unbroken == []


def test_every_relay_fault_names_real_rules_and_a_documented_bug():
    for name, fault in RELAY_FAULTS.items():
        assert "#" in fault.description or "bugs F" in fault.description, name
        for pattern in fault.breaks:
            assert any(matches(rule, (pattern,)) for rule in RULES), f"{name}: {pattern} matches no rule"


# --- The suite over the clean relay and each relay fault -----------------------------------------


def test_clean_relay_passes_every_rule(relay_run):
    records = relay_run.records_of("clean-relay")
    assert records, relay_run.stdout[-3000:]
    assert {r["test"]: r["message"] for r in records if r["outcome"] not in ("pass", "skipped")} == {}
    assert all(relay_run.outcomes("clean-relay").get(rule) == {"pass"} for rule in FIDELITY_RULES)


@pytest.mark.parametrize("fault", list(RELAY_FAULTS))
def test_relay_fault_breaks_exactly_its_rules(relay_run, fault):
    assert_breaks_exactly(relay_run, f"relay-fault-{fault}", fault, RELAY_FAULTS[fault].breaks)


def test_a_relay_that_changes_several_things_is_named_for_every_one(relay_run):
    """Fidelity rules report every difference with its JSON path, not only the first."""
    evidence = {r["rule"]: r["evidence"] for r in relay_run.records_of("relay-fault-rebuilds_request") if r["rule"] in ("FID-12", "FID-14")}
    dropped = [line.split(":")[0] for line in evidence["FID-12"]["details"]]
    injected = [line.split(":")[0] for line in evidence["FID-14"]["details"]]
    assert dropped == ["$.safetySettings", "$.generationConfig.topP", "$.generationConfig.topK"], evidence["FID-12"]
    assert injected == ["$.generationConfig.temperature", "$.generationConfig.topP", "$.generationConfig.topK", "$.systemInstruction"]
    assert "(and 3 more difference(s), listed)" in evidence["FID-14"]["summary"]


def test_a_request_re_encoded_through_an_older_type_is_named_for_each_field_it_lost(relay_run):
    [record] = [r for r in relay_run.records_of("relay-fault-older_request_type") if r["rule"] == "FID-12"]
    paths = {line.split(":")[0] for line in record["evidence"]["details"]}
    newer = {f"$.generationConfig.{name}" for name in ("seed", "responseLogprobs", "logprobs", "mediaResolution", "enableEnhancedCivicAnswers")}
    assert paths >= newer | {"$.generationConfig.responseSchema", "$.cachedContent"}, paths


def test_differences_are_all_found_in_document_order():
    from conformance.fidelity import differences

    sent = {"a": 1, "b": {"c": [1, 2], "d": "x"}, "e": [1]}
    got = {"a": 2, "b": {"c": [1, 3], "z": 0}, "e": [1, 2], "new": True}
    assert differences(sent, got) == [
        ("$.a", 1, 2), ("$.b.c[1]", 2, 3), ("$.b.d", "x", "(missing)"), ("$.b.z", "(absent)", 0),
        ("$.e", "1 items", "2 items"), ("$.new", "(absent)", True),
    ]
    assert differences(sent, got, extra_ok=True) == [("$.a", 1, 2), ("$.b.c[1]", 2, 3), ("$.b.d", "x", "(missing)"), ("$.e", "1 items", "2 items")]


# --- A real gateway declaring its upstream -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_real_gateway_is_certified_against_its_declared_upstream(tmp_path):
    """`upstream: {port}`: the suite starts the upstream there; `{url}`: it reads a running one. The
    second gateway maps its model to another upstream and says so (`models:`): FID-18 holds it to that."""
    port = _free_port()
    suite_started = RelayServer(RelayConfig(CLIENT_KEY, f"http://127.0.0.1:{port}", UPSTREAM_KEY))
    running = ScriptedUpstream(UpstreamConfig(key=UPSTREAM_KEY, silence_s=0.5))
    remote_read = RelayServer(RelayConfig(CLIENT_KEY, running.start(), UPSTREAM_KEY, faults=("maps_model_to_another",)))
    declared = {
        "api_key_env": "GW_KEY",
        "auth": ["x-goog-api-key", "bearer"],
        "models": {"text": MODEL, "embedding": "text-embedding-004"},
        "actions": ["generateContent", "streamGenerateContent", "countTokens", "batchEmbedContents"],
        "features": ["sse", "function_calling", "thinking", "inline_images"],
        "timeouts": {"connect": 5, "read": 20},
    }
    targets = {
        "by-port": declared | {"base_url": suite_started.start(), "upstream": {"port": port, "key_env": "UP_KEY", "silence_s": 0.5}},
        "by-url": declared | {
            "base_url": remote_read.start(),
            "upstream": {"url": running.base_url, "key_env": "UP_KEY", "models": {MODEL: "gemini-2.5-pro"}},
        },
        "no-upstream-key": declared | {"base_url": "http://127.0.0.1:9", "upstream": {"port": port, "key_env": "UNSET_UP_KEY"}},
        "no-upstream": declared | {"base_url": "http://127.0.0.1:9"},
    }
    try:
        run = run_suite(
            tmp_path, {"targets": targets}, "--target", "all", "conformance/checks/fidelity.py",
            env={"GW_KEY": CLIENT_KEY, "UP_KEY": UPSTREAM_KEY}, unset=("UNSET_UP_KEY",),
        )
    finally:
        for server in (suite_started, remote_read, running):
            server.stop()
    for name in ("by-port", "by-url"):
        assert run.outcomes(name) == {rule: {"pass"} for rule in FIDELITY_RULES}, run.stdout[-3000:]
    skipped = run.records_of("no-upstream-key")
    assert skipped and all(r["outcome"] == "skipped" and "set UNSET_UP_KEY" in r["message"] for r in skipped)
    not_applicable = run.records_of("no-upstream")  # every other target: skipped, saying why
    assert not_applicable and all(r["outcome"] == "skipped" and "feature fidelity" in r["message"] for r in not_applicable)
    assert CLIENT_KEY not in run.stdout and UPSTREAM_KEY not in run.stdout


def test_upstream_declares_the_fidelity_feature():
    entry = {"base_url": "http://gw", "api_key_env": "K", "features": ["sse"], "upstream": {"port": 8089, "key_env": "UP"}}
    target = parse_targets({"targets": {"gw": entry}}, "targets.yaml")["gw"]
    assert target.features == ("sse", "fidelity") and target.upstream.port == 8089
    relay = parse_targets({"targets": {"r": {"reference": {"profile": "relay", "faults": ["buffers_stream"]}}}}, "t")["r"]
    assert "fidelity" in relay.features and relay.reference.faults == ("buffers_stream",)


@pytest.mark.parametrize(
    "upstream, message",
    [
        ({"key_env": "UP"}, "key 'upstream'"),
        ({"port": 1, "url": "http://x", "key_env": "UP"}, "key 'upstream'"),
        ({"port": 1}, "missing key 'key_env'"),
    ],
)
def test_a_bad_upstream_is_one_line(upstream, message):
    entry = {"base_url": "http://gw", "api_key_env": "K", "upstream": upstream}
    with pytest.raises(TargetsFileError, match=message):
        parse_targets({"targets": {"gw": entry}}, "targets.yaml")


def test_relay_faults_are_checked_by_name():
    with pytest.raises(TargetsFileError, match="unknown fault 'done_sentinel'.*conformance.relay --list-faults"):
        parse_targets({"targets": {"r": {"reference": {"profile": "relay", "faults": ["done_sentinel"]}}}}, "t")


# --- The scripted upstream and the relay, directly ------------------------------------------------


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("action", ["generateContent", "streamGenerateContent?alt=sse"])
def test_every_scenario_answers_and_is_recorded(loop, scenario, action):
    upstream, client = loop
    mark, body = marked(scenario)
    try:
        answer = client.post(f"/v1beta/models/{MODEL}:{action}", json=body)
    except httpx.RemoteProtocolError:
        assert scenario == "dropped_stream" and "stream" in action  # the relay cut the client too
    else:
        assert answer.status_code in (200, 400, 429, 500)
    [record] = upstream.recorded(mark)
    assert record.scenario == scenario and record.sent and record.json() == body
    assert record.header("x-goog-api-key") == [UPSTREAM_KEY] and CLIENT_KEY not in str(record.headers)


def test_unmarked_requests_get_the_reference_gateways_answers(loop):
    _, client = loop
    answer = client.post(f"/v1beta/models/{MODEL}:generateContent", json={"contents": [{"parts": [{"text": "hello there"}]}]})
    assert answer.status_code == 200 and answer.json()["candidates"][0]["content"]["parts"][-1]["text"] == "hello there"


def test_the_relay_forwards_the_body_bytes_and_the_query_without_the_key(loop):
    upstream, client = loop
    mark, body = marked("echo")
    raw = b'{"contents": [ {"parts": [{"text": "' + mark.encode() + b'"}]} ], "z": 1}'
    client.post(f"/v1beta/models/{MODEL}:generateContent", content=raw, params={"key": CLIENT_KEY, "alt": "json"})
    [record] = upstream.recorded(mark)
    assert record.body == raw and record.query == [("alt", "json")]


def test_records_are_served_only_with_the_upstream_key(loop):
    upstream, client = loop
    mark, body = marked("echo")
    client.post(f"/v1beta/models/{MODEL}:generateContent", json=body)
    assert httpx.get(f"{upstream.base_url}/__recorded", params={"marker": mark}).status_code == 401
    [remote] = RemoteUpstream(upstream.base_url, UPSTREAM_KEY).recorded(mark)
    assert remote == upstream.recorded(mark)[0]


def test_the_upstream_wants_its_key():
    with ScriptedUpstream(UpstreamConfig(key=UPSTREAM_KEY)) as upstream:
        answer = httpx.post(f"{upstream.base_url}/v1beta/models/{MODEL}:generateContent", json=marked("echo")[1])
    assert answer.status_code == 401 and answer.json()["error"]["status"] == "UNAUTHENTICATED"


def test_the_upstream_command_needs_its_key():
    done = subprocess.run([sys.executable, "-m", "conformance.reference", "--upstream"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--upstream needs --key" in done.stderr
