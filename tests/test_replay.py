"""A replay target: Google's recorded bytes served over HTTP, judged by the real run."""

from __future__ import annotations

import shutil
import time

import httpx

from conformance.recordings import GOOGLE, load
from conformance.reference.replay import ReplayGateway
from tests.harness import run_suite

STREAM = "pydantic-ai/147-test_google_stream_usage_is_live_mid_stream-0-stream_sse"
WRONG_KEY_ANSWER = "firebase-sdk-test-data/014-unary-failure-api-key"
STREAM_RULES = {"STREAM-01", "STREAM-02", "STREAM-03", "STREAM-04", "STREAM-05", "STREAM-06", "STREAM-07", "STREAM-11", "SSE-01", "SSE-04", "SSE-07"}


def _sidecar(rid: str):
    folder, stem = rid.split("/")
    return GOOGLE / folder / f"{stem}.meta.json"


def _copy(recording_ids, into):
    into.mkdir(parents=True, exist_ok=True)
    for rid in recording_ids:
        sidecar = _sidecar(rid)
        shutil.copy(sidecar, into)
        recording = next(r for r in load(sidecar.parent) if r.id.endswith(rid.split("/")[1]))
        shutil.copy(sidecar.parent / recording.meta["body_file"], into)
    return into


def test_a_recorded_google_stream_passes_over_http(tmp_path):
    """The shipped target: every stream rule its recording can answer passes; the rest is not judged."""
    run = run_suite(tmp_path, None, "--target", "google-stream-replay", "-p", "no:html")
    assert run.returncode == 0, run.stdout[-3000:]
    outcomes = run.outcomes("google-stream-replay")
    assert {rule for rule, seen in outcomes.items() if seen == {"pass"}} >= STREAM_RULES, outcomes
    assert not [rule for rule, seen in outcomes.items() if seen & {"fail", "error", "timeout"}]
    skipped = {record["skip"] for record in run.records_of("google-stream-replay") if record["outcome"] == "skipped"}
    assert skipped == {"not declared", "not judged"}, skipped
    assert "replay of recordings" in run.stdout


def test_the_replay_sends_googles_bytes_paced_and_marks_what_it_has_not(tmp_path):
    recording = next(r for r in load() if r.id == STREAM)
    with ReplayGateway(_sidecar(STREAM), key="k") as replay:
        url = f"{replay.base_url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
        body = {"contents": [{"role": "user", "parts": [{"text": "Count"}]}], "generationConfig": {"maxOutputTokens": 100}}
        arrivals, received = [], b""
        with httpx.stream("POST", url, json=body, headers={"x-goog-api-key": "k"}) as response:
            assert response.headers["content-type"] == "text/event-stream"
            for piece in response.iter_raw():
                arrivals.append(time.monotonic())
                received += piece
        assert received == recording.body
        assert len(arrivals) >= 2 and arrivals[-1] - arrivals[0] > 0.05  # three events, 40 ms apart
        capped = httpx.post(url, json=body | {"generationConfig": {"maxOutputTokens": 10}}, headers={"x-goog-api-key": "k"})
        assert capped.status_code == 501 and capped.headers["x-conformance-replay"] == "unrecorded"  # 80 tokens > 10
        tools = httpx.post(url, json=body | {"tools": [{"googleSearch": {}}]}, headers={"x-goog-api-key": "k"})
        assert tools.headers["x-conformance-replay"] == "unrecorded"


def test_a_replay_answers_a_wrong_key_with_googles_recorded_answer(tmp_path):
    folder = _copy([STREAM, WRONG_KEY_ANSWER], tmp_path / "recordings")
    with ReplayGateway(folder, key="k") as replay:
        url = f"{replay.base_url}/v1beta/models/gemini-2.5-flash:generateContent"
        wrong = httpx.post(url, json={"contents": []}, headers={"x-goog-api-key": "nope"})
        assert wrong.status_code == 400 and "API_KEY_INVALID" in wrong.text
        missing = httpx.post(url, json={"contents": []})
        assert missing.headers["x-conformance-replay"] == "unrecorded"  # no recording of a missing key


def test_a_stream_changed_as_a_broken_gateway_changes_it_fails_over_http(tmp_path):
    folder = _copy([STREAM], tmp_path / "recordings")
    body = next(folder.glob("*.sse"))
    body.write_bytes(body.read_bytes() + b"data: [DONE]\r\n\r\n")
    targets = {"targets": {"doctored": {"reference": {"replay": str(folder)}}}}
    run = run_suite(tmp_path, targets, "--target", "doctored", "-p", "no:html")
    assert run.returncode == 1
    assert "fail" in run.outcomes("doctored")["SSE-04"]


def test_a_replay_path_that_does_not_exist_is_one_clear_line(tmp_path):
    targets = {"targets": {"gone": {"reference": {"replay": "no/such/folder"}}}}
    run = run_suite(tmp_path, targets, "--target", "gone")
    assert run.returncode == 4
    assert "key 'reference.replay': no such folder or sidecar" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout

