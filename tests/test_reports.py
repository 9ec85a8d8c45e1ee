"""What a run leaves behind for QA, certifying providers and nightly CI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml

from conformance.report.certificate import digest
from conformance.rules import load_all_rules
from conformance.schemas import validate
from tests.harness import REPO, run_suite

# A fault that breaks exactly one rule (STREAM-01), so exit codes are about that rule alone.
BROKEN_STREAM = {"reference": {"profile": "full", "faults": ["stream_content_type_json"]}}


def verify(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance", "verify", str(path)], cwd=REPO, capture_output=True, text=True)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    run = run_suite(tmp_path_factory.mktemp("clean"), None, "--target", "local", "--target", "local-aione")
    assert run.returncode == 0, run.stdout[-3000:]
    return run


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    run = run_suite(tmp_path_factory.mktemp("broken"), {"targets": {"broken": BROKEN_STREAM}}, "--target", "broken")
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    return run


def test_a_run_leaves_html_json_junit_and_a_certificate_and_badge_per_target(clean):
    for name in ("report.html", "results.json", "junit.xml", "local/conformance-report.yaml", "local/badge.svg",
                 "local-aione/conformance-report.yaml", "local-aione/badge.svg"):
        assert (clean.report_dir / name).is_file(), name


def test_results_json_follows_its_schema(clean):
    results = json.loads((clean.report_dir / "results.json").read_text())
    assert validate("results", results) == []
    assert results["targets"]["local"]["levels"]["core"]["result"] == "reached"
    assert results["targets"]["local"]["timing"]["generateContent"]["requests"] >= 1


def test_junit_carries_rule_level_and_target(clean):
    case = ET.parse(clean.report_dir / "junit.xml").getroot().find(".//testcase")
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties.keys() >= {"rule", "level", "target"}


def test_the_html_report_opens_with_the_verdict_then_the_matrix_and_levels(clean):
    html = (clean.report_dir / "report.html").read_text()
    assert html.index("Conformant at every level it claims") < html.index("Conformance matrix") < html.index("<h2>Levels</h2>")
    assert "<th>core</th><td class='gc-cell-pass'>reached</td>" in html


def test_verify_rejects_an_edited_certificate(clean, tmp_path):
    certificate = yaml.safe_load((clean.report_dir / "local" / "conformance-report.yaml").read_text())
    certificate["rules"][0]["outcome"] = "skipped"
    (tmp_path / "edited.yaml").write_text(yaml.safe_dump(certificate))
    done = verify(tmp_path / "edited.yaml")
    assert done.returncode == 1 and "digest mismatch" in done.stderr


def test_verify_rejects_a_failing_run_even_with_a_recomputed_digest(broken, tmp_path):
    certificate = yaml.safe_load((broken.report_dir / "broken" / "conformance-report.yaml").read_text())
    for level in certificate["levels"]:
        level["result"] = "reached"
    certificate["digest"] = digest(certificate)
    (tmp_path / "forged.yaml").write_text(yaml.safe_dump(certificate))
    done = verify(tmp_path / "forged.yaml")
    assert done.returncode == 1 and "STREAM-01 fail" in done.stderr


def _shipped(run, target: str, into):
    """A target's certificate as a provider publishes it: with its evidence folder beside it."""
    shutil.copytree(run.report_dir / target, into)
    return into / "conformance-report.yaml"


def _rewrite(path, change) -> None:
    certificate = yaml.safe_load(path.read_text())
    change(certificate)
    certificate["digest"] = digest(certificate)
    path.write_text(yaml.safe_dump(certificate, sort_keys=False))


def test_verify_rejudges_every_verdict_from_the_evidence_beside_the_certificate(clean):
    """The run wrote every exchange (the suite's and the SDK's) beside the certificate; a replay of
    them, judged by this suite offline, gives every verdict again."""
    evidence = clean.report_dir / "local" / "evidence"
    assert (evidence / "target.json").exists() and any(evidence.glob("*-streamGenerateContent.sse"))
    done = verify(clean.report_dir / "local" / "conformance-report.yaml")
    assert done.returncode == 0, done.stderr
    assert "verified: local reached core" in done.stdout
    rules = len(load_all_rules())
    assert f"{rules} of {rules} rules re-judged from" in done.stdout and "not signed" in done.stdout


def test_a_forged_verdict_is_contradicted_by_its_own_evidence(broken, tmp_path):
    path = _shipped(broken, "broken", tmp_path / "broken")

    def all_pass(certificate):
        for row in certificate["rules"]:
            row["outcome"] = "pass" if row["outcome"] == "fail" else row["outcome"]
        for level in certificate["levels"]:
            level["result"] = "reached"

    _rewrite(path, all_pass)
    done = verify(path)
    assert done.returncode == 1
    assert "its evidence contradicts 1 verdict(s): STREAM-01 (pass; evidence: fail)" in done.stderr


def test_evidence_changed_after_the_run_is_refused(clean, tmp_path):
    path = _shipped(clean, "local", tmp_path / "local")
    body = next((path.parent / "evidence").glob("*-generateContent.json"))
    body.write_bytes(body.read_bytes() + b" ")
    done = verify(path)
    assert done.returncode == 1 and "the evidence was changed after the certificate was written" in done.stderr


def test_without_evidence_only_a_valid_signature_verifies_and_verify_names_its_key(clean, tmp_path):
    path = _shipped(clean, "local", tmp_path / "local")
    shutil.rmtree(path.parent / "evidence")
    _rewrite(path, lambda certificate: certificate.pop("evidence"))
    unsigned = verify(path)
    assert unsigned.returncode == 1 and "neither evidence to re-judge its verdicts nor a signature" in unsigned.stderr
    tool = [sys.executable, "-m", "conformance"]
    made = subprocess.run([*tool, "keygen", str(tmp_path / "provider.pem")], cwd=REPO, capture_output=True, text=True)
    key_id = made.stdout.split("new Ed25519 private key ")[1].split()[0]
    signed = subprocess.run([*tool, "sign", str(path), "--key", str(tmp_path / "provider.pem")], cwd=REPO, capture_output=True, text=True)
    assert signed.returncode == 0, signed.stderr
    done = verify(path)
    assert done.returncode == 0, done.stderr
    assert f"signed by {key_id}" in done.stdout and "rest on the signature alone" in done.stdout
    certificate = yaml.safe_load(path.read_text())
    certificate["date"] = "2020-01-01T00:00:00Z"  # edited after signing, digest recomputed
    certificate["digest"] = digest(certificate)
    path.write_text(yaml.safe_dump(certificate, sort_keys=False))
    edited = verify(path)
    assert edited.returncode == 1 and "the signature does not match the certificate" in edited.stderr


def test_a_broken_gateway_does_not_reach_core(broken):
    results = json.loads((broken.report_dir / "results.json").read_text())
    assert results["targets"]["broken"]["levels"]["core"]["result"] == "not reached"
    assert "core not reached" in (broken.report_dir / "broken" / "badge.svg").read_text()


def test_baseline_fails_only_on_regressions(clean, broken, tmp_path):
    baseline = f"--baseline={clean.report_dir / 'results.json'}"
    # The same gateway with a new bug: a regression against last night.
    regressed = run_suite(tmp_path / "regressed", {"targets": {"local": BROKEN_STREAM}}, "--target", "local", baseline)
    assert regressed.returncode == pytest.ExitCode.TESTS_FAILED
    comparison = json.loads((regressed.report_dir / "results.json").read_text())["baseline"]
    assert comparison["regressions"] == ["conformance/checks/streaming.py::STREAM-01_event_stream_content_type[local]"]
    assert "regression: conformance/checks/streaming.py::STREAM-01_event_stream_content_type[local]" in regressed.stdout
    # Known failures that were already failing last night don't fail the night.
    still = run_suite(tmp_path / "still", {"targets": {"broken": BROKEN_STREAM}}, "--target", "broken",
                      f"--baseline={broken.report_dir / 'results.json'}")
    assert still.returncode == 0, still.stdout[-2000:]
    assert json.loads((still.report_dir / "results.json").read_text())["baseline"]["still_failing"]


def test_declared_deviations_are_shown_expire_and_are_flagged_when_unneeded(tmp_path):
    target = {
        **BROKEN_STREAM,
        "deviations": {
            "STREAM-01": "we label streams application/json for a legacy proxy",
            "ERR-03": {"reason": "legacy status names", "until": "2020-01-01"},
            "GEN-02": "nothing wrong here",
        },
    }
    run = run_suite(tmp_path, {"targets": {"gw": target}}, "--target", "gw")
    assert run.returncode == 0, run.stdout[-2000:]
    records = {r["rule"]: r for r in run.records}
    assert records["STREAM-01"]["outcome"] == "deviation"
    assert "deviation STREAM-01: applied: we label streams application/json" in run.stdout
    assert "deviation ERR-03: expired on 2020-01-01" in run.stdout
    assert "deviation GEN-02: no longer needed" in run.stdout


def test_a_deviation_that_expired_fails_again(tmp_path):
    target = {**BROKEN_STREAM, "deviations": {"STREAM-01": {"reason": "temporary", "until": "2020-01-01"}}}
    run = run_suite(tmp_path, {"targets": {"gw": target}}, "--target", "gw")
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    assert {r["outcome"] for r in run.records if r["rule"] == "STREAM-01"} == {"fail"}


def test_merge_puts_nightly_jobs_side_by_side(clean, broken, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "merge", str(clean.report_dir / "results.json"),
         str(broken.report_dir / "results.json"), "--out", str(tmp_path / "merged")],
        cwd=REPO, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    merged = json.loads((tmp_path / "merged" / "results.json").read_text())
    assert set(merged["targets"]) == {"local", "local-aione", "broken"}
    assert validate("results", merged) == []
    assert "STREAM-01" in (tmp_path / "merged" / "report.html").read_text()
    # Each target's certificate and badge, the same as a single run's, and verify accepts them.
    for name in ("local", "local-aione", "broken"):
        assert (tmp_path / "merged" / name / "badge.svg").is_file(), name
    done = verify(tmp_path / "merged" / "local" / "conformance-report.yaml")
    assert done.returncode == 0, done.stderr
    single = yaml.safe_load((clean.report_dir / "local" / "conformance-report.yaml").read_text())
    merged_local = yaml.safe_load((tmp_path / "merged" / "local" / "conformance-report.yaml").read_text())
    assert (merged_local["levels"], merged_local["rules"]) == (single["levels"], single["rules"])
    assert verify(tmp_path / "merged" / "broken" / "conformance-report.yaml").returncode == 1


def _merge(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance", "merge", *map(str, args)], cwd=REPO, capture_output=True, text=True)


def test_merge_refuses_what_it_cannot_merge_in_one_line(clean, tmp_path):
    results = clean.report_dir / "results.json"
    (tmp_path / "not.json").write_text("<html>")
    for args, says in (
        ((tmp_path / "missing.json",), "missing.json: no such file"),
        ((tmp_path / "not.json",), "not a results.json"),
        ((results, results), "target local is in both"),
    ):
        done = _merge(*args, "--out", tmp_path / "out")
        assert done.returncode == 2 and says in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr


def test_every_writer_reads_the_outcome_decided_once(clean):
    """The outcome is decided when the check reports; results.json records it with its skip kind."""
    records = json.loads((clean.report_dir / "results.json").read_text())["records"]
    assert {r["outcome"] for r in records} <= {"pass", "skipped"}
    assert {r["skip"] for r in records if r["outcome"] == "skipped"} == {"not declared"}
    assert all(r["skip"] is None for r in records if r["outcome"] != "skipped")


def test_a_partial_run_leaves_a_full_runs_artifacts_and_certifies_nothing(tmp_path):
    full = run_suite(tmp_path, None, "--target", "local")
    certificate = full.report_dir / "local" / "conformance-report.yaml"
    before = {name: (full.report_dir / name).read_bytes() for name in ("results.json", "report.html", "local/conformance-report.yaml")}
    for args in (("--co",), ("-k", "GEN-01"), ("-m", "not semantic"), ("conformance/checks/generate.py",)):
        partial = run_suite(tmp_path, None, "--target", "local", *args)
        assert partial.returncode == 0, (args, partial.stdout[-2000:])
        after = {name: (full.report_dir / name).read_bytes() for name in before}
        assert after == before, args
    assert verify(certificate).returncode == 0
    # What the last partial run checked is in partial/, without a certificate.
    assert {r["area"] for r in json.loads((full.report_dir / "partial" / "results.json").read_text())["records"]} == {"generate"}
    assert not (full.report_dir / "partial" / "local").exists()
    assert "partial run (conformance/checks/generate.py): artifacts in" in partial.stdout


def test_a_check_blocked_by_another_rules_failure_keeps_its_level_unreached(tmp_path):
    """Without usageMetadata (GEN-04 fails), the generation-config checks that read usage cannot
    judge: they are blocked by GEN-04, not 'not applicable', so generation-config is not reached."""
    targets = {"targets": {"no-usage": {"reference": {"profile": "full", "faults": ["usage_omitted"]}}}}
    run = run_suite(tmp_path, targets, "--target", "no-usage", "--level", "generation-config", "--level", "core")
    blocked = [r for r in run.records if r["outcome"] == "blocked"]
    assert blocked and {r["blocked_by"] for r in blocked} == {"GEN-04"}, run.stdout[-2000:]
    assert all(r["message"].startswith("blocked by GEN-04: ") for r in blocked)
    assert {r["rule"] for r in blocked} >= {"CFG-01"}
    results = json.loads((run.report_dir / "results.json").read_text())
    assert validate("results", results) == []
    config = results["targets"]["no-usage"]["levels"]["generation-config"]
    assert config["result"] == "not reached: not every rule ran" and config["blocked"] >= 1
    certificate = yaml.safe_load((run.report_dir / "no-usage" / "conformance-report.yaml").read_text())
    assert {row["id"]: row["outcome"] for row in certificate["rules"]}["CFG-01"] == "blocked"
