"""targets.yaml: the shipped file is right, and every mistake is one clear line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.reference import PROFILES
from conformance.targets import TargetsFileError, load_targets, select
from tests.harness import REPO

SEED_TARGETS = ("aione", "nebula", "tokensmart", "nexusflow")


@pytest.fixture(scope="module")
def shipped():
    return load_targets(REPO / "targets.yaml")


def test_shipped_file_has_local_the_seeds_and_their_emulations(shipped):
    assert shipped["local"].reference.profile == "full"
    for name in SEED_TARGETS:
        assert shipped[name].base_url.startswith("https://")
        assert shipped[name].api_key_env == f"{name.upper()}_API_KEY"
        assert shipped[f"local-{name}"].reference.profile == name


@pytest.mark.parametrize("name", SEED_TARGETS)
def test_emulation_declares_what_the_real_gateway_declares(shipped, name):
    """local-NAME certifies the same declarations as NAME, so the profile can't drift from the docs."""
    real, emulated = shipped[name], shipped[f"local-{name}"]
    assert (real.auth, set(real.actions), set(real.features), dict(real.models)) == (
        emulated.auth,
        set(emulated.actions),
        set(emulated.features),
        dict(emulated.models),
    )
    assert real.docs == emulated.docs == PROFILES[name].source
    for field in ("auth_failure", "unsupported_action", "image_stream_rejection"):
        assert set(getattr(emulated.expect, field)) <= set(getattr(real.expect, field))


def test_defaults_merge_under_each_target(tmp_path):
    file = tmp_path / "t.yaml"
    file.write_text(
        "defaults: {timeouts: {read: 7}, expect: {auth_failure: [401, 403]}}\n"
        "targets:\n  gw: {base_url: 'http://h', api_key_env: K, auth: [query], timeouts: {connect: 2}}\n"
    )
    gw = load_targets(file)["gw"]
    assert (gw.timeouts.connect, gw.timeouts.read, gw.timeouts.image) == (2, 7, 600)
    assert gw.expect.auth_failure == (401, 403)


def test_deviations_take_a_reason_or_reason_and_until(tmp_path):
    file = tmp_path / "t.yaml"
    file.write_text(
        "targets:\n  gw:\n    base_url: 'http://h'\n    api_key_env: K\n"
        "    deviations: {STREAM-02: 'sends [DONE]', ERR-03: {reason: 'legacy', until: 2027-01-31}}\n"
    )
    deviations = load_targets(file)["gw"].deviations
    assert deviations["STREAM-02"].reason == "sends [DONE]"
    assert str(deviations["ERR-03"].until) == "2027-01-31"


BAD_FILES = {
    "unknown key": ("targets:\n  gw: {base_url: 'http://h', api_key_env: K, authh: [bearer]}\n", "target 'gw': unknown key 'authh'"),
    "wrong type": ("targets:\n  gw: {base_url: 'http://h', api_key_env: K, auth: bearer}\n", "target 'gw', key 'auth': 'bearer' is not of type 'array'"),
    "unknown placement": ("targets:\n  gw: {base_url: 'http://h', api_key_env: K, auth: [cookie]}\n", "target 'gw', key 'auth[0]'"),
    "missing base_url": ("targets:\n  gw: {api_key_env: K}\n", "target 'gw': missing key 'base_url'"),
    "missing key variable": ("targets:\n  gw: {base_url: 'http://h'}\n", "target 'gw': missing key 'api_key_env'"),
    "not yaml": ("targets:\n  gw: {base_url: 'http://h'\n", "at line 3"),
    "no targets": ("defaults: {}\n", "missing key 'targets'"),
    "unknown profile": ("targets:\n  gw: {reference: nope}\n", "unknown profile 'nope'"),
    "unknown fault": ("targets:\n  gw: {reference: {profile: full, faults: [nope]}}\n", "unknown fault 'nope'"),
    "reference without profile": ("targets:\n  gw: {reference: {faults: []}}\n", "give a profile (reference: {profile: full}) or recordings to replay"),
    "replay with faults": ("targets:\n  gw: {reference: {replay: ., faults: [x]}}\n", "a replay serves recordings as they are; faults does not apply"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_one_line_naming_file_target_and_key(tmp_path, case):
    text, message = BAD_FILES[case]
    file = tmp_path / "targets.yaml"
    file.write_text(text)
    with pytest.raises(TargetsFileError) as error:
        load_targets(file)
    assert str(error.value).startswith("targets.yaml: ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_every_problem_of_a_file_at_once_each_with_the_nearest_valid_name(tmp_path):
    file = tmp_path / "targets.yaml"
    file.write_text(
        "targets:\n  gw:\n    base_url: http://h\n    api_key_env: K\n    authh: [bearer]\n"
        "    auth: [x-goog-api-keyy]\n    actions: [generateContnet]\n    features: [inline_image]\n"
        "    models: {textt: gemini-2.5-flash}\n    deviations: {GEN-1: 'legacy'}\n"
    )
    with pytest.raises(TargetsFileError) as error:
        load_targets(file)
    lines = str(error.value).splitlines()
    expected = [
        "target 'gw': unknown key 'authh' (did you mean 'auth'?)",
        "target 'gw', key 'auth[0]': unknown auth placement 'x-goog-api-keyy' (did you mean 'x-goog-api-key'?",
        "target 'gw', key 'actions[0]': unknown action 'generateContnet' (did you mean 'generateContent'?",
        "target 'gw', key 'features[0]': unknown feature 'inline_image' (did you mean 'inline_images'?",
        "target 'gw', key 'models': unknown model role 'textt' (did you mean 'text'?",
        "target 'gw', key 'deviations': no rule 'GEN-1' (did you mean 'GEN-01'?)",
    ]
    assert len(lines) == len(expected) and all(line.startswith("targets.yaml: ") for line in lines)
    for text in expected:
        assert any(text in line for line in lines), text


def test_unknown_target_lists_the_known_ones(shipped):
    with pytest.raises(TargetsFileError, match=r"unknown target 'nope' \(known: local, .*or 'all'\)"):
        select(shipped, ["nope"], "targets.yaml")
    with pytest.raises(TargetsFileError, match=r"unknown target 'aoine' \(did you mean 'aione'\? known: local, "):
        select(shipped, ["aoine"], "targets.yaml")


def test_all_selects_every_target_once(shipped):
    assert [t.name for t in select(shipped, ["local", "all"], "targets.yaml")] == list(shipped)


@pytest.mark.parametrize("args", [["--targets-file={bad}"], ["--target", "nope"], ["--level", "nope"]])
def test_pytest_reports_a_usage_error_without_traceback(tmp_path, args):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_FILES["unknown key"][0])
    command = [sys.executable, "-m", "pytest", *(a.format(bad=bad) for a in args)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("ERROR: "), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
